package io.rwkvx;

import io.rwkvx.format.SafetensorsWriter;
import io.rwkvx.tensor.DType;
import io.rwkvx.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * A random RWKV-X model in BlinkDL checkpoint names and layouts: R RWKV-7 layers and A attention blocks
 * with non-zero weights (q and k larger than 1/sqrt(C), so attention is peaked and the chunk choice
 * matters), LoRA rank 16. Unlike {@code expand}'s zero-initialised blocks, its attention changes the logits.
 */
public final class RandomHybridModel {
    private static final int D = 16;

    private final int c, ffn, heads;
    private final Random rnd;
    private final Map<String, float[]> values = new LinkedHashMap<>();
    private final Map<String, long[]> shapes = new LinkedHashMap<>();

    /**
     * Draws the weights from {@code rnd}.
     *
     * @param c     embedding size, a multiple of 64 (the head size)
     * @param r     RWKV-7 layers
     * @param a     attention blocks; must divide {@code r}
     * @param vocab vocabulary size
     */
    public RandomHybridModel(Random rnd, int c, int r, int a, int vocab) {
        this.rnd = rnd;
        this.c = c;
        this.ffn = 4 * c;
        this.heads = c / 64;
        build(r, a, vocab);
    }

    /** The tensors by checkpoint name without the {@code rwkv.} prefix ({@code moba.j.*} as is). */
    public Map<String, float[]> values() {
        return Collections.unmodifiableMap(values);
    }

    /** Writes the model as an RWKV-X safetensors checkpoint ({@code rwkv.*} and {@code moba.j.*}). */
    public Path write(Path file) {
        try (Arena arena = Arena.ofConfined()) {
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Map.Entry<String, float[]> e : values.entrySet()) {
                String name = e.getKey().startsWith("moba.") ? e.getKey() : "rwkv." + e.getKey();
                float[] v = e.getValue();
                MemorySegment seg = arena.allocate((long) v.length * 4, 64);
                MemorySegment.copy(v, 0, seg, ValueLayout.JAVA_FLOAT, 0, v.length);
                tensors.put(name, new Tensor(name, DType.F32, shapes.get(e.getKey()), seg));
            }
            SafetensorsWriter.write(file, tensors);
        }
        return file;
    }

    private void put(String name, float[] v, long... shape) {
        values.put(name, v);
        shapes.put(name, shape);
    }

    private float[] gauss(double std, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (rnd.nextGaussian() * std);
        return v;
    }

    private float[] uniform(double lo, double hi, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (lo + (hi - lo) * rnd.nextDouble());
        return v;
    }

    private float[] around(double mid, double std, int n) {
        float[] v = gauss(std, n);
        for (int i = 0; i < n; i++) v[i] += (float) mid;
        return v;
    }

    private void layerNorm(String p) {
        put(p + ".weight", around(1, 0.2, c), c);
        put(p + ".bias", gauss(0.1, c), c);
    }

    private void channelMix(String p) {
        put(p + "ffn.x_k", uniform(0, 1, c), 1, 1, c);
        put(p + "ffn.key.weight", gauss(1 / Math.sqrt(c), ffn * c), ffn, c);
        put(p + "ffn.value.weight", gauss(1 / Math.sqrt(ffn), c * ffn), c, ffn);
    }

    private void build(int r, int a, int vocab) {
        put("emb.weight", gauss(1, vocab * c), vocab, c);
        layerNorm("blocks.0.ln0");
        for (int i = 0; i < r; i++) {
            String p = "blocks." + i + ".";
            layerNorm(p + "ln1");
            layerNorm(p + "ln2");
            for (String m : new String[] {"x_r", "x_w", "x_k", "x_v", "x_a", "x_g"})
                put(p + "att." + m, uniform(0, 1, c), 1, 1, c);
            put(p + "att.w0", uniform(-2, 0.5, c), 1, 1, c);
            put(p + "att.a0", gauss(0.5, c), 1, 1, c);
            for (String l : i == 0 ? new String[] {"w", "a", "g"} : new String[] {"w", "a", "g", "v"}) {
                put(p + "att." + l + "1", gauss(1 / Math.sqrt(c), c * D), c, D);
                put(p + "att." + l + "2", gauss(1 / Math.sqrt(D), D * c), D, c);
            }
            if (i > 0) put(p + "att.v0", around(0.5, 0.5, c), 1, 1, c);
            put(p + "att.k_k", around(0.8, 0.2, c), 1, 1, c);
            put(p + "att.k_a", uniform(0, 1, c), 1, 1, c);
            put(p + "att.r_k", gauss(0.3, c), heads, 64);
            for (String m : new String[] {"receptance", "key", "value", "output"})
                put(p + "att." + m + ".weight", gauss(1 / Math.sqrt(c), c * c), c, c);
            layerNorm(p + "att.ln_x");
            channelMix(p);
        }
        for (int j = 0; j < a; j++) {
            String p = "moba." + j + ".";
            layerNorm(p + "ln1");
            layerNorm(p + "ln2");
            // q and k larger than 1/sqrt(C): peaked attention, so the chunk choice matters.
            put(p + "att.receptance.weight", gauss(2 / Math.sqrt(c), c * c), c, c);
            put(p + "att.key.weight", gauss(2 / Math.sqrt(c), c * c), c, c);
            put(p + "att.value.weight", gauss(1 / Math.sqrt(c), c * c), c, c);
            put(p + "att.output.weight", gauss(1 / Math.sqrt(c), c * c), c, c);
            channelMix(p);
        }
        layerNorm("ln_out");
        put("head.weight", gauss(1 / Math.sqrt(c), vocab * c), vocab, c);
    }
}
