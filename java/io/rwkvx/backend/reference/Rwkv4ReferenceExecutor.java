package io.rwkvx.backend.reference;

import io.rwkvx.backend.BackendState;
import io.rwkvx.backend.LogitsMode;
import io.rwkvx.backend.ModelExecutor;
import io.rwkvx.model.ModelConfig;
import io.rwkvx.model.ModelWeights;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * The RWKV-4 forward pass (formats.md §1.10, as rwkv.cpp computes it), one token at a time in float64,
 * with the state rounded to float32 after every token (so sequence and token-by-token evaluation are
 * bit-identical). State per layer in the export layout: att shift, ffn shift, aa, bb, pp ([C] each).
 * Thread-safe: the weights are read-only and every call works in its own arrays.
 */
final class Rwkv4ReferenceExecutor implements ModelExecutor {
    private static final double LN_EPS = 1e-5;
    /** Start-of-sequence pp (rwkvx.h): very negative, finite. */
    private static final float INITIAL_PP = -1e38f;
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    /** One layer's tensors widened to float arrays; matrices row-major (out, in). */
    private record Layer(float[] ln1w, float[] ln1b, float[] ln2w, float[] ln2b,
                         float[] mixK, float[] mixV, float[] mixR, float[] decay, float[] first,
                         float[] wk, float[] wv, float[] wr, float[] wo,
                         float[] ffnMixK, float[] ffnMixR, float[] ffnK, float[] ffnV, float[] ffnR) {}

    private final ModelConfig cfg;
    private final float[] emb, ln0w, ln0b, lnOutW, lnOutB, head;
    private final Layer[] layers;
    private final float[] initial;
    private volatile boolean closed;

    Rwkv4ReferenceExecutor(ModelWeights w) {
        cfg = w.config();
        emb = f(w, "emb.weight");
        ln0w = f(w, "blocks.0.ln0.weight");
        ln0b = f(w, "blocks.0.ln0.bias");
        lnOutW = f(w, "ln_out.weight");
        lnOutB = f(w, "ln_out.bias");
        head = f(w, "head.weight");
        layers = new Layer[cfg.nLayer()];
        for (int i = 0; i < layers.length; i++) {
            String p = "blocks." + i + ".";
            layers[i] = new Layer(f(w, p + "ln1.weight"), f(w, p + "ln1.bias"), f(w, p + "ln2.weight"),
                    f(w, p + "ln2.bias"), f(w, p + "att.time_mix_k"), f(w, p + "att.time_mix_v"),
                    f(w, p + "att.time_mix_r"), f(w, p + "att.time_decay"), f(w, p + "att.time_first"),
                    f(w, p + "att.key.weight"), f(w, p + "att.value.weight"), f(w, p + "att.receptance.weight"),
                    f(w, p + "att.output.weight"), f(w, p + "ffn.time_mix_k"), f(w, p + "ffn.time_mix_r"),
                    f(w, p + "ffn.key.weight"), f(w, p + "ffn.value.weight"), f(w, p + "ffn.receptance.weight"));
        }
        initial = ReferenceState.zeros(cfg);
        int c = cfg.nEmbd();
        for (int l = 0; l < layers.length; l++) {
            for (int i = 0; i < c; i++) initial[l * 5 * c + 4 * c + i] = INITIAL_PP;
        }
    }

    private static float[] f(ModelWeights w, String name) {
        return w.get(name).toFloatArray();
    }

    @Override
    public ModelConfig config() {
        return cfg;
    }

    @Override
    public BackendState newState() {
        ensureOpen();
        return new ReferenceState(this, cfg, initial);
    }

    @Override
    public void eval(BackendState state, int[] tokens, MemorySegment logits, LogitsMode mode) {
        ensureOpen();
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(mode, "mode");
        ReferenceState rs = ReferenceExecutor.checkEval(this, cfg, state, tokens, logits, mode);
        float[] s = rs.data();
        int vocab = cfg.nVocab(), c = cfg.nEmbd();
        for (int t = 0; t < tokens.length; t++) {
            double[] x = new double[c];
            for (int i = 0; i < c; i++) x[i] = emb[tokens[t] * c + i];
            x = ReferenceExecutor.layerNorm(x, ln0w, ln0b, 1, LN_EPS);
            for (int l = 0; l < layers.length; l++) {
                Layer w = layers[l];
                int base = l * 5 * c;
                add(x, timeMix(w, ReferenceExecutor.layerNorm(x, w.ln1w(), w.ln1b(), 1, LN_EPS), s, base));
                add(x, channelMix(w, ReferenceExecutor.layerNorm(x, w.ln2w(), w.ln2b(), 1, LN_EPS), s, base + c));
            }
            if (mode == LogitsMode.ALL || (mode == LogitsMode.LAST && t == tokens.length - 1)) {
                double[] y = ReferenceExecutor.matVec(head, ReferenceExecutor.layerNorm(x, lnOutW, lnOutB, 1, LN_EPS), vocab, c);
                long first = mode == LogitsMode.ALL ? (long) t * vocab : 0;
                for (int i = 0; i < vocab; i++) logits.setAtIndex(FLOAT, first + i, (float) y[i]);
            }
        }
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
        double[] k = ReferenceExecutor.matVec(w.wk(), xk, c, c);
        double[] v = ReferenceExecutor.matVec(w.wv(), xv, c, c);
        double[] r = ReferenceExecutor.matVec(w.wr(), xr, c, c);
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
            out[i] = ReferenceExecutor.sigmoid(r[i]) * wkv;
        }
        return ReferenceExecutor.matVec(w.wo(), out, c, c);
    }

    /** {@code xx} is the LN2 output; the ffn shift sits at {@code s[at..at+C)}. */
    private double[] channelMix(Layer w, double[] xx, float[] s, int at) {
        int c = cfg.nEmbd(), f = cfg.ffnSize();
        double[] xk = mix(xx, s, at, w.ffnMixK()), xr = mix(xx, s, at, w.ffnMixR());
        for (int i = 0; i < c; i++) s[at + i] = (float) xx[i];
        double[] hidden = ReferenceExecutor.matVec(w.ffnK(), xk, f, c);
        for (int i = 0; i < f; i++) {
            double z = Math.max(hidden[i], 0);
            hidden[i] = z * z;
        }
        double[] kv = ReferenceExecutor.matVec(w.ffnV(), hidden, c, f);
        double[] r = ReferenceExecutor.matVec(w.ffnR(), xr, c, c);
        for (int i = 0; i < c; i++) kv[i] *= ReferenceExecutor.sigmoid(r[i]);
        return kv;
    }

    private static void add(double[] x, double[] d) {
        for (int i = 0; i < x.length; i++) x[i] += d[i];
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("reference executor is closed");
    }

    @Override
    public void close() {
        closed = true;
    }
}
