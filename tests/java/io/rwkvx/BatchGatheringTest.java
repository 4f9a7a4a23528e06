package io.rwkvx;

import static io.rwkvx.ModelChecks.assertBatchedClose;
import static io.rwkvx.ModelChecks.logitsAfter;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.rwkvx.backend.BackendKind;
import io.rwkvx.sampling.SamplerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The leader's wait for the decoders expected back ({@link BatchScheduler}, "Gathering"), with a window the test
 * sets: none while it arranges the last round (a held call while the sessions queue), then unbounded, so that
 * which sessions a round waits for and takes is decided by the arrivals alone, never by timing. A wrong wait shows
 * as a hang (the class timeout), a missing one as a round without the late sessions.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BatchGatheringTest {
    private static final long UNBOUNDED = Long.MAX_VALUE;

    private static Model solo;

    private final RecordingExecutor[] seen = new RecordingExecutor[1];

    /** The window the test sets, and each wait a leader starts (how many sessions it waits for). */
    private static final class TestWindow implements BatchScheduler.GatherPolicy {
        final AtomicLong window = new AtomicLong();
        final BlockingQueue<Integer> waits = new LinkedBlockingQueue<>();

        @Override
        public long windowNanos(long lastRoundNanos) {
            return window.get();
        }

        @Override
        public void waiting(int missing) {
            waits.add(missing);
        }

        /** The next wait a leader starts. */
        int nextWait() throws InterruptedException {
            Integer missing = waits.poll(30, TimeUnit.SECONDS);
            assertNotNull(missing, "no leader waited");
            return missing;
        }
    }

    private final TestWindow gather = new TestWindow();

    @BeforeAll
    static void openSolo() {
        solo = Rwkvx.load(TestModels.FP32, ModelOptions.defaults().withMaxBatch(1));
    }

    @AfterAll
    static void closeSolo() {
        solo.close();
    }

    private Model open() {
        Model model = RecordingExecutor.open(
                TestModels.FP32,
                ModelOptions.defaults()
                        .withBackend(BackendKind.NATIVE)
                        .withThreads(2)
                        .withMaxBatch(4),
                seen);
        model.scheduler().gatherPolicy(gather);
        return model;
    }

    private static int[] prompt(int i) {
        return TestModels.randomBytes(5 + i, 40 + i);
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

    private static <T> CompletableFuture<T> run(Callable<T> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread.ofPlatform().start(() -> {
            try {
                result.complete(call.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    private static <T> T get(CompletableFuture<T> f) throws Exception {
        return f.get(30, TimeUnit.SECONDS);
    }

    private static Throwable failure(CompletableFuture<?> f) throws Exception {
        try {
            f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | CancellationException e) { // completed with a CancellationException: wrapped
            return e.getCause();
        }
        return fail("the call succeeded");
    }

    private static void awaitQueued(Model model, int n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (model.batchingStats().queued() < n) {
            if (System.nanoTime() > deadline) fail("never " + n + " calls queued: " + model.batchingStats());
            Thread.onSpinWait();
        }
    }

    private List<String> callsFrom(int from) {
        return seen[0].callsFrom(from).stream()
                .map(RecordingExecutor.Call::toString)
                .toList();
    }

    /**
     * With no window: {@code members} decode one step each ({@code token}) in one round (they queue while a held
     * step of a session opened for it runs, closed after), which makes them the last round.
     */
    private void lastRoundOf(Model model, int token, List<Session> members) throws Exception {
        gather.window.set(0);
        Session holder = model.newSession();
        RecordingExecutor.Hold hold = seen[0].holdNextCall();
        CompletableFuture<float[]> held = run(() -> holder.decodeStep(token));
        hold.awaitEntered();
        List<CompletableFuture<float[]>> steps = new ArrayList<>();
        for (Session s : members) {
            steps.add(run(() -> s.decodeStep(token)));
            awaitQueued(model, steps.size());
        }
        hold.release();
        get(held);
        for (CompletableFuture<float[]> s : steps) get(s);
        holder.close(); // not waited for any more
        gather.window.set(UNBOUNDED);
    }

    // ---------------------------------------------------------------------------------------------

    @Test
    void aRoundWaitsForTheSessionsOfTheLastRoundAndTakesThemAll() throws Exception {
        try (Model model = open()) {
            List<Session> s = sessions(model, 3);
            lastRoundOf(model, 9, s);
            int start = seen[0].calls.size();
            // Session 0 comes back first and leads: it waits for 1 and 2 however late they come.
            CompletableFuture<float[]> a = run(() -> s.get(0).decodeStep(4));
            assertEquals(2, gather.nextWait());
            CompletableFuture<float[]> b = run(() -> s.get(1).decodeStep(5));
            awaitQueued(model, 2);
            CompletableFuture<float[]> c = run(() -> s.get(2).decodeStep(6));
            float[] a2 = get(a), b2 = get(b), c2 = get(c);
            assertEquals(List.of("batch[0, 1, 2][1, 1, 1]"), callsFrom(start));
            assertBatchedClose(logitsAfter(solo, prompt(0), new int[] {9}, new int[] {4}), a2, "session 0");
            assertBatchedClose(logitsAfter(solo, prompt(1), new int[] {9}, new int[] {5}), b2, "session 1");
            assertBatchedClose(logitsAfter(solo, prompt(2), new int[] {9}, new int[] {6}), c2, "session 2");
            assertTrue(gather.waits.isEmpty(), "one wait: " + gather.waits);
        }
    }

    @Test
    void aLoneSessionNeverWaits() throws Exception {
        try (Model model = open();
                Session s = model.newSession()) {
            gather.window.set(UNBOUNDED);
            s.prefill(prompt(0));
            for (int t = 1; t <= 4; t++) s.decodeStep(t);
            GenerationOptions greedy = GenerationOptions.defaults()
                    .withMaxTokens(8)
                    .withStopAtEndOfText(false)
                    .withSampler(SamplerConfig.greedy());
            s.generate("", greedy, text -> {});
            assertTrue(gather.waits.isEmpty(), "waits: " + gather.waits);
            // Alone again after a round with another session that then left.
            try (Session other = model.newSession()) {
                gather.window.set(0); // session 1's prefill would wait for session 0 (the last round)
                other.prefill(prompt(1));
                lastRoundOf(model, 3, List.of(s, other));
            }
            s.decodeStep(8);
            assertTrue(gather.waits.isEmpty(), "waits: " + gather.waits);
        }
    }

    @Test
    void aSessionThatLeftTheLastRoundOrClosedIsNotWaitedFor() throws Exception {
        try (Model model = open()) {
            List<Session> s = sessions(model, 3);
            lastRoundOf(model, 1, s);
            lastRoundOf(model, 2, s.subList(0, 2)); // session 2 stopped (still open): two rounds since its last
            int start = seen[0].calls.size();
            CompletableFuture<float[]> a = run(() -> s.get(0).decodeStep(3));
            assertEquals(1, gather.nextWait(), "waits for session 1 only");
            CompletableFuture<float[]> b = run(() -> s.get(1).decodeStep(4));
            float[] a3 = get(a), b3 = get(b);
            // Session 1 closes: session 0 runs alone, without a wait.
            s.get(1).close();
            float[] a4 = s.get(0).decodeStep(5);
            assertEquals(List.of("batch[0, 1][1, 1]", "eval[0][1]"), callsFrom(start));
            assertTrue(gather.waits.isEmpty(), "waits: " + gather.waits);
            assertBatchedClose(
                    logitsAfter(solo, prompt(0), new int[] {1}, new int[] {2}, new int[] {3}), a3, "session 0, step 3");
            assertBatchedClose(
                    logitsAfter(solo, prompt(1), new int[] {1}, new int[] {2}, new int[] {4}), b3, "session 1");
            assertBatchedClose(
                    logitsAfter(solo, prompt(0), new int[] {1}, new int[] {2}, new int[] {3}, new int[] {5}),
                    a4,
                    "session 0, step 4");
        }
    }

    @Test
    void closingTheSessionWaitedForLetsTheRoundGo() throws Exception {
        try (Model model = open()) {
            List<Session> s = sessions(model, 2);
            lastRoundOf(model, 1, s);
            int start = seen[0].calls.size();
            CompletableFuture<float[]> a = run(() -> s.get(0).decodeStep(2));
            assertEquals(1, gather.nextWait());
            s.get(1).close();
            assertBatchedClose(logitsAfter(solo, prompt(0), new int[] {1}, new int[] {2}), get(a), "session 0");
            assertEquals(List.of("eval[0][1]"), callsFrom(start));
        }
    }

    @Test
    void closingTheWaitingLeadersSessionOrTheModelEndsItsCall() throws Exception {
        Model model = open();
        List<Session> s = sessions(model, 3);
        lastRoundOf(model, 1, s);
        CompletableFuture<float[]> a = run(() -> s.get(0).decodeStep(2));
        assertEquals(2, gather.nextWait());
        s.get(0).close();
        assertEquals("session is closed", failure(a).getMessage());
        // Session 1 leads next and waits for session 2 (not for the closed one); the model closes meanwhile.
        CompletableFuture<float[]> b = run(() -> s.get(1).decodeStep(3));
        assertEquals(1, gather.nextWait());
        int start = seen[0].calls.size();
        model.close();
        Throwable e = failure(b);
        assertInstanceOf(IllegalStateException.class, e);
        assertEquals("model " + TestModels.FP32 + " is closed", e.getMessage());
        assertEquals(List.of(), callsFrom(start));
    }

    @Test
    void anInterruptedWaitingLeaderHandsTheRoundToTheNextCaller() throws Exception {
        try (Model model = open()) {
            List<Session> s = sessions(model, 3);
            lastRoundOf(model, 1, s);
            int start = seen[0].calls.size();
            Thread[] leader = new Thread[1];
            CompletableFuture<float[]> a = run(() -> {
                leader[0] = Thread.currentThread();
                return s.get(0).decodeStep(2);
            });
            assertEquals(2, gather.nextWait());
            CompletableFuture<float[]> b = run(() -> s.get(1).decodeStep(3));
            awaitQueued(model, 2);
            leader[0].interrupt();
            Throwable e = failure(a);
            assertInstanceOf(CancellationException.class, e);
            assertEquals("decodeStep cancelled: the thread was interrupted", e.getMessage());
            // Session 1 leads now and waits for session 2 only.
            assertEquals(1, gather.nextWait());
            CompletableFuture<float[]> c = run(() -> s.get(2).decodeStep(4));
            assertBatchedClose(logitsAfter(solo, prompt(1), new int[] {1}, new int[] {3}), get(b), "session 1");
            assertBatchedClose(logitsAfter(solo, prompt(2), new int[] {1}, new int[] {4}), get(c), "session 2");
            assertEquals(List.of("batch[1, 2][1, 1]"), callsFrom(start));
            // The interrupted session is as it was, and goes on alone.
            assertEquals(prompt(0).length + 1, s.get(0).position());
        }
    }
}
