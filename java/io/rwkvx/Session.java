package io.rwkvx;

import io.rwkvx.backend.BackendState;
import io.rwkvx.backend.LogitsMode;
import io.rwkvx.backend.ModelExecutor;
import io.rwkvx.common.RwkvxException;
import io.rwkvx.model.ModelConfig;
import io.rwkvx.tokenizer.Tokenizer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * One sequence being evaluated: a recurrent state plus the logits after its last token.
 *
 * <h2>Threads</h2>
 *
 * A session serves one thread at a time; sessions of one model run concurrently (open one per thread, or
 * {@link #fork()} one). A call made while another thread is inside a call of the same session is refused with
 * a {@link ConcurrentModificationException} that names the operation in progress; the session is left as the
 * other call leaves it. A {@link #generate} holds the session for the whole generation (its callback may use
 * the session: it runs on the same thread, between tokens); a {@link #stream} holds it while a piece is pulled.
 * {@link #position()} and {@link #hasLogits()} may be read from any thread.
 *
 * <p>The evaluations of concurrent sessions of one model are batched (see {@link Model}): a call may wait for a
 * round that evaluates it together with other sessions' calls, with the same results up to float32 rounding. A
 * call whose thread is interrupted while it waits gives up with a {@link java.util.concurrent.CancellationException}
 * ({@link #position()} counts the tokens a chunked prefill had fed by then); a {@link TextStream} can be {@link
 * TextStream#cancel() cancelled} from any thread.
 *
 * <p>{@link #close()} may be called from any thread, at any time: it waits for the native call in flight on
 * this session (never longer: a generation ends at its next token), then frees the state. A call that was under
 * way or that comes later throws {@link IllegalStateException} ("session is closed", or "model ... is closed"
 * once the model was closed).
 */
public final class Session implements AutoCloseable {
    private final ModelExecutor executor;
    private final BackendState state;
    private final Owner owner;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment lastLogits;
    /** Guards {@link #state}, {@link #arena} and {@link #lastLogits}: entered for each native call. */
    private final Gate gate = new Gate("session is closed");

    private final Object closeLock = new Object();
    /** The thread inside a call of this session, or null. */
    private final AtomicReference<Thread> user = new AtomicReference<>();
    /** What {@link #user} is doing, for the message of a refused call. */
    private volatile String operation;

    private volatile boolean hasLogits;
    private volatile long tokensSeen;

    /**
     * What a session needs from the model that opened it, passed in so that a session holds no reference
     * to its {@link Model}.
     *
     * @param source      where the weights came from (named in errors)
     * @param fingerprint identifies the weights; saved with states and checked on restore
     * @param tokenizer   encodes text prompts
     * @param sibling     opens a new session of the same model (for {@link #fork()})
     * @param onClose     called once when the session closes (the model forgets it)
     * @param modelGate   the model's gate: every native call of the session passes it, so that closing the
     *                    model waits for the call (see {@link Gate})
     * @param scheduler   evaluates the session's tokens, batched with other sessions' calls
     */
    record Owner(
            Path source,
            long fingerprint,
            Tokenizer tokenizer,
            Supplier<Session> sibling,
            Consumer<Session> onClose,
            Gate modelGate,
            BatchScheduler scheduler) {}

    Session(ModelExecutor executor, BackendState state, Owner owner) {
        this.executor = executor;
        this.state = state;
        this.owner = owner;
        this.lastLogits = arena.allocate((long) executor.config().nVocab() * 4, 64);
    }

    /**
     * How far the sequence is; readable from any thread.
     *
     * @return tokens evaluated since the last reset (a fork counts from its original)
     */
    public long position() {
        return tokensSeen;
    }

    /**
     * Feeds a sequence of tokens in one call (sequence mode: the prompt) and returns the logits after the
     * last one. For one token at a time, as generation feeds them, use {@link #decodeStep(int)}.
     *
     * @param tokens token ids, at least one
     * @return the {@code n_vocab} logits after the last token, a copy
     * @throws IllegalArgumentException if there are no tokens
     * @throws RwkvxException           if a token is out of {@code [0, n_vocab)}; the message gives its position
     */
    public float[] prefill(int... tokens) {
        return exclusive("prefill", () -> evalLast("prefill", tokens));
    }

    /**
     * The decode step: feeds one token (typically the one just sampled) and returns the logits after it,
     * a copy. This is the step {@link #generate} and {@link #stream} run for every generated token; it gives
     * the same logits as feeding the whole sequence with {@link #prefill(int...)}, within float rounding.
     *
     * @param token a token id in {@code [0, n_vocab)}
     * @return the {@code n_vocab} logits after it
     * @throws RwkvxException if the token is out of range
     */
    public float[] decodeStep(int token) {
        return exclusive("decodeStep", () -> evalLast("decodeStep", new int[] {token}));
    }

    /**
     * The decode step without allocating: as {@link #decodeStep(int)}, but the logits go into the caller's array,
     * which a decode loop keeps from step to step (a new array per step costs about 1 % of a 0.1B model's step:
     * bench/README.md, "Java layer (JMH)"). {@link #generate} and {@link #stream} decode this way.
     *
     * @param token  a token id in {@code [0, n_vocab)}
     * @param logits where the {@code n_vocab} logits after the token go; overwritten whole
     * @return {@code logits}
     * @throws IllegalArgumentException if {@code logits.length} is not the model's {@code n_vocab}
     * @throws RwkvxException           if the token is out of range
     */
    public float[] decodeStep(int token, float[] logits) {
        Objects.requireNonNull(logits, "logits");
        int vocab = executor.config().nVocab();
        if (logits.length != vocab)
            throw new IllegalArgumentException(
                    "decodeStep: the logits array has length " + logits.length + ", the model's n_vocab is " + vocab);
        return exclusive("decodeStep", () -> native_(() -> evalLastInto("decodeStep", new int[] {token}, logits)));
    }

    /**
     * Tokenizes {@code text} with the model's tokenizer and feeds it, as {@link #prefill(int...)}.
     *
     * @param text the text to feed
     * @return the {@code n_vocab} logits after its last token, a copy
     * @throws IllegalArgumentException if the text encodes to no tokens
     */
    public float[] prefill(String text) {
        return exclusive("prefill", () -> {
            ensureOpen();
            int[] ids = owner.tokenizer().encode(text);
            if (ids.length == 0) throw new IllegalArgumentException("text encodes to no tokens");
            return evalLast("prefill", ids);
        });
    }

    /**
     * Feeds tokens without computing logits (faster: skips the output head); {@link #hasLogits()} is false
     * afterwards.
     *
     * @param tokens token ids, at least one
     * @throws IllegalArgumentException if there are no tokens
     * @throws RwkvxException           if a token is out of {@code [0, n_vocab)}; the message gives its position
     */
    public void ingest(int... tokens) {
        exclusive(
                "ingest",
                () -> native_(() -> {
                    evaluate("ingest", tokens, lastLogits, LogitsMode.NONE);
                    hasLogits = false;
                    return null;
                }));
    }

    /**
     * Feeds tokens and returns the logits after every one of them (e.g. to score a text).
     *
     * @param tokens token ids, at least one
     * @return {@code [tokens.length][n_vocab]}: row {@code t} holds the logits after {@code tokens[t]}
     * @throws IllegalArgumentException if there are no tokens
     * @throws RwkvxException           if a token is out of {@code [0, n_vocab)}; the message gives its position
     */
    public float[][] evalAll(int... tokens) {
        return exclusive(
                "evalAll",
                () -> native_(() -> {
                    int v = executor.config().nVocab();
                    // Shared: the round that evaluates it may run on another session's thread.
                    try (Arena tmp = Arena.ofShared()) {
                        MemorySegment all = tmp.allocate((long) tokens.length * v * 4, 64);
                        evaluate("evalAll", tokens, all, LogitsMode.ALL);
                        float[][] rows = new float[tokens.length][];
                        for (int t = 0; t < tokens.length; t++)
                            rows[t] =
                                    all.asSlice((long) t * v * 4, (long) v * 4).toArray(ValueLayout.JAVA_FLOAT);
                        MemorySegment.copy(all, (long) (tokens.length - 1) * v * 4, lastLogits, 0, (long) v * 4);
                        hasLogits = true;
                        return rows;
                    }
                }));
    }

    /**
     * The logits after the last token.
     *
     * @return a copy of the {@code n_vocab} logits
     * @throws IllegalStateException if there are none: no token was fed, or the last call was {@link #ingest}
     */
    public float[] logits() {
        return exclusive("logits", () -> native_(this::copyLogits));
    }

    /**
     * Whether {@link #logits()} has logits to return; readable from any thread.
     *
     * @return true after a call that computed logits, false after a reset, an {@link #ingest} or a chunked
     *         prefill that ended early
     */
    public boolean hasLogits() {
        return hasLogits;
    }

    /**
     * Generates text after {@code prompt} (empty: continue from the current state), streaming pieces to
     * {@code onText}. The session is held until the generation ends; {@code onText} runs on this thread and may
     * use this session or close it (the generation then ends with an {@link IllegalStateException}).
     *
     * @param prompt  the text to feed first; empty to continue from the current logits
     * @param options the token limit, sampling and stop rules
     * @param onText  receives the text piece by piece, as whole characters; stop strings never reach it
     * @return the whole text, its tokens, why it stopped and timings
     * @throws IllegalArgumentException if the prompt is empty and the session has no logits
     */
    public GenerationResult generate(String prompt, GenerationOptions options, Consumer<String> onText) {
        Objects.requireNonNull(onText, "onText");
        return exclusive("generate", () -> {
            TextStream stream = stream(prompt, options);
            while (stream.hasNext()) onText.accept(stream.next());
            return stream.result();
        });
    }

    /**
     * Like {@link #generate} but pulled piece by piece; the stream advances this session's state, and holds the
     * session while it pulls a piece.
     *
     * @param prompt  the text to feed first; empty to continue from the current logits
     * @param options the token limit, sampling and stop rules
     * @return the stream of text pieces; the prompt has been fed when it returns
     * @throws IllegalArgumentException if the prompt is empty and the session has no logits
     */
    public TextStream stream(String prompt, GenerationOptions options) {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(options, "options");
        return exclusive("stream", () -> {
            ensureOpen();
            return new TextStream(
                    this,
                    new Generation(
                            owner.tokenizer(),
                            executor.config().nVocab(),
                            options,
                            () -> start(prompt),
                            reusing(new float[executor.config().nVocab()])));
        });
    }

    /** Feeds the prompt (empty: continue from the current logits): where a generation starts. */
    private Generation.Start start(String prompt) {
        long t0 = System.nanoTime();
        int[] ids = prompt.isEmpty() ? new int[0] : owner.tokenizer().encode(prompt);
        float[] logits = native_(() -> {
            if (ids.length > 0) return evalLastInside("stream", ids);
            if (hasLogits) return copyLogits();
            throw new IllegalArgumentException("empty prompt and no previous tokens: nothing to continue from");
        });
        return new Generation.Start(logits, ids.length, System.nanoTime() - t0);
    }

    /** Starts over from the initial state. */
    public void reset() {
        exclusive(
                "reset",
                () -> native_(() -> {
                    state.reset();
                    hasLogits = false;
                    tokensSeen = 0;
                    return null;
                }));
    }

    /**
     * Takes a snapshot of this session.
     *
     * @return the state and logits, immutable; restore it into any session of this model, or save it
     */
    public State snapshot() {
        return exclusive("snapshot", this::takeSnapshot);
    }

    /**
     * Replaces this session's state with a snapshot taken from the same model. Every field is checked first: a
     * refused snapshot leaves the session as it was.
     *
     * @param s a snapshot of this model (equal {@link Model#fingerprint()})
     * @throws RwkvxException if the snapshot belongs to another model or its sizes or values do not fit
     */
    public void restore(State s) {
        Objects.requireNonNull(s, "state");
        exclusive("restore", () -> {
            restoreFrom(s);
            return null;
        });
    }

    /**
     * Saves {@link #snapshot()} to {@code file} (see {@link State#save}).
     *
     * @param file the state file to create or replace
     */
    public void saveState(Path file) {
        exclusive("saveState", () -> {
            takeSnapshot().save(file);
            return null;
        });
    }

    /**
     * Restores a state saved by {@link #saveState}. The file is read and checked completely before the session
     * changes: a refused file (every message names it) leaves the session as it was.
     *
     * @param file a file written by {@link #saveState} or {@link State#save} for this model
     * @throws RwkvxException if the file is not a valid state file or holds another model's state
     */
    public void loadState(Path file) {
        exclusive("loadState", () -> {
            ensureOpen();
            State loaded = State.load(file); // its errors already name the file
            try {
                restoreFrom(loaded);
            } catch (RwkvxException e) {
                throw new RwkvxException(file + ": " + e.getMessage(), e);
            }
            return null;
        });
    }

    /**
     * Copies this session.
     *
     * @return an independent session of the same model with the same state, logits and position; the caller
     *         closes it
     */
    public Session fork() {
        return exclusive("fork", () -> {
            State snap = takeSnapshot();
            long seen = tokensSeen;
            Session s = owner.sibling().get();
            try {
                s.restore(snap);
                s.tokensSeen = seen;
                return s;
            } catch (RuntimeException | Error e) {
                s.close();
                throw e;
            }
        });
    }

    /**
     * Frees the state. Safe from any thread and at any time: waits for the native call in flight on this
     * session, if any; the call under way then ends with an {@link IllegalStateException}. Closing twice does
     * nothing.
     */
    @Override
    public void close() {
        synchronized (closeLock) {
            // A call waiting for a round ends now, one in the round in progress after it (the gate waits for it).
            owner.scheduler().withdraw(this, r -> new IllegalStateException("session is closed"));
            if (!gate.close()) return;
            try {
                state.close();
            } finally {
                try {
                    arena.close();
                } finally {
                    owner.onClose().accept(this);
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------

    private State takeSnapshot() {
        ModelConfig c = executor.config();
        record Taken(float[] recurrent, float[] logits) {}
        Taken t = native_(() -> {
            try (Arena tmp = Arena.ofConfined()) {
                MemorySegment host = tmp.allocate(state.byteSize(), 64);
                state.exportTo(host);
                return new Taken(host.toArray(ValueLayout.JAVA_FLOAT), hasLogits ? copyLogits() : null);
            }
        });
        return new State(c.arch(), owner.fingerprint(), dims(c), t.recurrent(), t.logits());
    }

    /** Checks {@code s} against this model completely, then replaces the state and logits. */
    private void restoreFrom(State s) {
        ModelConfig c = executor.config();
        if (s.modelFingerprint() != owner.fingerprint())
            throw new RwkvxException("state belongs to another model (fingerprint "
                    + Long.toHexString(s.modelFingerprint()) + ", dims " + Arrays.toString(s.dims()) + "); this model "
                    + owner.source() + " has fingerprint " + Long.toHexString(owner.fingerprint()) + ", dims "
                    + Arrays.toString(dims(c)));
        if (s.architecture() != c.arch() || !Arrays.equals(s.dims(), dims(c)))
            throw new RwkvxException("state is of " + s.architecture().displayName + " with dims "
                    + Arrays.toString(s.dims()) + ", the model " + owner.source() + " is " + c.arch().displayName
                    + " with dims " + Arrays.toString(dims(c)) + " (n_layer, n_embd, n_head, head_size, n_vocab)");
        float[] l = s.logitsShared();
        if (l != null && l.length != c.nVocab())
            throw new RwkvxException("state has " + l.length + " logits, the model has n_vocab " + c.nVocab()
                    + " (a state holds 0 or n_vocab logits)");
        float[] rec = s.recurrentShared();
        native_(() -> {
            // RWKV-X states grow with their KV caches: the native import checks the size its header gives.
            if (c.arch() != io.rwkvx.model.Architecture.HYBRID && (long) rec.length * 4 != state.byteSize())
                throw new RwkvxException(
                        "state has " + rec.length + " floats, the model needs " + state.byteSize() / 4);
            // The import checks everything (sizes, finite values, the RWKV-X header) before it writes.
            try (Arena tmp = Arena.ofConfined()) {
                state.importFrom(tmp.allocateFrom(ValueLayout.JAVA_FLOAT, rec));
            }
            hasLogits = l != null;
            if (l != null) MemorySegment.copy(l, 0, lastLogits, ValueLayout.JAVA_FLOAT, 0, l.length);
            return null;
        });
    }

    /** A generation's decode step: every step's logits go into {@code buffer}, sampled before the next step. */
    private IntFunction<float[]> reusing(float[] buffer) {
        return token -> native_(() -> evalLastInto("stream", new int[] {token}, buffer));
    }

    /** {@link #evalLastInside} into the caller's array; only inside the gates. */
    private float[] evalLastInto(String op, int[] tokens, float[] into) {
        evaluate(op, tokens, lastLogits, LogitsMode.LAST);
        hasLogits = true;
        MemorySegment.copy(lastLogits, ValueLayout.JAVA_FLOAT, 0, into, 0, into.length);
        return into;
    }

    /** Evaluates tokens, keeps and returns the logits after the last one. */
    private float[] evalLast(String op, int[] tokens) {
        return native_(() -> evalLastInside(op, tokens));
    }

    /** {@link #evalLast} for a caller already inside the gates. */
    private float[] evalLastInside(String op, int[] tokens) {
        evaluate(op, tokens, lastLogits, LogitsMode.LAST);
        hasLogits = true;
        return lastLogits.toArray(ValueLayout.JAVA_FLOAT);
    }

    /**
     * Evaluates tokens through the model's scheduler (inside the gates, which keep the state and {@code logits}
     * alive while the request waits or runs) and counts them; {@code op} names the public call in errors.
     */
    private void evaluate(String op, int[] tokens, MemorySegment logits, LogitsMode mode) {
        checkTokens(op, tokens);
        BatchScheduler.Request r = new BatchScheduler.Request(this, op, state, tokens, logits, mode);
        try {
            owner.scheduler().submit(r);
        } finally {
            int done = r.evaluated();
            tokensSeen += done;
            // A chunked prefill that ended early: the logits are from before it.
            if (done > 0 && done < tokens.length) hasLogits = false;
        }
    }

    /** Checks ids before they are queued with other sessions' calls: the error names this session's call. */
    private void checkTokens(String op, int[] tokens) {
        if (tokens.length == 0) throw new IllegalArgumentException(op + ": no tokens to evaluate");
        int vocab = executor.config().nVocab();
        for (int i = 0; i < tokens.length; i++)
            if (tokens[i] < 0 || tokens[i] >= vocab)
                throw new RwkvxException(
                        op + ": token " + tokens[i] + " at position " + i + " is out of range [0, " + vocab + ")");
    }

    /** The last logits; only inside the gates. */
    private float[] copyLogits() {
        if (!hasLogits) throw new IllegalStateException("no logits yet: feed tokens with prefill first");
        return lastLogits.toArray(ValueLayout.JAVA_FLOAT);
    }

    /**
     * Runs {@code body}, which uses native memory (the state, the logits buffer, the model), inside the model's
     * gate and this session's: neither can be closed until it returns. No user code may run in {@code body}.
     */
    private <T> T native_(Supplier<T> body) {
        Gate model = owner.modelGate();
        model.enter();
        try {
            gate.enter();
            try {
                return body.get();
            } finally {
                gate.exit();
            }
        } finally {
            model.exit();
        }
    }

    /** Throws the exception a call would throw now that the model or this session is closed. */
    private void ensureOpen() {
        owner.modelGate().ensureOpen();
        gate.ensureOpen();
    }

    /**
     * Runs a public operation as this session's only user: refuses (naming the operation in progress) when
     * another thread is inside a call; nested calls of the same thread (a generation's callback) pass.
     */
    private <T> T exclusive(String op, Supplier<T> body) {
        Thread me = Thread.currentThread();
        if (user.get() == me) return body.get(); // nested: a generation's callback
        if (!user.compareAndSet(null, me)) {
            Thread other = user.get();
            String doing = operation;
            throw new ConcurrentModificationException("cannot " + op + ": the session is in use by "
                    + (other == null
                            ? "another thread"
                            : other.getName().isEmpty() ? other.toString() : "thread '" + other.getName() + "'")
                    + (doing == null ? "" : " (" + doing + " in progress)")
                    + "; a session serves one thread at a time: give each thread its own session (fork() copies one)");
        }
        operation = op;
        try {
            return body.get();
        } finally {
            operation = null;
            user.set(null);
        }
    }

    private static int[] dims(ModelConfig c) {
        return new int[] {c.nLayer(), c.nEmbd(), c.nHead(), c.headSize(), c.nVocab()};
    }

    /**
     * Text pieces of one generation; {@link #result()} after the last. Pulling a piece ({@link #hasNext()},
     * {@link #next()}) holds the session, like any call of it.
     */
    public static final class TextStream implements Iterator<String> {
        private final Session session;
        private final Generation generation;

        TextStream(Session session, Generation generation) {
            this.session = session;
            this.generation = generation;
        }

        @Override
        public boolean hasNext() {
            return session.exclusive("stream", generation::hasNext);
        }

        @Override
        public String next() {
            return session.exclusive("stream", generation::next);
        }

        /**
         * The summary of the generation.
         *
         * @return the text, tokens, stop reason and timings so far; complete once {@link #hasNext()} is false
         */
        public GenerationResult result() {
            return generation.result();
        }

        /**
         * Stops the generation from any thread (e.g. a server's, when its client has gone): at most the token in
         * progress is still fed and its text delivered, then {@link #hasNext()} is false and {@link #result()}'s
         * stop reason is {@link GenerationResult.StopReason#CANCELLED}. The session stays usable: its state holds
         * every token of {@link #result()}.
         */
        public void cancel() {
            generation.cancel();
        }
    }
}
