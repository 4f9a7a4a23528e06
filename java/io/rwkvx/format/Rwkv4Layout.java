package io.rwkvx.format;

import static io.rwkvx.format.LayoutChecks.checkNames;
import static io.rwkvx.format.LayoutChecks.checkNamesMatchKeys;
import static io.rwkvx.format.LayoutChecks.countLayers;
import static io.rwkvx.format.LayoutChecks.f32;
import static io.rwkvx.format.LayoutChecks.fail;
import static io.rwkvx.format.LayoutChecks.matrix;
import static io.rwkvx.format.LayoutChecks.outerSizes;

import io.rwkvx.model.Architecture;
import io.rwkvx.model.ModelConfig;
import io.rwkvx.model.ModelWeights;
import io.rwkvx.tensor.DType;
import io.rwkvx.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The canonical RWKV-4 tensor set (what {@code rwkvx_model_create} consumes for {@code RWKVX_ARCH_RWKV4})
 * and its validation. Readers canonicalise into this set and end with {@link #validate}: matrices 2-D in
 * Linear layout (out, in) as F32/F16/BF16 or quantized blocks, every vector F32 of shape [C], nothing else.
 *
 * <p>{@code att.time_decay} is canonical in the form the recurrence uses, {@code w = -exp(d)} of the
 * checkpoint's raw {@code d}: rwkv.cpp files store it so; readers of BlinkDL checkpoints convert with
 * {@link #decayFromRaw}. {@link #validate} rejects a decay that is not negative (an unconverted one).
 * The config has {@code nHead = 1, headSize = C}: RWKV-4 has no heads.
 */
public final class Rwkv4Layout {
    /** Vectors (shape [C], F32) of every layer, without the {@code blocks.i.} prefix. */
    public static final List<String> LAYER_VECTORS = List.of(
            "ln1.weight",
            "ln1.bias",
            "ln2.weight",
            "ln2.bias",
            "att.time_mix_k",
            "att.time_mix_v",
            "att.time_mix_r",
            "att.time_decay",
            "att.time_first",
            "ffn.time_mix_k",
            "ffn.time_mix_r");

    /** Square [C, C] projections of every layer. */
    private static final List<String> SQUARE = List.of(
            "att.key.weight",
            "att.value.weight",
            "att.receptance.weight",
            "att.output.weight",
            "ffn.receptance.weight");

    private static final List<String> GLOBAL_VECTORS =
            List.of("blocks.0.ln0.weight", "blocks.0.ln0.bias", "ln_out.weight", "ln_out.bias");

    private Rwkv4Layout() {}

    /** Every canonical tensor name of an {@code nLayer}-layer RWKV-4 model, in a fixed order. */
    public static List<String> tensorNames(int nLayer) {
        List<String> out = new ArrayList<>(List.of("emb.weight", "blocks.0.ln0.weight", "blocks.0.ln0.bias"));
        for (int i = 0; i < nLayer; i++) {
            String p = "blocks." + i + ".";
            for (String v : LAYER_VECTORS) out.add(p + v);
            for (String s : SQUARE) out.add(p + s);
            out.add(p + "ffn.key.weight");
            out.add(p + "ffn.value.weight");
        }
        out.addAll(List.of("ln_out.weight", "ln_out.bias", "head.weight"));
        return out;
    }

    /** Whether a canonical name denotes a [C] vector (checkpoints store the time_* ones as (1,1,C)). */
    static boolean isVector(String name) {
        if (GLOBAL_VECTORS.contains(name)) return true;
        String local = Rwkv7Layout.localName(name);
        return local != null && LAYER_VECTORS.contains(local);
    }

    /** Whether a name is a layer's time_decay. */
    static boolean isDecay(String name) {
        return "att.time_decay".equals(Rwkv7Layout.localName(name));
    }

    /** The canonical decay {@code -exp(d)} of a checkpoint's raw decay {@code d}, as an F32 [C] copy in {@code arena}. */
    static Tensor decayFromRaw(Tensor raw, Arena arena) {
        Tensor t = Rwkv7Layout.squeezeLeadingOnes(raw);
        long n = t.numel();
        MemorySegment out = arena.allocate(n * 4, 64);
        for (long i = 0; i < n; i++) out.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) -Math.exp(t.getFloat(i)));
        return new Tensor(t.name(), DType.F32, t.shape(), out);
    }

    /**
     * Checks that {@code tensors} is exactly the canonical RWKV-4 set with consistent shapes and dtypes,
     * and derives the geometry.
     *
     * @throws ModelFormatException naming the file, the tensor and the expected vs found shape/dtype/value
     */
    public static ModelWeights validate(Map<String, Tensor> tensors, String source) {
        checkNamesMatchKeys(tensors, source);
        int nLayer = countLayers(tensors.keySet(), source, "RWKV-4");
        checkNames(tensors, tensorNames(nLayer), source, "RWKV-4");

        LayoutChecks.OuterSizes sizes = outerSizes(tensors, GLOBAL_VECTORS, source);
        int nVocab = sizes.nVocab(), nEmbd = sizes.nEmbd(), ffnSize = sizes.ffnSize();
        for (int i = 0; i < nLayer; i++) {
            String p = "blocks." + i + ".";
            for (String v : LAYER_VECTORS) f32(tensors, p + v, source, nEmbd);
            for (String s : SQUARE) matrix(tensors, p + s, source, nEmbd, nEmbd);
            matrix(tensors, p + "ffn.key.weight", source, ffnSize, nEmbd);
            matrix(tensors, p + "ffn.value.weight", source, nEmbd, ffnSize);
            checkDecay(tensors.get(p + "att.time_decay"), source);
        }
        ModelConfig config = new ModelConfig(Architecture.RWKV4, nLayer, nEmbd, 1, nEmbd, nVocab, ffnSize);
        return new ModelWeights(config, tensors, source);
    }

    private static void checkDecay(Tensor t, String source) {
        for (long i = 0; i < t.numel(); i++) {
            float w = t.getFloat(i);
            if (!(w < 0) || !Float.isFinite(w)) {
                throw fail(
                        source,
                        t,
                        "element " + i + " is " + w + "; expected the decay in the form -exp(d) "
                                + "(negative and finite), as rwkv.cpp stores it");
            }
        }
    }
}
