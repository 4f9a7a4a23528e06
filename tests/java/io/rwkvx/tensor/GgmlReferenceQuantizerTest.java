package io.rwkvx.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rwkvx.format.RwkvCppReader;
import io.rwkvx.model.ModelWeights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The test-side port of ggml's rounding rules is a trustworthy oracle: it reproduces every block of rwkv.cpp's
 * own quantized files from their FP32 sources, and the Java decoder gives back values within one step.
 */
class GgmlReferenceQuantizerTest {
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "tests/data/tiny-rwkv-4v0-660K-FP32.bin, tests/data/tiny-rwkv-4v0-660K-Q5_0.bin",
        "tests/data/tiny-rwkv-4v0-660K-FP32.bin, tests/data/tiny-rwkv-4v0-660K-Q5_1.bin",
        "tests/data/tiny-rwkv-5v2-730K-FP32.bin, tests/data/tiny-rwkv-5v2-730K-Q5_0.bin",
        "tests/data/tiny-rwkv-5v2-730K-FP32.bin, tests/data/tiny-rwkv-5v2-730K-Q5_1.bin",
        "models/tiny-rwkv-7v0-834K-FP32.bin, tests/data/tiny-rwkv-7v0-834K-Q5_0.bin",
        "models/tiny-rwkv-7v0-834K-FP32.bin, tests/data/tiny-rwkv-7v0-834K-Q5_1.bin",
    })
    void reproducesRwkvCppsBlocks(Path fp32, Path quantized) {
        try (Arena arena = Arena.ofConfined()) {
            ModelWeights source = RwkvCppReader.read(fp32, arena);
            ModelWeights q = RwkvCppReader.read(quantized, arena);
            int tensors = 0;
            for (Tensor t : q.tensors().values()) {
                if (!t.dtype().isQuantized()) continue;
                byte[] want = t.data().toArray(ValueLayout.JAVA_BYTE);
                byte[] got = GgmlReferenceQuantizer.quantize(
                        t.dtype(), source.get(t.name()).toFloatArray());
                assertArrayEquals(want, got, t.name());
                tensors++;
            }
            assertTrue(tensors >= 28, "quantized tensors compared: " + tensors);
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0"})
    void decodedValuesLieWithinOneLevel(DType type) {
        SplittableRandom rnd = new SplittableRandom(11);
        float[] x = new float[32 * 64];
        for (int i = 0; i < x.length; i++) x[i] = (float) (rnd.nextGaussian() * Math.exp(rnd.nextDouble(-6, 6)));
        byte[] blocks = GgmlReferenceQuantizer.quantize(type, x);
        assertEquals(type.byteSize(x.length), blocks.length);
        float[] back = new float[x.length];
        QuantizedBlocks.decode(type, MemorySegment.ofArray(blocks), back);
        int levels = switch (type) {
            case Q4_0, Q4_1 -> 15;
            case Q5_0, Q5_1 -> 31;
            default -> 254;
        };
        for (int b = 0; b < 64; b++) {
            float lo = Float.MAX_VALUE, hi = -Float.MAX_VALUE;
            for (int j = 0; j < 32; j++) {
                lo = Math.min(lo, x[b * 32 + j]);
                hi = Math.max(hi, x[b * 32 + j]);
            }
            double range = type == DType.Q4_1 || type == DType.Q5_1 ? hi - lo : 2 * Math.max(-lo, hi);
            // One level (the clamped opposite extreme of the _0 types), plus binary16 rounding of d and m.
            double bound = range / levels * 1.02 + Math.max(Math.abs(lo), Math.abs(hi)) * 0x1p-10;
            for (int j = 0; j < 32; j++) {
                int i = b * 32 + j;
                assertTrue(Math.abs(back[i] - x[i]) <= bound, type + " element " + i + ": " + x[i] + " -> " + back[i]);
            }
        }
    }
}
