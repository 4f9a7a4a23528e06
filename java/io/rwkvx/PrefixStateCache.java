package io.rwkvx;

import io.rwkvx.common.RwkvxException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Saved states of token prefixes, so that a request whose tokens begin with an earlier request's starts from the
 * saved state instead of evaluating those tokens again (a chat's history, a shared system prompt).
 *
 * <p>{@link #put} saves a session's state (a {@link State} snapshot: for RWKV-X it includes the KV caches) under
 * the tokens that session was fed. {@link #open} returns a new session positioned after all of its tokens with
 * the logits after the last one: it restores the <b>longest</b> saved prefix of those tokens and evaluates the
 * rest in one {@link Session#prefill}. A saved entry may cover the whole request when it holds logits (every
 * snapshot taken after a {@code prefill}, {@code decodeStep} or {@code evalAll} does): then nothing is
 * evaluated and the logits are the saved ones. The logits of a hit are therefore bit-identical to those of a
 * session that evaluated the saved prefix and then the rest in the same two calls.
 *
 * <h2>Initial states</h2>
 *
 * Keys live in a namespace per {@link Initial} state: tokens evaluated from a state-tuned initial state (a
 * {@code .state} file loaded per request) never match tokens evaluated from the model's blank state or from
 * another initial state. Initial states are told apart by content, so two names for the same state share
 * entries.
 *
 * <h2>Memory</h2>
 *
 * Entries are kept in least-recently-used order (a hit or a repeated {@code put} refreshes one) and evicted,
 * oldest first, while their bytes exceed the cap. An entry's bytes are its snapshot's floats (state and logits)
 * and its key, 4 bytes each; an entry larger than the whole cap is not stored. Snapshots are immutable: evicting
 * an entry never changes a session already restored from it.
 *
 * <h2>Threads</h2>
 *
 * Thread-safe: any number of threads may open and put concurrently. Lookups and bookkeeping hold one lock for
 * O(tokens) work; snapshots, restores and evaluation run outside it. Each session passed to {@link #put} must
 * be used by the calling thread only, as every session.
 *
 * <p>The cache belongs to one model: a session or initial state of another model (another fingerprint) is
 * refused. Once the model is closed, {@link #open} drops every entry and it and {@link #put} throw
 * {@link IllegalStateException}.
 */
public final class PrefixStateCache {
    private final Model model;
    private final long maxBytes;
    private final Object lock = new Object();

    /** One radix trie per initial state. */
    private final Map<Initial, PrefixTrie<Entry>> namespaces = new HashMap<>();
    /** Every entry, least recently used first. */
    private final LinkedHashMap<Entry, Entry> lru = new LinkedHashMap<>(16, 0.75f, true);

    private long bytes;
    private long hits, misses, reusedTokens, evictions, rejected;
    private boolean modelClosed;

    /**
     * An empty cache.
     *
     * @param model    the model whose states are saved; sessions are opened from it
     * @param maxBytes the cap on the entries' bytes (see the class comment), at least 1
     * @throws IllegalArgumentException if {@code maxBytes} is below 1
     */
    public PrefixStateCache(Model model, long maxBytes) {
        this.model = Objects.requireNonNull(model, "model");
        if (maxBytes < 1)
            throw new IllegalArgumentException("prefix cache cap must be at least 1 byte, got " + maxBytes);
        this.maxBytes = maxBytes;
    }

    /**
     * A state to evaluate tokens from: the model's blank state, or a saved one (a state-tuned initial state).
     * Equal when their states hold the same floats.
     */
    public static final class Initial {
        private static final Initial BLANK = new Initial("blank", null, 0);

        private final String name;
        private final State state;
        private final int hash;

        private Initial(String name, State state, int hash) {
            this.name = name;
            this.state = state;
            this.hash = hash;
        }

        /**
         * The model's own initial state.
         *
         * @return the blank initial state, which all new sessions start from
         */
        public static Initial blank() {
            return BLANK;
        }

        /**
         * A saved state as the starting point, e.g. {@code State.load(file)} of a state-tuning run; {@code name}
         * is used in messages only.
         *
         * @param name  names the state in messages, e.g. its file name
         * @param state a state of the cache's model
         * @return the initial state, equal to any other of the same floats
         */
        public static Initial of(String name, State state) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(state, "state");
            int h = 31 * Arrays.hashCode(state.recurrentShared()) + Arrays.hashCode(state.logitsShared());
            return new Initial(name, state, h);
        }

        /**
         * The name for messages.
         *
         * @return the name given to {@link #of}, or "blank"
         */
        public String name() {
            return name;
        }

        /**
         * The starting state.
         *
         * @return the state, or null for {@link #blank()}
         */
        public State state() {
            return state;
        }

        /**
         * Whether this is the model's own initial state.
         *
         * @return true for {@link #blank()}
         */
        public boolean isBlank() {
            return state == null;
        }

        @Override
        public boolean equals(Object o) {
            if (this == o) return true;
            if (!(o instanceof Initial other) || hash != other.hash) return false;
            if (state == null || other.state == null) return state == other.state;
            return state == other.state
                    || (state.modelFingerprint() == other.state.modelFingerprint()
                            && Arrays.equals(state.recurrentShared(), other.state.recurrentShared())
                            && Arrays.equals(state.logitsShared(), other.state.logitsShared()));
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public String toString() {
            return "initial state '" + name + "'";
        }
    }

    /**
     * A session opened by {@link #open}: positioned after all the tokens asked for, with {@code logits} after
     * the last one. {@code reusedTokens} of them came from a saved state (0 on a miss). Closing it closes the
     * session. {@link Session#restore} keeps a session's position, so the session's {@link Session#position()}
     * counts only the tokens evaluated after the restore: {@code tokens.length - reusedTokens}.
     *
     * @param session      the new session; the caller owns it (closing this closes it)
     * @param reusedTokens how many leading tokens were restored from a saved state instead of evaluated
     * @param logits       the {@code n_vocab} logits after the last token
     */
    public record Opened(Session session, int reusedTokens, float[] logits) implements AutoCloseable {
        /** Closes the session. */
        @Override
        public void close() {
            session.close();
        }
    }

    /**
     * Counters since the cache was made, and its current size.
     *
     * @param hits         {@link #open} calls that restored a saved state
     * @param misses       {@link #open} calls that found none
     * @param reusedTokens tokens restored over all hits instead of evaluated
     * @param evictions    entries dropped to keep under the cap
     * @param rejected     snapshots not stored because each alone exceeded the cap
     * @param entries      entries stored now
     * @param bytes        their bytes now (see the class comment)
     * @param maxBytes     the cap
     */
    public record Stats(
            long hits,
            long misses,
            long reusedTokens,
            long evictions,
            long rejected,
            int entries,
            long bytes,
            long maxBytes) {}

    private record Entry(Initial initial, int[] tokens, State state, long bytes) {
        boolean hasLogits() {
            return state.logitsShared() != null;
        }

        /** Whether restoring this entry serves a request of {@code requested} tokens (logits must exist after). */
        boolean serves(int requested) {
            return tokens.length < requested || hasLogits();
        }

        @Override
        public boolean equals(Object o) {
            return this == o; // identity: the LRU map holds each entry once
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(this);
        }
    }

    /**
     * {@link #open(Initial, int...)} from the model's blank state.
     *
     * @param tokens the request's tokens, at least one
     * @return the new session after all of them, with its logits
     * @throws IllegalStateException when the model is closed
     * @throws RwkvxException        when a token is out of range
     */
    public Opened open(int... tokens) {
        return open(Initial.blank(), tokens);
    }

    /**
     * A new session of the model that has evaluated {@code tokens} from {@code initial}, with the logits after the
     * last token: the longest saved prefix of {@code tokens} (under {@code initial}) is restored and the rest
     * evaluated. With no tokens, {@code initial} must hold logits.
     *
     * @param initial the state the tokens are evaluated from
     * @param tokens  the request's tokens
     * @return the new session after all of them, with its logits; the caller closes it
     * @throws IllegalArgumentException with no tokens when {@code initial} holds no logits
     * @throws IllegalStateException when the model is closed
     * @throws RwkvxException        when {@code initial} belongs to another model, or a token is out of range
     */
    public Opened open(Initial initial, int... tokens) {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(tokens, "tokens");
        checkModel(initial);
        if (tokens.length == 0 && (initial.isBlank() || initial.state().logitsShared() == null))
            throw new IllegalArgumentException("no tokens and " + initial + " holds no logits: nothing to open");
        Session session = newSession();
        try {
            Entry hit;
            synchronized (lock) {
                PrefixTrie<Entry> trie = namespaces.get(initial);
                hit = trie == null ? null : trie.longestPrefixOf(tokens, e -> e.serves(tokens.length));
                if (hit != null) {
                    lru.get(hit); // refreshes it
                    hits++;
                    reusedTokens += hit.tokens().length;
                } else {
                    misses++;
                }
            }
            State start = hit != null ? hit.state() : initial.state();
            if (start != null) session.restore(start);
            int reused = hit == null ? 0 : hit.tokens().length;
            float[] logits = reused < tokens.length
                    ? session.prefill(Arrays.copyOfRange(tokens, reused, tokens.length))
                    : session.logits();
            return new Opened(session, reused, logits);
        } catch (RuntimeException | Error e) {
            session.close();
            throw e;
        }
    }

    /**
     * How many of {@code tokens} {@link #open} would restore now: the length of the longest saved prefix under
     * {@code initial} (0 for none). Counts neither a hit nor a miss and refreshes nothing; another thread may
     * change the answer before an {@code open}. Lets a caller choose where to save intermediate states.
     *
     * @param initial the state the tokens would be evaluated from
     * @param tokens  the request's tokens
     * @return the number of leading tokens a saved state covers now, 0 for none
     */
    public int cachedPrefixLength(Initial initial, int... tokens) {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(tokens, "tokens");
        synchronized (lock) {
            PrefixTrie<Entry> trie = namespaces.get(initial);
            Entry e = trie == null ? null : trie.longestPrefixOf(tokens, x -> x.serves(tokens.length));
            return e == null ? 0 : e.tokens().length;
        }
    }

    /**
     * {@link #put(Initial, int[], Session)} for a session started from the model's blank state.
     *
     * @param tokens  every token the session evaluated, in order; at least one
     * @param session the session whose current state is saved
     * @return whether a snapshot was stored (false: refreshed, or larger than the whole cap)
     * @throws IllegalStateException when the model or the session is closed
     * @throws RwkvxException        when the session belongs to another model
     */
    public boolean put(int[] tokens, Session session) {
        return put(Initial.blank(), tokens, session);
    }

    /**
     * Saves {@code session}'s current state under {@code tokens}, the tokens it evaluated from {@code initial}
     * (all of them, in order: the cache cannot check this). A session opened by {@link #open} has evaluated
     * the tokens passed there. An entry already saved under these tokens is only refreshed, unless this session
     * has logits and it has none.
     *
     * @param initial the state the session started from
     * @param tokens  every token the session evaluated from {@code initial}, in order; at least one (copied)
     * @param session the session whose current state is saved; used by the calling thread only
     * @return whether a snapshot was stored (false: refreshed, or larger than the whole cap)
     * @throws IllegalStateException when the model or the session is closed
     * @throws IllegalArgumentException with no tokens
     * @throws RwkvxException        when the session or {@code initial} belongs to another model
     */
    public boolean put(Initial initial, int[] tokens, Session session) {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(session, "session");
        if (tokens.length == 0) throw new IllegalArgumentException("no tokens: the empty prefix is the initial state");
        checkModel(initial);
        int[] key = tokens.clone();
        synchronized (lock) {
            ensureModelOpen();
            PrefixTrie<Entry> trie = namespaces.get(initial);
            Entry existing = trie == null ? null : trie.get(key);
            if (existing != null && (existing.hasLogits() || !session.hasLogits())) {
                lru.get(existing);
                return false;
            }
        }
        State snapshot = session.snapshot();
        if (snapshot.modelFingerprint() != model.fingerprint())
            throw new RwkvxException("prefix cache of " + model.source() + ": the session belongs to another model"
                    + " (state fingerprint " + Long.toHexString(snapshot.modelFingerprint()) + ", this model's "
                    + Long.toHexString(model.fingerprint()) + ")");
        long size = sizeOf(snapshot, key);
        synchronized (lock) {
            ensureModelOpen();
            if (size > maxBytes) {
                rejected++;
                return false;
            }
            Entry entry = new Entry(initial, key, snapshot, size);
            Entry old =
                    namespaces.computeIfAbsent(initial, i -> new PrefixTrie<>()).put(key, entry);
            if (old != null) {
                lru.remove(old);
                bytes -= old.bytes();
            }
            lru.put(entry, entry);
            bytes += size;
            evictOverCap();
            return true;
        }
    }

    /** Drops every entry (the counters stay). */
    public void clear() {
        synchronized (lock) {
            namespaces.clear();
            lru.clear();
            bytes = 0;
        }
    }

    /**
     * Reads the counters.
     *
     * @return a consistent snapshot of the counters and the current size
     */
    public Stats stats() {
        synchronized (lock) {
            return new Stats(hits, misses, reusedTokens, evictions, rejected, lru.size(), bytes, maxBytes);
        }
    }

    /**
     * The cap.
     *
     * @return the most bytes the entries may hold together, as given to the constructor
     */
    public long maxBytes() {
        return maxBytes;
    }

    /** The bytes an entry of {@code snapshot} under {@code key} counts: 4 per state float, logit and token. */
    static long sizeOf(State snapshot, int[] key) {
        float[] logits = snapshot.logitsShared();
        return 4L * ((long) snapshot.recurrentShared().length + (logits == null ? 0 : logits.length) + key.length);
    }

    private void evictOverCap() {
        Iterator<Entry> oldestFirst = lru.keySet().iterator();
        while (bytes > maxBytes && oldestFirst.hasNext()) {
            Entry victim = oldestFirst.next();
            oldestFirst.remove();
            bytes -= victim.bytes();
            evictions++;
            PrefixTrie<Entry> trie = namespaces.get(victim.initial());
            trie.remove(victim.tokens());
            if (trie.isEmpty()) namespaces.remove(victim.initial());
        }
    }

    private void checkModel(Initial initial) {
        if (!initial.isBlank() && initial.state().modelFingerprint() != model.fingerprint())
            throw new RwkvxException("prefix cache of " + model.source() + ": " + initial
                    + " belongs to another model (fingerprint "
                    + Long.toHexString(initial.state().modelFingerprint())
                    + ", this model's " + Long.toHexString(model.fingerprint()) + ")");
    }

    private void ensureModelOpen() {
        if (modelClosed) throw new IllegalStateException("prefix cache of " + model.source() + ": the model is closed");
    }

    /** A new session; a closed model drops the entries and is refused from then on. */
    private Session newSession() {
        synchronized (lock) {
            ensureModelOpen();
        }
        try {
            return model.newSession();
        } catch (IllegalStateException e) {
            synchronized (lock) {
                modelClosed = true;
                namespaces.clear();
                lru.clear();
                bytes = 0;
            }
            throw new IllegalStateException(
                    "prefix cache of " + model.source() + ": the model is closed (" + e.getMessage() + ")", e);
        }
    }
}
