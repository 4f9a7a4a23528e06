package io.rwkvx.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code logits}: the raw output against rwkv.cpp's golden logits, and state files. */
class LogitsCommandTest {
    private static final String MODEL = Cli.FP32.toString();

    static float[] readFloats(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        assertEquals(0, b.length % 4, file + " size");
        float[] f = new float[b.length / 4];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
        return f;
    }

    private static void assertClose(float[] expected, float[] got, double tolerance) {
        assertEquals(expected.length, got.length, "number of logits");
        for (int i = 0; i < expected.length; i++)
            assertTrue(
                    Math.abs(expected[i] - got[i]) <= tolerance,
                    "logit " + i + ": expected " + expected[i] + ", got " + got[i] + " (tolerance " + tolerance + ")");
    }

    private static Path logits(Path dir, String name, String tokens, String... extra) {
        Path out = dir.resolve(name);
        String[] base = {"logits", "--model", MODEL, "--tokens", tokens, "--out", out.toString()};
        String[] args = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        Cli r = Cli.run(args);
        assertEquals(0, r.code(), r.dump());
        assertEquals("", r.out(), "logits writes only the file");
        return out;
    }

    @Test
    void matchesTheGoldenLogits(@TempDir Path dir) throws IOException {
        Path out = logits(dir, "l.bin", "34,105,110");
        assertEquals(256 * 4, Files.size(out), "n_vocab float32 values, no header");
        assertClose(readFloats(Cli.GOLDEN), readFloats(out), 1e-4);
    }

    @Test
    void inPlaceWeightsWriteTheSameLogits(@TempDir Path dir) throws IOException {
        Path resident = logits(dir, "resident.bin", "34,105,110,32,116");
        Path mapped = logits(dir, "mapped.bin", "34,105,110,32,116", "--weights", "in-place");
        assertEquals(256 * 4, Files.size(mapped));
        // Resident matrices are re-laid out in blocks: float32 rounding apart, not bit for bit.
        assertClose(readFloats(resident), readFloats(mapped), 2e-5);
        assertClose(
                readFloats(Cli.GOLDEN),
                readFloats(logits(dir, "golden.bin", "34,105,110", "--weights=in-place")),
                1e-4);
    }

    @Test
    void savedStateContinuesTheSequence(@TempDir Path dir) throws IOException {
        Path state = dir.resolve("after-2.state");
        Path all = logits(dir, "all.bin", "34,105,110");
        logits(dir, "first.bin", "34,105", "--state-out", state.toString());
        assertTrue(Files.size(state) > 0, "state written");
        Path resumed = logits(dir, "resumed.bin", "110", "--state-in", state.toString());
        assertClose(readFloats(all), readFloats(resumed), 1e-5);
    }
}
