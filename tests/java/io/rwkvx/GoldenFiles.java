package io.rwkvx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** rwkv.cpp's golden logit files (docs/formats.md §8.2): 256 little-endian float32 logits after the golden prompt. */
public final class GoldenFiles {
    private GoldenFiles() {}

    public static float[] read(Path file) throws IOException {
        byte[] b = Files.readAllBytes(file);
        assertEquals(1024, b.length, file + ": golden file size");
        float[] f = new float[256];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
        return f;
    }

    /**
     * rwkv.cpp's check (tests/test_tiny_rwkv.c): the float32 signed sum of the differences within
     * {@code sumBound}, plus every element within {@code perElement} (docs/formats.md §8.3, docs/numerics.md §3.1).
     */
    public static void assertWithinBounds(
            float[] got, float[] expected, double sumBound, double perElement, String where) {
        assertEquals(expected.length, got.length, where + ": logit count");
        float diffSum = 0;
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            diffSum += got[i] - expected[i];
            worst = Math.max(worst, Math.abs((double) got[i] - expected[i]));
        }
        assertTrue(Math.abs(diffSum) <= sumBound, where + ": signed diff sum " + diffSum + " exceeds " + sumBound);
        assertTrue(worst <= perElement, where + ": max |diff| " + worst + " > " + perElement);
    }

    /** The index of the largest value (the first of equals). */
    public static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}
