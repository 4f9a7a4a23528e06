package io.rwkvx.backend.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rwkvx.GoldenFiles;
import io.rwkvx.backend.BackendState;
import io.rwkvx.backend.LogitsMode;
import io.rwkvx.backend.ModelExecutor;
import io.rwkvx.format.RwkvCppReader;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * rwkv.cpp's golden-logit test (docs/formats.md §8) on the tiny RWKV-7: prompt {@code "in} = tokens
 * [34, 105, 110], serial and sequence mode, signed-sum check with rwkv.cpp's tolerance, plus a
 * per-element bound.
 */
class GoldenLogitsTest {
    static final Path FP32 = Path.of("models/tiny-rwkv-7v0-834K-FP32.bin");
    static final Path FP16 = Path.of("tests/data/tiny-rwkv-7v0-834K-FP16.bin");
    static final Path EXPECTED = Path.of("tests/data/expected-logits-7v0-834K.bin");
    static final int[] PROMPT = {34, 105, 110};

    static float[] expected() throws IOException {
        return GoldenFiles.read(EXPECTED);
    }

    static Path file(String which) {
        return which.equals("FP32") ? FP32 : FP16;
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "FP32, serial,   0.001,    1e-4",
        "FP32, sequence, 0.001,    1e-4",
        "FP32, all,      0.001,    1e-4",
        "FP32, chunked,  0.001,    1e-4",
        "FP16, serial,   0.005766, 5e-3",
        "FP16, sequence, 0.005766, 5e-3",
        "FP16, all,      0.005766, 5e-3",
        "FP16, chunked,  0.005766, 5e-3",
    })
    void matchesRwkvCpp(String model, String mode, double maxDiff, double perElement) throws IOException {
        float[] expected = expected();
        try (Arena arena = Arena.ofConfined();
                ReferenceBackend backend = new ReferenceBackend();
                ModelExecutor ex = backend.load(RwkvCppReader.read(file(model), arena));
                BackendState state = ex.newState()) {
            MemorySegment out = arena.allocate(256L * 4 * PROMPT.length, 4);
            float[] logits = switch (mode) {
                case "serial" -> {
                    for (int t : PROMPT) ex.eval(state, new int[] {t}, out, LogitsMode.LAST);
                    yield out.asSlice(0, 1024).toArray(ValueLayout.JAVA_FLOAT);
                }
                case "sequence" -> {
                    ex.eval(state, PROMPT, out, LogitsMode.LAST);
                    yield out.asSlice(0, 1024).toArray(ValueLayout.JAVA_FLOAT);
                }
                case "all" -> {
                    ex.eval(state, PROMPT, out, LogitsMode.ALL);
                    yield out.asSlice(2 * 1024, 1024).toArray(ValueLayout.JAVA_FLOAT);
                }
                default -> {
                    ex.eval(state, new int[] {PROMPT[0], PROMPT[1]}, null, LogitsMode.NONE);
                    ex.eval(state, new int[] {PROMPT[2]}, out, LogitsMode.LAST);
                    yield out.asSlice(0, 1024).toArray(ValueLayout.JAVA_FLOAT);
                }
            };
            GoldenFiles.assertWithinBounds(logits, expected, maxDiff * 1.05, perElement, model + " " + mode);
            assertEquals(32, GoldenFiles.argmax(logits), "argmax should be byte 32 (space)");
        }
    }

    /** Serial and sequence evaluation run the same per-token code, so they agree bit for bit. */
    @ParameterizedTest
    @CsvSource({"FP32", "FP16"})
    void serialEqualsSequenceExactly(String model) {
        try (Arena arena = Arena.ofConfined();
                ReferenceBackend backend = new ReferenceBackend();
                ModelExecutor ex = backend.load(RwkvCppReader.read(file(model), arena));
                BackendState a = ex.newState();
                BackendState b = ex.newState()) {
            MemorySegment all = arena.allocate(256L * 4 * PROMPT.length, 4);
            MemorySegment one = arena.allocate(1024, 4);
            ex.eval(a, PROMPT, all, LogitsMode.ALL);
            for (int t = 0; t < PROMPT.length; t++) {
                ex.eval(b, new int[] {PROMPT[t]}, one, LogitsMode.LAST);
                float[] row = all.asSlice(t * 1024L, 1024).toArray(ValueLayout.JAVA_FLOAT);
                assertTrue(Arrays.equals(row, one.toArray(ValueLayout.JAVA_FLOAT)), "logits row " + t);
            }
            MemorySegment sa = arena.allocate(a.byteSize()), sb = arena.allocate(b.byteSize());
            a.exportTo(sa);
            b.exportTo(sb);
            assertEquals(-1, sa.mismatch(sb), "states differ");
        }
    }
}
