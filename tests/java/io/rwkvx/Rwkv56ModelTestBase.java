package io.rwkvx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rwkvx.backend.BackendKind;
import io.rwkvx.model.Architecture;
import io.rwkvx.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * RWKV-5.2 / RWKV-6 end to end on rwkv.cpp's tiny FP32 models: the golden logits under rwkv.cpp's protocol
 * (formats.md §2: signed sum ≤ 0.001·1.05, plus per element ≤ 1e-4) in serial and sequence mode on every
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
    @EnumSource(value = BackendKind.class, names = {"NATIVE", "NATIVE_SCALAR", "REFERENCE"})
    void serialAndSequenceModesMatchTheGoldenLogits(BackendKind kind) throws IOException {
        float[] expected = goldenLogits();
        try (Model model = TestModels.open(model(), kind)) {
            assertEquals(arch(), model.config().arch());
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
                assertTrue(Math.abs(diffSum) <= 0.001 * 1.05, kind + ": signed diff sum " + diffSum);
                double worst = TestModels.maxAbsDiff(got, expected);
                assertTrue(worst <= 1e-4, kind + ": max |diff| " + worst + " > 1e-4");
                assertEquals(goldenArgmax(), GoldenFiles.argmax(got), "argmax");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = BackendKind.class, names = {"NATIVE", "NATIVE_SCALAR", "REFERENCE"})
    void prefillEqualsTokenByTokenAndSplitCalls(BackendKind kind) {
        int[] tokens = TestModels.bytesOf(TestModels.LONG_PROMPT + "T");
        try (Model model = TestModels.open(model(), kind)) {
            float[][] serial = new float[tokens.length][];
            try (Session s = model.newSession()) {
                for (int t = 0; t < tokens.length; t++) serial[t] = s.prefill(tokens[t]);
            }
            try (Session s = model.newSession()) {
                float[][] all = s.evalAll(tokens);
                for (int t = 0; t < tokens.length; t++) {
                    double d = TestModels.maxAbsDiff(all[t], serial[t]);
                    assertTrue(d <= TOLERANCE, kind + " position " + t + ": sequence vs serial differ by " + d);
                }
            }
            for (int split : new int[] {1, 7, 35, tokens.length - 1}) {
                try (Session s = model.newSession()) {
                    s.prefill(Arrays.copyOfRange(tokens, 0, split));
                    float[] last = s.prefill(Arrays.copyOfRange(tokens, split, tokens.length));
                    double d = TestModels.maxAbsDiff(last, serial[tokens.length - 1]);
                    assertTrue(d <= TOLERANCE, kind + " split at " + split + ": differs by " + d);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = BackendKind.class, names = {"NATIVE", "NATIVE_SCALAR"})
    void nativeAgreesWithTheReference(BackendKind kind) {
        // 1100 tokens: crosses the native 512-token slices; the reference runs one token at a time.
        int[] tokens = new int[1100];
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(11);
        for (int i = 0; i < tokens.length; i++) tokens[i] = rnd.nextInt(256);
        float[] expected, got;
        try (Model ref = TestModels.open(model(), BackendKind.REFERENCE); Session s = ref.newSession()) {
            expected = s.prefill(tokens);
        }
        try (Model m = TestModels.open(model(), kind); Session s = m.newSession()) {
            got = s.prefill(tokens);
        }
        double d = TestModels.maxAbsDiff(got, expected);
        assertTrue(d <= 1e-4, kind + ": differs from the reference by " + d);
    }

    @ParameterizedTest
    @EnumSource(value = BackendKind.class, names = {"NATIVE", "REFERENCE"})
    void savedStateContinuesExactlyLikeTheOriginal(BackendKind kind) {
        int[] prompt = TestModels.bytesOf("The state of a recurrent model");
        int[] more = TestModels.bytesOf(" carries on");
        try (Model model = TestModels.open(model(), kind); Session s = model.newSession()) {
            ModelConfig c = model.config();
            assertEquals((2L * c.nEmbd() + (long) c.nHead() * c.headSize() * c.headSize()) * c.nLayer(), c.stateFloats(),
                    "state: 2·C + H·N·N per layer");
            s.prefill(prompt);
            Path file = dir.resolve("v56.state");
            s.saveState(file);
            float[] expected = s.prefill(more);
            try (Session t = model.newSession()) {
                t.loadState(file);
                assertArrayEquals(expected, t.prefill(more), "restored from file");
            }
            try (Session f = s.fork()) {
                assertArrayEquals(s.prefill(more), f.prefill(more), "a fork continues like its original");
            }
            s.reset();
            s.prefill(prompt);
            assertArrayEquals(expected, s.prefill(more), "after reset, same tokens give the same logits");
        }
    }

    float[] goldenLogits() throws IOException {
        return GoldenFiles.read(golden());
    }

}
