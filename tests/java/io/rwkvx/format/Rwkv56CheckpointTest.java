package io.rwkvx.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rwkvx.GoldenFiles;
import io.rwkvx.Model;
import io.rwkvx.ModelOptions;
import io.rwkvx.Rwkvx;
import io.rwkvx.Session;
import io.rwkvx.backend.BackendKind;
import io.rwkvx.model.Architecture;
import io.rwkvx.model.ModelWeights;
import io.rwkvx.tensor.DType;
import io.rwkvx.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * RWKV-5.2 and RWKV-6 BlinkDL checkpoints (safetensors and torch.save .pth): rwkv.cpp's tiny 5v2 and 6v0
 * models are turned back into the state dicts BlinkDL's trainer saves, undoing each step of rwkv.cpp's
 * converter (docs/formats.md §1.6, §2.5), written as F32 and BF16, and must read back as the rwkv.cpp model: same
 * config, same tensors, the golden logits.
 */
class Rwkv56CheckpointTest {
    static final int[] GOLDEN_TOKENS = {34, 105, 110};

    record Param(long[] shape, float[] values) {}

    record Source(Architecture arch, Path file, Path golden) {}

    @TempDir
    Path dir;

    static Source source(String arch) {
        return arch.equals("5")
                ? new Source(
                        Architecture.RWKV5,
                        Path.of("tests/data/tiny-rwkv-5v2-730K-FP32.bin"),
                        Path.of("tests/data/expected-logits-5v2-730K.bin"))
                : new Source(
                        Architecture.RWKV6,
                        Path.of("tests/data/tiny-rwkv-6v0-1m-FP32.bin"),
                        Path.of("tests/data/expected-logits-6v0-1m.bin"));
    }

    /** The rwkv.cpp model's canonical tensors, F32 values. */
    static Map<String, Param> canonical(Source src) {
        try (Arena arena = Arena.ofConfined()) {
            ModelWeights w = RwkvCppReader.read(src.file(), arena);
            assertEquals(src.arch(), w.config().arch());
            Map<String, Param> out = new LinkedHashMap<>();
            for (Tensor t : w.tensors().values()) out.put(t.name(), new Param(t.shape(), t.toFloatArray()));
            return out;
        }
    }

    static String local(String name) {
        String l = Rwkv7Layout.localName(name);
        return l == null ? "" : l;
    }

    /** [rows, cols] matrices of the last two dimensions transposed. */
    static Param transposed(Param p) {
        long[] s = p.shape();
        int r = s.length;
        int rows = (int) s[r - 2], cols = (int) s[r - 1], batch = p.values().length / (rows * cols);
        float[] out = new float[p.values().length];
        for (int b = 0; b < batch; b++)
            for (int i = 0; i < rows; i++)
                for (int j = 0; j < cols; j++)
                    out[b * rows * cols + j * rows + i] = p.values()[b * rows * cols + i * cols + j];
        long[] t = s.clone();
        t[r - 2] = cols;
        t[r - 1] = rows;
        return new Param(t, out);
    }

    /** RWKV-5.2's raw decay d from the multiplier w = exp(-exp(d)) rwkv.cpp stores. */
    static float rawDecay(float w) {
        return (float) Math.log(-Math.log(w));
    }

    /** The BlinkDL state dict of the canonical model. */
    static Map<String, Param> blinkDl(Architecture arch, Map<String, Param> canonical) {
        Map<String, Param> out = new LinkedHashMap<>();
        for (Map.Entry<String, Param> e : canonical.entrySet()) {
            String name = e.getKey(), l = local(name);
            Param p = e.getValue();
            if (l.equals("att.time_decay")) {
                float[] v = p.values().clone();
                if (arch == Architecture.RWKV5) {
                    for (int i = 0; i < v.length; i++) v[i] = rawDecay(v[i]);
                    out.put(name, new Param(p.shape(), v)); // (H, N)
                } else {
                    out.put(name, new Param(new long[] {1, 1, v.length}, v));
                }
            } else if (l.equals("att.time_faaaa")) {
                out.put(name, p); // (H, N)
            } else if (Rwkv56Layout.V6_LORA.contains(l)) {
                out.put(name, transposed(p));
            } else if (p.shape().length == 1) {
                out.put(name, new Param(new long[] {1, 1, p.shape()[0]}, p.values()));
            } else {
                out.put(name, p);
            }
        }
        return out;
    }

    Path write(Map<String, Param> sd, String format, String dtype, String stem) throws IOException {
        if (format.equals("safetensors")) {
            SafetensorsTestFile f = new SafetensorsTestFile();
            for (Map.Entry<String, Param> e : sd.entrySet())
                f.add(e.getKey(), dtype, e.getValue().shape(), e.getValue().values());
            return f.write(dir.resolve(stem + ".safetensors"));
        }
        PthTestFile f = new PthTestFile();
        f.orderedDict = false; // BlinkDL saves a plain dict
        for (Map.Entry<String, Param> e : sd.entrySet())
            f.add(e.getKey(), dtype, e.getValue().shape(), e.getValue().values());
        return f.write(dir.resolve(stem + ".pth"));
    }

