package io.rwkvx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rwkvx.backend.BackendKind;
import io.rwkvx.common.WeightPlacement;
import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Locations of the test models and helpers shared by the API tests (working dir = repo root). */
final class TestModels {
    static final Path FP32 = Path.of("models/tiny-rwkv-7v0-834K-FP32.bin");
    static final Path FP16 = Path.of("tests/data/tiny-rwkv-7v0-834K-FP16.bin");
    static final Path GOLDEN = Path.of("tests/data/expected-logits-7v0-834K.bin");
    /** rwkv.cpp's golden prompt: the bytes of {@code "in}. */
    static final int[] GOLDEN_TOKENS = {34, 105, 110};
    /** rwkv.cpp's chunking-test prompt. */
    static final String LONG_PROMPT = "This is a port of [BlinkDL/RWKV-LM](https://github.com/BlinkDL/RWKV-LM";

    private TestModels() {}

    static Model open(Path file, BackendKind kind) {
        return open(file, kind, WeightPlacement.RESIDENT);
    }

    static Model open(Path file, BackendKind kind, WeightPlacement weights) {
        return Rwkvx.load(
                file, ModelOptions.defaults().withBackend(kind).withThreads(2).withWeights(weights));
    }

    /** A backend and where it keeps the weights. */
    record Setup(BackendKind kind, WeightPlacement weights) {
        Model open(Path file) {
            return TestModels.open(file, kind, weights);
        }

        @Override
        public String toString() {
            return kind + " " + weights;
        }
    }

    /** Every backend, the native one with both weight placements (the others with the default). */
    static Stream<Setup> setups() {
        return Stream.of(
                new Setup(BackendKind.NATIVE, WeightPlacement.RESIDENT),
                new Setup(BackendKind.NATIVE, WeightPlacement.IN_PLACE),
                new Setup(BackendKind.NATIVE_SCALAR, WeightPlacement.RESIDENT),
                new Setup(BackendKind.REFERENCE, WeightPlacement.RESIDENT));
    }

    static float[] golden() throws IOException {
        return GoldenFiles.read(GOLDEN);
    }

    static int[] bytesOf(String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int[] ids = new int[b.length];
        for (int i = 0; i < b.length; i++) ids[i] = b[i] & 0xff;
        return ids;
    }

    /** n random byte tokens (0..255) from a fixed seed. */
    static int[] randomBytes(int n, long seed) {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
        int[] tokens = new int[n];
        for (int i = 0; i < n; i++) tokens[i] = rnd.nextInt(256);
        return tokens;
    }

    static double maxAbsDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length, "lengths");
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs((double) a[i] - b[i]));
        return m;
    }
}
