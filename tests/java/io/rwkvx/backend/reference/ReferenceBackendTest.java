package io.rwkvx.backend.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rwkvx.backend.BackendState;
import io.rwkvx.backend.LogitsMode;
import io.rwkvx.backend.ModelExecutor;
import io.rwkvx.common.RwkvxException;
import io.rwkvx.format.RwkvCppReader;
import io.rwkvx.model.ModelConfig;
import io.rwkvx.model.ModelWeights;
import io.rwkvx.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** State handling, argument checks and thread safety of the reference backend, on the tiny RWKV-7. */
class ReferenceBackendTest {
    static final int[] PROMPT = {34, 105, 110};
    static final int V = 256, C = 64, N = 64;

    static Arena arena;
    static ModelWeights weights;
    static ReferenceBackend backend;
    static ModelExecutor ex;

    @BeforeAll
    static void load() {
        arena = Arena.ofShared();
        weights = RwkvCppReader.read(GoldenLogitsTest.FP32, arena);
        backend = new ReferenceBackend();
        ex = backend.load(weights);
    }

    @AfterAll
    static void close() {
        ex.close();
        backend.close();
        arena.close();
    }

    static float[] floats(BackendState s) {
        MemorySegment m = Arena.ofAuto().allocate(s.byteSize(), 4);
        s.exportTo(m);
        return m.toArray(ValueLayout.JAVA_FLOAT);
    }

    static float[] lastLogits(BackendState s, int... tokens) {
        MemorySegment out = Arena.ofAuto().allocate(V * 4L, 4);
        ex.eval(s, tokens, out, LogitsMode.LAST);
        return out.toArray(ValueLayout.JAVA_FLOAT);
    }

    @Test
    void describesItself() {
        assertEquals("reference", backend.name());
        assertTrue(backend.describe().contains("Java"));
        ModelConfig c = ex.config();
        assertEquals(12L * (2 * 64 + 64 * 64), c.stateFloats());
    }

    @Test
    void freshStateIsZero() {
        try (BackendState s = ex.newState()) {
            assertEquals(ex.config().stateFloats() * 4, s.byteSize());
            for (float f : floats(s)) assertEquals(0f, f);
        }
    }

    @Test
    void exportImportRoundTrip() {
        try (BackendState a = ex.newState();
                BackendState b = ex.newState()) {
            ex.eval(a, PROMPT, null, LogitsMode.NONE);
            float[] exported = floats(a);
            MemorySegment buf = Arena.ofAuto().allocate(a.byteSize(), 4);
            MemorySegment.copy(exported, 0, buf, ValueLayout.JAVA_FLOAT, 0, exported.length);
            b.importFrom(buf);
            assertArrayEquals(exported, floats(b));
            assertArrayEquals(lastLogits(a, 32), lastLogits(b, 32), "imported state continues identically");
            assertArrayEquals(floats(a), floats(b));
        }
    }

    @Test
    void exportWorksIntoUnalignedAndLargerBuffers() {
        try (BackendState a = ex.newState()) {
            ex.eval(a, PROMPT, null, LogitsMode.NONE);
            MemorySegment big = Arena.ofAuto().allocate(a.byteSize() + 8, 8).asSlice(2);
            a.exportTo(big);
            float[] direct = floats(a);
            for (int i = 0; i < direct.length; i += 97) {
                assertEquals(direct[i], big.get(ValueLayout.JAVA_FLOAT_UNALIGNED, 4L * i), "float " + i);
            }
        }
    }

