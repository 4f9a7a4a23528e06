package io.rwkvx;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An independent float64 forward of the RWKV-X hybrid (docs/rwkv-x.md §2, §3, §5),
 * written from the spec over plain arrays in BlinkDL checkpoint layout (vectors [1,1,C], LoRA w1 [C,D]
 * and w2 [D,C], projections [out,in]). It shares no code with the engine, so it checks the block order,
 * the RWKV-7 math and the chunk/top-k/score semantics of the native prefill and decode.
 */
final class HybridReferenceForward {
    private static final int N = 64;
    private final Map<String, float[]> w;
    private final int c, h, r, a, vocab, interval, chunk, topK;
    private final boolean perHead;
    private final long denseBelow;

    /**
     * @param w          tensors by checkpoint name without the {@code rwkv.} prefix ({@code moba.j.*} as is)
     * @param denseBelow sparse runs as full while the attended length is at most this (prefill: T; decode: cache length)
     */
    HybridReferenceForward(
            Map<String, float[]> w,
            int c,
            int r,
            int a,
            int vocab,
            int chunk,
            int topK,
            boolean perHead,
            long denseBelow) {
        this.w = w;
        this.c = c;
        this.h = c / N;
        this.r = r;
        this.a = a;
        this.vocab = vocab;
        this.interval = r / a;
        this.chunk = chunk;
        this.topK = topK;
        this.perHead = perHead;
        this.denseBelow = denseBelow;
    }

    /**
     * Logits after every token. {@code prefill}: one call over all tokens (dense iff T <= denseBelow);
     * otherwise one call per token (dense iff the cache length <= denseBelow).
     */
    double[][] run(int[] tokens, boolean prefill) {
        double[][] attShift = new double[r][c], ffnShift = new double[r][c], aFfnShift = new double[a][c];
        double[][][] wkv = new double[r][h * N][N]; // [value row i (h*N+i)][key j]
        List<List<double[]>> keys = new ArrayList<>(), values = new ArrayList<>();
        for (int j = 0; j < a; j++) {
            keys.add(new ArrayList<>());
            values.add(new ArrayList<>());
        }
        double[][] out = new double[tokens.length][];
        for (int t = 0; t < tokens.length; t++) {
            boolean dense = prefill ? tokens.length <= denseBelow : t <= denseBelow;
            double[] x = new double[c];
            for (int i = 0; i < c; i++) x[i] = w.get("emb.weight")[tokens[t] * c + i];
            x = layerNorm(x, "blocks.0.ln0", 1, 1e-5);
            double[] vFirst = new double[c];
            for (int i = 0; i < r; i++) {
                rwkvBlock(i, x, attShift[i], ffnShift[i], wkv[i], vFirst);
                if ((i + 1) % interval == 0) {
                    int j = (i + 1) / interval - 1;
                    attnBlock(j, x, aFfnShift[j], keys.get(j), values.get(j), dense);
                }
            }
            out[t] = matVec("head.weight", layerNorm(x, "ln_out", 1, 1e-5), vocab, c);
        }
        return out;
    }

