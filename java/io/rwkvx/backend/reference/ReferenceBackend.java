package io.rwkvx.backend.reference;

import io.rwkvx.backend.Backend;
import io.rwkvx.backend.ModelExecutor;
import io.rwkvx.model.ModelWeights;

/**
 * The naive reference: pure-Java RWKV-7 and RWKV-4 forward passes written straight from the spec (docs/formats.md §4.2,
 * docs/formats.md §4.4), in float64 with the recurrent state kept in float32. Slow and obviously correct; every
 * other backend is tested against it.
 */
public final class ReferenceBackend implements Backend {
    private volatile boolean closed;

    @Override
    public String name() {
        return "reference";
    }

    @Override
    public String describe() {
        return "reference (pure Java, float64 arithmetic, float32 state, one thread per call)";
    }

    /**
     * Widens the weights into Java arrays; the weights' memory is not needed afterwards. Quantized matrices
     * are dequantized here, in Java ({@link io.rwkvx.tensor.QuantizedBlocks}, independent of the native
     * library's decoder), so the reference stays the oracle for quantized models too: it computes in float64
     * over exactly the weights the blocks stand for.
     */
    @Override
    public ModelExecutor load(ModelWeights weights) {
        if (closed) throw new IllegalStateException("reference backend is closed");
        return switch (weights.config().arch()) {
            case RWKV7 -> new Rwkv7ReferenceExecutor(new Rwkv7Params(weights));
            case RWKV4 -> new Rwkv4ReferenceExecutor(weights);
            case RWKV5, RWKV6 -> new Rwkv56ReferenceExecutor(weights);
            case HYBRID ->
                throw new io.rwkvx.common.RwkvxException(weights.source() + ": the reference backend does not run "
                        + "RWKV-X models; use the native backend (the tests keep their own float64 RWKV-X reference)");
        };
    }

    @Override
    public void close() {
        closed = true;
    }
}