    /** The export layout: att shift [C] = LN1 output of the last token, and WKV [H][key][value]. */
    @Test
    void exportLayout() {
        try (BackendState s = ex.newState()) {
            ex.eval(s, new int[] {PROMPT[0]}, null, LogitsMode.NONE);
            float[] st = floats(s);
            // Layer 0's att token shift is LN1(LN0(emb[token])), computed here independently.
            double[] x0 = layerNorm(
                    row(weights.get("emb.weight"), PROMPT[0]),
                    weights.get("blocks.0.ln0.weight"),
                    weights.get("blocks.0.ln0.bias"));
            double[] xx = layerNorm(x0, weights.get("blocks.0.ln1.weight"), weights.get("blocks.0.ln1.bias"));
            for (int i = 0; i < C; i++) assertEquals(xx[i], st[i], 1e-5, "att shift " + i);
            // From a zero state the first token leaves S = v·k̃ᵀ in layer 0 (S[i][j] = v_i k̃_j). In key-major
            // storage each key j owns N contiguous floats, and that run is proportional to v.
            double[] xv = new double[C];
            Tensor mix = weights.get("blocks.0.att.x_v");
            for (int i = 0; i < C; i++) xv[i] = xx[i] - xx[i] * mix.getFloat(i);
            double[] v = matVec(weights.get("blocks.0.att.value.weight"), xv);
            int wkv = 2 * C;
            for (int j = 0; j < N; j += 7) {
                double dot = 0, nr = 0, nv = 0;
                for (int i = 0; i < N; i++) {
                    double e = st[wkv + j * N + i];
                    dot += e * v[i];
                    nr += e * e;
                    nv += v[i] * v[i];
                }
                assertEquals(
                        1.0, Math.abs(dot) / Math.sqrt(nr * nv), 1e-5, "key " + j + ": run should be parallel to v");
            }
        }
    }

    @Test
    void copyIsIndependent() {
        try (BackendState a = ex.newState()) {
            ex.eval(a, PROMPT, null, LogitsMode.NONE);
            try (BackendState b = a.copy()) {
                float[] before = floats(a);
                assertArrayEquals(before, floats(b));
                ex.eval(b, new int[] {32, 116}, null, LogitsMode.NONE);
                assertArrayEquals(before, floats(a), "evaluating the copy must not touch the original");
                assertNotEquals(-1, MemorySegment.ofArray(before).mismatch(MemorySegment.ofArray(floats(b))));
                a.reset();
                assertArrayEquals(new float[before.length], floats(a));
                assertNotEquals(0f, floats(b)[0], "resetting the original must not touch the copy");
            }
        }
    }

    @Test
    void resetGivesTheStartOfSequence() {
        try (BackendState s = ex.newState();
                BackendState fresh = ex.newState()) {
            ex.eval(s, PROMPT, null, LogitsMode.NONE);
            s.reset();
            assertArrayEquals(lastLogits(fresh, PROMPT), lastLogits(s, PROMPT));
        }
    }

