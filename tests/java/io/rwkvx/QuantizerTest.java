package io.rwkvx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rwkvx.backend.BackendKind;
import io.rwkvx.common.RwkvxException;
import io.rwkvx.ffi.rwkvx_h;
import io.rwkvx.format.HybridExpansion;
import io.rwkvx.format.RwkvCppQuantization;
import io.rwkvx.format.RwkvCppReader;
import io.rwkvx.model.ModelWeights;
import io.rwkvx.nativelib.NativeLibrary;
import io.rwkvx.tensor.DType;
import io.rwkvx.tensor.GgmlReferenceQuantizer;
import io.rwkvx.tensor.QuantizedBlocks;
import io.rwkvx.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Quantizer}: the native {@code rwkvx_quantize} rounds as ggml does (against the test-side port
 * {@link GgmlReferenceQuantizer}, which reproduces rwkv.cpp's files), quantizing rwkv.cpp's FP32 test models
 * gives rwkv.cpp's own quantized files byte for byte, every type round-trips through the reader, and
 * quantizing on load equals loading the quantized file.
 */
class QuantizerTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void nativeLibrary() {
        NativeLibrary.load(); // the quantizer's rounding is the native library's
    }

    static Path fp32(String model) {
        return model.equals("7v0-834K") ? TestModels.FP32 : Path.of("tests/data/tiny-rwkv-" + model + "-FP32.bin");
    }

    // ---------------------------------------------------------------------------------------------
    // rwkvx_quantize, rwkvx_dequantize and rwkvx_dtype_bytes against the Java oracles

    /** Blocks that probe the rounding rules: ties, signs, zeros, equal values, extremes, subnormals. */
    static List<float[]> probeBlocks() {
        List<float[]> out = new ArrayList<>();
        SplittableRandom rnd = new SplittableRandom(5);
        out.add(new float[32]); // all zeros
        float[] equal = new float[32];
        Arrays.fill(equal, 0.7f);
        out.add(equal);
        float[] negEqual = new float[32];
        Arrays.fill(negEqual, -3.25f);
        out.add(negEqual);
        float[] ramp = new float[32]; // x·(1/d) lands on halves: the truncation after + 0.5 decides
        for (int j = 0; j < 32; j++) ramp[j] = (j - 16) * 0.5f;
        out.add(ramp);
        float[] ties = new float[32];
        for (int j = 0; j < 32; j++) ties[j] = j % 2 == 0 ? 0.5f * j : -0.25f * j;
        out.add(ties);
        float[] bothSigns = new float[32]; // the largest magnitude twice, with both signs: the first wins
        bothSigns[3] = -2f;
        bothSigns[20] = 2f;
        bothSigns[7] = 1f;
        out.add(bothSigns);
        float[] negZero = new float[32];
        Arrays.fill(negZero, -0f);
        negZero[9] = 1e-3f;
        out.add(negZero);
        float[] tiny = new float[32]; // d below binary16's normal range
        for (int j = 0; j < 32; j++) tiny[j] = (float) (rnd.nextDouble(-1, 1) * 1e-6);
        out.add(tiny);
        float[] large = new float[32]; // d near binary16's largest finite value
        for (int j = 0; j < 32; j++) large[j] = (float) (rnd.nextDouble(-1, 1) * 4.0e5);
        out.add(large);
        for (int b = 0; b < 64; b++) {
            float[] g = new float[32];
            double scale = Math.exp(rnd.nextDouble(-8, 4));
            for (int j = 0; j < 32; j++) g[j] = (float) (rnd.nextGaussian() * scale);
            out.add(g);
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(names = {"Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0"})
    void nativeQuantizeRoundsAsGgmlDoes(DType type) {
        List<float[]> blocks = probeBlocks();
        float[] x = new float[32 * blocks.size()];
        for (int b = 0; b < blocks.size(); b++) System.arraycopy(blocks.get(b), 0, x, 32 * b, 32);
        byte[] want = GgmlReferenceQuantizer.quantize(type, x);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment src = arena.allocateFrom(ValueLayout.JAVA_FLOAT, x);
            MemorySegment dst = arena.allocate(want.length);
            NativeLibrary.check("rwkvx_quantize", rwkvx_h.rwkvx_quantize(type.code, src, x.length, dst, want.length));
            byte[] got = dst.toArray(ValueLayout.JAVA_BYTE);
            for (int b = 0; b < blocks.size(); b++) {
                int n = type.blockBytes;
                assertArrayEquals(
                        Arrays.copyOfRange(want, b * n, (b + 1) * n),
                        Arrays.copyOfRange(got, b * n, (b + 1) * n),
                        type + " block " + b + " " + Arrays.toString(blocks.get(b)));
            }
            // The native decoder gives the Java decoder's float bits.
            MemorySegment back = arena.allocate((long) x.length * 4);
            NativeLibrary.check("rwkvx_dequantize", rwkvx_h.rwkvx_dequantize(type.code, dst, x.length, back));
            float[] java = new float[x.length];
            QuantizedBlocks.decode(type, dst, java);
            float[] nat = back.toArray(ValueLayout.JAVA_FLOAT);
            for (int i = 0; i < x.length; i++)
                assertEquals(Float.floatToIntBits(java[i]), Float.floatToIntBits(nat[i]), type + " element " + i);
        }
    }

    @Test
    void nativeBlockSizesAreTheJavaOnes() {
        for (DType t : DType.values()) {
            for (long n : new long[] {0, 32, 64, 4096, 32L * 1_000_000_000L})
                assertEquals(t.byteSize(n), rwkvx_h.rwkvx_dtype_bytes(t.code, n), t + " " + n);
            if (t.isQuantized()) assertEquals(-1, rwkvx_h.rwkvx_dtype_bytes(t.code, 48), t + " 48");
            assertEquals(-1, rwkvx_h.rwkvx_dtype_bytes(t.code, -32), t + " -32");
        }
        assertEquals(-1, rwkvx_h.rwkvx_dtype_bytes(8, 32), "unknown dtype");
    }

    // ---------------------------------------------------------------------------------------------
    // Files

    static Stream<Arguments> rwkvCppFiles() {
        return Stream.of("4v0-660K", "5v2-730K", "7v0-834K")
                .flatMap(m -> Stream.of(Arguments.of(m, DType.Q5_0), Arguments.of(m, DType.Q5_1)));
    }

    /** rwkv.cpp made its Q5 test files from these FP32 files: ours are the same files, byte for byte. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("rwkvCppFiles")
    void quantizingRwkvCppsFp32FilesGivesItsQuantizedFiles(String model, DType type) throws IOException {
        Path out = dir.resolve("q.bin");
        Quantizer.Summary s = Quantizer.quantizeFile(fp32(model), out, type, null);
        Path theirs = Path.of("tests/data/tiny-rwkv-" + model + "-" + type + ".bin");
        assertEquals(-1, Files.mismatch(theirs, out), "first differing byte");
        assertEquals(Files.size(theirs), Files.size(out));
        assertTrue(s.quantized() > 0 && s.outputBytes() == Files.size(out), s.toString());
        assertEquals(Files.size(fp32(model)), s.inputBytes());
    }

    /** The number of tensor records of an rwkv.cpp file, counted by walking them. */
    static int records(Path file) {
        try {
            java.nio.ByteBuffer b =
                    java.nio.ByteBuffer.wrap(Files.readAllBytes(file)).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            int n = 0;
            for (int pos = 24; pos < b.limit(); n++) {
                int dims = b.getInt(pos), key = b.getInt(pos + 4);
                DType t = switch (b.getInt(pos + 8)) {
                    case 0 -> DType.F32;
                    case 1 -> DType.F16;
                    case 2 -> DType.Q4_0;
                    case 3 -> DType.Q4_1;
                    case 7 -> DType.Q5_0;
                    case 8 -> DType.Q5_1;
                    default -> DType.Q8_0;
                };
                long elements = 1;
                for (int i = 0; i < dims; i++) elements *= b.getInt(pos + 12 + 4 * i);
                pos += 12 + 4 * dims + key + (int) t.byteSize(elements);
            }
            return n;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Stream<Arguments> everyTypeAndSource() {
        List<Path> sources = List.of(
                TestModels.FP32,
                TestModels.FP16,
                Path.of("tests/data/tiny-rwkv-4v0-660K-FP16.bin"),
                Path.of("tests/data/tiny-rwkv-5v2-730K-FP32.bin"),
                Path.of("tests/data/tiny-rwkv-6v0-1m-FP32.bin"));
        return sources.stream().flatMap(p -> DType.quantized().stream().map(t -> Arguments.of(p, t)));
    }

    /**
     * The written file reads back as the same model: exactly rwkv.cpp's selection quantized, each block what
     * ggml's rounding makes of the source values (FP16 sources widened exactly first), the rest unchanged.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("everyTypeAndSource")
    void everyTypeRoundTripsThroughTheReader(Path source, DType type) {
        Path out = dir.resolve("q.bin");
        Quantizer.Summary s = Quantizer.quantizeFile(source, out, type, null);
        try (Arena arena = Arena.ofConfined()) {
            ModelWeights in = RwkvCppReader.read(source, arena);
            ModelWeights back = RwkvCppReader.read(out, arena);
            List<String> chosen = RwkvCppQuantization.selection(in, false);
            assertEquals(chosen.size(), s.quantized());
            assertEquals(records(out) - chosen.size(), s.kept());
            assertEquals(in.config(), back.config());
            for (Tensor t : in.tensors().values()) {
                Tensor b = back.get(t.name());
                assertArrayEquals(t.shape(), b.shape(), t.name());
                if (chosen.contains(t.name())) {
                    assertEquals(type, b.dtype(), t.name());
                    assertArrayEquals(
                            GgmlReferenceQuantizer.quantize(type, t.toFloatArray()),
                            b.data().toArray(ValueLayout.JAVA_BYTE),
                            t.name());
                } else {
                    assertEquals(t.dtype(), b.dtype(), t.name());
                    assertArrayEquals(
                            t.data().toArray(ValueLayout.JAVA_BYTE), b.data().toArray(ValueLayout.JAVA_BYTE));
                }
            }
        }
    }

    @Test
    void headOptionQuantizesTheHeadToItsOwnType() {
        Path out = dir.resolve("q.bin");
        Quantizer.quantizeFile(TestModels.FP32, out, DType.Q4_1, DType.Q8_0);
        try (Arena arena = Arena.ofConfined()) {
            ModelWeights w = RwkvCppReader.read(out, arena);
            assertEquals(DType.Q8_0, w.get("head.weight").dtype());
            assertEquals(DType.Q4_1, w.get("blocks.3.ffn.value.weight").dtype());
            assertEquals(DType.F32, w.get("emb.weight").dtype());
            assertEquals(DType.F32, w.get("blocks.3.att.a1").dtype(), "RWKV-7 LoRA stays");
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Quantizing on load

    @ParameterizedTest(name = "{0}")
    @EnumSource(
            value = BackendKind.class,
            names = {"NATIVE", "NATIVE_SCALAR", "REFERENCE"})
    void quantizingOnLoadEqualsLoadingTheQuantizedFile(BackendKind kind) {
        int[] tokens = TestModels.bytesOf(TestModels.LONG_PROMPT);
        ModelOptions opts = ModelOptions.defaults().withBackend(kind).withThreads(2);
        float[] onLoad, fromFile;
        try (Model m = Rwkvx.load(TestModels.FP32, opts.withQuantization(DType.Q5_1));
                Session s = m.newSession()) {
            assertEquals(DType.Q5_1, m.weights().get("blocks.0.att.key.weight").dtype());
            assertEquals(DType.F32, m.weights().get("head.weight").dtype());
            onLoad = s.prefill(tokens);
        }
        try (Model m = Rwkvx.load(Path.of("tests/data/tiny-rwkv-7v0-834K-Q5_1.bin"), opts);
                Session s = m.newSession()) {
            fromFile = s.prefill(tokens);
        }
        assertArrayEquals(fromFile, onLoad, "the same weights, the same arithmetic");
    }

    // ---------------------------------------------------------------------------------------------
    // Refusals

    @Test
    void aQuantizedModelIsNotQuantizedAgain() {
        Path q = Path.of("tests/data/tiny-rwkv-7v0-834K-Q5_0.bin");
        RwkvxException e = assertThrows(
                RwkvxException.class, () -> Quantizer.quantizeFile(q, dir.resolve("qq.bin"), DType.Q4_0, null));
        assertTrue(e.getMessage().startsWith(q.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("is already Q5_0; quantize an FP32, FP16 or BF16 model"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("qq.bin")));
        e = assertThrows(
                RwkvxException.class,
                () -> Rwkvx.load(q, ModelOptions.defaults().withQuantization(DType.Q8_0))
                        .close());
        assertTrue(e.getMessage().contains("is already Q5_0"), e.getMessage());
    }

    @Test
    void rwkvXModelsAreRefused() {
        Path x = dir.resolve("x.safetensors");
        try (Arena arena = Arena.ofConfined()) {
            ModelWeights w7 = RwkvCppReader.read(TestModels.FP32, arena);
            HybridExpansion.writeCheckpoint(HybridExpansion.expand(w7, 2, 0, arena), x, arena);
        }
        RwkvxException e = assertThrows(
                RwkvxException.class, () -> Quantizer.quantizeFile(x, dir.resolve("q.bin"), DType.Q8_0, null));
        assertTrue(e.getMessage().contains("RWKV-X models cannot be quantized yet"), e.getMessage());
    }

    @Test
    void theOutputMayNotBeTheInput() throws IOException {
        Path copy = Files.copy(TestModels.FP32, dir.resolve("m.bin"));
        RwkvxException e =
                assertThrows(RwkvxException.class, () -> Quantizer.quantizeFile(copy, copy, DType.Q8_0, null));
        assertTrue(e.getMessage().contains("the output would overwrite the input model"), e.getMessage());
        assertEquals(-1, Files.mismatch(TestModels.FP32, copy), "the input is untouched");
    }

    @ParameterizedTest
    @CsvSource({"F32", "F16", "BF16"})
    void onlyQuantizedTypesAreTargets(DType type) {
        assertThrows(
                IllegalArgumentException.class,
                () -> Quantizer.quantizeFile(TestModels.FP32, dir.resolve("q.bin"), type, null));
        assertThrows(
                IllegalArgumentException.class, () -> ModelOptions.defaults().withQuantization(type));
    }
}
