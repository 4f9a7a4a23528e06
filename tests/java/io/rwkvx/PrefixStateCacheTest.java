package io.rwkvx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rwkvx.backend.BackendKind;
import io.rwkvx.common.RwkvxException;
import io.rwkvx.model.HybridConfig;
import io.rwkvx.tensor.DType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The prefix-state cache: hits restore exactly the saved state (logits bit-identical to evaluating the same
 * pieces), the longest prefix wins, LRU eviction by bytes, initial-state namespaces, threads, a closed model.
 * Tolerances against one whole prefill are docs/numerics.md §3.3's.
 */
class PrefixStateCacheTest {
    private static final long LARGE = 1L << 30;

    @TempDir
    Path dir;

    /** A model to test with and the bound of split-vs-whole logits, relative to 1 + the largest logit. */
    record Arch(String name, double relativeSplitBound) {
        Model open() {
            ModelOptions options =
                    ModelOptions.defaults().withBackend(BackendKind.NATIVE).withThreads(2);
            return switch (name) {
                case "RWKV-7" -> Rwkvx.load(TestModels.FP32, options);
                case "RWKV-4" -> Rwkvx.load(ArchSetup.RWKV4, options);
                // Sparse everywhere (chunk 16, top-2, nothing dense): the KV caches and the chunk choice matter.
                case "RWKV-X sparse F32" ->
                    Rwkvx.load(
                            ArchSetup.hybridFile(),
                            options.withHybrid(
                                    HybridConfig.defaults().withChunk(16, 2).withDenseBelow(0)));
                // 16-bit caches with full attention (docs/numerics.md §3.3: a rounded key may move a selection).
                case "RWKV-X full F16" ->
                    Rwkvx.load(
                            ArchSetup.hybridFile(),
                            options.withHybrid(new HybridConfig(16, 2, true, false, false, 0, 0, 2000, 16000)
                                    .withKvDtype(DType.F16)));
                default -> throw new IllegalArgumentException(name);
            };
        }

