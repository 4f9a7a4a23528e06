package io.rwkvx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rwkvx.backend.BackendKind;
import io.rwkvx.model.Architecture;
import io.rwkvx.model.HybridConfig;
import io.rwkvx.tensor.DType;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The native RWKV-X model against {@link HybridReferenceForward} on a small random model (C = 128: two
 * heads, 4 RWKV-7 layers, 2 attention blocks with non-zero weights), chunk 8, top-2, dense only up to 4
 * tokens, 100 tokens: the sparse prefill and sparse decode paths both run, for both score scopes.
 */
class HybridReferenceTest {
    private static final int C = 128, R = 4, A = 2, V = 256;
    private static final int CHUNK = 8, TOP_K = 2, DENSE_BELOW = 4, T = 100;
    private static final double TOLERANCE = 1e-4;

    @TempDir
    Path dir;

    private final Random rnd = new Random(20240607);
    private RandomHybridModel model;
    private Map<String, float[]> values;

    private void randomModel() {
        model = new RandomHybridModel(rnd, C, R, A, V);
        values = model.values();
    }

    private Path write() {
        return model.write(dir.resolve("random-rwkvx.safetensors"));
    }

    private static double maxDiff(double[] want, float[] got) {
        assertEquals(want.length, got.length);
        double m = 0;
        for (int i = 0; i < want.length; i++) m = Math.max(m, Math.abs(want[i] - got[i]));
        return m;
    }

    @ParameterizedTest(name = "per-head scope {0}")
    @ValueSource(booleans = {true, false})
    void nativeMatchesTheFloat64Reference(boolean perHead) {
        randomModel();
        int[] tokens = new int[T];
        for (int t = 0; t < T; t++) tokens[t] = rnd.nextInt(V);
        HybridConfig hybrid = new HybridConfig(CHUNK, TOP_K, perHead, true, true, DENSE_BELOW, 0, 2000, 16000);
        var ref = new HybridReferenceForward(values, C, R, A, V, CHUNK, TOP_K, perHead, DENSE_BELOW);
        double[][] wantSeq = ref.run(tokens, true);
        double[][] wantStep = ref.run(tokens, false);
        try (Model m = Rwkvx.load(
                        write(),
                        ModelOptions.defaults()
                                .withBackend(BackendKind.NATIVE)
                                .withThreads(2)
                                .withHybrid(hybrid));
                Session seq = m.newSession();
                Session step = m.newSession()) {
            assertEquals(Architecture.HYBRID, m.config().arch());
            assertEquals(A, m.config().nAttnLayer());
            float[][] gotSeq = seq.evalAll(tokens);
            double worstSeq = 0, worstStep = 0;
            for (int t = 0; t < T; t++) {
                worstSeq = Math.max(worstSeq, maxDiff(wantSeq[t], gotSeq[t]));
                worstStep = Math.max(worstStep, maxDiff(wantStep[t], step.prefill(tokens[t])));
            }
            assertTrue(worstSeq < TOLERANCE, "sequence mode: max |native - reference| = " + worstSeq);
            assertTrue(worstStep < TOLERANCE, "token by token: max |native - reference| = " + worstStep);
        }
    }

    @Test
    void sixteenBitKvCachesStayCloseToTheReference() {
        // Full attention (a rounded key can change a sparse selection, a discontinuity): the native
        // model with F16 and BF16 caches against the float64 reference with exact K and V, BF16 (8-bit
        // mantissas) further off than F16 (11 bits); sequence and token-by-token agree up to rounding.
        randomModel();
        int[] tokens = new int[T];
        for (int t = 0; t < T; t++) tokens[t] = rnd.nextInt(V);
        double[][] want = new HybridReferenceForward(values, C, R, A, V, CHUNK, TOP_K, true, T).run(tokens, true);
        HybridConfig full = new HybridConfig(CHUNK, TOP_K, true, false, false, DENSE_BELOW, 0, 2000, 16000);
        double[] worst = new double[2];
        Path file = write();
        for (int i = 0; i < 2; i++) {
            DType dtype = i == 0 ? DType.F16 : DType.BF16;
            try (Model m = Rwkvx.load(
                            file,
                            ModelOptions.defaults()
                                    .withBackend(BackendKind.NATIVE)
                                    .withThreads(2)
                                    .withHybrid(full.withKvDtype(dtype)));
                    Session seq = m.newSession();
                    Session step = m.newSession()) {
                float[][] got = seq.evalAll(tokens);
                double steps = 0;
                for (int t = 0; t < T; t++) {
                    worst[i] = Math.max(worst[i], maxDiff(want[t], got[t]));
                    float[] s = step.prefill(tokens[t]);
                    for (int v = 0; v < V; v++) steps = Math.max(steps, Math.abs(s[v] - got[t][v]));
                }
                assertTrue(steps < 0.01, dtype + ": sequence vs token by token differ by " + steps);
            }
        }
        assertTrue(worst[0] > 0 && worst[0] < 0.01, "F16 caches vs reference: " + worst[0]);
        assertTrue(
                worst[1] > 3 * worst[0] && worst[1] < 0.1,
                "BF16 caches vs reference: " + worst[1] + " (F16: " + worst[0] + ")");
    }

    @ParameterizedTest(name = "per-head scope {0}")
    @ValueSource(booleans = {true, false})
    void sparsityChangesTheResult(boolean perHead) {
        // Guards the test above against a degenerate model where sparse equals full attention.
        randomModel();
        int[] tokens = new int[T];
        for (int t = 0; t < T; t++) tokens[t] = rnd.nextInt(V);
        double[][] sparse =
                new HybridReferenceForward(values, C, R, A, V, CHUNK, TOP_K, perHead, DENSE_BELOW).run(tokens, true);
        double[][] full = new HybridReferenceForward(values, C, R, A, V, CHUNK, TOP_K, perHead, T).run(tokens, true);
        double diff = 0;
        for (int i = 0; i < V; i++) diff = Math.max(diff, Math.abs(sparse[T - 1][i] - full[T - 1][i]));
        assertTrue(diff > 1e-2, "sparse vs full differ by only " + diff);
    }
}
