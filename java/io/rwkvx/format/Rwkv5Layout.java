package io.rwkvx.format;

import io.rwkvx.model.Architecture;
import io.rwkvx.model.ModelWeights;
import io.rwkvx.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * The canonical RWKV-5.2 tensor set (what {@code rwkvx_model_create} consumes for {@code RWKVX_ARCH_RWKV5}, see the
 * RWKV-5 / RWKV-6 section of rwkvx.h) and its validation: [C] F32 vectors, {@code att.time_mix_{k,v,r,g}}, {@code ffn.time_mix_{k,r}},
 * {@code att.time_faaaa} [H, N] (H = n_head), Linear-layout projections incl. {@code att.gate.weight}.
 * {@code att.time_decay} [H, N] is the decay multiplier {@code exp(-exp(d))} (as rwkv.cpp stores it; validated to lie in (0, 1]).
 */
public final class Rwkv5Layout {
    private Rwkv5Layout() {}

    /** Every canonical tensor name of an {@code nLayer}-layer RWKV-5.2 model, in a fixed order. */
    public static List<String> tensorNames(int nLayer) {
        return Rwkv56Layout.tensorNames(Architecture.RWKV5, nLayer);
    }

    /**
     * Checks that {@code tensors} is exactly the canonical RWKV-5.2 set with consistent shapes and dtypes.
     *
     * @throws ModelFormatException naming the file, the tensor and the expected vs found shape/dtype/value
     */
    public static ModelWeights validate(Map<String, Tensor> tensors, String source) {
        return Rwkv56Layout.validate(Architecture.RWKV5, tensors, source);
    }
}
