package io.rwkvx.format;

import static io.rwkvx.format.LayoutChecks.checkNames;
import static io.rwkvx.format.LayoutChecks.checkNamesMatchKeys;
import static io.rwkvx.format.LayoutChecks.countLayers;
import static io.rwkvx.format.LayoutChecks.f32;
import static io.rwkvx.format.LayoutChecks.fail;
import static io.rwkvx.format.LayoutChecks.matrix;
import static io.rwkvx.format.LayoutChecks.outerSizes;
import static io.rwkvx.format.LayoutChecks.requireF32;
import static io.rwkvx.format.LayoutChecks.requireShape;
import static io.rwkvx.format.LayoutChecks.shape;

import io.rwkvx.model.Architecture;
import io.rwkvx.model.ModelConfig;
import io.rwkvx.model.ModelWeights;
import io.rwkvx.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The canonical RWKV-7 tensor set (the names and shapes {@code rwkvx_model_create} consumes) and its
 * validation. Every reader canonicalises its file into this set and ends with {@link #validate}, so the
 * backends can rely on: matrices 2-D in Linear layout (out, in) as F32/F16/BF16 or quantized blocks; every vector F32 of
 * shape [C]; {@code r_k} F32 [H, N]; layer 0 without {@code v0/v1/v2}; nothing else.
 */
public final class Rwkv7Layout {
    /** Vectors (shape [C], F32) present in every layer, without the {@code blocks.i.} prefix. */
    public static final List<String> LAYER_VECTORS = List.of(
            "ln1.weight",
            "ln1.bias",
            "ln2.weight",
            "ln2.bias",
            "att.x_r",
            "att.x_w",
            "att.x_k",
            "att.x_v",
            "att.x_a",
            "att.x_g",
            "att.w0",
            "att.a0",
            "att.k_k",
            "att.k_a",
            "att.ln_x.weight",
            "att.ln_x.bias",
            "ffn.x_k");

    /** The six token-shift mixes in the order rwkv.cpp concatenates them into {@code x_rwkvag}. */
    public static final List<String> SHIFT_MIXES =
            List.of("att.x_r", "att.x_w", "att.x_k", "att.x_v", "att.x_a", "att.x_g");

    /** Square [C, C] projections of every layer. */
    private static final List<String> SQUARE =
            List.of("att.receptance.weight", "att.key.weight", "att.value.weight", "att.output.weight");

    /** LoRA pairs {@code <p>1} [D, C] and {@code <p>2} [C, D] in every layer; {@code att.v} only in layers ≥ 1. */
    private static final List<String> LORAS = List.of("att.w", "att.a", "att.g");

    private static final List<String> GLOBAL_VECTORS =
            List.of("blocks.0.ln0.weight", "blocks.0.ln0.bias", "ln_out.weight", "ln_out.bias");

    /** {@code blocks.<i>.<rest>} with a canonical decimal index (no sign, no leading zeros). */
    private static final Pattern BLOCK = Pattern.compile("blocks\\.(0|[1-9][0-9]{0,6})\\.(.+)");

    private Rwkv7Layout() {}

    /** Every canonical tensor name of an {@code nLayer}-layer RWKV-7 model, in a fixed order. */
    public static List<String> tensorNames(int nLayer) {
        List<String> out = new ArrayList<>();
        out.add("emb.weight");
        out.add("blocks.0.ln0.weight");
        out.add("blocks.0.ln0.bias");
        for (int i = 0; i < nLayer; i++) {
            String p = "blocks." + i + ".";
            for (String v : LAYER_VECTORS) out.add(p + v);
            if (i > 0) out.add(p + "att.v0");
            out.add(p + "att.r_k");
            for (String s : SQUARE) out.add(p + s);
            for (String l : loras(i)) {
                out.add(p + l + "1");
                out.add(p + l + "2");
            }
            out.add(p + "ffn.key.weight");
            out.add(p + "ffn.value.weight");
        }
        out.add("ln_out.weight");
        out.add("ln_out.bias");
        out.add("head.weight");
        return out;
    }

    /** Whether a canonical name denotes a [C] vector (including {@code v0} and the global norms). */
    static boolean isVector(String name) {
        if (GLOBAL_VECTORS.contains(name)) return true;
        String local = localName(name);
        return local != null && (LAYER_VECTORS.contains(local) || local.equals("att.v0"));
    }

    /** Whether a name is a LoRA down-projection ({@code w1 a1 v1 g1}) or up-projection ({@code ...2}). */
    static boolean isLora(String name, int which) {
        String local = localName(name);
        if (local == null) return false;
        for (String l : List.of("att.w", "att.a", "att.v", "att.g")) {
            if (local.equals(l + which)) return true;
        }
        return false;
    }

    /** The layer index of a {@code blocks.i.*} name, or -1. */
    static int layerOf(String name) {
        Matcher m = BLOCK.matcher(name);
        return m.matches() ? Integer.parseInt(m.group(1)) : -1;
    }

    /** The part after {@code blocks.i.}, or null for a non-block name. */
    static String localName(String name) {
        Matcher m = BLOCK.matcher(name);
        return m.matches() ? m.group(2) : null;
    }

    /** [1, 1, C] → [C] as a view; any other shape is returned unchanged for {@link #validate} to report. */
    static Tensor squeezeLeadingOnes(Tensor t) {
        long[] s = t.shape();
        if (s.length <= 1) return t;
        for (int i = 0; i < s.length - 1; i++) if (s[i] != 1) return t;
        return t.reshape(s[s.length - 1]);
    }

    private static List<String> loras(int layer) {
        return layer == 0 ? LORAS : List.of("att.w", "att.a", "att.v", "att.g");
    }

    /**
     * Checks that {@code tensors} is exactly the canonical set with consistent shapes and dtypes, and
     * derives the model's geometry from it.
     *
     * @param source the file, for messages
     * @throws ModelFormatException naming the file, the tensor and the expected vs found shape/dtype
     */
    public static ModelWeights validate(Map<String, Tensor> tensors, String source) {
        checkNamesMatchKeys(tensors, source);
        int nLayer = countLayers(tensors.keySet(), source, "RWKV-7");
        checkNames(
                tensors,
                tensorNames(nLayer),
                source,
                "RWKV-7",
                unknown -> unknown.stream().anyMatch(n -> n.matches("blocks\\.0\\.att\\.v[012]"))
                        ? " (layer 0 has no value-residual v0/v1/v2)"
                        : "");

        LayoutChecks.OuterSizes sizes = outerSizes(tensors, GLOBAL_VECTORS, source);
        int nVocab = sizes.nVocab(), nEmbd = sizes.nEmbd(), ffnSize = sizes.ffnSize();

        Tensor rk = tensors.get("blocks.0.att.r_k");
        if (rk.rank() != 2 || rk.dim(0) <= 0 || rk.dim(1) <= 0 || rk.dim(0) * rk.dim(1) != nEmbd) {
            throw fail(
                    source,
                    rk,
                    "expected shape [n_head, head_size] with n_head * head_size = " + nEmbd + ", found " + shape(rk));
        }
        int nHead = (int) rk.dim(0);
        int headSize = (int) rk.dim(1);

        for (int i = 0; i < nLayer; i++) {
            String p = "blocks." + i + ".";
            for (String v : LAYER_VECTORS) f32(tensors, p + v, source, nEmbd);
            if (i > 0) f32(tensors, p + "att.v0", source, nEmbd);
            Tensor r = tensors.get(p + "att.r_k");
            requireF32(r, source);
            requireShape(r, source, nHead, headSize);
            for (String s : SQUARE) matrix(tensors, p + s, source, nEmbd, nEmbd);
            matrix(tensors, p + "ffn.key.weight", source, ffnSize, nEmbd);
            matrix(tensors, p + "ffn.value.weight", source, nEmbd, ffnSize);
            for (String l : loras(i)) lora(tensors, p + l, source, nEmbd);
        }
        ModelConfig config = new ModelConfig(Architecture.RWKV7, nLayer, nEmbd, nHead, headSize, nVocab, ffnSize);
        return new ModelWeights(config, tensors, source);
    }

    /** {@code <p>1} is [D, C] and {@code <p>2} is [C, D], with the rank D read from the first. */
    private static void lora(Map<String, Tensor> tensors, String prefix, String source, int c) {
        Tensor down = tensors.get(prefix + "1");
        if (down.rank() != 2 || down.dim(1) != c || down.dim(0) <= 0) {
            throw fail(
                    source,
                    down,
                    "expected shape [D, " + c + "] (LoRA down-projection in Linear layout (out, in))," + " found "
                            + shape(down));
        }
        long rank = down.dim(0);
        matrix(tensors, prefix + "1", source, rank, c);
        Tensor up = tensors.get(prefix + "2");
        if (up.rank() != 2 || up.dim(0) != c || up.dim(1) != rank) {
            throw fail(
                    source,
                    up,
                    "expected shape [" + c + ", " + rank + "] (LoRA up-projection matching " + down.name() + " "
                            + shape(down) + "), found " + shape(up));
        }
        matrix(tensors, prefix + "2", source, c, rank);
    }
}
