package io.rwkvx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rwkvx.backend.BackendKind;
import io.rwkvx.tensor.DType;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * rwkv.cpp's own quantized test models (Q5_0 and Q5_1 of the tiny RWKV-4, 5.2 and 7) on the native backends,
 * against the float64 reference backend over the same dequantized weights (decoded in Java), and prefill
 * against token-by-token decoding. Bounds and their reasons: docs/numerics.md §3.7.
 */
class QuantizedModelTest {
    /**
     * Native vs reference and sequence vs steps, relative to 1 + the largest absolute logit: the native
     * single-token products round their inputs to 8-bit blocks (docs/numerics.md §3.7).
     */
    static final double TOLERANCE = 2e-2;

    private static final Map<Path, float[][]> REFERENCE = new ConcurrentHashMap<>();

    static Stream<Path> files() {
        return Stream.of("4v0-660K", "5v2-730K", "7v0-834K")
                .flatMap(m -> Stream.of(DType.Q5_0, DType.Q5_1)
                        .map(t -> Path.of("tests/data/tiny-rwkv-" + m + "-" + t + ".bin")));
    }

    static Stream<Arguments> cases() {
        return files().flatMap(f -> TestModels.setups()
                .filter(s -> s.kind() != BackendKind.REFERENCE)
                .map(s -> Arguments.of(f, s)));
    }

    static int[] tokens() {
        return TestModels.bytesOf(TestModels.LONG_PROMPT + "T");
    }

    private static float[][] reference(Path file) {
        return REFERENCE.computeIfAbsent(file, f -> {
            try (Model m = TestModels.open(f, BackendKind.REFERENCE);
                    Session s = m.newSession()) {
                return s.evalAll(tokens());
            }
        });
    }

    static double maxAbs(float[] v) {
        double m = 0;
        for (float x : v) m = Math.max(m, Math.abs(x));
        return m;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void nativeAgreesWithTheFloat64ReferenceOverTheDequantizedWeights(Path file, TestModels.Setup setup) {
        float[][] want = reference(file);
        try (Model m = setup.open(file);
                Session s = m.newSession()) {
            assertTrue(m.weights().tensors().values().stream()
                    .anyMatch(t -> t.dtype().isQuantized()));
            float[][] got = s.evalAll(tokens());
            assertEquals(want.length, got.length);
            double worst = 0;
            for (int t = 0; t < want.length; t++) {
                double bound = TOLERANCE * (1 + maxAbs(want[t]));
                double d = TestModels.maxAbsDiff(got[t], want[t]);
                worst = Math.max(worst, d / (1 + maxAbs(want[t])));
                assertTrue(d <= bound, setup + " " + file + " position " + t + ": differs by " + d + " > " + bound);
            }
            System.out.printf(
                    "%s %s: native vs reference, worst |diff| / (1 + max|logit|) = %.2e%n", file, setup, worst);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void prefillEqualsTokenByTokenDecode(Path file, TestModels.Setup setup) {
        int[] tokens = tokens();
        try (Model m = setup.open(file)) {
            double scale = 1 + maxAbs(reference(file)[tokens.length - 1]);
            ModelChecks.assertSequenceMatchesSteps(m, tokens, TOLERANCE * scale, setup + " " + file);
        }
    }
}
