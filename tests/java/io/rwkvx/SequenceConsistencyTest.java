package io.rwkvx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rwkvx.backend.BackendKind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Sequence mode must equal token-by-token evaluation, also when a sequence is split across calls
 * with carried state; and the native kernels must agree with the float64 Java reference.
 */
class SequenceConsistencyTest {
    // float32 rounding through 12 layers of a tiny model: observed differences are ~1e-6.
    private static final double TOLERANCE = 2e-5;

    @ParameterizedTest
    @EnumSource(
            value = BackendKind.class,
            names = {"NATIVE", "NATIVE_SCALAR"})
    void prefillEqualsTokenByTokenAndSplitCalls(BackendKind kind) {
        try (Model model = TestModels.open(TestModels.FP32, kind)) {
            ModelChecks.assertSequenceMatchesSteps(
                    model, TestModels.bytesOf(TestModels.LONG_PROMPT + "T"), TOLERANCE, kind.toString());
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = BackendKind.class,
            names = {"NATIVE", "NATIVE_SCALAR", "REFERENCE"})
    void decodeStepAfterPrefillGivesTheLogitsOfTheLongerPrefill(BackendKind kind) {
        int[] a = TestModels.bytesOf(TestModels.LONG_PROMPT);
        int b = 'T';
        int[] ab = java.util.Arrays.copyOf(a, a.length + 1);
        ab[a.length] = b;
        try (Model model = TestModels.open(TestModels.FP32, kind);
                Session stepped = model.newSession();
                Session whole = model.newSession()) {
            stepped.prefill(a);
            float[] step = stepped.decodeStep(b);
            float[] expected = whole.prefill(ab);
            double d = TestModels.maxAbsDiff(step, expected);
            assertTrue(d <= TOLERANCE, kind + ": prefill(a) + decodeStep(b) vs prefill(a, b) differ by " + d);
            assertEquals(ab.length, stepped.position(), "decodeStep counts one token");
            assertArrayEquals(step, stepped.logits(), "decodeStep returns the session's logits");
            // From the initial state, too: one decode step is a one-token prefill.
            try (Session first = model.newSession();
                    Session one = model.newSession()) {
                d = TestModels.maxAbsDiff(first.decodeStep(b), one.prefill(b));
                assertTrue(d <= TOLERANCE, kind + ": initial state: decodeStep(b) vs prefill(b) differ by " + d);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = BackendKind.class,
            names = {"NATIVE", "REFERENCE"})
    void decodeStepIntoAKeptArrayGivesTheSameLogits(BackendKind kind) {
        int[] prompt = TestModels.bytesOf(TestModels.LONG_PROMPT);
        try (Model model = TestModels.open(TestModels.FP32, kind);
                Session fresh = model.newSession();
                Session kept = model.newSession()) {
            fresh.prefill(prompt);
            kept.prefill(prompt);
            float[] buffer = new float[model.config().nVocab()];
            for (int token : TestModels.bytesOf("Tea.")) {
                float[] expected = fresh.decodeStep(token);
                assertSame(buffer, kept.decodeStep(token, buffer), "the caller's array comes back");
                assertArrayEquals(expected, buffer, kind + ": token " + token);
                assertArrayEquals(expected, kept.logits(), "the session keeps the same logits");
            }
            assertEquals(fresh.position(), kept.position());
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class, () -> kept.decodeStep('T', new float[buffer.length - 1]));
            assertEquals(
                    "decodeStep: the logits array has length " + (buffer.length - 1) + ", the model's n_vocab is "
                            + buffer.length,
                    e.getMessage());
            assertEquals(fresh.position(), kept.position(), "a refused step evaluates nothing");
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = BackendKind.class,
            names = {"NATIVE", "NATIVE_SCALAR"})
    void nativeAgreesWithTheReferenceOnBothWeightFormats(BackendKind kind) {
        int[] tokens = TestModels.bytesOf(TestModels.LONG_PROMPT);
        for (var file : new java.nio.file.Path[] {TestModels.FP32, TestModels.FP16}) {
            float[][] expected, got;
            try (Model ref = TestModels.open(file, BackendKind.REFERENCE);
                    Session s = ref.newSession()) {
                expected = s.evalAll(tokens);
            }
            try (Model m = TestModels.open(file, kind);
                    Session s = m.newSession()) {
                got = s.evalAll(tokens);
            }
            for (int t = 0; t < tokens.length; t++) {
                double d = TestModels.maxAbsDiff(got[t], expected[t]);
                assertTrue(
                        d <= TOLERANCE, kind + " " + file + " position " + t + ": differs from the reference by " + d);
            }
        }
    }

    @org.junit.jupiter.api.Test
    void longSequencesCrossTheInternalSliceBoundary() {
        // 1100 tokens: more than two internal 512-token slices, against single steps.
        int[] tokens = TestModels.randomBytes(1100, 7);
        try (Model model = TestModels.open(TestModels.FP32, BackendKind.NATIVE);
                Session a = model.newSession();
                Session b = model.newSession()) {
            float[] seq = a.prefill(tokens);
            float[] step = null;
            for (int t : tokens) step = b.prefill(t);
            double d = TestModels.maxAbsDiff(seq, step);
            assertTrue(d <= 1e-4, "1100-token prefill vs steps differ by " + d);
        }
    }
}