        boolean hybrid() {
            return name.startsWith("RWKV-X");
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arch> archs() {
        return Stream.of(
                new Arch("RWKV-7", 2e-5),
                new Arch("RWKV-4", 2e-5),
                new Arch("RWKV-X sparse F32", 3e-5),
                new Arch("RWKV-X full F16", 2e-3));
    }

    private static int[] concat(int[]... parts) {
        int n = 0;
        for (int[] p : parts) n += p.length;
        int[] all = new int[n];
        int at = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    private static int[] head(int[] tokens, int n) {
        return Arrays.copyOf(tokens, n);
    }

    private static int[] range(int[] tokens, int from, int to) {
        return Arrays.copyOfRange(tokens, from, to);
    }

    private static int[] tail(int[] tokens, int from) {
        return Arrays.copyOfRange(tokens, from, tokens.length);
    }

    /** The logits of a fresh session fed {@code pieces}, one prefill each. */
    private static float[] inPieces(Model model, int[]... pieces) {
        try (Session s = model.newSession()) {
            float[] logits = null;
            for (int[] p : pieces) logits = s.prefill(p);
            return logits;
        }
    }

    private static void assertClose(float[] want, float[] got, double relative, String what) {
        double scale = 0;
        for (float w : want) scale = Math.max(scale, Math.abs(w));
        double diff = TestModels.maxAbsDiff(want, got);
        assertTrue(
                diff <= relative * (1 + scale),
                what + ": max |diff| " + diff + " > " + relative + " * (1 + " + scale + ")");
    }

    /** An entry's bytes by the documented rule: 4 per state float, logit and key token. */
    private static long entryBytes(State s, int keyLength) {
        float[] logits = s.logits();
        return 4L * (s.recurrent().length + (logits == null ? 0 : logits.length) + keyLength);
    }

    @ParameterizedTest
    @MethodSource("archs")
    void aHitEqualsEvaluatingTheSamePieces(Arch arch) {
        int[] prefix = TestModels.randomBytes(40, 11);
        int[] rest = TestModels.randomBytes(25, 12);
        int[] all = concat(prefix, rest);
        try (Model model = arch.open()) {
            PrefixStateCache cache = new PrefixStateCache(model, LARGE);
            float[] afterPrefix;
            State saved;
            try (Session s = model.newSession()) {
                afterPrefix = s.prefill(prefix);
                assertTrue(cache.put(prefix, s));
                saved = s.snapshot();
            }
            assertEquals(entryBytes(saved, prefix.length), cache.stats().bytes(), "bytes of the one entry");
            if (arch.hybrid())
                assertTrue(
                        saved.recurrent().length > model.config().stateFloats(),
                        "an RWKV-X snapshot holds its KV caches");

            try (PrefixStateCache.Opened hit = cache.open(all);
                    Session reference = model.newSession()) {
                assertEquals(prefix.length, hit.reusedTokens());
                reference.prefill(prefix);
                float[] want = reference.prefill(rest);
                assertArrayEquals(want, hit.logits(), "logits of a hit vs the same two calls");
                assertArrayEquals(want, hit.session().logits(), "the session holds them too");
                assertClose(inPieces(model, all), hit.logits(), arch.relativeSplitBound(), "hit vs one prefill");
                // The restored state (KV caches included) carries on exactly like the original.
                int[] more = TestModels.randomBytes(7, 13);
                assertArrayEquals(reference.prefill(more), hit.session().prefill(more), "continuing a hit");
                assertArrayEquals(reference.decodeStep(5), hit.session().decodeStep(5), "decoding after a hit");
            }

            try (PrefixStateCache.Opened whole = cache.open(prefix)) {
                assertEquals(prefix.length, whole.reusedTokens(), "an entry with logits serves its own tokens");
                assertArrayEquals(afterPrefix, whole.logits(), "the saved logits");
            }
            PrefixStateCache.Stats stats = cache.stats();
            assertEquals(2, stats.hits());
            assertEquals(0, stats.misses());
            assertEquals(2L * prefix.length, stats.reusedTokens());
        }
    }

    @Test
    void theLongestOfSeveralPrefixesWins() {
        int[] text = TestModels.randomBytes(80, 21);
        try (Model model = new Arch("RWKV-7", 0).open()) {
            PrefixStateCache cache = new PrefixStateCache(model, LARGE);
            try (Session s = model.newSession()) {
                s.prefill(head(text, 10));
                cache.put(head(text, 10), s);
                s.prefill(range(text, 10, 30));
                cache.put(head(text, 30), s);
                s.prefill(range(text, 30, 50));
                cache.put(head(text, 50), s);
            }
            // The saved states were computed in the pieces [0, 10), [10, 30), [30, 50).
            int[] first = head(text, 10), second = range(text, 10, 30), third = range(text, 30, 50);
            try (var o = cache.open(head(text, 45))) {
                assertEquals(30, o.reusedTokens());
                assertArrayEquals(inPieces(model, first, second, range(text, 30, 45)), o.logits());
            }
            try (var o = cache.open(text)) {
                assertEquals(50, o.reusedTokens());
                assertArrayEquals(inPieces(model, first, second, third, tail(text, 50)), o.logits());
            }
            try (var o = cache.open(head(text, 50))) {
                assertEquals(50, o.reusedTokens(), "the whole request is saved, with logits");
            }
            int[] diverging = head(text, 20);
            diverging[15] ^= 1;
            try (var o = cache.open(diverging)) {
                assertEquals(10, o.reusedTokens(), "diverges inside the second entry: the first one serves");
                assertArrayEquals(inPieces(model, first, tail(diverging, 10)), o.logits());
            }
            try (var o = cache.open(head(text, 5))) {
                assertEquals(0, o.reusedTokens(), "shorter than every entry");
                assertArrayEquals(inPieces(model, head(text, 5)), o.logits());
            }
            PrefixStateCache.Stats stats = cache.stats();
            assertEquals(4, stats.hits());
            assertEquals(1, stats.misses());
            assertEquals(30 + 50 + 50 + 10, stats.reusedTokens());
            assertEquals(3, stats.entries());
        }
    }

    @Test
    void withoutAMatchEverythingIsEvaluated() {
        int[] saved = TestModels.randomBytes(20, 31);
        int[] other = TestModels.randomBytes(33, 32);
        other[0] = (saved[0] + 1) % 256;
        try (Model model = new Arch("RWKV-7", 0).open()) {
            PrefixStateCache cache = new PrefixStateCache(model, LARGE);
            try (var o = cache.open(other)) {
                assertEquals(0, o.reusedTokens(), "empty cache");
                assertArrayEquals(inPieces(model, other), o.logits());
            }
            try (Session s = model.newSession()) {
                s.prefill(saved);
                cache.put(saved, s);
            }
            try (var o = cache.open(other)) {
                assertEquals(0, o.reusedTokens(), "no entry is a prefix");
                assertArrayEquals(inPieces(model, other), o.logits());
            }
            try (var o = cache.open(head(saved, 19))) {
                assertEquals(0, o.reusedTokens(), "an entry longer than the request does not serve it");
            }
            assertEquals(
                    new PrefixStateCache.Stats(0, 3, 0, 0, 0, 1, cache.stats().bytes(), LARGE), cache.stats());
        }
    }

    @Test
    void anEntryWithoutLogitsServesOnlyLongerRequests() {
        int[] text = TestModels.randomBytes(30, 41);
        try (Model model = new Arch("RWKV-7", 0).open()) {
            PrefixStateCache cache = new PrefixStateCache(model, LARGE);
            try (Session s = model.newSession()) {
                s.ingest(text); // no logits
                assertTrue(cache.put(text, s));
            }
            try (var o = cache.open(text)) {
                assertEquals(0, o.reusedTokens(), "its logits would be missing");
                assertArrayEquals(inPieces(model, text), o.logits());
                assertTrue(cache.put(text, o.session()), "a snapshot with logits replaces it");
            }
            try (var o = cache.open(text)) {
                assertEquals(30, o.reusedTokens());
            }
            assertEquals(1, cache.stats().entries());
        }
    }

    @Test
    void leastRecentlyUsedEntriesAreEvictedByBytes() {
        int[][] keys = new int[4][];
        for (int i = 0; i < 4; i++) {
            keys[i] = TestModels.randomBytes(8, 50 + i);
            keys[i][0] = i; // no key is a prefix of another
        }
        try (Model model = new Arch("RWKV-7", 0).open()) {
            long entry;
            try (Session s = model.newSession()) {
                s.prefill(keys[0]);
                entry = entryBytes(s.snapshot(), 8);
            }
            PrefixStateCache cache = new PrefixStateCache(model, 3 * entry + entry / 2);
            for (int i = 0; i < 3; i++) remember(model, cache, keys[i]);
            assertEquals(3, cache.stats().entries());
            assertEquals(3 * entry, cache.stats().bytes());
            try (var o = cache.open(keys[0])) {
                assertEquals(8, o.reusedTokens()); // refreshes key 0: key 1 is now the oldest
            }
            remember(model, cache, keys[3]);
            PrefixStateCache.Stats stats = cache.stats();
            assertEquals(1, stats.evictions());
            assertEquals(3, stats.entries());
            assertEquals(3 * entry, stats.bytes());
            for (int i : new int[] {0, 2, 3})
                try (var o = cache.open(keys[i])) {
                    assertEquals(8, o.reusedTokens(), "key " + i + " stays");
                }
            try (var o = cache.open(keys[1])) {
                assertEquals(0, o.reusedTokens(), "key 1, the least recently used, was evicted");
            }
            // 0, 2 and 3 were used in that order (the miss of key 1 touched nothing): putting key 1 evicts key 0.
            remember(model, cache, keys[1]);
            try (var o = cache.open(keys[0])) {
                assertEquals(0, o.reusedTokens(), "key 0 was the oldest");
            }
            assertEquals(2, cache.stats().evictions());
        }
    }

    private static void remember(Model model, PrefixStateCache cache, int[] key) {
        try (Session s = model.newSession()) {
            s.prefill(key);
            assertTrue(cache.put(key, s));
        }
    }

    @Test
    void anEntryLargerThanTheCapIsNotStored() {
        int[] key = TestModels.randomBytes(8, 61);
        try (Model model = new Arch("RWKV-7", 0).open();
                Session s = model.newSession()) {
            s.prefill(key);
            long entry = entryBytes(s.snapshot(), key.length);
            PrefixStateCache cache = new PrefixStateCache(model, entry - 1);
            assertFalse(cache.put(key, s));
            assertEquals(new PrefixStateCache.Stats(0, 0, 0, 0, 1, 0, 0, entry - 1), cache.stats());
            try (var o = cache.open(key)) {
                assertEquals(0, o.reusedTokens());
            }
            PrefixStateCache exact = new PrefixStateCache(model, entry);
            assertTrue(exact.put(key, s), "an entry of exactly the cap fits");
            assertFalse(exact.put(key, s), "the same tokens again only refresh");
            assertEquals(1, exact.stats().entries());
            assertThrows(IllegalArgumentException.class, () -> new PrefixStateCache(model, 0));
        }
    }

    @Test
    void initialStatesKeepTheirOwnEntries() {
        int[] system = TestModels.bytesOf("You are a state-tuned assistant.");
        int[] key = TestModels.randomBytes(12, 71);
        int[] rest = TestModels.randomBytes(6, 72);
        try (Model model = new Arch("RWKV-7", 0).open()) {
            State tunedState;
            try (Session s = model.newSession()) {
                s.prefill(system);
                tunedState = s.snapshot();
            }
            PrefixStateCache.Initial tuned = PrefixStateCache.Initial.of("tuned", tunedState);
            PrefixStateCache cache = new PrefixStateCache(model, LARGE);
            remember(model, cache, key); // under the blank state
            float[] fromTuned;
            try (Session s = model.newSession()) {
                s.restore(tunedState);
                s.prefill(key);
                fromTuned = s.prefill(rest);
            }
            try (var o = cache.open(tuned, concat(key, rest))) {
                assertEquals(0, o.reusedTokens(), "the blank state's entry must not serve the tuned state");
                assertArrayEquals(inPiecesFrom(model, tunedState, concat(key, rest)), o.logits());
            }
            try (Session s = model.newSession()) {
                s.restore(tunedState);
                s.prefill(key);
                assertTrue(cache.put(tuned, key, s));
            }
            // The same state loaded again from a file is another object with the same content: same namespace.
            Path file = dir.resolve("tuned.state");
            tunedState.save(file);
            PrefixStateCache.Initial reloaded = PrefixStateCache.Initial.of("tuned (reloaded)", State.load(file));
            assertEquals(tuned, reloaded);
            try (var o = cache.open(reloaded, concat(key, rest))) {
                assertEquals(key.length, o.reusedTokens());
                assertArrayEquals(fromTuned, o.logits());
            }
            try (var o = cache.open(concat(key, rest))) {
                assertEquals(key.length, o.reusedTokens(), "the blank state's own entry");
                assertArrayEquals(inPieces(model, key, rest), o.logits());
            }
            try (var o = cache.open(tuned)) {
                assertEquals(0, o.reusedTokens());
                assertArrayEquals(tunedState.logits(), o.logits(), "no tokens: the initial state's logits");
            }
            assertThrows(IllegalArgumentException.class, () -> cache.open(new int[0]));
            assertEquals(2, cache.stats().entries());
        }
    }

    private static float[] inPiecesFrom(Model model, State initial, int[]... pieces) {
        try (Session s = model.newSession()) {
            s.restore(initial);
            float[] logits = null;
            for (int[] p : pieces) logits = s.prefill(p);
            return logits;
        }
    }

    @Test
    void statesOfAnotherModelAreRefused() {
        int[] key = TestModels.randomBytes(5, 81);
        try (Model model = new Arch("RWKV-7", 0).open();
                Model other = TestModels.open(TestModels.FP16, BackendKind.NATIVE);
                Session foreign = other.newSession()) {
            foreign.prefill(key);
            PrefixStateCache cache = new PrefixStateCache(model, LARGE);
            RwkvxException e = assertThrows(RwkvxException.class, () -> cache.put(key, foreign));
            assertTrue(e.getMessage().contains("another model"), e.getMessage());
            PrefixStateCache.Initial foreignInitial = PrefixStateCache.Initial.of("foreign", foreign.snapshot());
            e = assertThrows(RwkvxException.class, () -> cache.open(foreignInitial, key));
            assertTrue(e.getMessage().contains("'foreign' belongs to another model"), e.getMessage());
            assertEquals(0, cache.stats().entries());
        }
    }

    @Test
    void aClosedModelsCacheRefuses() {
        int[] key = TestModels.randomBytes(9, 91);
        Model model = new Arch("RWKV-7", 0).open();
        PrefixStateCache cache = new PrefixStateCache(model, LARGE);
        Session s = model.newSession();
        s.prefill(key);
        cache.put(key, s);
        PrefixStateCache.Opened open = cache.open(concat(key, key));
        model.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> cache.open(key));
        assertTrue(e.getMessage().contains("the model is closed"), e.getMessage());
        assertEquals(0, cache.stats().entries(), "the entries were dropped");
        assertEquals(0, cache.stats().bytes());
        e = assertThrows(IllegalStateException.class, () -> cache.put(key, s));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> open.session().logits(), "its sessions closed with it");
    }

