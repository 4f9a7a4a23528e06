package io.rwkvx;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.rwkvx.backend.BackendState;
import io.rwkvx.backend.BatchItem;
import io.rwkvx.backend.LogitsMode;
import io.rwkvx.backend.ModelExecutor;
import io.rwkvx.common.RwkvxException;
import io.rwkvx.model.ModelConfig;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Sees the calls the batch scheduler makes to a real executor: which sessions (numbered by the order their states
 * were created) each call ran, with how many tokens and which logits; can hold the next call until the test
 * releases it (so that other sessions' calls queue up meanwhile), and can refuse calls with a "poisoned" state
 * before they change anything, as the native batched call refuses a bad item.
 */
final class RecordingExecutor implements ModelExecutor {
    /** One call: the sessions, tokens and logits mode of each item; {@code batched} for evalBatch. */
    record Call(List<Integer> sessions, List<Integer> lengths, List<LogitsMode> modes, boolean batched) {
        @Override
        public String toString() {
            return (batched ? "batch" : "eval") + sessions + lengths;
        }
    }

    /** A held call: {@link #entered} once it runs, it goes on after {@link #release()}. */
    static final class Hold {
        private final CountDownLatch entered = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        void awaitEntered() throws InterruptedException {
            assertTrue(entered.await(30, TimeUnit.SECONDS), "the held call started");
        }

        void release() {
            released.countDown();
        }

        /** Waits for the release; an interrupt meanwhile stays set for the caller to see. */
        private void block() {
            entered.countDown();
            boolean interrupted = false;
            while (true) {
                try {
                    if (released.await(30, TimeUnit.SECONDS)) break;
                    throw new AssertionError("the held call was never released");
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    private final ModelExecutor inner;
    private final List<BackendState> states = new CopyOnWriteArrayList<>();
    final List<Call> calls = new CopyOnWriteArrayList<>();
    private final AtomicReference<Hold> nextHold = new AtomicReference<>();
    volatile BackendState poisoned;

    private RecordingExecutor(ModelExecutor inner) {
        this.inner = inner;
    }

    /** Opens {@code file} with {@code options}, its executor seen through a recorder (in {@code seen[0]}). */
    static Model open(Path file, ModelOptions options, RecordingExecutor[] seen) {
        return Model.open(file, options, e -> seen[0] = new RecordingExecutor(e));
    }

    /** The next call (eval or evalBatch) blocks until the returned hold is released. */
    Hold holdNextCall() {
        Hold h = new Hold();
        if (!nextHold.compareAndSet(null, h)) fail("a hold is already pending");
        return h;
    }

    /** The state of the {@code i}-th session opened (0-based). */
    BackendState state(int i) {
        return states.get(i);
    }

    /** The calls recorded after the first {@code from}. */
    List<Call> callsFrom(int from) {
        return new ArrayList<>(calls.subList(from, calls.size()));
    }

    @Override
    public ModelConfig config() {
        return inner.config();
    }

    @Override
    public BackendState newState() {
        BackendState s = inner.newState();
        states.add(s);
        return s;
    }

    @Override
    public void eval(BackendState state, int[] tokens, MemorySegment logits, LogitsMode mode) {
        calls.add(new Call(List.of(states.indexOf(state)), List.of(tokens.length), List.of(mode), false));
        hold();
        if (state == poisoned) throw new RwkvxException("poisoned state of session " + states.indexOf(state));
        inner.eval(state, tokens, logits, mode);
    }

    @Override
    public void evalBatch(List<BatchItem> items) {
        List<Integer> sessions = new ArrayList<>(), lengths = new ArrayList<>();
        List<LogitsMode> modes = new ArrayList<>();
        for (BatchItem it : items) {
            sessions.add(states.indexOf(it.state()));
            lengths.add(it.tokens().length);
            modes.add(it.mode());
        }
        calls.add(new Call(sessions, lengths, modes, true));
        hold();
        for (BatchItem it : items) // refused before anything runs, as rwkvx_model_eval_batch refuses a bad item
        if (it.state() == poisoned) throw new RwkvxException("a batch item has a poisoned state");
        inner.evalBatch(items);
    }

    private void hold() {
        Hold h = nextHold.getAndSet(null);
        if (h != null) h.block();
    }

    @Override
    public boolean copiedWeights() {
        return inner.copiedWeights();
    }

    @Override
    public void close() {
        inner.close();
    }
}
