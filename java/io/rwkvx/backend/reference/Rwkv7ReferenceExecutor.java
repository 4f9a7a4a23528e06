package io.rwkvx.backend.reference;

/** The RWKV-7 layers in float64, one token at a time (the token loop: {@link StepwiseExecutor}). */
final class Rwkv7ReferenceExecutor extends StepwiseExecutor {
    /** GroupNorm eps of ln_x: 1e-5 · head_size_divisor² with divisor 8. */
    private static final double LN_X_EPS = 64e-5;
    /** Decay scale e^-0.5: w = exp(-e^-0.5 · σ(wl)). */
    private static final double DECAY_SCALE = Math.exp(-0.5);

    private static final double KK_EPS = 1e-12;

    private final Rwkv7Params p;

    Rwkv7ReferenceExecutor(Rwkv7Params params) {
        super(params.config, params.emb, params.ln0w, params.ln0b, params.lnOutW, params.lnOutB, params.head);
        this.p = params;
    }

    @Override
    void layers(ReferenceState rs, float[] s, double[] x) {
        int c = cfg.nEmbd();
        double[] vFirst = new double[c]; // layer 0's value, read by the later layers; not part of the state
        for (int l = 0; l < p.layers.length; l++) {
            Rwkv7Params.Layer w = p.layers[l];
            int base = rs.layerOffset(l);
            add(x, timeMix(w, l, layerNorm(x, w.ln1w(), w.ln1b(), 1, LN_EPS), s, base, vFirst));
            add(x, channelMix(w, layerNorm(x, w.ln2w(), w.ln2b(), 1, LN_EPS), s, base + c));
        }
    }

    /**
     * The attention-like half of a layer. {@code xx} is the LN1 output; the token-shift state sits at
     * {@code s[base..base+C)} and the WKV state at {@code s[base+2C..)}.
     */
    private double[] timeMix(Rwkv7Params.Layer w, int layer, double[] xx, float[] s, int base, double[] vFirst) {
        int c = cfg.nEmbd(), nh = cfg.nHead(), n = cfg.headSize();
        double[] xr = new double[c], xw = new double[c], xk = new double[c];
        double[] xv = new double[c], xa = new double[c], xg = new double[c];
        for (int i = 0; i < c; i++) {
            double d = s[base + i] - xx[i];
            xr[i] = xx[i] + d * w.xr()[i];
            xw[i] = xx[i] + d * w.xw()[i];
            xk[i] = xx[i] + d * w.xk()[i];
            xv[i] = xx[i] + d * w.xv()[i];
            xa[i] = xx[i] + d * w.xa()[i];
            xg[i] = xx[i] + d * w.xg()[i];
            s[base + i] = (float) xx[i]; // the next token's shift input
        }
        double[] r = matVec(w.wr(), xr, c, c);
        double[] k = matVec(w.wk(), xk, c, c);
        double[] v = matVec(w.wv(), xv, c, c);

        double[] wl = matVec(w.w2(), tanh(matVec(w.w1(), xw, w.dw(), c)), c, w.dw());
        double[] decay = new double[c];
        for (int i = 0; i < c; i++) decay[i] = Math.exp(-DECAY_SCALE * sigmoid(w.w0()[i] + wl[i]));

        if (layer == 0) {
            System.arraycopy(v, 0, vFirst, 0, c);
        } else {
            double[] vl = matVec(w.v2(), matVec(w.v1(), xv, w.dv(), c), c, w.dv());
            for (int i = 0; i < c; i++) v[i] += (vFirst[i] - v[i]) * sigmoid(w.v0()[i] + vl[i]);
        }
        double[] al = matVec(w.a2(), matVec(w.a1(), xa, w.da(), c), c, w.da());
        double[] a = new double[c];
        for (int i = 0; i < c; i++) a[i] = sigmoid(w.a0()[i] + al[i]);
        double[] g = matVec(w.g2(), sigmoid(matVec(w.g1(), xg, w.dg(), c)), c, w.dg());

        // Removal key from the unmodified k, L2-normalised per head; then the replacement key.
        double[] kk = new double[c];
        for (int i = 0; i < c; i++) kk[i] = k[i] * w.kk()[i];
        for (int h = 0; h < nh; h++) {
            double sq = 0;
            for (int j = 0; j < n; j++) sq += kk[h * n + j] * kk[h * n + j];
            double norm = Math.max(Math.sqrt(sq), KK_EPS);
            for (int j = 0; j < n; j++) kk[h * n + j] /= norm;
        }
        for (int i = 0; i < c; i++) k[i] *= 1 + (a[i] - 1) * w.ka()[i];

        // WKV per head: S = S·diag(w) + (S·(−kk))·(kk·a)ᵀ + v·kᵀ, o = S·r. S[i][j]: value i, key j,
        // stored at h·N·N + j·N + i (key-major).
        double[] o = new double[c];
        double[] row = new double[n];
        int wkv = base + 2 * c;
        for (int h = 0; h < nh; h++) {
            int hb = wkv + h * n * n, off = h * n;
            for (int i = 0; i < n; i++) {
                double sa = 0;
                for (int j = 0; j < n; j++) {
                    row[j] = s[hb + j * n + i];
                    sa -= row[j] * kk[off + j];
                }
                double y = 0;
                for (int j = 0; j < n; j++) {
                    double nv = row[j] * decay[off + j] + sa * kk[off + j] * a[off + j] + v[off + i] * k[off + j];
                    s[hb + j * n + i] = (float) nv;
                    y += nv * r[off + j];
                }
                o[off + i] = y;
            }
        }
        o = layerNorm(o, w.lnxw(), w.lnxb(), nh, LN_X_EPS);
        // Bonus: per head (Σ_j r_j·k_j·r_k[h][j]) · v.
        for (int h = 0; h < nh; h++) {
            double b = 0;
            for (int j = 0; j < n; j++) b += r[h * n + j] * k[h * n + j] * w.rk()[h * n + j];
            for (int i = 0; i < n; i++) o[h * n + i] += b * v[h * n + i];
        }
        for (int i = 0; i < c; i++) o[i] *= g[i];
        return matVec(w.wo(), o, c, c);
    }

    /** The FFN half: {@code xx} is the LN2 output, the token-shift state sits at {@code s[at..at+C)}. */
    private double[] channelMix(Rwkv7Params.Layer w, double[] xx, float[] s, int at) {
        int c = cfg.nEmbd(), f = cfg.ffnSize();
        double[] xk = new double[c];
        for (int i = 0; i < c; i++) {
            xk[i] = xx[i] + (s[at + i] - xx[i]) * w.ffnXk()[i];
            s[at + i] = (float) xx[i];
        }
        double[] hidden = matVec(w.ffnKey(), xk, f, c);
        for (int i = 0; i < f; i++) {
            double z = Math.max(hidden[i], 0);
            hidden[i] = z * z;
        }
        return matVec(w.ffnValue(), hidden, c, f);
    }

    private static double[] sigmoid(double[] z) {
        double[] y = new double[z.length];
        for (int i = 0; i < z.length; i++) y[i] = sigmoid(z[i]);
        return y;
    }

    private static double[] tanh(double[] z) {
        double[] y = new double[z.length];
        for (int i = 0; i < z.length; i++) y[i] = Math.tanh(z[i]);
        return y;
    }
}
