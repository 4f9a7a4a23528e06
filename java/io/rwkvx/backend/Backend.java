package io.rwkvx.backend;

import io.rwkvx.model.ModelWeights;

/**
 * A way to run models: the pure-Java reference, the native CPU library, later CUDA. Every backend is
 * tested against the reference. Chosen by {@link BackendProvider}.
 */
public interface Backend extends AutoCloseable {
    /** Short name, e.g. "reference" or "native". */
    String name();

    /** One line on what runs (kernels, threads, why no GPU). */
    String describe();

    /** Prepares a model for evaluation. The weights' memory must outlive the executor. */
    ModelExecutor load(ModelWeights weights);

    @Override
    void close();
}
