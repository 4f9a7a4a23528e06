package io.rwkvx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * rwkv.cpp's golden-logit test (tests/test_tiny_rwkv.c) for every backend and both weight formats:
 * the signed sum of differences within rwkv.cpp's bound, plus a per-element bound (formats.md §2.4).
 * The native backend runs with resident and with mapped weights.
 */
class GoldenLogitsTest {
    static Stream<Arguments> cases() {
        return TestModels.setups()
                .flatMap(k -> Stream.of(
                        Arguments.of(k, TestModels.FP32, 0.001, 1e-4),
                        Arguments.of(k, TestModels.FP16, 0.005766, 5e-3)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void serialAndSequenceModesMatchTheGoldenLogits(TestModels.Setup kind, Path file, double maxDiff,
                                                    double perElement) throws Exception {
        float[] expected = TestModels.golden();
        try (Model model = kind.open(file)) {
            float[] serial;
            try (Session s = model.newSession()) {
                for (int t : TestModels.GOLDEN_TOKENS) s.prefill(t);
                serial = s.logits();
            }
            float[] sequence;
            try (Session s = model.newSession()) {
                sequence = s.prefill(TestModels.GOLDEN_TOKENS);
            }
            for (float[] got : new float[][] {serial, sequence}) {
                float diffSum = 0;
                for (int i = 0; i < 256; i++) diffSum += got[i] - expected[i];
                assertTrue(Math.abs(diffSum) <= Math.abs(maxDiff) * 1.05,
                        kind + " " + file + ": signed diff sum " + diffSum + " exceeds " + maxDiff * 1.05);
                double worst = TestModels.maxAbsDiff(got, expected);
                assertTrue(worst <= perElement, kind + " " + file + ": max |diff| " + worst + " > " + perElement);
                assertEquals(32, GoldenFiles.argmax(got), "argmax is the space byte");
            }
        }
    }

}
