package io.rwkvx.format;

import static io.rwkvx.format.LayoutChecks.f32;
import static io.rwkvx.format.LayoutChecks.matrix;

import io.rwkvx.model.Architecture;
import io.rwkvx.model.ModelConfig;
import io.rwkvx.model.ModelWeights;
import io.rwkvx.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The canonical RWKV-X tensor set: the RWKV-7 set ({@link Rwkv7Layout}) plus, for each attention block j,
 * {@code moba.j.*} (rwkvx.h, RWKV-X model section), and its validation in one place: R % A == 0,
 * n_embd a multiple of 64, exact names, shapes [C] F32 vectors and [C,C] / [F,C] / [C,F] matrices.
 */
public final class HybridLayout {
    public static final String PREFIX = "moba.";
    /** Vectors [C] (F32) of every attention block, without {@code moba.j.}. */
    public static final List<String> VECTORS = List.of("ln1.weight", "ln1.bias", "ln2.weight", "ln2.bias", "ffn.x_k");
    /** [C, C] projections of every attention block (receptance is q). */
    public static final List<String> SQUARE =
            List.of("att.receptance.weight", "att.key.weight", "att.value.weight", "att.output.weight");

    private static final Pattern BLOCK = Pattern.compile("moba\\.(0|[1-9][0-9]{0,5})\\.(.+)");

    private HybridLayout() {}

    public static boolean isAttention(String name) {
        return name.startsWith(PREFIX);
    }

    /** Canonical names of attention block j. */
    public static List<String> blockNames(int j) {
        List<String> out = new ArrayList<>();
        for (String v : VECTORS) out.add(PREFIX + j + "." + v);
        for (String s : SQUARE) out.add(PREFIX + j + "." + s);
        out.add(PREFIX + j + ".ffn.key.weight");
        out.add(PREFIX + j + ".ffn.value.weight");
        return out;
    }

    /** Checkpoint vectors ([1,1,C] etc.) of attention blocks become F32 [C]; matrices stay views. */
    static Tensor canonicalise(Tensor t, Arena arena) {
        Matcher m = BLOCK.matcher(t.name());
        if (m.matches() && VECTORS.contains(m.group(2)))
            return TensorCopies.asF32(Rwkv7Layout.squeezeLeadingOnes(t), arena);
        return t;
    }

    /**
     * Validates an RWKV-X tensor set and derives its geometry.
     *
     * @throws ModelFormatException naming the file and tensor, or the layout rule that is broken
     */
    public static ModelWeights validate(Map<String, Tensor> tensors, String source) {
        Map<String, Tensor> rwkv = new LinkedHashMap<>(), attn = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet())
            (isAttention(e.getKey()) ? attn : rwkv).put(e.getKey(), e.getValue());
        ModelConfig base = Rwkv7Layout.validate(rwkv, source).config();
        TreeSet<Integer> blocks = new TreeSet<>();
        for (String n : attn.keySet()) {
            Matcher m = BLOCK.matcher(n);
            if (!m.matches())
                throw new ModelFormatException(source + ": tensor '" + n + "' is not moba.<block>.<name>");
            blocks.add(Integer.parseInt(m.group(1)));
        }
        if (blocks.isEmpty())
            throw new ModelFormatException(source + ": no attention blocks (moba.<j>.*); not an RWKV-X model");
        int a = blocks.last() + 1, r = base.nLayer(), c = base.nEmbd();
        if (r % a != 0)
            throw new ModelFormatException(source + ": RWKV-X layout: " + r + " RWKV layers are not divisible by " + a
                    + " attention layers (n_layer % n_attn_layer must be 0)");
        if (c % 64 != 0)
            throw new ModelFormatException(
                    source + ": tensor '" + blockNames(0).get(0) + "' (attention block 0): RWKV-X "
                            + "attention needs n_embd divisible by 64 (heads of 64), found " + c);
        List<String> expected = new ArrayList<>();
        for (int j = 0; j < a; j++) expected.addAll(blockNames(j));
        for (String e : expected)
            if (!attn.containsKey(e)) throw new ModelFormatException(source + ": missing tensor '" + e + "'");
        for (String n : attn.keySet())
            if (!expected.contains(n))
                throw new ModelFormatException(source + ": unexpected tensor '" + n + "' in an attention block");
        long f = -1;
        for (int j = 0; j < a; j++) {
            String p = PREFIX + j + ".";
            for (String v : VECTORS) f32(attn, p + v, source, c);
            for (String s : SQUARE) matrix(attn, p + s, source, c, c);
            Tensor key = attn.get(p + "ffn.key.weight");
            if (f < 0) f = key.rank() == 2 ? key.dim(0) : -1;
            matrix(attn, p + "ffn.key.weight", source, f, c);
            matrix(attn, p + "ffn.value.weight", source, c, f);
        }
        ModelConfig config = new ModelConfig(
                Architecture.HYBRID, r, c, base.nHead(), base.headSize(), base.nVocab(), base.ffnSize(), a);
        return new ModelWeights(config, tensors, source);
    }
}
