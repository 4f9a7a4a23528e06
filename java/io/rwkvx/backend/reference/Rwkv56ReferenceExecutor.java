package io.rwkvx.backend.reference;

import io.rwkvx.model.Architecture;
import io.rwkvx.model.ModelWeights;

/**
 * The RWKV-5.2 and RWKV-6 layers as rwkv.cpp computes them (rwkv_att_v5 / rwkv_att_v6, rwkv_ffn /
 * rwkv_ffn_v6) in float64; the token loop is {@link StepwiseExecutor}'s. State per layer in the export
 * layout: att shift [C], ffn shift [C], S [H][N key][N value].
 */
final class Rwkv56ReferenceExecutor extends StepwiseExecutor {
    /** ln_x eps: rwkv.cpp's ggml group norm has 1e-5; for v6 it scales by 1/8 first, i.e. 64e-5 unscaled. */
    private static final double GN_EPS_V5 = 1e-5, GN_EPS_V6 = 64e-5;

    /** One layer's tensors as float arrays; matrices row-major (out, in). Unused ones of a version are null. */
    private record Layer(
            float[] ln1w,
            float[] ln1b,
            float[] ln2w,
            float[] ln2b,
            float[][] mix, // v5.2: time_mix_k, v, r, g; v6: time_maa_w, k, v, r, g
            float[] maaX,
            float[] maaW1,
            float[][] maaW2,
            float[] decayW1,
            float[] decayW2,
            float[] decay,
            float[] faaaa,
            float[] wr,
            float[] wk,
            float[] wv,
            float[] wg,
            float[] wo,
            float[] lnxW,
            float[] lnxB,
            float[] ffnMixK,
            float[] ffnMixR,
            float[] ffnK,
            float[] ffnV,
            float[] ffnR) {}

    private final boolean v6;
    private final int maaRank, decayRank;
    private final Layer[] layers;

    Rwkv56ReferenceExecutor(ModelWeights w) {
        super(w);
        v6 = cfg.arch() == Architecture.RWKV6;
        maaRank = v6 ? (int) w.get("blocks.0.att.time_maa_w1").dim(0) / 5 : 0;
        decayRank = v6 ? (int) w.get("blocks.0.att.time_decay_w1").dim(0) : 0;
        int c = cfg.nEmbd();
        layers = new Layer[cfg.nLayer()];
        for (int i = 0; i < layers.length; i++) {
            String p = "blocks." + i + ".";
            float[][] mix = new float[5][];
            float[][] maaW2 = null;
            String[] branches = v6 ? new String[] {"w", "k", "v", "r", "g"} : new String[] {"k", "v", "r", "g"};
            for (int b = 0; b < branches.length; b++) {
                mix[b] = f(w, p + (v6 ? "att.time_maa_" : "att.time_mix_") + branches[b]);
            }
            if (v6) {
                float[] all = f(w, p + "att.time_maa_w2");
                maaW2 = new float[5][];
                for (int b = 0; b < 5; b++) {
                    maaW2[b] = java.util.Arrays.copyOfRange(all, b * c * maaRank, (b + 1) * c * maaRank);
                }
            }
            String ffnMix = v6 ? "ffn.time_maa_" : "ffn.time_mix_";
            layers[i] = new Layer(
                    f(w, p + "ln1.weight"),
                    f(w, p + "ln1.bias"),
                    f(w, p + "ln2.weight"),
                    f(w, p + "ln2.bias"),
                    mix,
                    v6 ? f(w, p + "att.time_maa_x") : null,
                    v6 ? f(w, p + "att.time_maa_w1") : null,
                    maaW2,
                    v6 ? f(w, p + "att.time_decay_w1") : null,
                    v6 ? f(w, p + "att.time_decay_w2") : null,
                    f(w, p + "att.time_decay"),
                    f(w, p + "att.time_faaaa"),
                    f(w, p + "att.receptance.weight"),
                    f(w, p + "att.key.weight"),
                    f(w, p + "att.value.weight"),
                    f(w, p + "att.gate.weight"),
                    f(w, p + "att.output.weight"),
                    f(w, p + "att.ln_x.weight"),
                    f(w, p + "att.ln_x.bias"),
                    f(w, p + ffnMix + "k"),
                    f(w, p + ffnMix + "r"),
                    f(w, p + "ffn.key.weight"),
                    f(w, p + "ffn.value.weight"),
                    f(w, p + "ffn.receptance.weight"));
        }
    }

    @Override
    void layers(ReferenceState rs, float[] s, double[] x) {
        int c = cfg.nEmbd();
        for (int l = 0; l < layers.length; l++) {
            Layer w = layers[l];
            int base = rs.layerOffset(l);
            add(x, timeMix(w, layerNorm(x, w.ln1w(), w.ln1b(), 1, LN_EPS), s, base));
            add(x, channelMix(w, layerNorm(x, w.ln2w(), w.ln2b(), 1, LN_EPS), s, base + c));
        }
    }

