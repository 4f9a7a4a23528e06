package io.rwkvx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rwkvx.backend.BackendKind;
import io.rwkvx.model.Architecture;
import io.rwkvx.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * RWKV-5.2 / RWKV-6 end to end on rwkv.cpp's tiny FP32 models: the golden logits under rwkv.cpp's protocol
 * (docs/formats.md §8, docs/numerics.md §3.1: signed sum ≤ 0.001·1.05, plus per element ≤ 1e-4) in serial and sequence mode on every
 * backend, prefill = token-by-token and split calls, native = reference, and state save/load/fork.
 */
abstract class Rwkv56ModelTestBase {
    /** float32 rounding through 12 layers: observed differences are ~1e-6. */
    private static final double TOLERANCE = 2e-5;

    @TempDir
    Path dir;

    abstract Path model();

    abstract Path golden();

    abstract Architecture arch();

    abstract int goldenArgmax();

    @ParameterizedTest
    @EnumSource(
            value = BackendKind.class,
            names = {"NATIVE", "NATIVE_SCALAR", "REFERENCE"})
    void serialAndSequenceModesMatchTheGoldenLogits(BackendKind kind) throws IOException {
        try (Model model = TestModels.open(model(), kind)) {
            assertEquals(arch(), model.config().arch());
            ModelChecks.assertSerialAndSequenceMatchGolden(
                    model, goldenLogits(), 0.001 * 1.05, 1e-4, goldenArgmax(), kind.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = BackendKind.class,
            names = {"NATIVE", "NATIVE_SCALAR", "REFERENCE"})
    void prefillEqualsTokenByTokenAndSplitCalls(BackendKind kind) {
        try (Model model = TestModels.open(model(), kind)) {
            ModelChecks.assertSequenceMatchesSteps(
                    model, TestModels.bytesOf(TestModels.LONG_PROMPT + "T"), TOLERANCE, kind.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = BackendKind.class,
            names = {"NATIVE", "NATIVE_SCALAR"})
    void nativeAgreesWithTheReference(BackendKind kind) {
        // 1100 tokens: crosses the native 512-token slices; the reference runs one token at a time.
        ModelChecks.assertAgreesWithTheReference(model(), kind, TestModels.randomBytes(1100, 11), 1e-4);
    }

    @ParameterizedTest
    @EnumSource(
            value = BackendKind.class,
            names = {"NATIVE", "REFERENCE"})
    void savedStateContinuesExactlyLikeTheOriginal(BackendKind kind) {
        try (Model model = TestModels.open(model(), kind)) {
            ModelConfig c = model.config();
            assertEquals(
                    (2L * c.nEmbd() + (long) c.nHead() * c.headSize() * c.headSize()) * c.nLayer(),
                    c.stateFloats(),
                    "state: 2·C + H·N·N per layer");
            ModelChecks.assertStateContinuesExactly(
                    model,
                    dir.resolve("v56.state"),
                    TestModels.bytesOf("The state of a recurrent model"),
                    TestModels.bytesOf(" carries on"));
        }
    }

    float[] goldenLogits() throws IOException {
        return GoldenFiles.read(golden());
    }
}
