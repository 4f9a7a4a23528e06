package io.rwkvx.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rwkvx.model.ModelWeights;
import io.rwkvx.tensor.DType;
import io.rwkvx.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The rwkv.cpp writer is the reader's inverse: reading a file and writing it back gives the same bytes
 * (for version-101 files; a version-100 file differs in the version field only), for every architecture and
 * for FP32, FP16 and rwkv.cpp's quantized files; a checkpoint's BF16 tensors are widened to F32.
 */
class RwkvCppWriterTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "models/tiny-rwkv-7v0-834K-FP32.bin, F32",
        "tests/data/tiny-rwkv-7v0-834K-FP16.bin, F16",
        "tests/data/tiny-rwkv-5v2-730K-FP32.bin, F32",
        "tests/data/tiny-rwkv-6v0-1m-FP32.bin, F32",
        "tests/data/tiny-rwkv-7v0-834K-Q5_0.bin, Q5_0",
        "tests/data/tiny-rwkv-7v0-834K-Q5_1.bin, Q5_1",
        "tests/data/tiny-rwkv-5v2-730K-Q5_1.bin, Q5_1",
        "tests/data/tiny-rwkv-4v0-660K-Q5_0.bin, Q5_0",
    })
    void readingThenWritingGivesTheSameBytes(Path file, DType main) throws IOException {
        Path out = dir.resolve("out.bin");
        try (Arena arena = Arena.ofConfined()) {
            RwkvCppWriter.write(RwkvCppReader.read(file, arena), main, out);
        }
        assertEquals(-1, Files.mismatch(file, out), "first differing byte");
        assertTrue(Files.notExists(dir.resolve("out.bin.tmp")), "the temporary file is gone");
    }

    @Test
    void aVersion100FileIsWrittenAsVersion101() throws IOException {
        Path file = Path.of("tests/data/tiny-rwkv-4v0-660K-FP16.bin");
        Path out = dir.resolve("out.bin");
        try (Arena arena = Arena.ofConfined()) {
            RwkvCppWriter.write(RwkvCppReader.read(file, arena), DType.F16, out);
        }
        byte[] want = Files.readAllBytes(file), got = Files.readAllBytes(out);
        assertEquals(100, ByteBuffer.wrap(want).order(ByteOrder.LITTLE_ENDIAN).getInt(4));
        assertEquals(101, ByteBuffer.wrap(got).order(ByteOrder.LITTLE_ENDIAN).getInt(4));
        ByteBuffer.wrap(want).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 101);
        assertArrayEquals(want, got);
    }

    /** A BlinkDL checkpoint (BF16 matrices) written as rwkv.cpp: the converter's layout, BF16 widened to F32. */
    @Test
    void checkpointsBecomeTheConvertersLayout() throws IOException {
        SyntheticRwkv7 m = new SyntheticRwkv7(3, 64, 2, 2, 40, 96, 32);
        Path st = m.safetensors("BF16", "F32", "").write(dir.resolve("m.safetensors"));
        Path out = dir.resolve("out.bin");
        try (Arena arena = Arena.ofConfined()) {
            ModelWeights w = ModelFiles.read(st, arena);
            assertEquals(DType.BF16, w.get("blocks.1.att.key.weight").dtype());
            RwkvCppWriter.write(w, DType.F32, out);
        }
        // Every value is BF16-representable, so the widened tensors equal the FP32 converter output exactly.
        assertArrayEquals(m.rwkvCpp().toBytes(), Files.readAllBytes(out));
    }

    @Test
    void writtenWeightsReadBackEqual() {
        try (Arena arena = Arena.ofConfined()) {
            ModelWeights w = RwkvCppReader.read(Path.of("tests/data/tiny-rwkv-6v0-1m-FP32.bin"), arena);
            Path out = dir.resolve("out.bin");
            RwkvCppWriter.write(w, DType.F32, out);
            ModelWeights back = RwkvCppReader.read(out, arena);
            assertEquals(w.config(), back.config());
            assertEquals(
                    w.tensors().keySet().stream().toList(),
                    back.tensors().keySet().stream().toList(),
                    "same order");
            for (Tensor t : w.tensors().values()) {
                Tensor b = back.get(t.name());
                assertEquals(t.dtype(), b.dtype(), t.name());
                assertArrayEquals(t.shape(), b.shape(), t.name());
                assertTrue(Arrays.equals(t.toFloatArray(), b.toFloatArray()), t.name());
            }
        }
    }

    @Test
    void rwkvXModelsAreRefused() {
        try (Arena arena = Arena.ofConfined()) {
            ModelWeights w7 = RwkvCppReader.read(Path.of("models/tiny-rwkv-7v0-834K-FP32.bin"), arena);
            ModelWeights wx = HybridExpansion.expand(w7, 2, 0, arena);
            ModelFormatException e = assertThrows(
                    ModelFormatException.class, () -> RwkvCppWriter.write(wx, DType.F32, dir.resolve("x")));
            assertTrue(e.getMessage().contains("RWKV-X models cannot be written as rwkv.cpp files"), e.getMessage());
            assertTrue(Files.notExists(dir.resolve("x")));
        }
    }
}
