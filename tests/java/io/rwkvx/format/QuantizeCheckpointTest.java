package io.rwkvx.format;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rwkvx.Quantizer;
import io.rwkvx.tensor.DType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The quantizer reads every model format: a BlinkDL checkpoint (safetensors or {@code .pth}, BF16 matrices)
 * quantizes to the same rwkv.cpp file, byte for byte, as rwkv.cpp's converter output of the same weights
 * (FP32; every value is BF16-representable, so nothing is lost either way).
 */
class QuantizeCheckpointTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(names = {"Q8_0", "Q5_1", "Q4_0"})
    void checkpointsQuantizeLikeTheConvertedFile(DType type) throws IOException {
        SyntheticRwkv7 m = new SyntheticRwkv7(9, 64, 2, 2, 40, 96, 32);
        Path converted = m.writeRwkvCpp(dir.resolve("m.bin"));
        Path st = m.safetensors("BF16", "F32", "").write(dir.resolve("m.safetensors"));
        Path pth = PthTestFile.of(m, "BF16", "F32", "").write(dir.resolve("m.pth"));
        Path want = dir.resolve("want.bin");
        Quantizer.quantizeFile(converted, want, type, null);
        for (Path source : new Path[] {st, pth}) {
            Path got = dir.resolve("got.bin");
            Quantizer.Summary s = Quantizer.quantizeFile(source, got, type, null);
            assertEquals(2 * 6, s.quantized(), "4 projections and the FFN's 2 matrices per layer");
            assertEquals(-1, Files.mismatch(want, got), source + ": first differing byte");
        }
    }
}
