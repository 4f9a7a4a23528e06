package io.rwkvx.format;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A small random RWKV-7 in BlinkDL checkpoint layout ((1,1,C) vectors, LoRA w1 (C,D) and w2 (D,C)), with
 * every value bfloat16-representable so the same weights can be written exactly as F32, BF16 and an
 * rwkv.cpp FP32 file (converter layout: x_rwkvag concatenated, LoRA transposed).
 */
final class SyntheticRwkv7 {
    record Param(long[] shape, float[] values) {}

    final int c, nHead, nLayer, vocab, ffn, lora;
    final Map<String, Param> params = new LinkedHashMap<>();
    private final Random rnd;

    SyntheticRwkv7(long seed, int c, int nHead, int nLayer, int vocab, int ffn, int lora) {
        this.c = c;
        this.nHead = nHead;
        this.nLayer = nLayer;
        this.vocab = vocab;
        this.ffn = ffn;
        this.lora = lora;
        this.rnd = new Random(seed);
        put("emb.weight", gauss(1.0, vocab, c), vocab, c);
        for (int i = 0; i < nLayer; i++) {
            String p = "blocks." + i + ".";
            if (i == 0) {
                put(p + "ln0.weight", around(1, 0.2, c), c);
                put(p + "ln0.bias", gauss(0.1, c), c);
            }
            put(p + "ln1.weight", around(1, 0.2, c), c);
            put(p + "ln1.bias", gauss(0.1, c), c);
            put(p + "ln2.weight", around(1, 0.2, c), c);
            put(p + "ln2.bias", gauss(0.1, c), c);
            for (String m : List.of("x_r", "x_w", "x_k", "x_v", "x_a", "x_g"))
                put(p + "att." + m, uniform(0, 1, c), 1, 1, c);
            put(p + "att.w0", uniform(-2, 0.5, c), 1, 1, c);
            put(p + "att.r_k", gauss(0.3, c), nHead, c / nHead);
            put(p + "att.w1", gauss(1 / Math.sqrt(c), c, lora), c, lora);
            put(p + "att.w2", gauss(1 / Math.sqrt(lora), lora, c), lora, c);
            put(p + "att.a1", gauss(1 / Math.sqrt(c), c, lora), c, lora);
            put(p + "att.a2", gauss(1 / Math.sqrt(lora), lora, c), lora, c);
            put(p + "att.a0", gauss(0.5, c), 1, 1, c);
            put(p + "att.g1", gauss(1 / Math.sqrt(c), c, lora), c, lora);
            put(p + "att.g2", gauss(1 / Math.sqrt(lora), lora, c), lora, c);
            if (i > 0) {
                put(p + "att.v2", gauss(1 / Math.sqrt(lora), lora, c), lora, c);
                put(p + "att.v1", gauss(1 / Math.sqrt(c), c, lora), c, lora);
                put(p + "att.v0", around(0.5, 0.5, c), 1, 1, c);
            }
            put(p + "att.k_k", around(0.8, 0.2, c), 1, 1, c);
            put(p + "att.k_a", uniform(0, 1, c), 1, 1, c);
            put(p + "att.receptance.weight", gauss(1 / Math.sqrt(c), c, c), c, c);
            put(p + "att.key.weight", gauss(1 / Math.sqrt(c), c, c), c, c);
            put(p + "att.value.weight", gauss(1 / Math.sqrt(c), c, c), c, c);
            put(p + "att.output.weight", gauss(1 / Math.sqrt(c), c, c), c, c);
            put(p + "att.ln_x.weight", around(1, 0.2, c), c);
            put(p + "att.ln_x.bias", gauss(0.1, c), c);
            put(p + "ffn.x_k", uniform(0, 1, c), 1, 1, c);
            put(p + "ffn.key.weight", gauss(1 / Math.sqrt(c), ffn, c), ffn, c);
            put(p + "ffn.value.weight", gauss(1 / Math.sqrt(ffn), c, ffn), c, ffn);
        }
        put("ln_out.weight", around(1, 0.2, c), c);
        put("ln_out.bias", gauss(0.1, c), c);
        put("head.weight", gauss(1 / Math.sqrt(c), vocab, c), vocab, c);
    }

    /** The BlinkDL checkpoint as safetensors: matrices in {@code matrixDtype}, vectors in {@code vectorDtype}. */
    SafetensorsTestFile safetensors(String matrixDtype, String vectorDtype, String prefix) {
        SafetensorsTestFile f = new SafetensorsTestFile();
        for (Map.Entry<String, Param> e : params.entrySet()) {
            boolean matrix = e.getValue().shape().length == 2 && !e.getKey().endsWith("r_k");
            f.add(
                    prefix + e.getKey(),
                    matrix ? matrixDtype : vectorDtype,
                    e.getValue().shape(),
                    e.getValue().values());
        }
        return f;
    }

    /** The same weights as rwkv.cpp's converter writes them (FP32). */
    RwkvCppTestFile rwkvCpp() {
        RwkvCppTestFile f = new RwkvCppTestFile();
        f.nVocab = vocab;
        f.nEmbed = c;
        f.nLayer = nLayer;
        for (Map.Entry<String, Param> e : params.entrySet()) {
            String name = e.getKey();
            Param p = e.getValue();
            String local = Rwkv7Layout.localName(name);
            if (local != null && local.startsWith("att.x_")) {
                if (!local.equals("att.x_r")) continue; // emitted once, as x_rwkvag
                String prefix = name.substring(0, name.length() - "att.x_r".length());
                float[] cat = new float[6 * c];
                int k = 0;
                for (String m : List.of("x_r", "x_w", "x_k", "x_v", "x_a", "x_g")) {
                    System.arraycopy(params.get(prefix + "att." + m).values(), 0, cat, k++ * c, c);
                }
                f.records.add(RwkvCppTestFile.f32(prefix + "att.x_rwkvag", new long[] {6, 1, c}, cat));
            } else if (local != null && local.matches("att\\.[wavg][12]")) {
                f.records.add(RwkvCppTestFile.f32(
                        name, new long[] {p.shape()[1], p.shape()[0]}, transpose(p.values(), (int) p.shape()[0], (int)
                                p.shape()[1])));
            } else {
                f.records.add(RwkvCppTestFile.f32(name, p.shape(), p.values()));
            }
        }
        return f;
    }

    Path writeRwkvCpp(Path file) throws IOException {
        return rwkvCpp().write(file);
    }

    static float[] transpose(float[] m, int rows, int cols) {
        float[] t = new float[m.length];
        for (int r = 0; r < rows; r++) for (int q = 0; q < cols; q++) t[q * rows + r] = m[r * cols + q];
        return t;
    }

    private void put(String name, float[] values, long... shape) {
        params.put(name, new Param(shape, values));
    }

    private float[] gauss(double sd, int... dims) {
        float[] v = new float[product(dims)];
        for (int i = 0; i < v.length; i++) v[i] = SafetensorsTestFile.roundToBf16((float) (rnd.nextGaussian() * sd));
        return v;
    }

    private float[] around(double mean, double sd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = SafetensorsTestFile.roundToBf16((float) (mean + rnd.nextGaussian() * sd));
        return v;
    }

    private float[] uniform(double lo, double hi, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = SafetensorsTestFile.roundToBf16((float) (lo + rnd.nextDouble() * (hi - lo)));
        return v;
    }

    private static int product(int... dims) {
        int p = 1;
        for (int d : dims) p *= d;
        return p;
    }
}
