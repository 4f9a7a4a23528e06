package io.rwkvx;

import static io.rwkvx.ModelChecks.assertBatchedClose;
import static io.rwkvx.ModelChecks.logitsAfter;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.rwkvx.backend.BackendKind;
import io.rwkvx.backend.LogitsMode;
import io.rwkvx.common.RwkvxException;
import io.rwkvx.sampling.SamplerConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Continuous batching of concurrent sessions ({@link BatchScheduler}), observed through a {@link RecordingExecutor}
 * over the tiny models: which sessions each round ran, with how many tokens. Concurrency is forced with held calls
 * (a round blocks until released while other sessions' calls queue), never with sleeps; results are compared with
 * the same calls run alone (batched logits equal solo ones up to float32 rounding).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BatchSchedulerTest {

    /** Runs every call alone and unchunked: the reference results. */
    private static Model solo;

    private final RecordingExecutor[] seen = new RecordingExecutor[1];

    @BeforeAll
    static void openSolo() {
        solo = Rwkvx.load(TestModels.FP32, options(1));
    }

    @AfterAll
    static void closeSolo() {
        solo.close();
    }

    private static ModelOptions options(int maxBatch) {
        return ModelOptions.defaults()
                .withBackend(BackendKind.NATIVE)
                .withThreads(2)
                .withMaxBatch(maxBatch);
    }

    private Model open(ModelOptions options) {
        return RecordingExecutor.open(TestModels.FP32, options, seen);
    }

    private static int[] prompt(int i) {
        return TestModels.randomBytes(5 + i, 10 + i);
    }

    /** Opens {@code n} sessions, each fed its {@link #prompt} alone. */
    private static List<Session> sessions(Model model, int n) {
        List<Session> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Session s = model.newSession();
            s.prefill(prompt(i));
            out.add(s);
        }
        return out;
    }

    /** A call on a thread of its own. */
    record Running<T>(Thread thread, CompletableFuture<T> result, AtomicBoolean interruptedAtEnd) {
        T get() throws Exception {
            try {
                return result.get(30, TimeUnit.SECONDS);
            } catch (ExecutionException | CancellationException e) {
                if (e.getCause() instanceof Exception x) throw x;
                throw e;
            }
        }

        /** The exception the call ended with (a future completed with a CancellationException wraps it). */
        Throwable failure() throws Exception {
            try {
                result.get(30, TimeUnit.SECONDS);
            } catch (ExecutionException | CancellationException e) {
                return e.getCause();
            }
            return fail("the call succeeded");
        }
    }

    private static <T> Running<T> run(Callable<T> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        AtomicBoolean interrupted = new AtomicBoolean();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                result.complete(call.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            } finally {
                interrupted.set(Thread.currentThread().isInterrupted());
            }
        });
        return new Running<>(t, result, interrupted);
    }

    /** Waits (without a time-based assertion) until {@code n} calls wait for a round. */
    private static void awaitQueued(Model model, int n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (model.batchingStats().queued() < n) {
            if (System.nanoTime() > deadline) fail("never " + n + " calls queued: " + model.batchingStats());
            Thread.onSpinWait();
        }
    }

    /** Waits until {@code t} blocks (a close waiting for the call in flight). */
    private static void awaitWaiting(Thread t) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (t.getState() != Thread.State.WAITING) {
            if (System.nanoTime() > deadline) fail(t + " never waited");
            Thread.onSpinWait();
        }
    }

    private List<String> callsFrom(int from) {
        return seen[0].callsFrom(from).stream()
                .map(RecordingExecutor.Call::toString)
                .toList();
    }

    // ---------------------------------------------------------------------------------------------

    @Test
    void sessionsJoinAndLeaveBetweenRounds() throws Exception {
        try (Model model = open(options(4))) {
            List<Session> s = sessions(model, 4);
            int start = seen[0].calls.size();
            // Round 1: session 0 alone, held while 1 and 2 queue; round 2: 1 and 2 together.
            RecordingExecutor.Hold hold = seen[0].holdNextCall();
            Running<float[]> a = run(() -> s.get(0).decodeStep(1));
            hold.awaitEntered();
            Running<float[]> b = run(() -> s.get(1).decodeStep(2));
            awaitQueued(model, 1);
            Running<float[]> c = run(() -> s.get(2).decodeStep(3));
            awaitQueued(model, 2);
            hold.release();
            float[] a1 = a.get(), b1 = b.get(), c1 = c.get();
            // Session 2 leaves, session 3 joins.
            s.get(2).close();
            hold = seen[0].holdNextCall();
            a = run(() -> s.get(0).decodeStep(4));
            hold.awaitEntered();
            b = run(() -> s.get(1).decodeStep(5));
            awaitQueued(model, 1);
            Running<float[]> d = run(() -> s.get(3).decodeStep(6));
            awaitQueued(model, 2);
            hold.release();
            float[] a2 = a.get(), b2 = b.get(), d1 = d.get();
            assertEquals(
                    List.of("eval[0][1]", "batch[1, 2][1, 1]", "eval[0][1]", "batch[1, 3][1, 1]"), callsFrom(start));
            assertBatchedClose(logitsAfter(solo, prompt(0), new int[] {1}), a1, "session 0, step 1");
            assertBatchedClose(logitsAfter(solo, prompt(1), new int[] {2}), b1, "session 1, step 1");
            assertBatchedClose(logitsAfter(solo, prompt(2), new int[] {3}), c1, "session 2");
            assertBatchedClose(logitsAfter(solo, prompt(0), new int[] {1}, new int[] {4}), a2, "session 0, step 2");
            assertBatchedClose(logitsAfter(solo, prompt(1), new int[] {2}, new int[] {5}), b2, "session 1, step 2");
            assertBatchedClose(logitsAfter(solo, prompt(3), new int[] {6}), d1, "session 3");
            for (Session x : s) x.close();
        }
    }

    @Test
    void aLongPrefillRunsInChunksBesideTheDecodeStepsOfOthers() throws Exception {
        try (Model model = open(options(4).withPrefillChunks(16, 16))) {
            List<Session> s = sessions(model, 3);
            int[] longPrompt = TestModels.randomBytes(100, 7);
            int start = seen[0].calls.size();
            RecordingExecutor.Hold hold = seen[0].holdNextCall();
            Running<float[]> p = run(() -> s.get(0).prefill(longPrompt));
            hold.awaitEntered(); // the first chunk runs; two decode steps arrive meanwhile
            Running<float[]> d1 = run(() -> s.get(1).decodeStep(1));
            awaitQueued(model, 1);
            Running<float[]> d2 = run(() -> s.get(2).decodeStep(2));
            awaitQueued(model, 2);
            hold.release();
            float[] pl = p.get();
            // The second chunk runs with both decode steps; the rest alone; only the last chunk asks for logits.
            assertEquals(
                    List.of(
                            "eval[0][16]",
                            "batch[1, 2, 0][1, 1, 16]",
                            "eval[0][16]",
                            "eval[0][16]",
                            "eval[0][16]",
                            "eval[0][16]",
                            "eval[0][4]"),
                    callsFrom(start));
            List<RecordingExecutor.Call> calls = seen[0].callsFrom(start);
            assertEquals(
                    List.of(LogitsMode.LAST, LogitsMode.LAST, LogitsMode.NONE),
                    calls.get(1).modes());
            for (int i = 0; i < calls.size(); i++)
                if (i != 1)
                    assertEquals(
                            List.of(i == calls.size() - 1 ? LogitsMode.LAST : LogitsMode.NONE),
                            calls.get(i).modes());
            assertEquals(prompt(0).length + 100, s.get(0).position());
            assertBatchedClose(logitsAfter(solo, prompt(0), longPrompt), pl, "the chunked prefill");
            assertBatchedClose(logitsAfter(solo, prompt(1), new int[] {1}), d1.get(), "decode step 1");
            assertBatchedClose(logitsAfter(solo, prompt(2), new int[] {2}), d2.get(), "decode step 2");
            // evalAll in chunks: every row in its place.
            float[][] rows = s.get(1).evalAll(longPrompt);
            float[][] want;
            try (Session alone = solo.newSession()) {
                alone.prefill(prompt(1));
                alone.decodeStep(1);
                want = alone.evalAll(longPrompt);
            }
            for (int t = 0; t < rows.length; t++) assertBatchedClose(want[t], rows[t], "evalAll row " + t);
        }
    }

    @Test
    void aFullBatchLeavesTheRestFirstInLineForTheNextRound() throws Exception {
        try (Model model = open(options(2))) {
            List<Session> s = sessions(model, 6);
            int start = seen[0].calls.size();
            RecordingExecutor.Hold hold = seen[0].holdNextCall();
            List<Running<float[]>> steps = new ArrayList<>();
            steps.add(run(() -> s.get(0).decodeStep(0)));
            hold.awaitEntered();
            for (int i = 1; i < 6; i++) {
                Session x = s.get(i);
                int token = i;
                steps.add(run(() -> x.decodeStep(token)));
                awaitQueued(model, i); // arrival order: 1, 2, 3, 4, 5
            }
            hold.release();
            for (int i = 0; i < 6; i++)
                assertBatchedClose(
                        logitsAfter(solo, prompt(i), new int[] {i}),
                        steps.get(i).get(),
                        "session " + i);
            assertEquals(
                    List.of("eval[0][1]", "batch[1, 2][1, 1]", "batch[3, 4][1, 1]", "eval[5][1]"), callsFrom(start));
        }
    }

    @Test
    void aPrefillsLaterChunksQueueBehindTheStepsThatArrivedMeanwhile() throws Exception {
        try (Model model = open(options(3).withPrefillChunks(8, 8))) {
            List<Session> s = sessions(model, 5);
            int[] p20 = TestModels.randomBytes(20, 21), q12 = TestModels.randomBytes(12, 22);
            int start = seen[0].calls.size();
            RecordingExecutor.Hold first = seen[0].holdNextCall();
            Running<float[]> r0 = run(() -> s.get(0).decodeStep(0));
            first.awaitEntered();
            Running<float[]> p = run(() -> s.get(1).prefill(p20));
            awaitQueued(model, 1);
            Running<float[]> q = run(() -> s.get(2).prefill(q12));
            awaitQueued(model, 2);
            Running<float[]> d = run(() -> s.get(3).decodeStep(3));
            awaitQueued(model, 3);
            RecordingExecutor.Hold second = seen[0].holdNextCall();
            first.release();
            // Round 2: p's first chunk fills the round's prefill budget: q keeps its place, d runs.
            second.awaitEntered();
            Running<float[]> e = run(() -> s.get(4).decodeStep(4));
            awaitQueued(model, 2); // q and e
            second.release();
            List<float[]> got = List.of(r0.get(), p.get(), q.get(), d.get(), e.get());
            // Round 3: q (first in line) and e, which came while p's chunk ran; p's next chunk waits behind them.
            assertEquals(
                    List.of("eval[0][1]", "batch[1, 3][8, 1]", "batch[2, 4][8, 1]", "eval[1][8]", "batch[2, 1][4, 4]"),
                    callsFrom(start));
            int[][] fed = {{0}, p20, q12, {3}, {4}};
            for (int i = 0; i < 5; i++)
                assertBatchedClose(logitsAfter(solo, prompt(i), fed[i]), got.get(i), "session " + i);
        }
    }

    @Test
    void withMoreSessionsThanMaxBatchEverySessionProgresses() throws Exception {
        int n = 6, steps = 8;
        try (Model model = open(options(2))) {
            List<Session> s = sessions(model, n);
            int start = seen[0].calls.size();
            CyclicBarrier together = new CyclicBarrier(n);
            List<Running<float[]>> runs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Session x = s.get(i);
                int[] tokens = TestModels.randomBytes(steps, 40 + i);
                runs.add(run(() -> {
                    together.await();
                    float[] last = null;
                    for (int t : tokens) last = x.decodeStep(t);
                    return last;
                }));
            }
            for (int i = 0; i < n; i++) {
                int[][] calls = stepwise(prompt(i), TestModels.randomBytes(steps, 40 + i));
                assertBatchedClose(logitsAfter(solo, calls), runs.get(i).get(), "session " + i);
            }
            int[] items = new int[n];
            for (RecordingExecutor.Call c : seen[0].callsFrom(start)) {
                assertTrue(c.sessions().size() <= 2, "a round of at most maxBatch calls: " + c);
                for (int x : c.sessions()) items[x]++;
            }
            for (int i = 0; i < n; i++) assertEquals(steps, items[i], "steps of session " + i);
            BatchingStats stats = model.batchingStats();
            assertEquals(0, stats.queued());
            assertTrue(stats.averageBatchSize() >= 1 && stats.averageBatchSize() <= 2, stats.toString());
        }
    }

    @Test
    void anInterruptedWaitingCallLeavesTheQueueAndTheOthersGoOn() throws Exception {
        try (Model model = open(options(4))) {
            List<Session> s = sessions(model, 4);
            int start = seen[0].calls.size();
            RecordingExecutor.Hold hold = seen[0].holdNextCall();
            Running<float[]> r0 = run(() -> s.get(0).decodeStep(0));
            hold.awaitEntered();
            List<Running<float[]>> r = new ArrayList<>(List.of(r0));
            for (int i = 1; i < 4; i++) {
                Session x = s.get(i);
                int token = i;
                r.add(run(() -> x.decodeStep(token)));
                awaitQueued(model, i);
            }
            r.get(2).thread().interrupt();
            Throwable e = r.get(2).failure(); // before the round in progress ends
            assertInstanceOf(CancellationException.class, e);
            assertEquals("decodeStep cancelled: the thread was interrupted", e.getMessage());
            r.get(2).thread().join();
            assertTrue(r.get(2).interruptedAtEnd().get(), "the interrupt stays set");
            assertEquals(2, model.batchingStats().queued());
            hold.release();
            for (int i : new int[] {0, 1, 3})
                assertBatchedClose(
                        logitsAfter(solo, prompt(i), new int[] {i}), r.get(i).get(), "session " + i);
            assertEquals(List.of("eval[0][1]", "batch[1, 3][1, 1]"), callsFrom(start));
            // The cancelled session is as it was.
            assertEquals(prompt(2).length, s.get(2).position());
            assertBatchedClose(
                    logitsAfter(solo, prompt(2), new int[] {7}), s.get(2).decodeStep(7), "session 2 afterwards");
        }
    }

    @Test
    void aPrefillInterruptedBetweenChunksStopsThereAndCountsWhatItFed() throws Exception {
        try (Model model = open(options(4).withPrefillChunks(16, 16));
                Session s = model.newSession()) {
            int[] tokens = TestModels.randomBytes(100, 8);
            RecordingExecutor.Hold hold = seen[0].holdNextCall();
            Running<float[]> p = run(() -> s.prefill(tokens));
            hold.awaitEntered();
            p.thread().interrupt();
            hold.release();
            Throwable e = p.failure();
            assertInstanceOf(CancellationException.class, e);
            assertEquals("prefill cancelled: the thread was interrupted after 16 of 100 tokens", e.getMessage());
            p.thread().join();
            assertTrue(p.interruptedAtEnd().get(), "the interrupt stays set");
            assertEquals(16, s.position());
            assertFalse(s.hasLogits());
            // The session goes on from there.
            float[] rest = s.prefill(Arrays.copyOfRange(tokens, 16, 100));
            assertBatchedClose(
                    logitsAfter(solo, Arrays.copyOf(tokens, 16), Arrays.copyOfRange(tokens, 16, 100)),
                    rest,
                    "afterwards");
        }
    }

    @Test
    void aCancelledStreamStopsWithinOneTokenWhileTheOthersFinish() throws Exception {
        GenerationOptions greedy = GenerationOptions.defaults()
                .withMaxTokens(40)
                .withStopAtEndOfText(false)
                .withSampler(SamplerConfig.greedy());
        GenerationResult soloA, soloB;
        try (Session a = solo.newSession();
                Session b = solo.newSession()) {
            soloA = a.generate("first prompt", greedy, text -> {});
            soloB = b.generate("the second", greedy, text -> {});
        }
        try (Model model = open(options(4));
                Session a = model.newSession();
                Session b = model.newSession()) {
            Session.TextStream stream = a.stream("first prompt", greedy);
            CountDownLatch pulled = new CountDownLatch(1), cancelled = new CountDownLatch(1);
            Running<int[]> streaming = run(() -> {
                for (int i = 0; i < 3; i++) stream.next();
                int before = stream.result().tokens().length;
                pulled.countDown();
                cancelled.await();
                while (stream.hasNext()) stream.next();
                return new int[] {before, stream.result().tokens().length};
            });
            Running<GenerationResult> other = run(() -> b.generate("the second", greedy, text -> {}));
            assertTrue(pulled.await(30, TimeUnit.SECONDS));
            stream.cancel(); // from another thread than the stream's
            cancelled.countDown();
            int[] counts = streaming.get();
            GenerationResult r = stream.result();
            assertEquals(GenerationResult.StopReason.CANCELLED, r.stopReason());
            assertTrue(counts[1] <= counts[0] + 1, "stopped within one token: " + Arrays.toString(counts));
            assertTrue(r.tokens().length < soloA.tokens().length);
            assertArrayEquals(Arrays.copyOf(soloA.tokens(), r.tokens().length), r.tokens(), "the tokens so far");
            assertArrayEquals(soloB.tokens(), other.get().tokens(), "the other stream is undisturbed");
            // The cancelled session holds every token of its result and goes on.
            int[] prompt = model.tokenizer().encode("first prompt");
            assertEquals(prompt.length + r.tokens().length, a.position());
            assertBatchedClose(
                    logitsAfter(solo, stepwise(prompt, r.tokens())), a.logits(), "the cancelled session's logits");
        }
    }

    @Test
    void closingAQueuedSessionEndsItsCallAtOnceAndSparesTheOthers() throws Exception {
        try (Model model = open(options(4))) {
            List<Session> s = sessions(model, 3);
            int start = seen[0].calls.size();
            RecordingExecutor.Hold hold = seen[0].holdNextCall();
            Running<float[]> r0 = run(() -> s.get(0).decodeStep(0));
            hold.awaitEntered();
            Running<float[]> r1 = run(() -> s.get(1).decodeStep(1));
            awaitQueued(model, 1);
            Running<float[]> r2 = run(() -> s.get(2).decodeStep(2));
            awaitQueued(model, 2);
            s.get(1).close(); // returns while the round is held: session 1's call was only queued
            Throwable e = r1.failure();
            assertInstanceOf(IllegalStateException.class, e);
            assertEquals("session is closed", e.getMessage());
            assertEquals(1, model.batchingStats().queued());
            hold.release();
            assertBatchedClose(logitsAfter(solo, prompt(0), new int[] {0}), r0.get(), "session 0");
            assertBatchedClose(logitsAfter(solo, prompt(2), new int[] {2}), r2.get(), "session 2");
            assertEquals(List.of("eval[0][1]", "eval[2][1]"), callsFrom(start));
        }
    }

    @Test
    void closingASessionDuringAChunkedPrefillWaitsForOneChunkOnly() throws Exception {
        try (Model model = open(options(4).withPrefillChunks(16, 16))) {
            long withModel = Rwkvx.liveNativeHandles();
            Session s = model.newSession();
            int start = seen[0].calls.size();
            RecordingExecutor.Hold hold = seen[0].holdNextCall();
            Running<float[]> p = run(() -> s.prefill(TestModels.randomBytes(100, 9)));
            hold.awaitEntered();
            Running<Void> closing = run(() -> {
                s.close();
                return null;
            });
            awaitWaiting(closing.thread()); // the close waits for the chunk in flight
            hold.release();
            closing.get();
            assertEquals("session is closed", p.failure().getMessage());
            assertEquals(List.of("eval[0][16]"), callsFrom(start));
            assertEquals(withModel, Rwkvx.liveNativeHandles(), "the state is freed");
        }
    }

    @Test
    void closingTheModelEndsQueuedCallsAtOnceAndWaitsForTheRoundInProgress() throws Exception {
        long before = Rwkvx.liveNativeHandles();
        Model model = open(options(4));
        List<Session> s = sessions(model, 3);
        RecordingExecutor.Hold hold = seen[0].holdNextCall();
        Running<float[]> r0 = run(() -> s.get(0).decodeStep(0));
        hold.awaitEntered();
        Running<float[]> r1 = run(() -> s.get(1).decodeStep(1));
        awaitQueued(model, 1);
        Running<float[]> r2 = run(() -> s.get(2).decodeStep(2));
        awaitQueued(model, 2);
        Running<Void> closing = run(() -> {
            model.close();
            return null;
        });
        for (Running<float[]> r : List.of(r1, r2)) { // before the round in progress ends
            Throwable e = r.failure();
            assertInstanceOf(IllegalStateException.class, e);
            assertEquals("model " + TestModels.FP32 + " is closed", e.getMessage());
        }
        hold.release();
        closing.get();
        assertBatchedClose(logitsAfter(solo, prompt(0), new int[] {0}), r0.get(), "the call in the round completes");
        assertThrows(IllegalStateException.class, () -> s.get(0).decodeStep(1));
        assertEquals(before, Rwkvx.liveNativeHandles(), "every native handle is freed");
    }

    @Test
    void maxBatchOneRunsEveryCallOnItsOwnAsBefore() throws Exception {
        try (Model model = open(options(1).withPrefillChunks(16, 16));
                Session a = model.newSession();
                Session b = model.newSession()) {
            int[] longPrompt = TestModels.randomBytes(100, 10);
            RecordingExecutor.Hold hold = seen[0].holdNextCall();
            Running<float[]> p = run(() -> a.prefill(longPrompt));
            hold.awaitEntered();
            float[] lb = b.prefill(prompt(1)); // runs while a's call is held: no rounds to wait for
            hold.release();
            float[] la = p.get();
            assertEquals(List.of("eval[0][100]", "eval[1][6]"), callsFrom(0));
            assertArrayEquals(logitsAfter(solo, longPrompt), la, "unchunked, as a solo call");
            assertArrayEquals(logitsAfter(solo, prompt(1)), lb);
            BatchingStats stats = model.batchingStats();
            assertEquals(new BatchingStats(0, 1, 1, 2, 2, 106), stats);
        }
    }

    static Stream<Arguments> architectures() {
        return Stream.of(
                Arguments.of("RWKV-7", TestModels.FP32, BackendKind.NATIVE),
                Arguments.of("RWKV-4", ArchSetup.RWKV4, BackendKind.NATIVE),
                Arguments.of("RWKV-X", ArchSetup.hybridFile(), BackendKind.NATIVE),
                Arguments.of("RWKV-7 reference", TestModels.FP32, BackendKind.REFERENCE));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("architectures")
    void concurrentGreedyGenerationsEqualTheirSoloRuns(String name, Path file, BackendKind kind) throws Exception {
        String[] prompts = {"alpha", "beta gamma", "delta", "epsilon zeta eta", "theta", "iota kappa"};
        GenerationOptions greedy = GenerationOptions.defaults()
                .withMaxTokens(24)
                .withStopAtEndOfText(false)
                .withSampler(SamplerConfig.greedy());
        ModelOptions base = ModelOptions.defaults().withBackend(kind).withThreads(2);
        List<GenerationResult> want = new ArrayList<>();
        List<float[]> wantLogits = new ArrayList<>();
        try (Model alone = Rwkvx.load(file, base.withMaxBatch(1))) {
            for (String p : prompts)
                try (Session s = alone.newSession()) {
                    want.add(s.generate(p, greedy, text -> {}));
                    wantLogits.add(s.logits());
                }
        }
        try (Model model = RecordingExecutor.open(file, base.withMaxBatch(8), seen)) {
            List<Session> sessions = new ArrayList<>();
            for (int i = 0; i < prompts.length; i++) sessions.add(model.newSession());
            // The first prompt's call is held until every other prompt waits: they start as one batch.
            RecordingExecutor.Hold hold = seen[0].holdNextCall();
            List<Running<GenerationResult>> runs = new ArrayList<>();
            for (int i = 0; i < prompts.length; i++) {
                Session s = sessions.get(i);
                String p = prompts[i];
                runs.add(run(() -> s.generate(p, greedy, text -> {})));
                if (i == 0) hold.awaitEntered();
                else awaitQueued(model, i);
            }
            hold.release();
            for (int i = 0; i < prompts.length; i++) {
                GenerationResult got = runs.get(i).get();
                assertArrayEquals(want.get(i).tokens(), got.tokens(), name + ": tokens of '" + prompts[i] + "'");
                assertEquals(want.get(i).text(), got.text());
                assertBatchedClose(
                        wantLogits.get(i), sessions.get(i).logits(), name + ": logits of '" + prompts[i] + "'");
            }
            // Round 2: the other prompts (and maybe the first session's first decode step).
            RecordingExecutor.Call second = seen[0].calls.get(1);
            assertTrue(second.batched() && second.sessions().containsAll(List.of(1, 2, 3, 4, 5)), second.toString());
            for (Session s : sessions) s.close();
        }
    }

    @Test
    void aFailingBatchIsRerunItemByItemSoOnlyTheGuiltySessionFails() throws Exception {
        try (Model model = open(options(4))) {
            List<Session> s = sessions(model, 4);
            seen[0].poisoned = seen[0].state(2);
            int start = seen[0].calls.size();
            RecordingExecutor.Hold hold = seen[0].holdNextCall();
            List<Running<float[]>> r = new ArrayList<>();
            r.add(run(() -> s.get(0).decodeStep(0)));
            hold.awaitEntered();
            for (int i = 1; i < 4; i++) {
                Session x = s.get(i);
                int token = i;
                r.add(run(() -> x.decodeStep(token)));
                awaitQueued(model, i);
            }
            hold.release();
            Throwable e = r.get(2).failure();
            assertInstanceOf(RwkvxException.class, e);
            assertEquals("poisoned state of session 2", e.getMessage());
            for (int i : new int[] {0, 1, 3})
                assertBatchedClose(
                        logitsAfter(solo, prompt(i), new int[] {i}), r.get(i).get(), "session " + i);
            assertEquals(
                    List.of("eval[0][1]", "batch[1, 2, 3][1, 1, 1]", "eval[1][1]", "eval[2][1]", "eval[3][1]"),
                    callsFrom(start));
            assertEquals(prompt(2).length, s.get(2).position());
            seen[0].poisoned = null;
            assertBatchedClose(
                    logitsAfter(solo, prompt(2), new int[] {5}), s.get(2).decodeStep(5), "session 2 afterwards");
        }
    }

    @Test
    void badTokensAreRefusedBeforeQueuingWithTheCallsName() {
        try (Model model = open(options(4));
                Session s = model.newSession()) {
            int v = model.config().nVocab();
            assertEquals(
                    "prefill: token " + v + " at position 1 is out of range [0, " + v + ")",
                    assertThrows(RwkvxException.class, () -> s.prefill(5, v)).getMessage());
            assertEquals(
                    "decodeStep: token -1 at position 0 is out of range [0, " + v + ")",
                    assertThrows(RwkvxException.class, () -> s.decodeStep(-1)).getMessage());
            assertEquals(
                    "ingest: token -2 at position 2 is out of range [0, " + v + ")",
                    assertThrows(RwkvxException.class, () -> s.ingest(1, 2, -2)).getMessage());
            assertEquals(
                    "evalAll: no tokens to evaluate",
                    assertThrows(IllegalArgumentException.class, s::evalAll).getMessage());
            assertEquals(List.of(), callsFrom(0));
            assertEquals(0, s.position());
        }
    }

    @Test
    void statsCountTheQueueRoundsBatchSizesAndTokens() throws Exception {
        try (Model model = open(options(4));
                Session a = model.newSession();
                Session b = model.newSession();
                Session c = model.newSession()) {
            assertEquals(new BatchingStats(0, 4, 0, 0, 0, 0), model.batchingStats());
            assertEquals(0, model.batchingStats().averageBatchSize());
            RecordingExecutor.Hold hold = seen[0].holdNextCall();
            Running<float[]> ra = run(() -> a.prefill(1, 2, 3));
            hold.awaitEntered();
            Running<float[]> rb = run(() -> b.decodeStep(4));
            awaitQueued(model, 1);
            Running<float[]> rc = run(() -> c.decodeStep(5));
            awaitQueued(model, 2);
            assertEquals(2, model.batchingStats().queued());
            hold.release();
            ra.get();
            rb.get();
            rc.get();
            BatchingStats stats = model.batchingStats();
            assertEquals(new BatchingStats(0, 4, 2, 2, 3, 5), stats);
            assertEquals(1.5, stats.averageBatchSize());
        }
    }

    /** The prompt, then each token as its own call: how a generation feeds them. */
    private static int[][] stepwise(int[] prompt, int[] tokens) {
        int[][] calls = new int[tokens.length + 1][];
        calls[0] = prompt;
        for (int t = 0; t < tokens.length; t++) calls[t + 1] = new int[] {tokens[t]};
        return calls;
    }
}