    @ParameterizedTest(name = "RWKV-{0} {1} {2}")
    @CsvSource({
        "5, safetensors, F32", "5, safetensors, BF16", "5, pth, F32", "5, pth, BF16",
        "6, safetensors, F32", "6, safetensors, BF16", "6, pth, F32", "6, pth, BF16"
    })
    void checkpointReadsAsTheRwkvCppModel(String arch, String format, String dtype) throws IOException {
        Source src = source(arch);
        Map<String, Param> cpp = canonical(src);
        Path file = write(blinkDl(src.arch(), cpp), format, dtype, "rwkv" + arch + "-" + dtype);
        boolean bf16 = dtype.equals("BF16");
        try (Arena arena = Arena.ofConfined()) {
            ModelWeights w = ModelFiles.read(file, arena);
            assertEquals(src.arch(), w.config().arch());
            assertEquals(cpp.keySet(), w.tensors().keySet());
            for (Map.Entry<String, Param> e : cpp.entrySet()) {
                String name = e.getKey();
                Tensor t = w.get(name);
                assertNotNull(t, name);
                assertArrayEquals(e.getValue().shape(), t.shape(), name + " shape");
                boolean vector = e.getValue().shape().length == 1 || Rwkv56Layout.HEAD_TENSORS.contains(local(name));
                if (vector) assertEquals(DType.F32, t.dtype(), name + " is F32");
                else assertEquals(bf16 ? DType.BF16 : DType.F32, t.dtype(), name + " keeps its dtype");
                float[] expected = e.getValue().values(), got = t.toFloatArray();
                for (int i = 0; i < expected.length; i++) {
                    double want = expected[i];
                    if (src.arch() == Architecture.RWKV5 && local(name).equals("att.time_decay")) {
                        float raw = rawDecay(expected[i]);
                        want = Math.exp(-Math.exp(bf16 ? SafetensorsTestFile.roundToBf16(raw) : raw));
                        assertTrue(
                                Math.abs(got[i] - want) <= 1e-6 * want,
                                name + "[" + i + "]: " + got[i] + " vs " + want);
                    } else {
                        assertEquals(
                                bf16 ? SafetensorsTestFile.roundToBf16(expected[i]) : expected[i],
                                got[i],
                                name + "[" + i + "]");
                    }
                }
            }
        }

        float[] golden = GoldenFiles.read(src.golden());
        float[] logits = goldenPromptLogits(file);
        assertEquals(GoldenFiles.argmax(golden), GoldenFiles.argmax(logits), file + ": argmax");
        if (bf16) {
            // The same model with its BF16-rounded values stored as F32 gives the same logits: the BF16
            // tensors are read right (the distance to the FP32 golden only measures BF16 rounding).
            Map<String, Param> rounded = new LinkedHashMap<>();
            for (Map.Entry<String, Param> e : blinkDl(src.arch(), cpp).entrySet()) {
                float[] v = e.getValue().values().clone();
                for (int i = 0; i < v.length; i++) v[i] = SafetensorsTestFile.roundToBf16(v[i]);
                rounded.put(e.getKey(), new Param(e.getValue().shape(), v));
            }
            float[] same = goldenPromptLogits(write(rounded, format, "F32", "rwkv" + arch + "-rounded"));
            double d = 0;
            for (int i = 0; i < 256; i++) d = Math.max(d, Math.abs(logits[i] - same[i]));
            assertTrue(d <= 1e-5, file + ": BF16 vs the same values in F32 differ by " + d);
        } else {
            GoldenFiles.assertWithinBounds(
                    logits, golden, 0.001 * 1.05, 1e-4, file.toString()); // rwkv.cpp's FP32 bounds
        }
    }

    static float[] goldenPromptLogits(Path file) {
        try (Model model = Rwkvx.load(file, ModelOptions.defaults().withBackend(BackendKind.NATIVE));
                Session s = model.newSession()) {
            return s.prefill(GOLDEN_TOKENS);
        }
    }

    @Test
    void rwkv6LoraInTheRwkvCppLayoutIsRejectedNamingTheTensor() throws IOException {
        // A checkpoint whose time_maa_w2 was already transposed (rwkv.cpp's (5, C, D)) is not BlinkDL's.
        Source src = source("6");
        Map<String, Param> cpp = canonical(src);
        Map<String, Param> sd = blinkDl(src.arch(), cpp);
        String name = "blocks.0.att.time_maa_w2";
        sd.put(name, cpp.get(name));
        Path file = write(sd, "safetensors", "F32", "rwkv6-cpp-lora");
        long[] s = cpp.get(name).shape();
        FormatAssertions.assertRejected(
                ModelFiles::read,
                file,
                "'" + name + "'",
                "[5, " + s[1] + ", " + s[2] + "]",
                "[5, " + s[2] + ", " + s[1] + "]");
    }
}
