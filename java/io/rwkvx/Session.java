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
import java.util.Iterator;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One sequence being evaluated: a recurrent state plus the logits after its last token. Not
 * thread-safe (use one session per thread); sessions of one model run concurrently.
 */
public final class Session implements AutoCloseable {
    private final ModelExecutor executor;
    private final BackendState state;
    private final Owner owner;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment lastLogits;
    private boolean hasLogits;
    private long tokensSeen;
    private boolean closed;

    /**
     * What a session needs from the model that opened it, passed in so that a session holds no reference
     * to its {@link Model}.
     *
     * @param source      where the weights came from (named in errors)
     * @param fingerprint identifies the weights; saved with states and checked on restore
     * @param tokenizer   encodes text prompts
     * @param sibling     opens a new session of the same model (for {@link #fork()})
     * @param onClose     called once when the session closes (the model forgets it)
     */
    record Owner(
            Path source, long fingerprint, Tokenizer tokenizer, Supplier<Session> sibling, Consumer<Session> onClose) {}

    Session(ModelExecutor executor, BackendState state, Owner owner) {
        this.executor = executor;
        this.state = state;
        this.owner = owner;
        this.lastLogits = arena.allocate((long) executor.config().nVocab() * 4, 64);
    }

    /** Tokens evaluated since the last reset (restored states count from their save). */
    public long position() {
        return tokensSeen;
    }

    /**
     * Feeds a sequence of tokens in one call (sequence mode: the prompt) and returns the logits after the
     * last one. For one token at a time, as generation feeds them, use {@link #decodeStep(int)}.
     */
    public float[] prefill(int... tokens) {
        ensureOpen();
        executor.eval(state, tokens, lastLogits, LogitsMode.LAST);
        hasLogits = true;
        tokensSeen += tokens.length;
        return logits();
    }

    /**
     * The decode step: feeds one token (typically the one just sampled) and returns the logits after it,
     * a copy. This is the step {@link #generate} and {@link #stream} run for every generated token; it gives
     * the same logits as feeding the whole sequence with {@link #prefill(int...)}, within float rounding.
     */
    public float[] decodeStep(int token) {
        ensureOpen();
        executor.eval(state, new int[] {token}, lastLogits, LogitsMode.LAST);
        hasLogits = true;
        tokensSeen++;
        return logits();
    }

    /** Tokenizes {@code text} with the model's tokenizer and feeds it. */
    public float[] prefill(String text) {
        int[] ids = owner.tokenizer().encode(text);
        if (ids.length == 0) throw new IllegalArgumentException("text encodes to no tokens");
        return prefill(ids);
    }

    /** Feeds tokens without computing logits (faster: skips the output head). */
    public void ingest(int... tokens) {
        ensureOpen();
        executor.eval(state, tokens, lastLogits, LogitsMode.NONE);
        hasLogits = false;
        tokensSeen += tokens.length;
    }

