package io.rwkvx.backend.reference;

import io.rwkvx.model.ModelWeights;

/**
 * The RWKV-4 layers (docs/formats.md §4.2, as rwkv.cpp computes them) in float64; the token loop is
 * {@link StepwiseExecutor}'s. State per layer in the export layout: att shift, ffn shift, aa, bb, pp
 * ([C] each).
 */
final class Rwkv4ReferenceExecutor extends StepwiseExecutor {
    /** Start-of-sequence pp (rwkvx.h): very negative, finite. */
    private static final float INITIAL_PP = -1e38f;

    /** One layer's tensors widened to float arrays; matrices row-major (out, in). */
    private record Layer(
            float[] ln1w,
            float[] ln1b,
            float[] ln2w,
            float[] ln2b,
            float[] mixK,
            float[] mixV,
            float[] mixR,
            float[] decay,
            float[] first,
            float[] wk,
            float[] wv,
            float[] wr,
            float[] wo,
            float[] ffnMixK,
            float[] ffnMixR,
            float[] ffnK,
            float[] ffnV,
            float[] ffnR) {}

    private final Layer[] layers;
    private final float[] initial;

    Rwkv4ReferenceExecutor(ModelWeights w) {
        super(w);
        layers = new Layer[cfg.nLayer()];
        for (int i = 0; i < layers.length; i++) {
            String p = "blocks." + i + ".";
            layers[i] = new Layer(
                    f(w, p + "ln1.weight"),
                    f(w, p + "ln1.bias"),
                    f(w, p + "ln2.weight"),
                    f(w, p + "ln2.bias"),
                    f(w, p + "att.time_mix_k"),
                    f(w, p + "att.time_mix_v"),
                    f(w, p + "att.time_mix_r"),
                    f(w, p + "att.time_decay"),
                    f(w, p + "att.time_first"),
                    f(w, p + "att.key.weight"),
                    f(w, p + "att.value.weight"),
                    f(w, p + "att.receptance.weight"),
                    f(w, p + "att.output.weight"),
                    f(w, p + "ffn.time_mix_k"),
                    f(w, p + "ffn.time_mix_r"),
                    f(w, p + "ffn.key.weight"),
                    f(w, p + "ffn.value.weight"),
                    f(w, p + "ffn.receptance.weight"));
        }
        initial = ReferenceState.zeros(cfg);
        int c = cfg.nEmbd();
        for (int l = 0; l < layers.length; l++) {
            for (int i = 0; i < c; i++) initial[l * 5 * c + 4 * c + i] = INITIAL_PP;
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

    @Override
    float[] initialState() {
        return initial;
    }

    /** Token shift xx·mix + prev·(1 − mix), as rwkv.cpp writes it. */
    private static double[] mix(double[] xx, float[] s, int at, float[] m) {
        double[] out = new double[xx.length];
        for (int i = 0; i < xx.length; i++) out[i] = xx[i] * m[i] + s[at + i] * (1.0 - m[i]);
        return out;
    }

    /** {@code xx} is the LN1 output; att shift at {@code s[base..)}, aa/bb/pp at {@code base+2C, +3C, +4C}. */
    private double[] timeMix(Layer w, double[] xx, float[] s, int base) {
        int c = cfg.nEmbd();
        double[] xk = mix(xx, s, base, w.mixK()), xv = mix(xx, s, base, w.mixV()), xr = mix(xx, s, base, w.mixR());
        for (int i = 0; i < c; i++) s[base + i] = (float) xx[i];
        double[] k = matVec(w.wk(), xk, c, c);
        double[] v = matVec(w.wv(), xv, c, c);
        double[] r = matVec(w.wr(), xr, c, c);
        double[] out = new double[c];
        int aaAt = base + 2 * c, bbAt = base + 3 * c, ppAt = base + 4 * c;
        for (int i = 0; i < c; i++) {
            double aa = s[aaAt + i], bb = s[bbAt + i], pp = s[ppAt + i];
            double ww = w.first()[i] + k[i];
            double q = Math.max(pp, ww);
            double e1 = Math.exp(pp - q), e2 = Math.exp(ww - q);
            double wkv = (e1 * aa + e2 * v[i]) / (e1 * bb + e2);
            ww = pp + w.decay()[i];
            q = Math.max(ww, k[i]);
            e1 = Math.exp(ww - q);
            e2 = Math.exp(k[i] - q);
            s[aaAt + i] = (float) (e1 * aa + e2 * v[i]);
            s[bbAt + i] = (float) (e1 * bb + e2);
            s[ppAt + i] = (float) q;
            out[i] = sigmoid(r[i]) * wkv;
        }
        return matVec(w.wo(), out, c, c);
    }

    /** {@code xx} is the LN2 output; the ffn shift sits at {@code s[at..at+C)}. */
    private double[] channelMix(Layer w, double[] xx, float[] s, int at) {
        int c = cfg.nEmbd(), f = cfg.ffnSize();
        double[] xk = mix(xx, s, at, w.ffnMixK()), xr = mix(xx, s, at, w.ffnMixR());
        for (int i = 0; i < c; i++) s[at + i] = (float) xx[i];
        return gatedChannelMix(w.ffnK(), w.ffnV(), w.ffnR(), xk, xr, c, f);
    }
}
