package io.rwkvx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rwkvx.backend.BackendKind;
import io.rwkvx.ffi.rwkvx_h;
import io.rwkvx.tensor.DType;
import java.nio.file.Path;
import java.util.Locale;
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
     * Float32 rounding only, relative to 1 + the largest absolute logit: prefill products widen the blocks
     * exactly and keep activations in float32, as do the portable kernels' single-token products.
     */
    static final double FLOAT_BOUND = 2e-5;
    /**
     * The AVX2 single-token products round their inputs to 8-bit blocks (ggml's way), which the models
     * amplify over their layers (RWKV-5.2 most); relative to 1 + the largest absolute logit.
     */
    static final double EIGHT_BIT_INPUT_BOUND = 0.2;

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

    static double stepBound(TestModels.Setup setup) {
        return setup.kind() == BackendKind.NATIVE && (rwkvx_h.rwkvx_cpu_features() & rwkvx_h.RWKVX_CPU_AVX2()) != 0
                ? EIGHT_BIT_INPUT_BOUND
                : FLOAT_BOUND;
    }

    /** The float64 reference's logits at every position (token by token and sequence agree bitwise there). */
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

    /** The worst |got - want| / (1 + max|want|) over the positions; fails above {@code bound}. */
    private static double assertClose(float[][] got, float[][] want, double bound, String where) {
        assertEquals(want.length, got.length);
        double worst = 0;
        for (int t = 0; t < want.length; t++) {
            double scale = 1 + maxAbs(want[t]);
            double d = TestModels.maxAbsDiff(got[t], want[t]);
            worst = Math.max(worst, d / scale);
            assertTrue(d <= bound * scale, where + " position " + t + ": differs by " + d + " > " + bound * scale);
        }
        return worst;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void prefillAgreesWithTheFloat64ReferenceOverTheDequantizedWeights(Path file, TestModels.Setup setup) {
        try (Model m = setup.open(file);
                Session s = m.newSession()) {
            assertTrue(m.weights().tensors().values().stream()
                    .anyMatch(t -> t.dtype().isQuantized()));
            double worst = assertClose(s.evalAll(tokens()), reference(file), FLOAT_BOUND, setup + " " + file);
            System.out.printf(Locale.ROOT, "%s %s prefill vs reference: %.2e%n", file, setup, worst);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void decodeAgreesWithTheFloat64Reference(Path file, TestModels.Setup setup) {
        int[] tokens = tokens();
        float[][] got = new float[tokens.length][];
        try (Model m = setup.open(file);
                Session s = m.newSession()) {
            for (int t = 0; t < tokens.length; t++) got[t] = s.prefill(tokens[t]);
        }
        double worst = assertClose(got, reference(file), stepBound(setup), setup + " " + file + " token by token");
        System.out.printf(Locale.ROOT, "%s %s decode vs reference: %.2e%n", file, setup, worst);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void prefillEqualsTokenByTokenDecode(Path file, TestModels.Setup setup) {
        int[] tokens = tokens();
        try (Model m = setup.open(file)) {
            double scale = 1 + maxAbs(reference(file)[tokens.length - 1]);
            ModelChecks.assertSequenceMatchesSteps(m, tokens, stepBound(setup) * scale, setup + " " + file);
        }
    }
}