    @Test
    void importRejectsNonFiniteValuesAndKeepsTheState() {
        try (BackendState s = ex.newState()) {
            ex.eval(s, PROMPT, null, LogitsMode.NONE);
            float[] before = floats(s);
            int perLayer = 2 * C + N * N;
            for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
                float[] data = before.clone();
                int index = 3 * perLayer + 2 * C + 5 * N + 7; // layer 3, WKV, key 5, value 7
                data[index] = bad;
                MemorySegment buf = MemorySegment.ofArray(data);
                RwkvxException e = assertThrows(RwkvxException.class, () -> s.importFrom(buf));
                assertTrue(
                        e.getMessage().contains("at float index " + index + " (layer 3, WKV head 0 (key 5, value 7))"),
                        e.getMessage());
                assertTrue(e.getMessage().contains(Float.toString(bad)), e.getMessage());
                assertArrayEquals(before, floats(s), "a rejected import changes nothing");
            }
            float[] data = before.clone();
            data[perLayer + C + 1] = Float.NaN;
            RwkvxException e = assertThrows(RwkvxException.class, () -> s.importFrom(MemorySegment.ofArray(data)));
            assertTrue(e.getMessage().contains("layer 1, ffn token shift 1"), e.getMessage());
        }
    }

    @Test
    void importAndExportCheckSizes() {
        try (BackendState s = ex.newState()) {
            MemorySegment small = Arena.ofAuto().allocate(s.byteSize() - 4);
            MemorySegment large = Arena.ofAuto().allocate(s.byteSize() + 4);
            assertTrue(assertThrows(RwkvxException.class, () -> s.importFrom(small))
                    .getMessage()
                    .contains("exactly"));
            assertThrows(RwkvxException.class, () -> s.importFrom(large));
            assertThrows(RwkvxException.class, () -> s.exportTo(small));
        }
    }

    @Test
    void evalChecksItsArguments() {
        try (BackendState s = ex.newState()) {
            MemorySegment out = Arena.ofAuto().allocate(V * 4L);
            RwkvxException e =
                    assertThrows(RwkvxException.class, () -> ex.eval(s, new int[] {1, 256}, out, LogitsMode.LAST));
            assertTrue(e.getMessage().contains("token 256 at position 1 is outside [0, 256)"), e.getMessage());
            assertThrows(RwkvxException.class, () -> ex.eval(s, new int[] {-1}, out, LogitsMode.LAST));
            assertThrows(RwkvxException.class, () -> ex.eval(s, new int[0], out, LogitsMode.LAST));
            e = assertThrows(RwkvxException.class, () -> ex.eval(s, new int[] {1, 2}, out, LogitsMode.ALL));
            assertTrue(e.getMessage().contains("needs 2048"), e.getMessage());
            assertThrows(RwkvxException.class, () -> ex.eval(s, new int[] {1}, null, LogitsMode.LAST));
            assertThrows(
                    RwkvxException.class,
                    () -> ex.eval(
                            s,
                            new int[] {1},
                            MemorySegment.ofArray(new float[V]).asReadOnly(),
                            LogitsMode.LAST));
            for (float f : floats(s)) assertEquals(0f, f, "rejected calls leave the state alone");
            ex.eval(s, new int[] {1}, null, LogitsMode.NONE);
        }
    }

    @Test
    void statesBelongToTheirExecutor() {
        try (ModelExecutor other = backend.load(weights);
                BackendState foreign = other.newState()) {
            RwkvxException e =
                    assertThrows(RwkvxException.class, () -> ex.eval(foreign, PROMPT, null, LogitsMode.NONE));
            assertTrue(e.getMessage().contains("not created by this model"), e.getMessage());
        }
    }

    @Test
    void closedObjectsAreRejected() {
        BackendState s = ex.newState();
        s.close();
        assertThrows(IllegalStateException.class, () -> ex.eval(s, PROMPT, null, LogitsMode.NONE));
        assertThrows(IllegalStateException.class, s::copy);
        ModelExecutor other = backend.load(weights);
        other.close();
        assertThrows(IllegalStateException.class, other::newState);
    }

    @Test
    void executorIsThreadSafe() throws Exception {
        List<int[]> prompts = new ArrayList<>();
        for (String p : List.of("hello", "in the", "RWKV-7", "abc", "zzzz zz", "Once upon", "1234", "\"in")) {
            byte[] b = p.getBytes(StandardCharsets.UTF_8);
            int[] t = new int[b.length];
            for (int i = 0; i < b.length; i++) t[i] = b[i] & 0xff;
            prompts.add(t);
        }
        List<float[]> serial = new ArrayList<>();
        for (int[] p : prompts) {
            try (BackendState s = ex.newState()) {
                serial.add(lastLogits(s, p));
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<float[]>> results = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                for (int[] p : prompts) {
                    results.add(pool.submit(() -> {
                        try (BackendState s = ex.newState()) {
                            return lastLogits(s, p);
                        }
                    }));
                }
            }
            for (int i = 0; i < results.size(); i++) {
                assertArrayEquals(serial.get(i % prompts.size()), results.get(i).get(), "prompt " + i % prompts.size());
            }
        } finally {
            pool.shutdown();
        }
    }

    private static double[] row(Tensor m, int r) {
        int cols = (int) m.dim(1);
        double[] x = new double[cols];
        for (int i = 0; i < cols; i++) x[i] = m.getFloat((long) r * cols + i);
        return x;
    }

    private static double[] matVec(Tensor m, double[] x) {
        double[] y = new double[(int) m.dim(0)];
        for (int o = 0; o < y.length; o++) {
            for (int i = 0; i < x.length; i++) y[o] += m.getFloat((long) o * x.length + i) * x[i];
        }
        return y;
    }

    private static double[] layerNorm(double[] x, Tensor w, Tensor b) {
        double mean = 0, var = 0;
        for (double v : x) mean += v;
        mean /= x.length;
        for (double v : x) var += (v - mean) * (v - mean);
        var /= x.length;
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) y[i] = (x[i] - mean) / Math.sqrt(var + 1e-5) * w.getFloat(i) + b.getFloat(i);
        return y;
    }
}
