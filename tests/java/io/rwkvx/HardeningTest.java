package io.rwkvx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.rwkvx.backend.BackendKind;
import io.rwkvx.common.RwkvxException;
import io.rwkvx.common.WeightPlacement;
import io.rwkvx.sampling.SamplerConfig;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.ConcurrentModificationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Regression tests of the issue "Hardening", one per case a hostile user found through the API (the command
 * line's cases are in {@code cli.HardeningCliTest}): each now ends in a clean exception, and nothing crashes or
 * leaks.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HardeningTest {
    @TempDir
    Path dir;

    private static Model rwkv7(WeightPlacement weights) {
        return TestModels.open(TestModels.FP32, BackendKind.NATIVE, weights);
    }

    private static void assertClosed(Throwable e, String what) {
        assertTrue(e instanceof IllegalStateException, "an IllegalStateException, not " + e);
        assertTrue(
                e.getMessage().startsWith(what) && e.getMessage().endsWith(" is closed"),
                "'" + what + " ... is closed', not: " + e.getMessage());
    }

    /** The outcome of a call run on another thread: null for success, else what it threw. */
    private static Throwable outcome(Future<?> f) throws InterruptedException {
        try {
            f.get(60, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            return fail("the call did not end", e);
        }
    }

    /** Case 1: Model.close() 30 ms into a 40,000-token ingest on another thread crashed the JVM. */
    @ParameterizedTest
    @EnumSource(WeightPlacement.class)
    void closingTheModelDuringALongIngestWaitsForIt(WeightPlacement weights) throws Exception {
        long before = Rwkvx.liveNativeHandles();
        int[] tokens = TestModels.randomBytes(40_000, 1);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Model model = rwkv7(weights);
            Session s = model.newSession();
            CountDownLatch started = new CountDownLatch(1);
            Future<?> ingest = pool.submit(() -> {
                started.countDown();
                s.ingest(tokens);
            });
            started.await();
            Thread.sleep(30);
            model.close(); // waits for the ingest in flight, then frees
            Throwable e = outcome(ingest);
            if (e != null) assertClosed(e, "model ");
            assertClosed(assertThrows(IllegalStateException.class, () -> s.ingest(1)), "model ");
            assertClosed(assertThrows(IllegalStateException.class, model::newSession), "model ");
        } finally {
            pool.shutdownNow();
        }
        assertEquals(before, Rwkvx.liveNativeHandles(), "state, model and context are freed");
    }

    /** Case 2: Session.close() during a running prefill or ingest freed memory the call was writing. */
    @ParameterizedTest
    @ValueSource(strings = {"prefill", "ingest"})
    void closingASessionDuringItsCallWaitsForIt(String call) throws Exception {
        int[] tokens = TestModels.randomBytes(6_000, 2);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Model model = rwkv7(WeightPlacement.RESIDENT)) {
            long withModel = Rwkvx.liveNativeHandles();
            for (int round = 0; round < 4; round++) {
                Session s = model.newSession();
                CountDownLatch started = new CountDownLatch(1);
                Future<?> running = pool.submit(() -> {
                    started.countDown();
                    if (call.equals("prefill")) s.prefill(tokens);
                    else s.ingest(tokens);
                });
                started.await();
                Thread.sleep(3 * round);
                s.close();
                Throwable e = outcome(running);
                if (e != null) assertEquals("session is closed", e.getMessage(), e.toString());
                assertEquals(
                        "session is closed",
                        assertThrows(IllegalStateException.class, s::logits).getMessage());
            }
            assertEquals(withModel, Rwkvx.liveNativeHandles(), "the sessions' states are freed");
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Case 3: Model.close() during generate threw FFM's "Session is acquired by 1 clients", left the native context
     * and model allocated, and the generating thread got a mix of messages (once an AssertionError from the
     * bindings).
     */
    @Test
    void closingTheModelDuringGenerateEndsItCleanlyAndFreesEverything() throws Exception {
        long before = Rwkvx.liveNativeHandles();
        GenerationOptions gen = GenerationOptions.defaults()
                .withMaxTokens(400)
                .withStopAtEndOfText(false)
                .withSampler(SamplerConfig.defaults().withSeed(3));
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            for (int i = 0; i < 80; i++) {
                Model model = rwkv7(i % 2 == 0 ? WeightPlacement.RESIDENT : WeightPlacement.IN_PLACE);
                Session s = model.newSession();
                CountDownLatch first = new CountDownLatch(1);
                Future<?> generating = pool.submit(() -> s.generate("Hello", gen, text -> first.countDown()));
                first.await(20, TimeUnit.SECONDS);
                Thread.sleep(i % 3);
                model.close(); // no exception, whatever the generation is doing
                Throwable e = outcome(generating);
                if (e != null) assertClosed(e, "model ");
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(before, Rwkvx.liveNativeHandles(), "contexts, models and states are all freed");
    }

    /**
     * Case 4: two threads using one session went undetected: silently wrong logits on RWKV-7, and on RWKV-X a
     * generate on one thread and snapshot() on another killed the JVM.
     */
    @ParameterizedTest
    @ValueSource(strings = {"RWKV-7", "RWKV-X"})
    void aSessionUsedByTwoThreadsRefusesTheSecond(String arch) throws Exception {
        ArchSetup setup = new ArchSetup(arch, WeightPlacement.RESIDENT);
        GenerationOptions gen = GenerationOptions.defaults()
                .withMaxTokens(20)
                .withStopAtEndOfText(false)
                .withSampler(SamplerConfig.defaults().withSeed(4));
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Model model = setup.open();
                Session s = model.newSession()) {
            float[] want = s.prefill(TestModels.bytesOf("shared"));
            CountDownLatch inside = new CountDownLatch(1), release = new CountDownLatch(1);
            Future<GenerationResult> generating = pool.submit(() -> s.generate("", gen, text -> {
                inside.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }));
            assertTrue(inside.await(20, TimeUnit.SECONDS));
            ConcurrentModificationException snap = assertThrows(ConcurrentModificationException.class, s::snapshot);
            assertTrue(
                    snap.getMessage().startsWith("cannot snapshot: the session is in use by thread '")
                            && snap.getMessage().contains("(generate in progress)"),
                    snap.getMessage());
            ConcurrentModificationException prefill =
                    assertThrows(ConcurrentModificationException.class, () -> s.prefill(1));
            assertTrue(prefill.getMessage().startsWith("cannot prefill: "), prefill.getMessage());
            release.countDown();
            generating.get(20, TimeUnit.SECONDS);
            // Once the generation is over, another thread may use the session.
            s.reset();
            assertArrayEquals(want, s.prefill(TestModels.bytesOf("shared")));
        } finally {
            pool.shutdownNow();
        }
    }

    /** Case 5 (API): withMaxTokens(Integer.MAX_VALUE) allocated an int[Integer.MAX_VALUE] up front. */
    @Test
    void aHugeMaxTokensAllocatesNothingUpFront() {
        GenerationOptions gen = GenerationOptions.defaults()
                .withMaxTokens(Integer.MAX_VALUE)
                .withStopAtEndOfText(false)
                .withSampler(SamplerConfig.defaults().withSeed(5));
        try (Model model = rwkv7(WeightPlacement.RESIDENT);
                Session s = model.newSession()) {
            Session.TextStream stream = s.stream("Once upon a time", gen);
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < 50 && stream.hasNext(); i++) text.append(stream.next());
            assertTrue(text.length() > 0);
            // Stopped by a stop string long before the limit: the result holds exactly the generated tokens.
            GenerationResult r = s.generate("", gen.withStopStrings(java.util.List.of("e", "t", "a", " ")), t -> {});
            assertEquals(GenerationResult.StopReason.STOP_STRING, r.stopReason());
            assertTrue(r.tokens().length < 10_000, "tokens: " + r.tokens().length);
        }
    }

    /** Writes {@code good} again with another n_vocab in the header and other logits, with a valid checksum. */
    private static Path withLogits(Path good, Path out, int headerVocab, long countField, float[] logits)
            throws Exception {
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(good)).order(ByteOrder.LITTLE_ENDIAN);
        long nState = in.getLong(44);
        ByteBuffer b =
                ByteBuffer.allocate(60 + 4 * ((int) nState + logits.length) + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.put(Arrays.copyOf(in.array(), 60 + 4 * (int) nState));
        b.putInt(40, headerVocab).putLong(52, countField);
        for (float f : logits) b.putFloat(f);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return Files.write(out, b.array());
    }

    /**
     * Case 6: a state file whose logits count is wrong, with a valid checksum and fingerprint, was not validated:
     * 1000 logits for a 256-vocab model threw IndexOutOfBoundsException (naming no file) after the session's state
     * was overwritten; 10 logits were accepted; a count near 2^62 overflowed the size check.
     */
    @Test
    void aStateFileWithAWrongLogitsCountIsRefusedAndTheSessionKept() throws Exception {
        try (Model model = rwkv7(WeightPlacement.RESIDENT);
                Session s = model.newSession()) {
            int nVocab = model.config().nVocab();
            float[] logits = s.prefill(TestModels.bytesOf("a state with logits"));
            Path good = dir.resolve("good.state");
            s.saveState(good);
            s.prefill(TestModels.bytesOf(" and more")); // the session moves on: a failed load must keep this
            State kept = s.snapshot();

            float[] many = new float[1000], few = Arrays.copyOf(logits, 10);
            record Bad(String name, int headerVocab, long count, float[] logits, String says) {}
            for (Bad bad : new Bad[] {
                new Bad("1000-logits", nVocab, 1000, many, "1000 logits (offset 52) but n_vocab " + nVocab),
                new Bad(
                        "1000-vocab",
                        1000,
                        1000,
                        many,
                        "dims [" + model.config().nLayer()),
                new Bad("10-logits", nVocab, 10, few, "10 logits (offset 52) but n_vocab " + nVocab),
                new Bad("10-vocab", 10, 10, few, "dims ["),
                new Bad("2^62", nVocab, (1L << 62) + nVocab, logits, "truncated or corrupt"),
            }) {
                Path f = withLogits(
                        good, dir.resolve(bad.name() + ".state"), bad.headerVocab(), bad.count(), bad.logits());
                RwkvxException e = assertThrows(RwkvxException.class, () -> s.loadState(f), bad.name());
                assertTrue(e.getMessage().startsWith(f + ": "), "names the file: " + e.getMessage());
                assertTrue(e.getMessage().contains(bad.says()), bad.name() + ": " + e.getMessage());
                assertArrayEquals(kept.recurrent(), s.snapshot().recurrent(), bad.name() + ": the state is kept");
                assertArrayEquals(kept.logits(), s.logits(), bad.name() + ": the logits are kept");
            }
            // The good file still loads.
            s.loadState(good);
            assertArrayEquals(logits, s.logits());
        }
    }
}