    /** Feeds tokens and returns the logits after every one of them, row-major [tokens.length][n_vocab]. */
    public float[][] evalAll(int... tokens) {
        ensureOpen();
        int v = executor.config().nVocab();
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment all = tmp.allocate((long) tokens.length * v * 4, 64);
            executor.eval(state, tokens, all, LogitsMode.ALL);
            float[][] rows = new float[tokens.length][];
            for (int t = 0; t < tokens.length; t++)
                rows[t] = all.asSlice((long) t * v * 4, (long) v * 4).toArray(ValueLayout.JAVA_FLOAT);
            MemorySegment.copy(all, (long) (tokens.length - 1) * v * 4, lastLogits, 0, (long) v * 4);
            hasLogits = true;
            tokensSeen += tokens.length;
            return rows;
        }
    }

    /** The logits after the last token (a copy). */
    public float[] logits() {
        ensureOpen();
        if (!hasLogits) throw new IllegalStateException("no logits yet: feed tokens with prefill first");
        return lastLogits.toArray(ValueLayout.JAVA_FLOAT);
    }

    public boolean hasLogits() {
        return hasLogits;
    }

    /** Generates text after {@code prompt} (empty: continue from the current state), streaming pieces to {@code onText}. */
    public GenerationResult generate(String prompt, GenerationOptions options, Consumer<String> onText) {
        TextStream stream = stream(prompt, options);
        while (stream.hasNext()) onText.accept(stream.next());
        return stream.result();
    }

    /** Like {@link #generate} but pulled piece by piece; the stream advances this session's state. */
    public TextStream stream(String prompt, GenerationOptions options) {
        ensureOpen();
        return new TextStream(new Generation(
                owner.tokenizer(), executor.config().nVocab(), options, () -> start(prompt), this::decodeStep));
    }

    /** Feeds the prompt (empty: continue from the current logits): where a generation starts. */
    private Generation.Start start(String prompt) {
        long t0 = System.nanoTime();
        int[] ids = prompt.isEmpty() ? new int[0] : owner.tokenizer().encode(prompt);
        float[] logits;
        if (ids.length > 0) logits = prefill(ids);
        else if (hasLogits) logits = logits();
        else throw new IllegalArgumentException("empty prompt and no previous tokens: nothing to continue from");
        return new Generation.Start(logits, ids.length, System.nanoTime() - t0);
    }

    /** Starts over from the initial state. */
    public void reset() {
        ensureOpen();
        state.reset();
        hasLogits = false;
        tokensSeen = 0;
    }

    /** A snapshot of this session (state and logits) that can be restored or saved. */
    public State snapshot() {
        ensureOpen();
        ModelConfig c = executor.config();
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment host = tmp.allocate(state.byteSize(), 64);
            state.exportTo(host);
            return new State(
                    c.arch(),
                    owner.fingerprint(),
                    dims(c),
                    host.toArray(ValueLayout.JAVA_FLOAT),
                    hasLogits ? logits() : null);
        }
    }

    /** Replaces this session's state with a snapshot taken from the same model. */
    public void restore(State s) {
        ensureOpen();
        ModelConfig c = executor.config();
        if (s.modelFingerprint() != owner.fingerprint())
            throw new RwkvxException(
                    "state belongs to another model (fingerprint " + Long.toHexString(s.modelFingerprint())
                            + ", dims " + java.util.Arrays.toString(s.dims()) + "); this model " + owner.source()
                            + " has fingerprint "
                            + Long.toHexString(owner.fingerprint()) + ", dims " + java.util.Arrays.toString(dims(c)));
        float[] rec = s.recurrentShared();
        // RWKV-X states grow with their KV caches: the native import checks the size its header gives.
        if (c.arch() != io.rwkvx.model.Architecture.HYBRID && (long) rec.length * 4 != state.byteSize())
            throw new RwkvxException("state has " + rec.length + " floats, the model needs " + state.byteSize() / 4);
        try (Arena tmp = Arena.ofConfined()) {
            MemorySegment host = tmp.allocateFrom(ValueLayout.JAVA_FLOAT, rec);
            state.importFrom(host);
        }
        float[] l = s.logitsShared();
        hasLogits = l != null;
        if (l != null) MemorySegment.copy(l, 0, lastLogits, ValueLayout.JAVA_FLOAT, 0, l.length);
    }

    public void saveState(Path file) {
        snapshot().save(file);
    }

    public void loadState(Path file) {
        State loaded = State.load(file); // its errors already name the file
        try {
            restore(loaded);
        } catch (RwkvxException e) {
            throw new RwkvxException(file + ": " + e.getMessage(), e);
        }
    }

    /** An independent copy of this session (same model, same state and logits). */
    public Session fork() {
        ensureOpen();
        Session s = owner.sibling().get();
        s.restore(snapshot());
        s.tokensSeen = tokensSeen;
        return s;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        state.close();
        arena.close();
        owner.onClose().accept(this);
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("session is closed");
    }

    private static int[] dims(ModelConfig c) {
        return new int[] {c.nLayer(), c.nEmbd(), c.nHead(), c.headSize(), c.nVocab()};
    }

    /** Text pieces of one generation; {@link #result()} after the last. */
    public static final class TextStream implements Iterator<String> {
        private final Generation generation;

        TextStream(Generation generation) {
            this.generation = generation;
        }

        @Override
        public boolean hasNext() {
            return generation.hasNext();
        }

        @Override
        public String next() {
            return generation.next();
        }

        /** The summary; complete once {@link #hasNext()} is false. */
        public GenerationResult result() {
            return generation.result();
        }
    }
}
