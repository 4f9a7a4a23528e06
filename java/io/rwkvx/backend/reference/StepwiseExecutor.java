package io.rwkvx.backend.reference;

import io.rwkvx.backend.BackendState;
import io.rwkvx.backend.LogitsMode;
import io.rwkvx.backend.ModelExecutor;
import io.rwkvx.common.RwkvxException;
import io.rwkvx.model.ModelConfig;
import io.rwkvx.model.ModelWeights;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * What the reference executors of every architecture share: the argument checks, the token loop in
 * float64 (embedding row, ln0, the architecture's layers, then ln_out and the head for the logits asked
 * for), the math helpers, and closing. The state is read from and rounded back to float32 after every
 * token, so sequence and token-by-token evaluation give bit-identical results. Thread-safe: the weights
 * are read-only and every call works in its own arrays.
 */
abstract class StepwiseExecutor implements ModelExecutor {
    static final double LN_EPS = 1e-5;
    /** Host floats in native byte order, no alignment required. */
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;

    final ModelConfig cfg;
    private final float[] emb, ln0w, ln0b, lnOutW, lnOutB, head;
    private volatile boolean closed;

    StepwiseExecutor(
            ModelConfig cfg, float[] emb, float[] ln0w, float[] ln0b, float[] lnOutW, float[] lnOutB, float[] head) {
        this.cfg = cfg;
        this.emb = emb;
        this.ln0w = ln0w;
        this.ln0b = ln0b;
        this.lnOutW = lnOutW;
        this.lnOutB = lnOutB;
        this.head = head;
    }

    /** Takes the embedding, head and outer norms from the weights by their checkpoint names. */
    StepwiseExecutor(ModelWeights w) {
        this(
                w.config(),
                f(w, "emb.weight"),
                f(w, "blocks.0.ln0.weight"),
                f(w, "blocks.0.ln0.bias"),
                f(w, "ln_out.weight"),
                f(w, "ln_out.bias"),
                f(w, "head.weight"));
    }

    /** The named tensor widened to floats. */
    static float[] f(ModelWeights w, String name) {
        return w.get(name).toFloatArray();
    }

    /**
     * One token through every layer: adds each layer's halves to the residual stream {@code x} (after
     * ln0) and updates the state {@code s} (layer blocks at {@code rs.layerOffset(l)}) in place.
     */
    abstract void layers(ReferenceState rs, float[] s, double[] x);

    /** A new session's state: zeros unless the architecture starts elsewhere. */
    float[] initialState() {
        return ReferenceState.zeros(cfg);
    }

    @Override
    public final ModelConfig config() {
        return cfg;
    }

    @Override
    public final BackendState newState() {
        ensureOpen();
        return new ReferenceState(this, cfg, initialState());
    }

    @Override
    public final void eval(BackendState state, int[] tokens, MemorySegment logits, LogitsMode mode) {
        ensureOpen();
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(mode, "mode");
        ReferenceState rs = checkEval(state, tokens, logits, mode);
        float[] s = rs.data();
        int c = cfg.nEmbd(), vocab = cfg.nVocab();
        // Every check is done: from here on the state only changes by complete tokens.
        for (int t = 0; t < tokens.length; t++) {
            double[] x = new double[c];
            for (int i = 0; i < c; i++) x[i] = emb[tokens[t] * c + i];
            x = layerNorm(x, ln0w, ln0b, 1, LN_EPS);
            layers(rs, s, x);
            if (mode == LogitsMode.ALL || (mode == LogitsMode.LAST && t == tokens.length - 1)) {
                double[] y = matVec(head, layerNorm(x, lnOutW, lnOutB, 1, LN_EPS), vocab, c);
                long first = mode == LogitsMode.ALL ? (long) t * vocab : 0;
                for (int i = 0; i < vocab; i++) logits.setAtIndex(FLOAT, first + i, (float) y[i]);
            }
        }
    }

    /** The checks every eval makes before touching the state; returns the state. */
    private ReferenceState checkEval(BackendState state, int[] tokens, MemorySegment logits, LogitsMode mode) {
        if (!(state instanceof ReferenceState rs) || rs.owner != this) {
            throw new RwkvxException("state was not created by this model's reference executor");
        }
        if (tokens.length == 0) throw new RwkvxException("eval needs at least one token");
        int vocab = cfg.nVocab();
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= vocab) {
                throw new RwkvxException("token " + tokens[i] + " at position " + i + " is outside [0, " + vocab + ")");
            }
        }
        long need = switch (mode) {
            case NONE -> 0;
            case LAST -> (long) vocab * Float.BYTES;
            case ALL -> (long) tokens.length * vocab * Float.BYTES;
        };
        if (need > 0) {
            if (logits == null) throw new RwkvxException("logits buffer is null but mode " + mode + " writes logits");
            if (logits.byteSize() < need) {
                throw new RwkvxException("logits buffer has " + logits.byteSize() + " bytes, " + mode + " for "
                        + tokens.length + " tokens needs " + need);
            }
            if (logits.isReadOnly()) throw new RwkvxException("logits buffer is read-only");
        }
        return rs;
    }

    /** y = W·x with W row-major (rows, cols). */
    static double[] matVec(float[] m, double[] x, int rows, int cols) {
        double[] y = new double[rows];
        for (int o = 0; o < rows; o++) {
            double acc = 0;
            int rb = o * cols;
            for (int i = 0; i < cols; i++) acc += m[rb + i] * x[i];
            y[o] = acc;
        }
        return y;
    }

    /** Layer norm over {@code groups} equal slices of x (population variance), then affine. */
    static double[] layerNorm(double[] x, float[] weight, float[] bias, int groups, double eps) {
        int gs = x.length / groups;
        double[] y = new double[x.length];
        for (int g = 0; g < groups; g++) {
            double mean = 0;
            for (int i = 0; i < gs; i++) mean += x[g * gs + i];
            mean /= gs;
            double var = 0;
            for (int i = 0; i < gs; i++) {
                double d = x[g * gs + i] - mean;
                var += d * d;
            }
            var /= gs;
            double inv = 1 / Math.sqrt(var + eps);
            for (int i = 0; i < gs; i++) {
                int j = g * gs + i;
                y[j] = (x[j] - mean) * inv * weight[j] + bias[j];
            }
        }
        return y;
    }

    static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    /** rwkv.cpp's gated channel mix (RWKV-4/5/6): σ(Wr·xr) ⊙ (Wv · relu(Wk·xk)²), f the FFN width. */
    static double[] gatedChannelMix(float[] wk, float[] wv, float[] wr, double[] xk, double[] xr, int c, int f) {
        double[] hidden = matVec(wk, xk, f, c);
        for (int i = 0; i < f; i++) {
            double z = Math.max(hidden[i], 0);
            hidden[i] = z * z;
        }
        double[] kv = matVec(wv, hidden, c, f);
        double[] r = matVec(wr, xr, c, c);
        for (int i = 0; i < c; i++) kv[i] *= sigmoid(r[i]);
        return kv;
    }

    /** x += d. */
    static void add(double[] x, double[] d) {
        for (int i = 0; i < x.length; i++) x[i] += d[i];
    }

    final void ensureOpen() {
        if (closed) throw new IllegalStateException("reference executor is closed");
    }

    @Override
    public final void close() {
        closed = true;
    }
}
