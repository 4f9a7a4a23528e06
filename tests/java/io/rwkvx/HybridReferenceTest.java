package io.rwkvx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rwkvx.backend.BackendKind;
import io.rwkvx.format.SafetensorsWriter;
import io.rwkvx.model.Architecture;
import io.rwkvx.model.HybridConfig;
import io.rwkvx.tensor.DType;
import io.rwkvx.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.LinkedHashMap;
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
    private static final int C = 128, R = 4, A = 2, V = 256, F = 4 * C, D = 16, H = C / 64;
    private static final int CHUNK = 8, TOP_K = 2, DENSE_BELOW = 4, T = 100;
    private static final double TOLERANCE = 1e-4;

    @TempDir
    Path dir;

    private final Map<String, float[]> values = new LinkedHashMap<>();
    private final Map<String, long[]> shapes = new LinkedHashMap<>();
    private final Random rnd = new Random(20240607);

    private void put(String name, float[] v, long... shape) {
        values.put(name, v);
        shapes.put(name, shape);
    }

    private float[] gauss(double std, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (rnd.nextGaussian() * std);
        return v;
    }

    private float[] uniform(double lo, double hi, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) (lo + (hi - lo) * rnd.nextDouble());
        return v;
    }

    private float[] around(double mid, double std, int n) {
        float[] v = gauss(std, n);
        for (int i = 0; i < n; i++) v[i] += (float) mid;
        return v;
    }

    private void layerNorm(String p) {
        put(p + ".weight", around(1, 0.2, C), C);
        put(p + ".bias", gauss(0.1, C), C);
    }

    private void channelMix(String p) {
        put(p + "ffn.x_k", uniform(0, 1, C), 1, 1, C);
        put(p + "ffn.key.weight", gauss(1 / Math.sqrt(C), F * C), F, C);
        put(p + "ffn.value.weight", gauss(1 / Math.sqrt(F), C * F), C, F);
    }

    /** BlinkDL checkpoint names and layouts, without the {@code rwkv.} prefix. */
    private void randomModel() {
        put("emb.weight", gauss(1, V * C), V, C);
        layerNorm("blocks.0.ln0");
        for (int i = 0; i < R; i++) {
            String p = "blocks." + i + ".";
            layerNorm(p + "ln1");
            layerNorm(p + "ln2");
            for (String m : new String[] {"x_r", "x_w", "x_k", "x_v", "x_a", "x_g"}) put(p + "att." + m, uniform(0, 1, C), 1, 1, C);
            put(p + "att.w0", uniform(-2, 0.5, C), 1, 1, C);
            put(p + "att.a0", gauss(0.5, C), 1, 1, C);
            for (String l : i == 0 ? new String[] {"w", "a", "g"} : new String[] {"w", "a", "g", "v"}) {
                put(p + "att." + l + "1", gauss(1 / Math.sqrt(C), C * D), C, D);
                put(p + "att." + l + "2", gauss(1 / Math.sqrt(D), D * C), D, C);
            }
            if (i > 0) put(p + "att.v0", around(0.5, 0.5, C), 1, 1, C);
            put(p + "att.k_k", around(0.8, 0.2, C), 1, 1, C);
            put(p + "att.k_a", uniform(0, 1, C), 1, 1, C);
            put(p + "att.r_k", gauss(0.3, C), H, 64);
            for (String m : new String[] {"receptance", "key", "value", "output"})
                put(p + "att." + m + ".weight", gauss(1 / Math.sqrt(C), C * C), C, C);
            layerNorm(p + "att.ln_x");
            channelMix(p);
        }
        for (int j = 0; j < A; j++) {
            String p = "moba." + j + ".";
            layerNorm(p + "ln1");
            layerNorm(p + "ln2");
            // q and k larger than 1/sqrt(C): peaked attention, so the chunk choice matters.
            put(p + "att.receptance.weight", gauss(2 / Math.sqrt(C), C * C), C, C);
            put(p + "att.key.weight", gauss(2 / Math.sqrt(C), C * C), C, C);
            put(p + "att.value.weight", gauss(1 / Math.sqrt(C), C * C), C, C);
            put(p + "att.output.weight", gauss(1 / Math.sqrt(C), C * C), C, C);
            channelMix(p);
        }
        layerNorm("ln_out");
        put("head.weight", gauss(1 / Math.sqrt(C), V * C), V, C);
    }

    private Path write(Arena arena) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, float[]> e : values.entrySet()) {
            String name = e.getKey().startsWith("moba.") ? e.getKey() : "rwkv." + e.getKey();
            float[] v = e.getValue();
            MemorySegment seg = arena.allocate((long) v.length * 4, 64);
            MemorySegment.copy(v, 0, seg, ValueLayout.JAVA_FLOAT, 0, v.length);
            tensors.put(name, new Tensor(name, DType.F32, shapes.get(e.getKey()), seg));
        }
        Path file = dir.resolve("random-rwkvx.safetensors");
        SafetensorsWriter.write(file, tensors);
        return file;
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
        try (Arena arena = Arena.ofConfined();
             Model m = Rwkvx.load(write(arena), ModelOptions.defaults().withBackend(BackendKind.NATIVE).withThreads(2)
                     .withHybrid(hybrid));
             Session seq = m.newSession(); Session step = m.newSession()) {
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
        try (Arena arena = Arena.ofConfined()) {
            Path file = write(arena);
            for (int i = 0; i < 2; i++) {
                DType dtype = i == 0 ? DType.F16 : DType.BF16;
                try (Model m = Rwkvx.load(file, ModelOptions.defaults().withBackend(BackendKind.NATIVE).withThreads(2)
                        .withHybrid(full.withKvDtype(dtype)));
                     Session seq = m.newSession(); Session step = m.newSession()) {
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
        }
        assertTrue(worst[0] > 0 && worst[0] < 0.01, "F16 caches vs reference: " + worst[0]);
        assertTrue(worst[1] > 3 * worst[0] && worst[1] < 0.1, "BF16 caches vs reference: " + worst[1] + " (F16: " + worst[0] + ")");
    }

    @ParameterizedTest(name = "per-head scope {0}")
    @ValueSource(booleans = {true, false})
    void sparsityChangesTheResult(boolean perHead) {
        // Guards the test above against a degenerate model where sparse equals full attention.
        randomModel();
        int[] tokens = new int[T];
        for (int t = 0; t < T; t++) tokens[t] = rnd.nextInt(V);
        double[][] sparse = new HybridReferenceForward(values, C, R, A, V, CHUNK, TOP_K, perHead, DENSE_BELOW).run(tokens, true);
        double[][] full = new HybridReferenceForward(values, C, R, A, V, CHUNK, TOP_K, perHead, T).run(tokens, true);
        double diff = 0;
        for (int i = 0; i < V; i++) diff = Math.max(diff, Math.abs(sparse[T - 1][i] - full[T - 1][i]));
        assertTrue(diff > 1e-2, "sparse vs full differ by only " + diff);
    }
}
