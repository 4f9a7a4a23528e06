package io.rwkvx.backend;

import io.rwkvx.model.ModelWeights;

/**
 * A way to run models: the pure-Java reference, the native CPU library, later CUDA. Every backend is
 * tested against the reference. Chosen by {@code io.rwkvx.BackendProvider}, above this package, so the
 * interfaces here never depend on their implementations in {@code backend.nativelib} and {@code backend.reference}.
 */
public interface Backend extends AutoCloseable {
    /**
     * The backend's short name.
     *
     * @return e.g. "reference" or "native"
     */
    String name();

    /**
     * Describes what runs, for logs and {@code rwkvx info}.
     *
     * @return one line: the kernels, the thread count, why no GPU
     */
    String describe();

    /**
     * Prepares a model for evaluation. The weights' memory must outlive the executor.
     *
     * @param weights the model's configuration and tensors
     * @return the loaded model; the caller owns it and closes it before this backend
     * @throws io.rwkvx.common.RwkvxException if the weights do not form a model this backend runs
     */
    ModelExecutor load(ModelWeights weights);

    /**
     * As {@link #load(ModelWeights)}, with the knobs of RWKV-X models.
     *
     * @param weights the model's configuration and tensors
     * @param hybrid  the attention settings of RWKV-X models; ignored for other architectures
     * @return the loaded model; the caller owns it and closes it before this backend
     * @throws io.rwkvx.common.RwkvxException if the weights do not form a model this backend runs
     */
    default ModelExecutor load(ModelWeights weights, io.rwkvx.model.HybridConfig hybrid) {
        return load(weights);
    }

    @Override
    void close();
}
