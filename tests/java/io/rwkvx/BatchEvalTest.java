package io.rwkvx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rwkvx.backend.Backend;
import io.rwkvx.backend.BackendKind;
import io.rwkvx.backend.BackendState;
import io.rwkvx.backend.BatchItem;
import io.rwkvx.backend.LogitsMode;
import io.rwkvx.backend.ModelExecutor;
import io.rwkvx.common.RwkvxException;
import io.rwkvx.common.WeightPlacement;
import io.rwkvx.format.ModelFiles;
import io.rwkvx.model.HybridConfig;
import io.rwkvx.model.ModelWeights;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link ModelExecutor#evalBatch} against {@link ModelExecutor#eval} on each architecture's tiny test model,
 * natively (one {@code rwkvx_model_eval_batch} call, weights resident and in place, an RWKV-7 with Q5_1
 * weights) and on the reference backend (the interface's loop, the oracle; it runs no RWKV-X):
 * <ul>
 *   <li>a batch of mixed items (single tokens, prefill chunks of different lengths, LAST/ALL/NONE logits)
 *       gives each item's solo logits and state;
 *   <li>greedy decoding of 8 different prompts advanced together (prompts prefilled in the batch, then one
 *       token per sequence per round) is token for token the 8 solo greedy runs: the acceptance test of
 *       batched decoding;
 *   <li>a bad item is refused with an exception naming it, and no state or logits buffer changes.
 * </ul>
 * Bound: each item's logits and state equal its solo call's up to float32 rounding. A batch that reads the
 * weights once sums the same products in another order than the solo call (a skinny matrix product instead
 * of a matrix-vector one): the kind of difference between prefill and token-by-token steps, bounded by
 * 2e-5 of 1 + max|value| in the native tests (docs/numerics.md §3.8); {@link #BOUND} leaves 5 times that,
 * far below what a wrong token, state or item would move. Quantized weights add one more difference: a solo
 * step (and a batch of up to 16 rows) multiplies 8-bit-rounded inputs, a batch of more rows float ones
 * (docs/numerics.md §2.9, §3.8: about 1/254 of each 32-input block's largest value per product);
 * {@link #QUANTIZED_BOUND} allows for it, still two orders of magnitude below a wrong item's O(1).
 */
class BatchEvalTest {
    private static final double BOUND = 1e-4;
    private static final double QUANTIZED_BOUND = 5e-3;
    private static final Path RWKV5 = Path.of("tests/data/tiny-rwkv-5v2-730K-FP32.bin");
    private static final Path RWKV6 = Path.of("tests/data/tiny-rwkv-6v0-1m-FP32.bin");
    private static final Path RWKV7_Q5_1 = Path.of("tests/data/tiny-rwkv-7v0-834K-Q5_1.bin");

    /** A model file on a backend. */
    record Case(String model, Path file, BackendKind kind, WeightPlacement weights) {
        @Override
        public String toString() {
            return model + " " + kind + (kind == BackendKind.REFERENCE ? "" : " " + weights);
        }
    }

    static Stream<Case> cases() {
        List<Case> out = new ArrayList<>();
        Object[][] models = {
            {"RWKV-7", TestModels.FP32}, {"RWKV-4", ArchSetup.RWKV4}, {"RWKV-5.2", RWKV5}, {"RWKV-6", RWKV6},
        };
        for (Object[] m : models) {
            for (WeightPlacement w : WeightPlacement.values())
                out.add(new Case((String) m[0], (Path) m[1], BackendKind.NATIVE, w));
            out.add(new Case((String) m[0], (Path) m[1], BackendKind.REFERENCE, WeightPlacement.RESIDENT));
        }
        for (WeightPlacement w : WeightPlacement.values()) {
            out.add(new Case("RWKV-X", ArchSetup.hybridFile(), BackendKind.NATIVE, w));
            out.add(new Case("RWKV-7 Q5_1", RWKV7_Q5_1, BackendKind.NATIVE, w));
        }
        return out.stream();
    }

    /** An executor of the case's model with its backend, the weights' arena and buffers for logits. */
    static final class Loaded implements AutoCloseable {
        final Arena arena = Arena.ofShared();
        final Backend backend;
        final ModelExecutor executor;
        final int vocab;

        Loaded(Case c) {
            ModelWeights weights = ModelFiles.read(c.file(), arena);
            backend = BackendProvider.create(c.kind(), 2, c.weights());
            // RWKV-X: small chunks, so that these short sequences run sparse attention over several chunks.
            executor = backend.load(
                    weights, HybridConfig.defaults().withChunk(8, 2).withDenseBelow(0));
            vocab = executor.config().nVocab();
        }

        /** A NaN-filled native buffer for {@code floats} logits. */
        MemorySegment logits(long floats) {
            MemorySegment s = arena.allocate(ValueLayout.JAVA_FLOAT, Math.max(floats, 1));
            for (long i = 0; i < s.byteSize() / 4; i++) s.setAtIndex(ValueLayout.JAVA_FLOAT, i, Float.NaN);
            return s;
        }

        long logitCount(LogitsMode mode, int tokens) {
            return switch (mode) {
                case NONE -> 0;
                case LAST -> vocab;
                case ALL -> (long) tokens * vocab;
            };
        }

        List<BackendState> states(int n) {
            List<BackendState> out = new ArrayList<>();
            for (int i = 0; i < n; i++) out.add(executor.newState());
            return out;
        }

        @Override
        public void close() {
            executor.close();
            backend.close();
            arena.close();
        }
    }

    /** An item of a round: which state, its tokens and logits mode. */
    record Step(int state, int[] tokens, LogitsMode mode) {}

    private static Step step(int state, int n, int seed, LogitsMode mode) {
        return new Step(state, TestModels.randomBytes(n, seed), mode);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void evalBatchEqualsOneByOneEval(Case c) {
        LogitsMode last = LogitsMode.LAST, all = LogitsMode.ALL, none = LogitsMode.NONE;
        List<List<Step>> rounds = List.of(
                // Prefill chunks of different lengths beside single tokens.
                List.of(
                        step(0, 1, 1, last),
                        step(1, 5, 2, all),
                        step(2, 17, 3, none),
                        step(3, 1, 4, all),
                        step(4, 30, 5, last)),
                // Decode steps, the states in another order.
                List.of(
                        step(4, 1, 6, last),
                        step(2, 1, 7, all),
                        step(0, 1, 8, last),
                        step(3, 1, 9, none),
                        step(1, 1, 10, last)),
                // A subset: a long chunk beside a decode step; then one item alone.
                List.of(step(3, 11, 11, all), step(0, 1, 12, last)),
                List.of(step(2, 4, 13, last)));
        try (Loaded m = new Loaded(c)) {
            List<BackendState> batched = m.states(5), solo = m.states(5);
            for (int r = 0; r < rounds.size(); r++) {
                List<Step> round = rounds.get(r);
                List<BatchItem> items = new ArrayList<>();
                List<MemorySegment> got = new ArrayList<>();
                for (Step s : round) {
                    got.add(m.logits(m.logitCount(s.mode(), s.tokens().length)));
                    items.add(new BatchItem(batched.get(s.state()), s.tokens(), got.getLast(), s.mode()));
                }
                m.executor.evalBatch(items);
                for (int i = 0; i < round.size(); i++) {
                    Step s = round.get(i);
                    String at = c + " round " + r + " items[" + i + "] (" + s.tokens().length + " tokens, " + s.mode()
                            + ")";
                    MemorySegment want = m.logits(m.logitCount(s.mode(), s.tokens().length));
                    m.executor.eval(solo.get(s.state()), s.tokens(), want, s.mode());
                    if (s.mode() == LogitsMode.NONE) {
                        assertTrue(allNaN(floats(got.get(i))), at + ": a NONE item's buffer is left alone");
                        continue;
                    }
                    double d = relativeDiff(floats(got.get(i)), floats(want));
                    assertTrue(d <= bound(c), at + ": logits equal the solo call's: relative diff " + d);
                }
                for (int s = 0; s < batched.size(); s++) {
                    double d = stateDiff(
                            export(batched.get(s)),
                            export(solo.get(s)),
                            c.model().equals("RWKV-X"));
                    assertTrue(d <= bound(c), c + " round " + r + " state " + s + ": equals the solo calls': " + d);
                }
            }
            batched.forEach(BackendState::close);
            solo.forEach(BackendState::close);
        }
    }

    private static final String[] PROMPTS = {
        "A",
        "The capital of France is",
        "1, 2, 3,",
        "Once upon a time",
        "def f(x):",
        "RWKV",
        "\n\nUser: hi",
        "In a shocking finding, scientists discovered a herd of dragons",
    };

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void greedyDecodingOfEightPromptsTogetherEqualsEightSoloRuns(Case c) {
        final int steps = 16;
        try (Loaded m = new Loaded(c)) {
            int n = PROMPTS.length;
            int[][] prompts = new int[n][];
            for (int i = 0; i < n; i++) prompts[i] = tokens(PROMPTS[i], m.vocab);
            // Together: every prompt prefilled in one batch, then one token per sequence per round.
            int[][] together = new int[n][steps];
            List<BackendState> states = m.states(n);
            List<MemorySegment> logits = new ArrayList<>();
            for (int i = 0; i < n; i++) logits.add(m.logits(m.vocab));
            Function<int[][], List<BatchItem>> batch = tok -> {
                List<BatchItem> items = new ArrayList<>();
                for (int i = 0; i < n; i++)
                    items.add(new BatchItem(states.get(i), tok[i], logits.get(i), LogitsMode.LAST));
                return items;
            };
            m.executor.evalBatch(batch.apply(prompts));
            for (int t = 0; t < steps; t++) {
                int[][] next = new int[n][];
                for (int i = 0; i < n; i++) {
                    together[i][t] = argmax(floats(logits.get(i)));
                    next[i] = new int[] {together[i][t]};
                }
                m.executor.evalBatch(batch.apply(next));
            }
            states.forEach(BackendState::close);
            // Alone: each prompt on its own state.
            for (int i = 0; i < n; i++) {
                int[] alone = new int[steps];
                try (BackendState s = m.executor.newState()) {
                    MemorySegment l = m.logits(m.vocab);
                    m.executor.eval(s, prompts[i], l, LogitsMode.LAST);
                    for (int t = 0; t < steps; t++) {
                        alone[t] = argmax(floats(l));
                        m.executor.eval(s, new int[] {alone[t]}, l, LogitsMode.LAST);
                    }
                }
                assertArrayEquals(alone, together[i], c + ": prompt " + i + " decoded together equals its solo run");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aBadItemIsNamedAndChangesNothing(Case c) {
        try (Loaded m = new Loaded(c)) {
            List<BackendState> states = m.states(3);
            for (int i = 0; i < 3; i++)
                m.executor.eval(states.get(i), TestModels.randomBytes(6 + 5 * i, 30 + i), m.logits(0), LogitsMode.NONE);
            int[][] tokens = {
                TestModels.randomBytes(1, 40), TestModels.randomBytes(4, 41), TestModels.randomBytes(3, 42)
            };
            LogitsMode[] modes = {LogitsMode.LAST, LogitsMode.ALL, LogitsMode.NONE};
            List<MemorySegment> logits = new ArrayList<>();
            for (int i = 0; i < 3; i++) logits.add(m.logits((long) tokens[i].length * m.vocab));
            Function<List<BackendState>, List<BatchItem>> items = st -> {
                List<BatchItem> out = new ArrayList<>();
                for (int i = 0; i < 3; i++) out.add(new BatchItem(st.get(i), tokens[i], logits.get(i), modes[i]));
                return out;
            };
            List<byte[]> before = states.stream().map(BatchEvalTest::export).toList();
            Runnable unchanged = () -> {
                for (int i = 0; i < 3; i++) {
                    assertArrayEquals(before.get(i), export(states.get(i)), c + ": state " + i + " unchanged");
                    assertTrue(allNaN(floats(logits.get(i))), c + ": logits " + i + " not written");
                }
            };

            // A token out of range in the last item, at its second position: the items before it would run.
            int bad = m.vocab;
            tokens[2][1] = bad;
            RwkvxException e = assertThrows(RwkvxException.class, () -> m.executor.evalBatch(items.apply(states)));
            assertTrue(
                    e.getMessage()
                            .contains("items[2]: token " + bad + " at position 1 is out of range [0, " + m.vocab + ")"),
                    e.getMessage());
            unchanged.run();
            tokens[2][1] = 0;

            // One state in two items.
            List<BackendState> twice = List.of(states.get(0), states.get(1), states.get(0));
            e = assertThrows(RwkvxException.class, () -> m.executor.evalBatch(items.apply(twice)));
            assertTrue(e.getMessage().contains("items[2]: state is also items[0]'s"), e.getMessage());
            unchanged.run();

            if (c.kind() != BackendKind.REFERENCE) nativeRefusals(m, states, items, logits, unchanged);

            // Nothing was left held: the batch runs now.
            m.executor.evalBatch(items.apply(states));
            assertTrue(!Float.isNaN(floats(logits.get(0))[0]) && allNaN(floats(logits.get(2))), c + ": ran");
            states.forEach(BackendState::close);
        }
    }

    /** What only the native executor checks in Java: states of another model or closed, unusable logits. */
    private static void nativeRefusals(
            Loaded m,
            List<BackendState> states,
            Function<List<BackendState>, List<BatchItem>> items,
            List<MemorySegment> logits,
            Runnable unchanged) {
        try (Loaded other =
                        new Loaded(new Case("RWKV-7", TestModels.FP32, BackendKind.NATIVE, WeightPlacement.IN_PLACE));
                BackendState foreign = other.executor.newState()) {
            List<BackendState> mixed = List.of(states.get(0), foreign, states.get(2));
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> m.executor.evalBatch(items.apply(mixed)));
            assertEquals("items[1]: state was not created by this model", e.getMessage());
            unchanged.run();
        }
        BackendState closed = m.executor.newState();
        closed.close();
        List<BackendState> withClosed = List.of(states.get(0), states.get(1), closed);
        IllegalStateException closedError =
                assertThrows(IllegalStateException.class, () -> m.executor.evalBatch(items.apply(withClosed)));
        assertTrue(closedError.getMessage().startsWith("items[2]: "), closedError.getMessage());
        unchanged.run();

        List<BatchItem> heap = new ArrayList<>(items.apply(states));
        heap.set(
                1,
                new BatchItem(
                        states.get(1),
                        heap.get(1).tokens(),
                        MemorySegment.ofArray(new float[4 * m.vocab]),
                        LogitsMode.ALL));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.executor.evalBatch(heap));
        assertEquals("items[1]: logits must be native memory (the library writes them)", e.getMessage());
        unchanged.run();

        MemorySegment freed;
        try (Arena gone = Arena.ofConfined()) {
            freed = gone.allocate(ValueLayout.JAVA_FLOAT, 4L * m.vocab);
        }
        List<BatchItem> dangling = new ArrayList<>(items.apply(states));
        dangling.set(1, new BatchItem(states.get(1), dangling.get(1).tokens(), freed, LogitsMode.ALL));
        IllegalStateException gone = assertThrows(IllegalStateException.class, () -> m.executor.evalBatch(dangling));
        assertEquals("items[1]: logits memory is already freed", gone.getMessage());
        unchanged.run();

        List<BatchItem> small = new ArrayList<>(items.apply(states));
        small.set(1, new BatchItem(states.get(1), small.get(1).tokens(), logits.get(0), LogitsMode.ALL));
        e = assertThrows(IllegalArgumentException.class, () -> m.executor.evalBatch(small));
        assertTrue(e.getMessage().startsWith("items[1]: logits buffer has "), e.getMessage());
        unchanged.run();
    }

    // ---- helpers ---------------------------------------------------------------------------------------

    private static int[] tokens(String prompt, int vocab) {
        int[] t = TestModels.bytesOf(prompt);
        for (int i = 0; i < t.length; i++) t[i] %= vocab;
        return t;
    }

    private static float[] floats(MemorySegment s) {
        return s.toArray(ValueLayout.JAVA_FLOAT);
    }

    private static boolean allNaN(float[] v) {
        for (float x : v) if (!Float.isNaN(x)) return false;
        return true;
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
        return best;
    }

    private static byte[] export(BackendState s) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment dst = a.allocate(s.byteSize());
            s.exportTo(dst);
            return dst.toArray(ValueLayout.JAVA_BYTE);
        }
    }

    private static double bound(Case c) {
        return c.file().equals(RWKV7_Q5_1) ? QUANTIZED_BOUND : BOUND;
    }

    /** max |a − b| / (1 + max |b|); NaN when a value is NaN, infinite when the lengths differ. */
    private static double relativeDiff(float[] a, float[] b) {
        if (a.length != b.length) return Double.POSITIVE_INFINITY;
        double err = 0, scale = 0;
        for (int i = 0; i < a.length; i++) {
            double d = Math.abs((double) a[i] - b[i]);
            err = Double.isNaN(d) || Double.isNaN(err) ? Double.NaN : Math.max(err, d);
            scale = Math.max(scale, Math.abs((double) b[i]));
        }
        return err / (1 + scale);
    }

    /**
     * Two exports of one model as {@link #relativeDiff} over their float words; an RWKV-X export's int64 header
     * (block count A, then A cache lengths: docs/rwkv-x.md §8) must be equal.
     */
    private static double stateDiff(byte[] a, byte[] b, boolean hybrid) {
        if (a.length != b.length) return Double.POSITIVE_INFINITY;
        int header = 0;
        if (hybrid) {
            long blocks = MemorySegment.ofArray(b).get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
            header = (int) (8 * (1 + blocks));
            if (!Arrays.equals(a, 0, header, b, 0, header)) return Double.POSITIVE_INFINITY;
        }
        return relativeDiff(wordsFrom(a, header), wordsFrom(b, header));
    }

    private static float[] wordsFrom(byte[] bytes, int offset) {
        return MemorySegment.ofArray(bytes).asSlice(offset).toArray(ValueLayout.JAVA_FLOAT_UNALIGNED);
    }
}
