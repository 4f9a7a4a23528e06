package io.rwkvx.format;

import io.rwkvx.model.Architecture;
import io.rwkvx.model.ModelWeights;
import io.rwkvx.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Which tensors rwkv.cpp's quantizer ({@code rwkv_quantize_model_file}) quantizes, so that ours quantizes
 * the same ones (docs/formats.md, "Quantized files"): every tensor that is 2-D in the rwkv.cpp file, except
 * {@code emb.weight} and {@code head.weight} (small next to the rest in real models, but costly in perplexity)
 * and any whose name contains one of RWKV-7's LoRA or bonus names ({@code att.w1 att.w2 att.a1 att.a2 att.v1
 * att.v2 att.g1 att.g2 att.r_k}). So: the Linear projections of every generation, and RWKV-6's
 * {@code time_maa_w1}, {@code time_decay_w1} and {@code time_decay_w2}; never vectors, RWKV-5.2/6's [H, N, 1]
 * decay and bonus, or RWKV-6's 3-D {@code time_maa_w2}. Only tensors stored as floats are quantized.
 */
public final class RwkvCppQuantization {
    /** Name fragments rwkv.cpp's quantizer leaves alone (it tests with {@code std::string::find}). */
    private static final List<String> KEPT_FRAGMENTS =
            List.of("att.v1", "att.v2", "att.g1", "att.g2", "att.a1", "att.a2", "att.w1", "att.w2", "att.r_k");

    private RwkvCppQuantization() {}

    /**
     * Whether rwkv.cpp's quantizer quantizes the canonical tensor {@code t} of an {@code arch} model; with
     * {@code head}, {@code head.weight} as well (our {@code --head} option; rwkv.cpp has none).
     */
    public static boolean quantizes(Architecture arch, Tensor t, boolean head) {
        if (arch == Architecture.HYBRID || t.dtype().isQuantized()) return false;
        if (head && t.name().equals("head.weight")) return true;
        if (RwkvCppWriter.fileShape(arch, t.name(), t.shape()).length != 2) return false;
        if (t.name().equals("emb.weight") || t.name().equals("head.weight")) return false;
        for (String f : KEPT_FRAGMENTS) if (t.name().contains(f)) return false;
        return true;
    }

    /** The names of {@code weights}' tensors that {@link #quantizes} picks, in the weights' order. */
    public static List<String> selection(ModelWeights weights, boolean head) {
        List<String> out = new ArrayList<>();
        for (Tensor t : weights.tensors().values())
            if (quantizes(weights.config().arch(), t, head)) out.add(t.name());
        return out;
    }
}
