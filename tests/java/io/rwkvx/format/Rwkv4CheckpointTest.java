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
import io.rwkvx.model.ModelConfig;
import io.rwkvx.model.ModelWeights;
import io.rwkvx.tensor.DType;
import io.rwkvx.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * RWKV-4 BlinkDL checkpoints (safetensors and torch.save .pth): the tiny 4v0-660K rwkv.cpp model is turned
 * back into the state dict BlinkDL's trainer saves (docs/formats.md §1.6, §2.5: raw {@code att.time_decay}
 * {@code d} where rwkv.cpp stores {@code -exp(d)}; {@code .time_} vectors shaped (1,1,C)), written as
 * F32 and BF16, and must read back as the rwkv.cpp model: same config, same tensors, the golden logits.
 */
class Rwkv4CheckpointTest {
    static final Path FP32 = Path.of("tests/data/tiny-rwkv-4v0-660K-FP32.bin");
    static final Path GOLDEN = Path.of("tests/data/expected-logits-4v0-660K.bin");
    static final int[] GOLDEN_TOKENS = {34, 105, 110};

    record Param(long[] shape, float[] values) {}

    /** The rwkv.cpp model's canonical tensors (F32 values) and config. */
    static Map<String, Param> cpp;

    static ModelConfig cppConfig;

    @TempDir
    Path dir;

    @BeforeAll
    static void readRwkvCpp() {
        try (Arena arena = Arena.ofConfined()) {
            ModelWeights w = RwkvCppReader.read(FP32, arena);
            assertEquals(Architecture.RWKV4, w.config().arch());
            cppConfig = w.config();
            cpp = new LinkedHashMap<>();
            for (Tensor t : w.tensors().values()) cpp.put(t.name(), new Param(t.shape(), t.toFloatArray()));
        }
    }

    static boolean isTimeVector(String name) {
        String local = Rwkv7Layout.localName(name);
        return local != null && local.contains(".time_");
    }

    /** The BlinkDL state dict of the rwkv.cpp model: decay raw (log(-w)), time_* vectors (1,1,C). */
    static Map<String, Param> blinkDl() {
        Map<String, Param> out = new LinkedHashMap<>();
        for (Map.Entry<String, Param> e : cpp.entrySet()) {
            String name = e.getKey();
            Param p = e.getValue();
            if (!isTimeVector(name)) {
                out.put(name, p);
                continue;
            }
            assertEquals(1, p.shape().length, name + " is a [C] vector in the rwkv.cpp model");
            float[] v = p.values().clone();
            if (Rwkv4Layout.isDecay(name)) {
                for (int i = 0; i < v.length; i++) {
                    assertTrue(v[i] < 0, name + "[" + i + "] = " + v[i] + " should be -exp(d)");
                    v[i] = (float) Math.log(-(double) v[i]);
                }
            }
            out.put(name, new Param(new long[] {1, 1, p.shape()[0]}, v));
        }
        return out;
    }

    Path write(String format, String dtype) throws IOException {
        Map<String, Param> sd = blinkDl();
        if (format.equals("safetensors")) {
            SafetensorsTestFile f = new SafetensorsTestFile();
            for (Map.Entry<String, Param> e : sd.entrySet())
                f.add(e.getKey(), dtype, e.getValue().shape(), e.getValue().values());
            return f.write(dir.resolve("rwkv4-" + dtype + ".safetensors"));
        }
        PthTestFile f = new PthTestFile();
        f.orderedDict = false; // BlinkDL saves a plain dict
        for (Map.Entry<String, Param> e : sd.entrySet())
            f.add(e.getKey(), dtype, e.getValue().shape(), e.getValue().values());
        return f.write(dir.resolve("rwkv4-" + dtype + ".pth"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"safetensors, F32", "safetensors, BF16", "pth, F32", "pth, BF16"})
    void checkpointReadsAsTheRwkvCppModel(String format, String dtype) throws IOException {
        Path file = write(format, dtype);
        assertEquals(
                format.equals("pth") ? ModelFiles.Kind.PYTORCH : ModelFiles.Kind.SAFETENSORS, ModelFiles.detect(file));
        boolean bf16 = dtype.equals("BF16");
        try (Arena arena = Arena.ofConfined()) {
            ModelWeights w = ModelFiles.read(file, arena);
            assertEquals(cppConfig, w.config());
            assertEquals(cpp.keySet(), w.tensors().keySet());
            for (Map.Entry<String, Param> e : cpp.entrySet()) {
                String name = e.getKey();
                Tensor t = w.get(name);
                assertNotNull(t, name);
                assertArrayEquals(e.getValue().shape(), t.shape(), name + " shape");
                float[] expected = e.getValue().values();
                float[] got = t.toFloatArray();
                if (e.getValue().shape().length == 1) assertEquals(DType.F32, t.dtype(), name + " is an F32 vector");
                else assertEquals(bf16 ? DType.BF16 : DType.F32, t.dtype(), name + " matrix keeps its dtype");
                if (Rwkv4Layout.isDecay(name)) {
                    for (int i = 0; i < expected.length; i++) {
                        float raw = (float) Math.log(-(double) expected[i]);
                        double want = bf16 ? -Math.exp(SafetensorsTestFile.roundToBf16(raw)) : expected[i];
                        double rel = Math.abs(got[i] - want) / Math.abs(want);
                        assertTrue(
                                rel <= 1e-6,
                                name + "[" + i + "]: " + got[i] + " vs " + want + " (relative " + rel + ")");
                    }
                } else if (bf16) {
                    for (int i = 0; i < expected.length; i++) {
                        assertEquals(SafetensorsTestFile.roundToBf16(expected[i]), got[i], name + "[" + i + "]");
                    }
                } else {
                    assertArrayEquals(expected, got, name);
                }
            }
        }

        float[] golden = golden();
        float[] logits;
        try (Model model = Rwkvx.load(file, ModelOptions.defaults().withBackend(BackendKind.NATIVE));
                Session s = model.newSession()) {
            assertEquals(cppConfig.arch(), model.config().arch());
            logits = s.prefill(GOLDEN_TOKENS);
        }
        assertEquals(115, GoldenFiles.argmax(logits), file + ": argmax is 's'");
        if (bf16) {
            double worst = 0;
            for (int i = 0; i < 256; i++) worst = Math.max(worst, Math.abs(logits[i] - golden[i]));
            assertTrue(worst <= 0.05, file + ": max |diff| " + worst + " > 0.05");
        } else {
            GoldenFiles.assertWithinBounds(
                    logits, golden, 0.001 * 1.05, 1e-4, file.toString()); // rwkv.cpp's FP32 bounds
        }
    }

    @Test
    void timeMixOfTheWrongLengthIsRejectedNamingTheTensor() throws IOException {
        int c = cppConfig.nEmbd();
        SafetensorsTestFile f = new SafetensorsTestFile();
        for (Map.Entry<String, Param> e : blinkDl().entrySet()) {
            if (e.getKey().equals("blocks.0.att.time_mix_k")) {
                f.add(e.getKey(), "F32", new long[] {1, 1, c + 1}, new float[c + 1]);
            } else {
                f.add(e.getKey(), "F32", e.getValue().shape(), e.getValue().values());
            }
        }
        Path file = f.write(dir.resolve("bad-time-mix.safetensors"));
        FormatAssertions.assertRejected(
                ModelFiles::read, file, "'blocks.0.att.time_mix_k'", "[" + c + "]", "[" + (c + 1) + "]");
    }

    static float[] golden() throws IOException {
        return GoldenFiles.read(GOLDEN);
    }
}