    private void rwkvBlock(int l, double[] x, double[] shift, double[] ffnShift, double[][] s, double[] vFirst) {
        String p = "blocks." + l + ".att.";
        double[] xx = layerNorm(x, "blocks." + l + ".ln1", 1, 1e-5);
        double[][] mixed = new double[6][c];
        String[] names = {"x_r", "x_w", "x_k", "x_v", "x_a", "x_g"};
        for (int m = 0; m < 6; m++) {
            float[] mu = w.get(p + names[m]);
            for (int i = 0; i < c; i++) mixed[m][i] = xx[i] + (shift[i] - xx[i]) * mu[i];
        }
        System.arraycopy(xx, 0, shift, 0, c);
        double[] rr = matVec(p + "receptance.weight", mixed[0], c, c);
        double[] k = matVec(p + "key.weight", mixed[2], c, c);
        double[] v = matVec(p + "value.weight", mixed[3], c, c);
        double[] wl = lora(p + "w1", p + "w2", mixed[1], Math::tanh);
        double[] al = lora(p + "a1", p + "a2", mixed[4], z -> z);
        double[] g = lora(p + "g1", p + "g2", mixed[5], HybridReferenceForward::sigmoid);
        double[] decay = new double[c], aa = new double[c], kk = new double[c];
        for (int i = 0; i < c; i++) {
            decay[i] = Math.exp(-Math.exp(-0.5) * sigmoid(w.get(p + "w0")[i] + wl[i]));
            aa[i] = sigmoid(w.get(p + "a0")[i] + al[i]);
            kk[i] = k[i] * w.get(p + "k_k")[i];
        }
        if (l == 0) System.arraycopy(v, 0, vFirst, 0, c);
        else {
            double[] vl = lora(p + "v1", p + "v2", mixed[3], z -> z);
            for (int i = 0; i < c; i++) v[i] += (vFirst[i] - v[i]) * sigmoid(w.get(p + "v0")[i] + vl[i]);
        }
        for (int hh = 0; hh < h; hh++) {
            double sq = 0;
            for (int i = 0; i < N; i++) sq += kk[hh * N + i] * kk[hh * N + i];
            double norm = Math.max(Math.sqrt(sq), 1e-12);
            for (int i = 0; i < N; i++) kk[hh * N + i] /= norm;
        }
        for (int i = 0; i < c; i++) k[i] *= 1 + (aa[i] - 1) * w.get(p + "k_a")[i];
        double[] o = new double[c];
        for (int hh = 0; hh < h; hh++)
            for (int i = 0; i < N; i++) {
                double[] row = s[hh * N + i];
                double sa = 0;
                for (int j = 0; j < N; j++) sa -= row[j] * kk[hh * N + j];
                double y = 0;
                for (int j = 0; j < N; j++) {
                    int q = hh * N + j;
                    row[j] = row[j] * decay[q] + sa * kk[q] * aa[q] + v[hh * N + i] * k[q];
                    y += row[j] * rr[q];
                }
                o[hh * N + i] = y;
            }
        o = layerNormWith(o, w.get(p + "ln_x.weight"), w.get(p + "ln_x.bias"), h, 64e-5);
        for (int hh = 0; hh < h; hh++) {
            double bonus = 0;
            for (int j = 0; j < N; j++) bonus += rr[hh * N + j] * k[hh * N + j] * w.get(p + "r_k")[hh * N + j];
            for (int i = 0; i < N; i++) o[hh * N + i] += bonus * v[hh * N + i];
        }
        for (int i = 0; i < c; i++) o[i] *= g[i];
        add(x, matVec(p + "output.weight", o, c, c));
        channelMix("blocks." + l + ".", x, ffnShift);
    }

    private void attnBlock(int j, double[] x, double[] ffnShift, List<double[]> ks, List<double[]> vs, boolean dense) {
        String p = "moba." + j + ".";
        double[] xx = layerNorm(x, p + "ln1", 1, 1e-5);
        double[] q = matVec(p + "att.receptance.weight", xx, c, c);
        ks.add(matVec(p + "att.key.weight", xx, c, c));
        vs.add(matVec(p + "att.value.weight", xx, c, c));
        int t = ks.size() - 1, own = t / chunk;
        double[] y = new double[c];
        boolean[][] chosen = new boolean[h][own]; // past chunks attended, per head
        for (int hh = 0; hh < h; hh++) java.util.Arrays.fill(chosen[hh], dense);
        if (!dense) {
            double[][] score = new double[h][own];
            for (int cc = 0; cc < own; cc++)
                for (int hh = 0; hh < h; hh++) {
                    double sum = 0;
                    for (int i = 0; i < N; i++) {
                        double mean = 0;
                        for (int u = cc * chunk; u < (cc + 1) * chunk; u++) mean += ks.get(u)[hh * N + i];
                        sum += q[hh * N + i] * mean / chunk;
                    }
                    score[hh][cc] = sum;
                }
            if (!perHead) { // one score over all heads, shared by every head
                for (int cc = 0; cc < own; cc++) {
                    double total = 0;
                    for (int hh = 0; hh < h; hh++) total += score[hh][cc];
                    for (int hh = 0; hh < h; hh++) score[hh][cc] = total;
                }
            }
            for (int hh = 0; hh < h; hh++)
                for (int pick = 0; pick < Math.min(topK, own); pick++) {
                    int best = -1;
                    for (int cc = 0; cc < own; cc++) // >= : ties go to the more recent chunk
                    if (!chosen[hh][cc] && (best < 0 || score[hh][cc] >= score[hh][best])) best = cc;
                    chosen[hh][best] = true;
                }
        }
        for (int hh = 0; hh < h; hh++) {
            List<Integer> keys = new ArrayList<>();
            for (int cc = 0; cc < own; cc++)
                if (chosen[hh][cc]) for (int u = cc * chunk; u < (cc + 1) * chunk; u++) keys.add(u);
            for (int u = own * chunk; u <= t; u++) keys.add(u);
            double[] logit = new double[keys.size()];
            double max = Double.NEGATIVE_INFINITY;
            for (int n = 0; n < logit.length; n++) {
                double d = 0;
                for (int i = 0; i < N; i++) d += q[hh * N + i] * ks.get(keys.get(n))[hh * N + i];
                logit[n] = d / Math.sqrt(N);
                max = Math.max(max, logit[n]);
            }
            double z = 0;
            for (int n = 0; n < logit.length; n++) z += logit[n] = Math.exp(logit[n] - max);
            for (int n = 0; n < logit.length; n++)
                for (int i = 0; i < N; i++) y[hh * N + i] += logit[n] / z * vs.get(keys.get(n))[hh * N + i];
        }
        add(x, matVec(p + "att.output.weight", y, c, c));
        channelMix(p, x, ffnShift);
    }

