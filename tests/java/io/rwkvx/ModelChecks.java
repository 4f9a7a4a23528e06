package io.rwkvx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rwkvx.backend.BackendKind;
import java.nio.file.Path;
import java.util.Arrays;

/** Checks every architecture's model tests make the same way: golden logits, sequence = steps, state. */
final class ModelChecks {
    /** Batched against solo logits: float32 rounding of a different summation order. */
    static final double BATCHED_TOLERANCE = 1e-4;

    private ModelChecks() {}

    /** The logits after feeding each of {@code calls} in turn to a fresh session of {@code model}. */
    static float[] logitsAfter(Model model, int[]... calls) {
        try (Session s = model.newSession()) {
            float[] last = null;
            for (int[] c : calls) last = s.prefill(c);
            return last;
        }
    }

    /** Batched logits equal the solo ones within {@link #BATCHED_TOLERANCE}. */
    static void assertBatchedClose(float[] solo, float[] batched, String what) {
        double d = TestModels.maxAbsDiff(solo, batched);
        assertTrue(d <= BATCHED_TOLERANCE, what + ": max |batched - solo| = " + d);
    }

    /**
     * The logits after rwkv.cpp's golden prompt, fed one token per call and as one sequence: both
     * within rwkv.cpp's bounds ({@link GoldenFiles#assertWithinBounds}) and with the expected argmax.
     */
    static void assertSerialAndSequenceMatchGolden(
            Model model, float[] expected, double sumBound, double perElement, int argmax, String where) {
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
            GoldenFiles.assertWithinBounds(got, expected, sumBound, perElement, where);
            assertEquals(argmax, GoldenFiles.argmax(got), where + ": argmax");
        }
    }

    /**
     * Prefill of a sequence equals feeding it token by token at every position, and so does the
     * sequence split into two calls with the state carried between them.
     */
    static void assertSequenceMatchesSteps(Model model, int[] tokens, double tolerance, String where) {
        float[][] serial = new float[tokens.length][];
        try (Session s = model.newSession()) {
            for (int t = 0; t < tokens.length; t++) serial[t] = s.prefill(tokens[t]);
        }
        try (Session s = model.newSession()) {
            float[][] all = s.evalAll(tokens);
            for (int t = 0; t < tokens.length; t++) {
                double d = TestModels.maxAbsDiff(all[t], serial[t]);
                assertTrue(d <= tolerance, where + " position " + t + ": sequence vs serial differ by " + d);
            }
        }
        for (int split : new int[] {1, 7, 35, tokens.length - 1}) {
            try (Session s = model.newSession()) {
                s.prefill(Arrays.copyOfRange(tokens, 0, split));
                float[] last = s.prefill(Arrays.copyOfRange(tokens, split, tokens.length));
                double d = TestModels.maxAbsDiff(last, serial[tokens.length - 1]);
                assertTrue(d <= tolerance, where + " split at " + split + ": differs by " + d);
            }
        }
    }

    /** The last logits of one prefill of {@code tokens} on {@code kind} and on the float64 reference. */
    static void assertAgreesWithTheReference(Path file, BackendKind kind, int[] tokens, double tolerance) {
        float[] expected, got;
        try (Model ref = TestModels.open(file, BackendKind.REFERENCE);
                Session s = ref.newSession()) {
            expected = s.prefill(tokens);
        }
        try (Model m = TestModels.open(file, kind);
                Session s = m.newSession()) {
            got = s.prefill(tokens);
        }
        double d = TestModels.maxAbsDiff(got, expected);
        assertTrue(d <= tolerance, kind + " " + file + ": differs from the reference by " + d);
    }

    /**
     * A state saved after {@code prompt} continues {@code more} exactly like the original: loaded from
     * {@code file} into a new session, in a fork, and after a reset and the same prompt again.
     */
    static void assertStateContinuesExactly(Model model, Path file, int[] prompt, int[] more) {
        try (Session s = model.newSession()) {
            s.prefill(prompt);
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
}
