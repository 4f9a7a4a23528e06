package io.rwkvx.format;

import io.rwkvx.tensor.DType;
import io.rwkvx.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The checks every architecture's canonical layout makes when it validates a tensor set, with the
 * same messages: each names the source, the tensor and what was expected against what was found.
 */
final class LayoutChecks {
    /** Names listed in one message at most; the rest are counted. */
    private static final int LIST_LIMIT = 8;

    private LayoutChecks() {}

    /** Tensors carry their map key as name (checked first), so messages can use it. */
    static void checkNamesMatchKeys(Map<String, Tensor> tensors, String source) {
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (e.getValue() == null || !e.getKey().equals(e.getValue().name())) {
                throw new IllegalArgumentException(
                        source + ": tensor map key '" + e.getKey() + "' does not match tensor " + e.getValue());
            }
        }
    }

    /** The layer count: the {@code blocks.i.*} indices must be exactly 0..n-1 (the gaps are named). */
    static int countLayers(Collection<String> names, String source, String archName) {
        TreeSet<Integer> layers = new TreeSet<>();
        for (String n : names) {
            int l = Rwkv7Layout.layerOf(n);
            if (l >= 0) layers.add(l);
        }
        if (layers.isEmpty()) {
            throw new ModelFormatException(
                    source + ": no layer tensors (blocks.<i>.*) found; not an " + archName + " model");
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

    /** Exactly the {@code expected} names: the missing ones, then the unexpected ones, are an error. */
    static void checkNames(Map<String, Tensor> tensors, List<String> expected, String source, String archName) {
        checkNames(tensors, expected, source, archName, unknown -> "");
    }

    /** As above; {@code unknownHint} may add a hint (or "") about the unexpected names it is given. */
    static void checkNames(
            Map<String, Tensor> tensors,
            List<String> expected,
            String source,
            String archName,
            Function<List<String>, String> unknownHint) {
        List<String> missing = new ArrayList<>();
        for (String e : expected) if (!tensors.containsKey(e)) missing.add(e);
        if (!missing.isEmpty()) {
            throw new ModelFormatException(source + ": " + archName + " model "
                    + (missing.size() == 1
                            ? "is missing tensor '" + missing.get(0) + "'"
                            : "is missing " + missing.size() + " tensors: " + list(missing)));
        }
        Set<String> known = new HashSet<>(expected);
        List<String> unknown = new ArrayList<>(new TreeSet<>(tensors.keySet()));
        unknown.removeIf(known::contains);
        if (!unknown.isEmpty()) {
            throw new ModelFormatException(source + ": " + unknown.size() + " unexpected tensor"
                    + (unknown.size() == 1 ? "" : "s") + " not part of " + archName + ": " + list(unknown)
                    + unknownHint.apply(unknown));
        }
    }

    /** The sizes every RWKV generation takes from its embedding and first FFN key. */
    record OuterSizes(int nVocab, int nEmbd, int ffnSize) {}

    /**
     * The sizes from {@code emb.weight} [n_vocab, n_embd] and {@code blocks.0.ffn.key.weight} [ffn_size,
     * n_embd], then the embedding and head matrices and the outer norm vectors ({@code globalVectors},
     * F32 [n_embd]) checked against them.
     */
    static OuterSizes outerSizes(Map<String, Tensor> tensors, List<String> globalVectors, String source) {
        Tensor emb = tensors.get("emb.weight");
        requireSizes2d(emb, "[n_vocab, n_embd]", source);
        int nVocab = (int) emb.dim(0), nEmbd = (int) emb.dim(1);
        Tensor ffnKey = tensors.get("blocks.0.ffn.key.weight");
        requireSizes2d(ffnKey, "[ffn_size, " + nEmbd + "]", source);
        matrix(tensors, "emb.weight", source, nVocab, nEmbd);
        matrix(tensors, "head.weight", source, nVocab, nEmbd);
        for (String v : globalVectors) f32(tensors, v, source, nEmbd);
        return new OuterSizes(nVocab, nEmbd, (int) ffnKey.dim(0));
    }

    /** 'a', 'b', ... and N more. */
    private static String list(List<String> names) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(names.size(), LIST_LIMIT); i++) {
            if (i > 0) sb.append(", ");
            sb.append('\'').append(names.get(i)).append('\'');
        }
        if (names.size() > LIST_LIMIT)
            sb.append(" and ").append(names.size() - LIST_LIMIT).append(" more");
        return sb.toString();
    }

    /** An F32 tensor of exactly this shape. */
    static void f32(Map<String, Tensor> tensors, String name, String source, long... dims) {
        Tensor t = tensors.get(name);
        requireShape(t, source, dims);
        requireF32(t, source);
    }

    /**
     * A weight matrix (or stack of them) of exactly this shape, of any {@link DType}: float, or quantized
     * blocks (whose row length {@link Tensor} already checked).
     */
    static void matrix(Map<String, Tensor> tensors, String name, String source, long... dims) {
        requireShape(tensors.get(name), source, dims);
    }

    /** A 2-D tensor with positive dimensions that fit an int (it sets model sizes); {@code what} names them. */
    private static void requireSizes2d(Tensor t, String what, String source) {
        if (t.rank() != 2
                || t.dim(0) <= 0
                || t.dim(1) <= 0
                || t.dim(0) > Integer.MAX_VALUE
                || t.dim(1) > Integer.MAX_VALUE) {
            throw fail(source, t, "expected shape " + what + ", found " + shape(t));
        }
    }

    static void requireShape(Tensor t, String source, long... dims) {
        if (!Arrays.equals(t.shape(), dims)) {
            throw fail(source, t, "expected shape " + Arrays.toString(dims) + ", found " + shape(t));
        }
    }

    static void requireF32(Tensor t, String source) {
        if (t.dtype() != DType.F32) throw fail(source, t, "expected dtype F32, found " + t.dtype());
    }

    static String shape(Tensor t) {
        return Arrays.toString(t.shape());
    }

    static ModelFormatException fail(String source, Tensor t, String message) {
        return new ModelFormatException(source + ": tensor '" + t.name() + "': " + message);
    }
}
