package io.rwkvx.backend;

import io.rwkvx.model.ModelWeights;

/**
 * A way to run models: the pure-Java reference, the native CPU library, later CUDA. Every backend is
 * tested against the reference. Chosen by {@code io.rwkvx.BackendProvider}, above this package, so the
 * interfaces here never depend on their implementations in {@code backend.nativelib} and {@code backend.reference}.
 */
public interface Backend extends AutoCloseable {
    /** Short name, e.g. "reference" or "native". */
    String name();

    /** One line on what runs (kernels, threads, why no GPU). */
    String describe();

    /** Prepares a model for evaluation. The weights' memory must outlive the executor. */
    ModelExecutor load(ModelWeights weights);

    /** As {@link #load(ModelWeights)}, with the knobs of RWKV-X models (ignored for other architectures). */
    default ModelExecutor load(ModelWeights weights, io.rwkvx.model.HybridConfig hybrid) {
        return load(weights);
    }

    @Override
    void close();
}
