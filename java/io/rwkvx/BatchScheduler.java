package io.rwkvx;

import io.rwkvx.backend.BackendState;
import io.rwkvx.backend.BatchItem;
import io.rwkvx.backend.LogitsMode;
import io.rwkvx.backend.ModelExecutor;
import io.rwkvx.common.RwkvxException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * Continuous batching of one model's sessions: the calls that concurrent sessions make are coalesced into
 * rounds, each one {@link ModelExecutor#evalBatch} call.
 *
 * <h2>Rounds</h2>
 *
 * There is no scheduler thread. A caller that finds no round running runs one itself, on its own thread (the
 * leader): it takes up to {@code maxBatch} requests from the queue, evaluates them without holding the lock and
 * hands the results back; the other callers wait for theirs. A lone session thus pays an uncontended lock and
 * no thread hop. When a round ends, a waiting caller leads the next one.
 *
 * <h2>Gathering</h2>
 *
 * Sessions that generate come back one sampling step after their round ends, not all at the same instant: a
 * leader that started at once would take only those already back, and the others, queuing just too late, would
 * form the next round, and so on (streams split into alternating cohorts, halving the batch). So before it takes
 * its round, a leader waits for the sessions of the last two rounds that have not queued again (the decoders
 * expected back), for at most {@link GatherPolicy#windowNanos} (by default a quarter of the last round's compute
 * time and never more than {@link #MAX_GATHER_NANOS}). It does not wait when they are all queued, when the batch
 * is full, or when it is alone (a lone session is its own last round: it pays no wait). A session that took no
 * part in the last two rounds, or whose call was withdrawn or cancelled, is not waited for; one that stops is
 * waited for twice at most. A close, a withdrawal or an interrupt wakes the waiting leader.
 *
 * <p>A request of more than {@code prefillChunk} tokens runs in chunks of that size (counted from its first
 * token, so its chunks do not depend on what else runs), one chunk per round; only its last chunk asks for the
 * last logits. The chunks of several tokens in one round hold at most {@code roundPrefillTokens} tokens together
 * (one always runs); single-token steps are not counted.
 *
 * <h2>Fairness</h2>
 *
 * The queue is in arrival order, and each round takes from its front. A request left out (the batch was full,
 * or its chunk did not fit the round's budget) keeps its place, ahead of later arrivals; a request with chunks
 * left goes to the back after each chunk, behind the steps that arrived meanwhile. Nothing is ever put ahead of
 * a waiting request and the front request always runs, so a request waits at most one round per request ahead
 * of it: none starves.
 *
 * <h2>Failures and cancellation</h2>
 *
 * When a batched call fails, each of its requests runs again alone, so that only the guilty one gets the
 * exception: this relies on {@code evalBatch} changing nothing when it fails ({@code rwkvx_model_eval_batch}
 * checks every item before it runs any). A request that is withdrawn (its session or model closed, its thread
 * interrupted) leaves the queue at once; one in the round in progress ends after its chunk. The others are not
 * disturbed.
 */
final class BatchScheduler {
    /** The longest a leader waits by default for the decoders expected back (see "Gathering"). */
    static final long MAX_GATHER_NANOS = 2_000_000;

    /** How long a round's leader may wait for the decoders expected back (see the class comment). */
    interface GatherPolicy {
        /** The longest wait before a round, given how long the last round computed; 0 for none. */
        long windowNanos(long lastRoundNanos);

        /** A leader starts waiting for {@code missing} sessions (tests observe it). */
        default void waiting(int missing) {}
    }

    static final GatherPolicy DEFAULT_GATHER = lastRoundNanos -> Math.min(lastRoundNanos / 4, MAX_GATHER_NANOS);

    private final ModelExecutor executor;
    private final int maxBatch;
    private final int prefillChunk;
    private final int roundPrefillTokens;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition roundEnded = lock.newCondition();
    /** Signalled to a gathering leader: a request queued or ended, a session left, the model closed. */
    private final Condition gatherChanged = lock.newCondition();
    /** Requests waiting for a round, in the order they run (see the class comment). */
    private final ArrayDeque<Request> queue = new ArrayDeque<>();
    /** The requests of the round in progress (empty when none runs). */
    private List<Request> round = List.of();

    /** A round runs, or its leader gathers (then {@link #round} is empty). */
    private boolean roundRunning;
    /**
     * The decoders expected back: each session that took part in one of the last two rounds (a session late for
     * one round is still decoding), with the number of its last round; less those withdrawn or cancelled since.
     */
    private final Map<Object, Long> decoders = new IdentityHashMap<>();
    /** How long the last round computed. */
    private long lastRoundNanos;

    private GatherPolicy gatherPolicy = DEFAULT_GATHER;
    /** Set once the model closes: why later requests are refused. */
    private Function<Request, RuntimeException> closed;

    private int lastBatchSize;
    private long rounds;
    private long items;
    private long tokens;

    BatchScheduler(ModelExecutor executor, int maxBatch, int prefillChunk, int roundPrefillTokens) {
        this.executor = executor;
        this.maxBatch = maxBatch;
        this.prefillChunk = prefillChunk;
        this.roundPrefillTokens = roundPrefillTokens;
    }

    /**
     * One session call: evaluate {@code tokens} from {@code state} and write the logits {@code mode} asks for,
     * as {@link ModelExecutor#eval} does. The caller keeps {@code state} and {@code logits} alive (inside its
     * gates) until {@link #submit} returns.
     */
    static final class Request {
        final Object owner;
        final String op;
        final BackendState state;
        final int[] tokens;
        final MemorySegment logits;
        final LogitsMode mode;

        /** Tokens evaluated so far (chunks done). */
        private int done;
        /** Tokens of the chunk in the round in progress. */
        private int chunk;

        private boolean inRound;
        private boolean finished;
        private Throwable failure;
        /** Set when withdrawn during a round: the request ends with this after its chunk. */
        private Function<Request, RuntimeException> stopAfterChunk;

        /**
         * @param owner identifies the session ({@link #withdraw} takes the requests of one owner)
         * @param op    the session call, for messages
         */
        Request(Object owner, String op, BackendState state, int[] tokens, MemorySegment logits, LogitsMode mode) {
            this.owner = owner;
            this.op = op;
            this.state = state;
            this.tokens = tokens;
            this.logits = logits;
            this.mode = mode;
        }

        /** Tokens evaluated: all of them once {@link #submit} returned, fewer when it threw. */
        int evaluated() {
            return done;
        }

        /** The batch item of the chunk {@code [done, done + chunk)}. */
        private BatchItem item(int nVocab) {
            int end = done + chunk;
            int[] part = done == 0 && end == tokens.length ? tokens : Arrays.copyOfRange(tokens, done, end);
            return switch (mode) {
                case NONE -> new BatchItem(state, part, logits, LogitsMode.NONE);
                case LAST ->
                    new BatchItem(state, part, logits, end == tokens.length ? LogitsMode.LAST : LogitsMode.NONE);
                case ALL ->
                    new BatchItem(
                            state,
                            part,
                            logits.asSlice((long) done * nVocab * Float.BYTES, (long) chunk * nVocab * Float.BYTES),
                            LogitsMode.ALL);
            };
        }
    }

    int maxBatch() {
        return maxBatch;
    }

    /** Replaces the gathering policy (tests make the window deterministic). */
    void gatherPolicy(GatherPolicy policy) {
        lock.lock();
        try {
            gatherPolicy = policy;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Evaluates {@code r}, in rounds with other sessions' requests (with {@code maxBatch} 1: directly, each call
     * on its own, as a lone {@link ModelExecutor#eval}). Returns once every token is evaluated; throws the
     * request's own failure, the close's {@link IllegalStateException}, or a {@link CancellationException} when
     * the thread was interrupted while the request waited (the interrupt flag stays set; {@link
     * Request#evaluated()} tells how far it got).
     */
    void submit(Request r) {
        if (maxBatch == 1) {
            executor.eval(r.state, r.tokens, r.logits, r.mode);
            r.done = r.tokens.length;
            lock.lock();
            try {
                countRound(1, r.tokens.length);
            } finally {
                lock.unlock();
            }
            return;
        }
        boolean interrupted = false;
        lock.lock();
        try {
            if (closed != null) throw closed.apply(r);
            queue.addLast(r);
            gatherChanged.signal();
            while (!r.finished) {
                if (Thread.interrupted()) {
                    interrupted = true;
                    cancel(r, BatchScheduler::interruption);
                } else if (!roundRunning) {
                    roundRunning = true; // this thread leads; no other starts a round while it gathers
                    try {
                        gather(r);
                    } catch (InterruptedException e) {
                        interrupted = true;
                        cancel(r, BatchScheduler::interruption);
                    }
                    if (r.finished || queue.isEmpty()) { // withdrawn, closed or interrupted: another thread leads
                        roundRunning = false;
                        roundEnded.signalAll();
                    } else lead();
                } else {
                    try {
                        roundEnded.await();
                    } catch (InterruptedException e) {
                        interrupted = true;
                        cancel(r, BatchScheduler::interruption);
                    }
                }
            }
        } finally {
            lock.unlock();
            if (interrupted) Thread.currentThread().interrupt();
        }
        if (r.failure instanceof RuntimeException e) throw e;
        if (r.failure instanceof Error e) throw e;
        if (r.failure != null) throw new RwkvxException(r.op + " failed", r.failure);
    }

    /**
     * Withdraws the requests of {@code owner} (its session closes): a waiting one ends now with {@code why}, one
     * in the round in progress after its chunk.
     */
    void withdraw(Object owner, Function<Request, RuntimeException> why) {
        lock.lock();
        try {
            for (Request r : queue.toArray(Request[]::new)) if (r.owner == owner) cancel(r, why);
            for (Request r : round) if (r.owner == owner) cancel(r, why);
            decoders.remove(owner);
            gatherChanged.signal();
        } finally {
            lock.unlock();
        }
    }

    /** The model closes: every request ends as in {@link #withdraw}, and later ones are refused with {@code why}. */
    void close(Function<Request, RuntimeException> why) {
        lock.lock();
        try {
            if (closed != null) return;
            closed = why;
            for (Request r : queue.toArray(Request[]::new)) cancel(r, why);
            for (Request r : round) cancel(r, why);
            decoders.clear();
            gatherChanged.signal();
        } finally {
            lock.unlock();
        }
    }

    BatchingStats stats() {
        lock.lock();
        try {
            return new BatchingStats(queue.size(), maxBatch, lastBatchSize, rounds, items, tokens);
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------------------------------------

    private static RuntimeException interruption(Request r) {
        return new CancellationException(r.op + " cancelled: the thread was interrupted"
                + (r.done == 0 ? "" : " after " + r.done + " of " + r.tokens.length + " tokens"));
    }

    /** Under the lock: a waiting request ends now, one in the round after its chunk. */
    private void cancel(Request r, Function<Request, RuntimeException> why) {
        if (r.finished) return;
        decoders.remove(r.owner); // its session stops: no round waits for it
        if (r.inRound) {
            if (r.stopAfterChunk == null) r.stopAfterChunk = why;
            return;
        }
        queue.remove(r);
        r.failure = why.apply(r);
        r.finished = true;
        roundEnded.signalAll();
        gatherChanged.signal();
    }

    /**
     * Under the lock, leading (no round running), {@code r} queued: waits for the decoders expected back (see
     * "Gathering") until they are all queued, the batch is full, the window has passed, or {@code r} ended.
     */
    private void gather(Request r) throws InterruptedException {
        int missing = missingDecoders();
        if (missing <= 0 || queue.size() >= maxBatch) return;
        long window = gatherPolicy.windowNanos(lastRoundNanos);
        if (window <= 0) return;
        gatherPolicy.waiting(missing);
        long start = System.nanoTime();
        while (!r.finished && queue.size() < maxBatch && missingDecoders() > 0) {
            long left = window - (System.nanoTime() - start);
            if (left <= 0) return;
            gatherChanged.awaitNanos(left);
        }
    }

    /** Under the lock: the decoders expected back that have not queued again. */
    private int missingDecoders() {
        if (decoders.isEmpty()) return 0;
        int queued = 0;
        for (Request q : queue) if (decoders.containsKey(q.owner)) queued++;
        return decoders.size() - queued;
    }

    /** Under the lock, no round running, the queue not empty: runs one round, unlocked while it computes. */
    private void lead() {
        List<Request> taken = take();
        round = taken;
        roundRunning = true;
        lock.unlock();
        long start = System.nanoTime();
        try {
            evaluate(taken);
        } finally {
            long computed = System.nanoTime() - start;
            lock.lock();
            lastRoundNanos = computed;
            finish(taken);
        }
    }

    /** Under the lock: the next round's requests, their chunks set (see the class comment). */
    private List<Request> take() {
        List<Request> taken = new ArrayList<>(Math.min(maxBatch, queue.size()));
        int budget = roundPrefillTokens;
        boolean chunkTaken = false;
        for (Iterator<Request> it = queue.iterator(); it.hasNext() && taken.size() < maxBatch; ) {
            Request r = it.next();
            int chunk = Math.min(prefillChunk, r.tokens.length - r.done);
            if (chunk > 1) {
                if (chunkTaken && chunk > budget) continue; // keeps its place: first in line next round
                chunkTaken = true;
                budget -= chunk;
            }
            it.remove();
            r.chunk = chunk;
            r.inRound = true;
            taken.add(r);
        }
        return taken;
    }

    /** Outside the lock: evaluates the round's chunks; each request gets its own failure, if any. */
    private void evaluate(List<Request> taken) {
        if (taken.size() == 1) {
            evaluateAlone(taken.getFirst());
            return;
        }
        int nVocab = executor.config().nVocab();
        try {
            List<BatchItem> batch = new ArrayList<>(taken.size());
            for (Request r : taken) batch.add(r.item(nVocab));
            executor.evalBatch(batch);
        } catch (RuntimeException | Error e) {
            // Nothing changed (see the class comment): alone, each request shows whether the failure is its own.
            for (Request r : taken) evaluateAlone(r);
        }
    }

    private void evaluateAlone(Request r) {
        try {
            BatchItem it = r.item(executor.config().nVocab());
            executor.eval(it.state(), it.tokens(), it.logits(), it.mode());
        } catch (RuntimeException | Error e) {
            r.failure = e;
        }
    }

    /** Under the lock: hands the round's results back and requeues the requests with chunks left. */
    private void finish(List<Request> taken) {
        int evaluated = 0;
        long roundNumber = rounds + 1;
        decoders.values().removeIf(last -> last < roundNumber - 1); // idle for two rounds: stopped
        for (Request r : taken) {
            if (r.failure == null && r.stopAfterChunk == null) decoders.put(r.owner, roundNumber);
            else decoders.remove(r.owner);
            r.inRound = false;
            if (r.failure == null) {
                r.done += r.chunk;
                evaluated += r.chunk;
            }
            if (r.failure != null || r.done == r.tokens.length) r.finished = true;
            else if (r.stopAfterChunk != null) {
                r.failure = r.stopAfterChunk.apply(r);
                r.finished = true;
            } else queue.addLast(r); // behind the steps that arrived during this round
        }
        countRound(taken.size(), evaluated);
        round = List.of();
        roundRunning = false;
        roundEnded.signalAll();
    }

    private void countRound(int size, int evaluated) {
        lastBatchSize = size;
        rounds++;
        items += size;
        tokens += evaluated;
    }
}
