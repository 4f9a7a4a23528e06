package io.rwkvx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rwkvx.sampling.SamplerConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.ConcurrentModificationException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Models and sessions under concurrent use and concurrent closing, on RWKV-7, RWKV-4 and RWKV-X with resident
 * and in-place weights: sessions on many threads give their solo results; closing a model or a session while
 * calls run never crashes, ends every call with success or a clean {@link IllegalStateException}, and frees
 * every native handle; a session used by two threads refuses the second with a
 * {@link ConcurrentModificationException} naming the operation in progress.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConcurrencyStressTest {
    private static final int THREADS = 4;

    @TempDir
    Path dir;

    private static GenerationOptions generation(int maxTokens, long seed) {
        return GenerationOptions.defaults()
                .withMaxTokens(maxTokens)
                .withStopAtEndOfText(false)
                .withSampler(SamplerConfig.defaults().withSeed(seed));
    }

    /** A session's work: prefill, ingest, decode steps, a fork, all-logits evaluation, a snapshot. */
    private static List<float[]> script(Session s, int[] tokens) {
        List<float[]> out = new ArrayList<>();
        int n = tokens.length, a = n / 3, b = 2 * n / 3;
        out.add(s.prefill(Arrays.copyOfRange(tokens, 0, a)));
        s.ingest(Arrays.copyOfRange(tokens, a, b));
        for (int i = b; i < n - 2; i++) out.add(s.decodeStep(tokens[i]));
        try (Session f = s.fork()) {
            out.add(f.prefill(tokens[n - 2], tokens[n - 1]));
        }
        out.add(s.evalAll(tokens[n - 2], tokens[n - 1])[1]);
        out.add(s.snapshot().recurrent());
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.rwkvx.ArchSetup#all")
    void sessionsOnManyThreadsGiveTheirSoloResults(ArchSetup setup) throws Exception {
        int[][] prompts = new int[6][];
        for (int i = 0; i < prompts.length; i++) prompts[i] = TestModels.randomBytes(12 + 5 * i, 100 + i);
        try (Model model = setup.open()) {
            List<List<float[]>> solo = new ArrayList<>();
            for (int[] p : prompts)
                try (Session s = model.newSession()) {
                    solo.add(script(s, p));
                }
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try {
                List<Future<List<float[]>>> runs = new ArrayList<>();
                for (int round = 0; round < 4; round++)
                    for (int[] p : prompts)
                        runs.add(pool.submit(() -> {
                            try (Session s = model.newSession()) {
                                return script(s, p);
                            }
                        }));
                for (int i = 0; i < runs.size(); i++) {
                    List<float[]> got = runs.get(i).get(), want = solo.get(i % prompts.length);
                    assertEquals(want.size(), got.size());
                    for (int j = 0; j < want.size(); j++)
                        assertWithinBatchBound(want.get(j), got.get(j), setup + " run " + i + ", result " + j);
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /**
     * Concurrent sessions of a model are evaluated in batches ({@link ModelOptions#maxBatch}): a batch of more than
     * 16 rows multiplies through the packed GEMM, which sums in another order than a solo step, so results equal
     * the solo ones up to docs/numerics.md §3.8's bound, 2e-5 of 1 + max|value| (a session given another's state
     * or tokens would differ by O(1)).
     */
    private static void assertWithinBatchBound(float[] want, float[] got, String what) {
        assertEquals(want.length, got.length, what + ": length");
        double err = 0, scale = 0;
        for (int i = 0; i < want.length; i++) {
            double d = Math.abs((double) want[i] - got[i]);
            err = Double.isNaN(d) ? Double.POSITIVE_INFINITY : Math.max(err, d);
            scale = Math.max(scale, Math.abs((double) want[i]));
        }
        assertTrue(err <= 2e-5 * (1 + scale), what + ": max |concurrent - solo| = " + err);
    }

    /** Whether {@code e} is the clean end of a call on a closed model or session. */
    private static boolean closedCleanly(Throwable e) {
        return e instanceof IllegalStateException
                && e.getMessage() != null
                && e.getMessage().matches("(model .* is closed|session is closed)");
    }

    /** Uses the model from one thread, with every kind of call, until the model is closed under it. */
    private static void busy(Model model, int id, int[] longInput) {
        Random rnd = new Random(id);
        GenerationOptions gen = generation(12, id);
        int[] some = Arrays.copyOf(longInput, 48);
        for (int i = 0; ; i++) {
            try (Session s = model.newSession()) {
                switch ((i + id) % 6) {
                    case 0 -> s.ingest(longInput);
                    case 1 -> s.generate("ab", gen, text -> {});
                    case 2 -> s.evalAll(some);
                    case 3 -> {
                        s.prefill(some);
                        s.fork().close();
                        s.snapshot();
                    }
                    case 4 -> {
                        s.prefill(some);
                        s.restore(s.snapshot());
                        s.reset();
                    }
                    default -> {
                        Session.TextStream st = s.stream("xy", gen);
                        while (st.hasNext()) st.next();
                    }
                }
                if (rnd.nextInt(8) == 0) Thread.yield();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.rwkvx.ArchSetup#all")
    void closingTheModelDuringCallsEndsThemCleanly(ArchSetup setup) throws Exception {
        long before = Rwkvx.liveNativeHandles();
        Random rnd = new Random(1);
        int[] longInput = TestModels.randomBytes(1500, 3);
        for (int round = 0; round < 6; round++) {
            Model model = setup.open();
            List<Throwable> unexpected = new CopyOnWriteArrayList<>();
            CountDownLatch started = new CountDownLatch(THREADS);
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int id = t;
                workers.add(Thread.ofPlatform().start(() -> {
                    started.countDown();
                    try {
                        busy(model, id, longInput);
                    } catch (Throwable e) {
                        if (!closedCleanly(e)) unexpected.add(e);
                    }
                }));
            }
            assertTrue(started.await(20, TimeUnit.SECONDS));
            Thread.sleep(rnd.nextInt(12));
            if (round % 2 == 0) { // two threads close at once; both return once the model is closed
                Thread other = Thread.ofPlatform().start(model::close);
                model.close();
                other.join();
            } else {
                model.close();
            }
            for (Thread w : workers) {
                w.join(20_000);
                assertFalse(w.isAlive(), "a worker still runs on the closed model");
            }
            assertNoUnexpected(unexpected, setup + " round " + round);
            IllegalStateException e = assertThrows(IllegalStateException.class, model::newSession);
            assertTrue(closedCleanly(e), e.getMessage());
        }
        assertEquals(before, Rwkvx.liveNativeHandles(), "every native handle is freed");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.rwkvx.ArchSetup#all")
    void closingASessionDuringItsCallsEndsThemCleanly(ArchSetup setup) throws Exception {
        Random rnd = new Random(2);
        int[] longInput = TestModels.randomBytes(1500, 4);
        int[] prompt = TestModels.randomBytes(20, 5);
        try (Model model = setup.open()) {
            float[] want;
            try (Session s = model.newSession()) {
                want = s.prefill(prompt);
            }
            long withModel = Rwkvx.liveNativeHandles();
            for (int round = 0; round < 10; round++) {
                Session s = model.newSession();
                List<Throwable> unexpected = new CopyOnWriteArrayList<>();
                AtomicInteger op = new AtomicInteger(round);
                CountDownLatch started = new CountDownLatch(1);
                Thread worker = Thread.ofPlatform().start(() -> {
                    started.countDown();
                    try {
                        while (true)
                            switch (op.getAndIncrement() % 4) {
                                case 0 -> s.ingest(longInput);
                                case 1 -> s.generate("ab", generation(12, 1), text -> {});
                                case 2 -> s.evalAll(Arrays.copyOf(longInput, 64));
                                default -> s.fork().close();
                            }
                    } catch (Throwable e) {
                        if (!closedCleanly(e)) unexpected.add(e);
                    }
                });
                assertTrue(started.await(20, TimeUnit.SECONDS));
                Thread.sleep(rnd.nextInt(4));
                if (round % 2 == 0) {
                    Thread other = Thread.ofPlatform().start(s::close);
                    s.close();
                    other.join();
                } else {
                    s.close();
                }
                worker.join(20_000);
                assertFalse(worker.isAlive(), "the worker still runs on the closed session");
                assertNoUnexpected(unexpected, setup + " round " + round);
                IllegalStateException e = assertThrows(IllegalStateException.class, s::snapshot);
                assertEquals("session is closed", e.getMessage());
            }
            // The model goes on as before, with no state left behind.
            try (Session s = model.newSession()) {
                assertArrayEquals(want, s.prefill(prompt));
            }
            assertEquals(withModel, Rwkvx.liveNativeHandles(), "the closed sessions' states are freed");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.rwkvx.ArchSetup#all")
    void aSessionInUseRefusesEveryCallOfAnotherThread(ArchSetup setup) throws Exception {
        int[] prompt = TestModels.randomBytes(16, 6);
        GenerationOptions gen = generation(20, 7);
        try (Model model = setup.open();
                Session s = model.newSession()) {
            s.prefill(prompt);
            State snap = s.snapshot();
            Path file = dir.resolve("s.state");
            s.saveState(file);
            CountDownLatch inside = new CountDownLatch(1), release = new CountDownLatch(1);
            ExecutorService one = Executors.newSingleThreadExecutor();
            try {
                // The callback parks the generation between two tokens: the session is in use all along.
                Future<GenerationResult> generating = one.submit(() -> s.generate("", gen, text -> {
                    inside.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }));
                assertTrue(inside.await(20, TimeUnit.SECONDS), "the generation started");
                Map<String, Executable> calls = new LinkedHashMap<>();
                calls.put("prefill", () -> s.prefill(1, 2));
                calls.put("decodeStep", () -> s.decodeStep(1));
                calls.put("ingest", () -> s.ingest(1));
                calls.put("evalAll", () -> s.evalAll(1));
                calls.put("generate", () -> s.generate("a", gen, text -> {}));
                calls.put("stream", () -> s.stream("a", gen));
                calls.put("snapshot", s::snapshot);
                calls.put("restore", () -> s.restore(snap));
                calls.put("fork", s::fork);
                calls.put("saveState", () -> s.saveState(dir.resolve("other.state")));
                calls.put("loadState", () -> s.loadState(file));
                calls.put("reset", s::reset);
                calls.put("logits", s::logits);
                for (Map.Entry<String, Executable> c : calls.entrySet()) {
                    ConcurrentModificationException e =
                            assertThrows(ConcurrentModificationException.class, c.getValue(), c.getKey());
                    assertTrue(
                            e.getMessage().startsWith("cannot " + c.getKey() + ": ")
                                    && e.getMessage().contains("(generate in progress)"),
                            e.getMessage());
                }
                release.countDown();
                GenerationResult r = generating.get(20, TimeUnit.SECONDS);
                // Undisturbed: the same text as the same generation on a session of its own.
                try (Session solo = model.newSession()) {
                    solo.restore(snap);
                    assertEquals(r.text(), solo.generate("", gen, text -> {}).text());
                    assertArrayEquals(solo.logits(), s.logits(), "the refused calls changed nothing");
                }
            } finally {
                release.countDown();
                one.shutdownNow();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.rwkvx.ArchSetup#all")
    void twoThreadsHammeringOneSessionGetRefusalsNotCrashes(ArchSetup setup) throws Exception {
        int[] prompt = TestModels.randomBytes(16, 8);
        try (Model model = setup.open();
                Session s = model.newSession()) {
            s.prefill(prompt);
            State snap = s.snapshot();
            AtomicBoolean stop = new AtomicBoolean();
            List<Throwable> unexpected = new CopyOnWriteArrayList<>();
            AtomicInteger refused = new AtomicInteger();
            Runnable generator = () -> {
                GenerationOptions gen = generation(8, 9);
                for (int i = 0; !stop.get(); i++)
                    try {
                        if (i % 2 == 0) s.generate("", gen, text -> {});
                        else {
                            Session.TextStream st = s.stream("", gen);
                            while (st.hasNext()) st.next();
                        }
                    } catch (ConcurrentModificationException e) {
                        refused.incrementAndGet();
                    } catch (Throwable e) {
                        unexpected.add(e);
                    }
            };
            Runnable other = () -> {
                for (int i = 0; !stop.get(); i++)
                    try {
                        switch (i % 4) {
                            case 0 -> s.snapshot();
                            case 1 -> s.restore(snap);
                            case 2 -> s.prefill(prompt[i % prompt.length]);
                            default -> s.logits();
                        }
                    } catch (ConcurrentModificationException e) {
                        refused.incrementAndGet();
                    } catch (Throwable e) {
                        unexpected.add(e);
                    }
            };
            List<Thread> threads = List.of(
                    Thread.ofPlatform().start(generator),
                    Thread.ofPlatform().start(other),
                    Thread.ofPlatform().start(other));
            Thread.sleep(400);
            stop.set(true);
            for (Thread t : threads) t.join(20_000);
            assertNoUnexpected(unexpected, setup.toString());
            // Still consistent: the session continues like a fresh one from the same snapshot.
            s.restore(snap);
            try (Session solo = model.newSession()) {
                solo.restore(snap);
                assertArrayEquals(solo.prefill(prompt), s.prefill(prompt));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.rwkvx.ArchSetup#all")
    void aCallbackMayUseOrCloseItsSessionAndModel(ArchSetup setup) {
        long before = Rwkvx.liveNativeHandles();
        GenerationOptions gen = generation(40, 11);
        // Long enough that the first piece comes before the last token: a close in its callback is then
        // followed by another decode step.
        GenerationOptions longer = generation(200, 11);
        Model model = setup.open();
        try (Session s = model.newSession()) {
            // The callback runs on the generating thread, between tokens: it may use the session.
            List<State> seen = new ArrayList<>();
            s.generate("ab", gen, text -> seen.add(s.snapshot()));
            assertFalse(seen.isEmpty());
            // Closing the session from the callback ends the generation cleanly.
            IllegalStateException e =
                    assertThrows(IllegalStateException.class, () -> s.generate("ab", longer, text -> s.close()));
            assertEquals("session is closed", e.getMessage());
        }
        Session s = model.newSession();
        // Closing the model from the callback: no deadlock, a clean end, every handle freed.
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> s.generate("ab", longer, text -> model.close()));
        assertTrue(e.getMessage().startsWith("model ") && e.getMessage().endsWith(" is closed"), e.getMessage());
        assertEquals(before, Rwkvx.liveNativeHandles(), "every native handle is freed");
    }

    private static void assertNoUnexpected(List<Throwable> unexpected, String where) {
        if (unexpected.isEmpty()) return;
        AssertionError e = new AssertionError(
                where + ": " + unexpected.size() + " unexpected failure(s), the first: " + unexpected.getFirst());
        unexpected.forEach(e::addSuppressed);
        throw e;
    }
}