    /**
     * Threads open, continue and put concurrently under a cap that keeps about six entries, so entries are evicted
     * while others restore them. Every request's logits must equal one whole prefill within the split bound, and
     * each hit must have reused a length that was saved.
     */
    @Test
    void threadsShareOneCache() throws Exception {
        int threads = 4, rounds = 12;
        int[] system = TestModels.randomBytes(24, 101);
        try (Model model = new Arch("RWKV-7", 0).open()) {
            long entry;
            try (Session s = model.newSession()) {
                s.prefill(system);
                entry = entryBytes(s.snapshot(), 0);
            }
            // Keys of up to 24 + 4 * 12 tokens: about six entries fit.
            PrefixStateCache cache = new PrefixStateCache(model, 6 * entry);
            remember(model, cache, system);
            int[][] conversations = new int[threads][];
            float[][][] whole = new float[threads][rounds][];
            for (int t = 0; t < threads; t++) {
                int[] own = TestModels.randomBytes(4 * rounds, 200 + t);
                own[0] = t; // threads diverge right after the shared prefix
                conversations[t] = concat(system, own);
                for (int r = 0; r < rounds; r++)
                    whole[t][r] = inPieces(model, head(conversations[t], system.length + 4 * (r + 1)));
            }
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    done.add(pool.submit(() -> {
                        SplittableRandom rnd = new SplittableRandom(thread);
                        for (int r = 0; r < rounds; r++) {
                            int length = system.length + 4 * (r + 1);
                            int[] request = head(conversations[thread], length);
                            try (var o = cache.open(request)) {
                                int reused = o.reusedTokens();
                                assertTrue(
                                        reused == 0 || (reused >= system.length && (reused - system.length) % 4 == 0),
                                        "reused " + reused + " is not a saved length");
                                assertClose(whole[thread][r], o.logits(), 2e-5, "thread " + thread + " round " + r);
                                if (rnd.nextInt(4) != 0) cache.put(request, o.session());
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) f.get();
            } finally {
                pool.shutdown();
            }
            PrefixStateCache.Stats stats = cache.stats();
            assertEquals((long) threads * rounds, stats.hits() + stats.misses());
            assertTrue(stats.bytes() <= stats.maxBytes(), stats.toString());
            assertTrue(stats.evictions() > 0, "the cap was reached: " + stats);
            assertTrue(stats.hits() > 0, stats.toString());
        }
    }

    @Test
    void theInitialStateHoldsNoLogitsWithoutTokens() {
        try (Model model = new Arch("RWKV-7", 0).open();
                Session s = model.newSession()) {
            PrefixStateCache.Initial fresh = PrefixStateCache.Initial.of("fresh", s.snapshot());
            assertNull(fresh.state().logits());
            PrefixStateCache cache = new PrefixStateCache(model, LARGE);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cache.open(fresh));
            assertTrue(e.getMessage().contains("'fresh' holds no logits"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> cache.put(new int[0], s));
        }
    }
}
