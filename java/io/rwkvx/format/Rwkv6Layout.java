package io.rwkvx.format;

import io.rwkvx.model.Architecture;
import io.rwkvx.model.ModelWeights;
import io.rwkvx.tensor.Tensor;
import java.util.List;
import java.util.Map;

/**
 * The canonical RWKV-6 tensor set (what {@code rwkvx_model_create} consumes for {@code RWKVX_ARCH_RWKV6}, see the
 * RWKV-5 / RWKV-6 section of rwkvx.h) and its validation: [C] F32 vectors, {@code att.time_maa_{x,w,k,v,r,g}}, {@code time_maa_w1} [5D, C], {@code time_maa_w2} [5, C, D], {@code time_decay_w1} [Dw, C], {@code time_decay_w2} [C, Dw], {@code ffn.time_maa_{k,r}},
 * {@code att.time_faaaa} [H, N] (H = n_head), Linear-layout projections incl. {@code att.gate.weight}.
 * {@code att.time_decay} [H, N] is the raw {@code d}, not exponentiated (w_t = exp(-exp(d + LoRA))).
 */
public final class Rwkv6Layout {
    private Rwkv6Layout() {}

    /** Every canonical tensor name of an {@code nLayer}-layer RWKV-6 model, in a fixed order. */
    public static List<String> tensorNames(int nLayer) {
        return Rwkv56Layout.tensorNames(Architecture.RWKV6, nLayer);
    }

    /**
     * Checks that {@code tensors} is exactly the canonical RWKV-6 set with consistent shapes and dtypes.
     *
     * @throws ModelFormatException naming the file, the tensor and the expected vs found shape/dtype/value
     */
    public static ModelWeights validate(Map<String, Tensor> tensors, String source) {
        return Rwkv56Layout.validate(Architecture.RWKV6, tensors, source);
    }
}