    /** x += CMix(LN2(x)) with its own token shift (docs/formats.md §4.4 channel mix, docs/rwkv-x.md §2.3); {@code p} ends with a dot. */
    private void channelMix(String p, double[] x, double[] shift) {
        double[] xx = layerNorm(x, p + "ln2", 1, 1e-5);
        double[] kx = new double[c];
        for (int i = 0; i < c; i++) kx[i] = xx[i] + (shift[i] - xx[i]) * w.get(p + "ffn.x_k")[i];
        System.arraycopy(xx, 0, shift, 0, c);
        int f = w.get(p + "ffn.key.weight").length / c;
        double[] hid = matVec(p + "ffn.key.weight", kx, f, c);
        for (int i = 0; i < f; i++) hid[i] = Math.max(hid[i], 0) * Math.max(hid[i], 0);
        add(x, matVec(p + "ffn.value.weight", hid, c, f));
    }

    /** inner(x @ first) @ second, with first [C,D] and second [D,C] as stored by BlinkDL. */
    private double[] lora(String first, String second, double[] x, java.util.function.DoubleUnaryOperator inner) {
        float[] m1 = w.get(first), m2 = w.get(second);
        int d = m1.length / c;
        double[] z = new double[d];
        for (int i = 0; i < c; i++) for (int e = 0; e < d; e++) z[e] += x[i] * m1[i * d + e];
        double[] y = new double[c];
        for (int e = 0; e < d; e++) {
            double ze = inner.applyAsDouble(z[e]);
            for (int i = 0; i < c; i++) y[i] += ze * m2[e * c + i];
        }
        return y;
    }

    private double[] matVec(String name, double[] x, int rows, int cols) {
        float[] m = w.get(name);
        double[] y = new double[rows];
        for (int i = 0; i < rows; i++) {
            double s = 0;
            for (int j = 0; j < cols; j++) s += m[i * cols + j] * x[j];
            y[i] = s;
        }
        return y;
    }

    private double[] layerNorm(double[] x, String prefix, int groups, double eps) {
        return layerNormWith(x, w.get(prefix + ".weight"), w.get(prefix + ".bias"), groups, eps);
    }

    private static double[] layerNormWith(double[] x, float[] weight, float[] bias, int groups, double eps) {
        int g = x.length / groups;
        double[] y = new double[x.length];
        for (int s = 0; s < groups; s++) {
            double mean = 0, var = 0;
            for (int i = s * g; i < (s + 1) * g; i++) mean += x[i];
            mean /= g;
            for (int i = s * g; i < (s + 1) * g; i++) var += (x[i] - mean) * (x[i] - mean);
            var /= g;
            for (int i = s * g; i < (s + 1) * g; i++) y[i] = (x[i] - mean) / Math.sqrt(var + eps) * weight[i] + bias[i];
        }
        return y;
    }

    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    private static void add(double[] x, double[] d) {
        for (int i = 0; i < x.length; i++) x[i] += d[i];
    }
}
