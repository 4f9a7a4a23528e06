package io.rwkvx;

import io.rwkvx.backend.BackendKind;
import io.rwkvx.common.WeightPlacement;
import io.rwkvx.model.HybridConfig;
import io.rwkvx.tokenizer.Tokenizer;

/**
 * How to load a model.
 *
 * @param backend   which backend runs it
 * @param threads   compute threads (0 = all processors)
 * @param tokenizer the tokenizer to use, or null to pick one from the vocabulary size
 * @param hybrid    RWKV-X inference knobs (ignored by other architectures)
 * @param weights   whether the native backend copies the weights into its own memory ({@link WeightPlacement#RESIDENT},
 *                  the default) or uses them in place from the mapped file ({@link WeightPlacement#IN_PLACE})
 */
public record ModelOptions(
        BackendKind backend, int threads, Tokenizer tokenizer, HybridConfig hybrid, WeightPlacement weights) {
    /** With {@link WeightPlacement#RESIDENT} weights. */
    public ModelOptions(BackendKind backend, int threads, Tokenizer tokenizer, HybridConfig hybrid) {
        this(backend, threads, tokenizer, hybrid, WeightPlacement.RESIDENT);
    }

    /** With the default RWKV-X knobs and {@link WeightPlacement#RESIDENT} weights. */
    public ModelOptions(BackendKind backend, int threads, Tokenizer tokenizer) {
        this(backend, threads, tokenizer, HybridConfig.defaults());
    }

    public ModelOptions {
        if (backend == null) throw new IllegalArgumentException("backend is null");
        if (hybrid == null) throw new IllegalArgumentException("hybrid config is null");
        if (weights == null) throw new IllegalArgumentException("weight placement is null");
        if (threads < 0) throw new IllegalArgumentException("threads must be >= 0, got " + threads);
    }

    public static ModelOptions defaults() {
        return new ModelOptions(BackendKind.AUTO, 0, null);
    }

    public ModelOptions withBackend(BackendKind b) {
        return new ModelOptions(b, threads, tokenizer, hybrid, weights);
    }

    public ModelOptions withThreads(int n) {
        return new ModelOptions(backend, n, tokenizer, hybrid, weights);
    }

    public ModelOptions withTokenizer(Tokenizer t) {
        return new ModelOptions(backend, threads, t, hybrid, weights);
    }

    public ModelOptions withHybrid(HybridConfig h) {
        return new ModelOptions(backend, threads, tokenizer, h, weights);
    }

    public ModelOptions withWeights(WeightPlacement w) {
        return new ModelOptions(backend, threads, tokenizer, hybrid, w);
    }
}
