package io.rwkvx.format;

import io.rwkvx.model.Architecture;
import io.rwkvx.model.ModelConfig;
import io.rwkvx.model.ModelWeights;
import io.rwkvx.tensor.DType;
import io.rwkvx.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The canonical RWKV-7 tensor set (the names and shapes {@code rwkvx_model_create} consumes) and its
 * validation. Every reader canonicalises its file into this set and ends with {@link #validate}, so the
 * backends can rely on: matrices 2-D in Linear layout (out, in) as F32/F16/BF16; every vector F32 of
 * shape [C]; {@code r_k} F32 [H, N]; layer 0 without {@code v0/v1/v2}; nothing else.
 */
public final class Rwkv7Layout {
    /** Vectors (shape [C], F32) present in every layer, without the {@code blocks.i.} prefix. */
    public static final List<String> LAYER_VECTORS = List.of(
            "ln1.weight", "ln1.bias", "ln2.weight", "ln2.bias",
            "att.x_r", "att.x_w", "att.x_k", "att.x_v", "att.x_a", "att.x_g",
            "att.w0", "att.a0", "att.k_k", "att.k_a",
            "att.ln_x.weight", "att.ln_x.bias", "ffn.x_k");

    /** The six token-shift mixes in the order rwkv.cpp concatenates them into {@code x_rwkvag}. */
    public static final List<String> SHIFT_MIXES = List.of("att.x_r", "att.x_w", "att.x_k", "att.x_v", "att.x_a", "att.x_g");

    /** Square [C, C] projections of every layer. */
    private static final List<String> SQUARE = List.of(
            "att.receptance.weight", "att.key.weight", "att.value.weight", "att.output.weight");

    /** LoRA pairs {@code <p>1} [D, C] and {@code <p>2} [C, D] in every layer; {@code att.v} only in layers ≥ 1. */
    private static final List<String> LORAS = List.of("att.w", "att.a", "att.g");

    private static final List<String> GLOBAL_VECTORS = List.of(
            "blocks.0.ln0.weight", "blocks.0.ln0.bias", "ln_out.weight", "ln_out.bias");

    private static final Set<DType> MATRIX_DTYPES = EnumSet.of(DType.F32, DType.F16, DType.BF16);

    /** {@code blocks.<i>.<rest>} with a canonical decimal index (no sign, no leading zeros). */
    private static final Pattern BLOCK = Pattern.compile("blocks\\.(0|[1-9][0-9]{0,6})\\.(.+)");

    private static final int LIST_LIMIT = 8;

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
        int nLayer = countLayers(tensors.keySet(), source);
        List<String> expected = tensorNames(nLayer);
        checkNames(tensors, expected, source);

        Tensor emb = tensors.get("emb.weight");
        require2d(emb, "[n_vocab, n_embd]", source);
        int nVocab = dimAsInt(emb, 0, source);
        int nEmbd = dimAsInt(emb, 1, source);

        Tensor rk = tensors.get("blocks.0.att.r_k");
        if (rk.rank() != 2 || rk.dim(0) <= 0 || rk.dim(1) <= 0 || rk.dim(0) * rk.dim(1) != nEmbd) {
            throw fail(source, rk, "expected shape [n_head, head_size] with n_head * head_size = " + nEmbd
                    + ", found " + shape(rk));
        }
        int nHead = (int) rk.dim(0);
        int headSize = (int) rk.dim(1);

        Tensor ffnKey = tensors.get("blocks.0.ffn.key.weight");
        require2d(ffnKey, "[ffn_size, " + nEmbd + "]", source);
        int ffnSize = dimAsInt(ffnKey, 0, source);

        matrix(tensors, "emb.weight", source, nVocab, nEmbd);
        matrix(tensors, "head.weight", source, nVocab, nEmbd);
        for (String v : GLOBAL_VECTORS) vector(tensors, v, source, nEmbd);
        for (int i = 0; i < nLayer; i++) {
            String p = "blocks." + i + ".";
            for (String v : LAYER_VECTORS) vector(tensors, p + v, source, nEmbd);
            if (i > 0) vector(tensors, p + "att.v0", source, nEmbd);
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

    private static int countLayers(Collection<String> names, String source) {
        TreeSet<Integer> layers = new TreeSet<>();
        for (String n : names) {
            int l = layerOf(n);
            if (l >= 0) layers.add(l);
        }
        if (layers.isEmpty()) {
            throw new ModelFormatException(source + ": no layer tensors (blocks.<i>.*) found; not an RWKV-7 model");
        }
        if (layers.last() + 1 != layers.size()) {
            List<Integer> gaps = new ArrayList<>();
            for (int i = 0; i <= layers.last() && gaps.size() < LIST_LIMIT; i++) {
                if (!layers.contains(i)) gaps.add(i);
            }
            throw new ModelFormatException(source + ": layers are not numbered 0.." + (layers.size() - 1)
                    + ": highest is blocks." + layers.last() + ", no tensors for blocks " + gaps);
        }
        return layers.size();
    }

    private static void checkNames(Map<String, Tensor> tensors, List<String> expected, String source) {
        List<String> missing = new ArrayList<>();
        for (String e : expected) if (!tensors.containsKey(e)) missing.add(e);
        if (!missing.isEmpty()) {
            throw new ModelFormatException(source + ": " + (missing.size() == 1
                    ? "missing tensor '" + missing.get(0) + "'"
                    : "missing " + missing.size() + " tensors: " + list(missing)));
        }
        Set<String> known = new HashSet<>(expected);
        List<String> unknown = new ArrayList<>(new TreeSet<>(tensors.keySet()));
        unknown.removeIf(known::contains);
        if (!unknown.isEmpty()) {
            String hint = unknown.stream().anyMatch(n -> n.matches("blocks\\.0\\.att\\.v[012]"))
                    ? " (layer 0 has no value-residual v0/v1/v2)" : "";
            throw new ModelFormatException(source + ": " + unknown.size() + " unexpected tensor"
                    + (unknown.size() == 1 ? "" : "s") + " not part of RWKV-7: " + list(unknown) + hint);
        }
    }

    private static String list(List<String> names) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(names.size(), LIST_LIMIT); i++) {
            if (i > 0) sb.append(", ");
            sb.append('\'').append(names.get(i)).append('\'');
        }
        if (names.size() > LIST_LIMIT) sb.append(" and ").append(names.size() - LIST_LIMIT).append(" more");
        return sb.toString();
    }

    private static void vector(Map<String, Tensor> tensors, String name, String source, int c) {
        Tensor t = tensors.get(name);
        requireShape(t, source, c);
        requireF32(t, source);
    }

    private static void matrix(Map<String, Tensor> tensors, String name, String source, long rows, long cols) {
        Tensor t = tensors.get(name);
        requireShape(t, source, rows, cols);
        if (!MATRIX_DTYPES.contains(t.dtype())) {
            throw fail(source, t, "expected dtype F32, F16 or BF16, found " + t.dtype());
        }
    }

    /** {@code <p>1} is [D, C] and {@code <p>2} is [C, D], with the rank D read from the first. */
    private static void lora(Map<String, Tensor> tensors, String prefix, String source, int c) {
        Tensor down = tensors.get(prefix + "1");
        if (down.rank() != 2 || down.dim(1) != c || down.dim(0) <= 0) {
            throw fail(source, down, "expected shape [D, " + c + "] (LoRA down-projection in Linear layout (out, in)),"
                    + " found " + shape(down));
        }
        long rank = down.dim(0);
        matrix(tensors, prefix + "1", source, rank, c);
        Tensor up = tensors.get(prefix + "2");
        if (up.rank() != 2 || up.dim(0) != c || up.dim(1) != rank) {
            throw fail(source, up, "expected shape [" + c + ", " + rank + "] (LoRA up-projection matching "
                    + down.name() + " " + shape(down) + "), found " + shape(up));
        }
        matrix(tensors, prefix + "2", source, c, rank);
    }

    private static void require2d(Tensor t, String what, String source) {
        if (t.rank() != 2 || t.dim(0) <= 0 || t.dim(1) <= 0) {
            throw fail(source, t, "expected shape " + what + ", found " + shape(t));
        }
    }

    private static void requireShape(Tensor t, String source, long... dims) {
        if (!Arrays.equals(t.shape(), dims)) {
            throw fail(source, t, "expected shape " + Arrays.toString(dims) + ", found " + shape(t));
        }
    }

    private static void requireF32(Tensor t, String source) {
        if (t.dtype() != DType.F32) throw fail(source, t, "expected dtype F32, found " + t.dtype());
    }

    private static int dimAsInt(Tensor t, int i, String source) {
        if (t.dim(i) > Integer.MAX_VALUE) throw fail(source, t, "dimension " + i + " too large: " + shape(t));
        return (int) t.dim(i);
    }

    private static String shape(Tensor t) {
        return Arrays.toString(t.shape());
    }

    private static ModelFormatException fail(String source, Tensor t, String message) {
        return new ModelFormatException(source + ": tensor '" + t.name() + "': " + message);
    }

    /** Tensors carry their map key as name (checked first in {@link #validate}), so messages can use it. */
    private static void checkNamesMatchKeys(Map<String, Tensor> tensors, String source) {
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (e.getValue() == null || !e.getKey().equals(e.getValue().name())) {
                throw new IllegalArgumentException(source + ": tensor map key '" + e.getKey()
                        + "' does not match tensor " + e.getValue());
            }
        }
    }
}