    /** {@code xx} is the LN1 output; att shift at {@code s[base..)}, the WKV state at {@code base + 2C}. */
    private double[] timeMix(Layer w, double[] xx, float[] s, int base) {
        int c = cfg.nEmbd(), h = cfg.nHead(), n = cfg.headSize();
        double[] prev = new double[c];
        for (int i = 0; i < c; i++) {
            prev[i] = s[base + i];
            s[base + i] = (float) xx[i];
        }
        double[] xw = null, xk, xv, xr, xg;
        if (v6) {
            double[] xxx = new double[c];
            for (int i = 0; i < c; i++) xxx[i] = xx[i] + (prev[i] - xx[i]) * w.maaX()[i];
            double[] lora = matVec(w.maaW1(), xxx, 5 * maaRank, c);
            double[][] mixed = new double[5][];
            for (int b = 0; b < 5; b++) {
                double[] slice = new double[maaRank];
                for (int i = 0; i < maaRank; i++) slice[i] = Math.tanh(lora[b * maaRank + i]);
                double[] m = matVec(w.maaW2()[b], slice, c, maaRank);
                for (int i = 0; i < c; i++) m[i] = xx[i] + (prev[i] - xx[i]) * (w.mix()[b][i] + m[i]);
                mixed[b] = m;
            }
            xw = mixed[0];
            xk = mixed[1];
            xv = mixed[2];
            xr = mixed[3];
            xg = mixed[4];
        } else {
            xk = mix(xx, prev, w.mix()[0]);
            xv = mix(xx, prev, w.mix()[1]);
            xr = mix(xx, prev, w.mix()[2]);
            xg = mix(xx, prev, w.mix()[3]);
        }
        double[] r = matVec(w.wr(), xr, c, c);
        double[] k = matVec(w.wk(), xk, c, c);
        double[] v = matVec(w.wv(), xv, c, c);
        double[] g = matVec(w.wg(), xg, c, c);
        double[] decay = new double[c];
        if (v6) {
            double[] d1 = matVec(w.decayW1(), xw, decayRank, c);
            for (int i = 0; i < decayRank; i++) d1[i] = Math.tanh(d1[i]);
            double[] d2 = matVec(w.decayW2(), d1, c, decayRank);
            for (int i = 0; i < c; i++) decay[i] = Math.exp(-Math.exp(w.decay()[i] + d2[i]));
        } else {
            for (int i = 0; i < c; i++) decay[i] = w.decay()[i];
        }
        double[] y = new double[c];
        int sAt = base + 2 * c;
        for (int hh = 0; hh < h; hh++) {
            int o = hh * n;
            for (int i = 0; i < n; i++) {
                int row = sAt + hh * n * n + i * n;
                double ri = r[o + i], ki = k[o + i], uk = w.faaaa()[o + i] * ki, wi = decay[o + i];
                for (int j = 0; j < n; j++) {
                    double st = s[row + j];
                    y[o + j] += ri * (uk * v[o + j] + st);
                    s[row + j] = (float) (wi * st + ki * v[o + j]);
                }
            }
        }
        y = layerNorm(y, w.lnxW(), w.lnxB(), h, v6 ? GN_EPS_V6 : GN_EPS_V5);
        for (int i = 0; i < c; i++) y[i] *= g[i] * sigmoid(g[i]);
        return matVec(w.wo(), y, c, c);
    }

    /** {@code xx} is the LN2 output; the ffn shift sits at {@code s[at..at+C)}. */
    private double[] channelMix(Layer w, double[] xx, float[] s, int at) {
        int c = cfg.nEmbd(), f = cfg.ffnSize();
        double[] prev = new double[c];
        for (int i = 0; i < c; i++) {
            prev[i] = s[at + i];
            s[at + i] = (float) xx[i];
        }
        double[] xk, xr;
        if (v6) {
            xk = new double[c];
            xr = new double[c];
            for (int i = 0; i < c; i++) {
                xk[i] = xx[i] + (prev[i] - xx[i]) * w.ffnMixK()[i];
                xr[i] = xx[i] + (prev[i] - xx[i]) * w.ffnMixR()[i];
            }
        } else {
            xk = mix(xx, prev, w.ffnMixK());
            xr = mix(xx, prev, w.ffnMixR());
        }
        return gatedChannelMix(w.ffnK(), w.ffnV(), w.ffnR(), xk, xr, c, f);
    }

    /** RWKV-5.2 token shift xx·mix + prev·(1 − mix), as rwkv.cpp writes it. */
    private static double[] mix(double[] xx, double[] prev, float[] m) {
        double[] out = new double[xx.length];
        for (int i = 0; i < xx.length; i++) out[i] = xx[i] * m[i] + prev[i] * (1.0 - m[i]);
        return out;
    }
}
