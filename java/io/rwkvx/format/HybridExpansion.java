package io.rwkvx.format;

import io.rwkvx.model.Architecture;
import io.rwkvx.model.ModelWeights;
import io.rwkvx.tensor.DType;
import io.rwkvx.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Block expansion (RWKV-X stage-1 initialisation, LLaMA-Pro style): A attention blocks inserted into an
 * RWKV-7 model so that it computes the same function. Each new block has LayerNorms (1, 0), ffn.x_k 0,
 * q/k/v and ffn.key small random (normal, std 0.02, fixed seed: trainable from a non-degenerate start),
 * and att.output and ffn.value zero, so it adds nothing to the residual stream.
 */
public final class HybridExpansion {
    private static final double INIT_STD = 0.02;

    private HybridExpansion() {}

    /** Canonical RWKV-X tensors: the RWKV-7 ones plus {@code moba.j.*}, validated. */
    public static ModelWeights expand(ModelWeights rwkv7, int attnLayers, long seed, Arena arena) {
        var c = rwkv7.config();
        if (c.arch() != Architecture.RWKV7)
            throw new IllegalArgumentException(
                    rwkv7.source() + ": expansion needs an RWKV-7 model, found " + c.arch().displayName);
        if (attnLayers < 1 || c.nLayer() % attnLayers != 0)
            throw new IllegalArgumentException("--attn-layers " + attnLayers + " must divide the " + c.nLayer()
                    + " RWKV-7 layers (docs/rwkv-x.md §2.1: the layers are split into equal groups)");
        int n = c.nEmbd(), f = 4 * n;
        Random rng = new Random(seed);
        Map<String, Tensor> out = new LinkedHashMap<>(rwkv7.tensors());
        for (int j = 0; j < attnLayers; j++) {
            String p = HybridLayout.PREFIX + j + ".";
            out.put(p + "ln1.weight", filled(p + "ln1.weight", arena, 1.0f, n));
            out.put(p + "ln1.bias", filled(p + "ln1.bias", arena, 0.0f, n));
            out.put(p + "ln2.weight", filled(p + "ln2.weight", arena, 1.0f, n));
            out.put(p + "ln2.bias", filled(p + "ln2.bias", arena, 0.0f, n));
            out.put(p + "ffn.x_k", filled(p + "ffn.x_k", arena, 0.0f, n));
            for (String s : new String[] {"att.receptance.weight", "att.key.weight", "att.value.weight"})
                out.put(p + s, random(p + s, arena, rng, n, n));
            out.put(p + "att.output.weight", filled(p + "att.output.weight", arena, 0.0f, n, n));
            out.put(p + "ffn.key.weight", random(p + "ffn.key.weight", arena, rng, f, n));
            out.put(p + "ffn.value.weight", filled(p + "ffn.value.weight", arena, 0.0f, n, f));
        }
        return HybridLayout.validate(out, rwkv7.source() + " (expanded)");
    }

    /**
     * Writes canonical RWKV-X (or RWKV-7) weights as a checkpoint-style safetensors file: {@code rwkv.} +
     * BlinkDL names (LoRA matrices back in BlinkDL's (C,D)/(D,C) layout) and {@code moba.j.*}.
     */
    public static void writeCheckpoint(ModelWeights w, Path file, Arena arena) {
        Map<String, Tensor> named = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : w.tensors().entrySet()) {
            String name = e.getKey();
            Tensor t = e.getValue();
            if (HybridLayout.isAttention(name)) named.put(name, t);
            else if (Rwkv7Layout.isLora(name, 1) || Rwkv7Layout.isLora(name, 2))
                named.put("rwkv." + name, TensorCopies.transpose2d(t, arena));
            else named.put("rwkv." + name, t);
        }
        SafetensorsWriter.write(file, named);
    }

    private static Tensor filled(String name, Arena arena, float value, long... shape) {
        long count = 1;
        for (long d : shape) count *= d;
        MemorySegment seg = arena.allocate(count * 4, 64);
        for (long i = 0; i < count; i++) seg.setAtIndex(ValueLayout.JAVA_FLOAT, i, value);
        return new Tensor(name, DType.F32, shape, seg);
    }

    private static Tensor random(String name, Arena arena, Random rng, long rows, long cols) {
        MemorySegment seg = arena.allocate(rows * cols * 4, 64);
        for (long i = 0; i < rows * cols; i++)
            seg.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (rng.nextGaussian() * INIT_STD));
        return new Tensor(name, DType.F32, new long[] {rows, cols}, seg);
    }
}
