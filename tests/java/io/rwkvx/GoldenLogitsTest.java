package io.rwkvx;

import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * rwkv.cpp's golden-logit test (tests/test_tiny_rwkv.c) for every backend and both weight formats:
 * the signed sum of differences within rwkv.cpp's bound, plus a per-element bound (docs/formats.md §8.3, docs/numerics.md §3.1).
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
    void serialAndSequenceModesMatchTheGoldenLogits(TestModels.Setup kind, Path file, double maxDiff, double perElement)
            throws Exception {
        try (Model model = kind.open(file)) {
            ModelChecks.assertSerialAndSequenceMatchGolden(
                    model, TestModels.golden(), maxDiff * 1.05, perElement, 32, kind + " " + file);
        }
    }
}
