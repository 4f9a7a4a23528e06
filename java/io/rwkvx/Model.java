package io.rwkvx;

import io.rwkvx.backend.Backend;
import io.rwkvx.backend.BackendState;
import io.rwkvx.backend.ModelExecutor;
import io.rwkvx.common.RwkvxException;
import io.rwkvx.format.ModelFiles;
import io.rwkvx.model.ModelConfig;
import io.rwkvx.model.ModelWeights;
import io.rwkvx.tensor.Tensor;
import io.rwkvx.tokenizer.Tokenizer;
import io.rwkvx.tokenizer.Tokenizers;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import java.util.zip.CRC32C;

/**
 * A loaded model: weights (memory-mapped where the file allows), a backend and a tokenizer.
 *
 * <h2>Threads</h2>
 *
 * A model is thread-safe: open any number of {@link Session}s, from any threads; they share the weights and
 * run concurrently (each session serves one thread at a time, see {@link Session}). The calls that concurrent
 * sessions make are batched: each compute round evaluates the calls waiting at that moment (up to {@link
 * ModelOptions#maxBatch()}, long prefills in chunks) in one pass over the weights, fairly, in arrival order (see
 * {@link #batchingStats()}).
 *
 * <p>{@link #close()} may be called from any thread at any time, a generation's callback included. It refuses
 * new calls, ends the calls waiting for a batched round at once, waits for the native calls in flight on its sessions (each a bounded piece of work: a generation
 * ends at its next token), then closes the sessions, frees the native objects (states, then the model, then
 * the context) and unmaps the weights. Calls under way or made later on the model or its sessions throw
 * {@link IllegalStateException} ("model ... is closed"). Memory of {@link #weights()} is unmapped too: use it
 * only while the model is open.
 */
public final class Model implements AutoCloseable {
    private final Path source;
    private final Arena arena;
    private final Backend backend;
    private final ModelExecutor executor;
    private final ModelWeights weights;
    private final Tokenizer tokenizer;
    private final long fingerprint;
    private final io.rwkvx.model.HybridConfig hybrid;
    private final Set<Session> sessions = Collections.newSetFromMap(new ConcurrentHashMap<>());
    /** Guards the executor, backend and arena: sessions enter it for each native call (see {@link Gate}). */
    private final Gate gate;

    private final String closedMessage;
    /** Batches the calls of concurrent sessions. */
    private final BatchScheduler scheduler;

    private final Object closeLock = new Object();

    private Model(
            Path source,
            Arena arena,
            Backend backend,
            ModelWeights weights,
            Tokenizer tokenizer,
            ModelOptions options,
            UnaryOperator<ModelExecutor> wrap) {
        this.source = source;
        this.arena = arena;
        this.backend = backend;
        this.weights = weights;
        this.hybrid = options.hybrid();
        this.tokenizer = tokenizer;
        this.fingerprint = fingerprintOf(weights);
        this.closedMessage = "model " + source + " is closed";
        this.gate = new Gate(closedMessage);
        this.executor = wrap.apply(backend.load(weights, hybrid)); // last: nothing after it can fail and leak it
        this.scheduler =
                new BatchScheduler(executor, options.maxBatch(), options.prefillChunk(), options.roundPrefillTokens());
        // The native copy serves every call: let the OS drop the file's pages from this process
        // (they stay in the page cache, and come back on access, e.g. through weights()).
        if (executor.copiedWeights())
            for (Tensor t : weights.tensors().values())
                if (t.data().isMapped()) t.data().unload();
    }

    /** The scheduler of this model's sessions (tests set its gathering policy). */
    BatchScheduler scheduler() {
        return scheduler;
    }

    static Model open(Path file, ModelOptions options) {
        return open(file, options, UnaryOperator.identity());
    }

    /** {@link #open(Path, ModelOptions)} with the executor seen through {@code wrap} (tests observe the calls). */
    static Model open(Path file, ModelOptions options, UnaryOperator<ModelExecutor> wrap) {
        Arena arena = Arena.ofShared();
        Backend backend = null;
        try {
            ModelWeights weights = ModelFiles.read(file, arena);
            if (options.quantize() != null) weights = Quantizer.quantize(weights, options.quantize(), null, arena);
            Tokenizer tok = options.tokenizer() != null
                    ? options.tokenizer()
                    : Tokenizers.forVocabSize(weights.config().nVocab());
            if (tok.vocabSize() > weights.config().nVocab())
                throw new RwkvxException(file + ": tokenizer " + tok.name() + " has " + tok.vocabSize()
                        + " ids but the model only " + weights.config().nVocab());
            backend = BackendProvider.create(options.backend(), options.threads(), options.weights());
            return new Model(file, arena, backend, weights, tok, options, wrap);
        } catch (RuntimeException e) {
            if (backend != null) backend.close();
            arena.close();
            throw e;
        }
    }

    /**
     * The model's shape.
     *
     * @return the architecture and sizes read from the weights
     */
    public ModelConfig config() {
        return executor.config();
    }

    /**
     * The RWKV-X inference knobs.
     *
     * @return the knobs the model was loaded with ({@link ModelOptions#hybrid()}; unused by other architectures)
     */
    public io.rwkvx.model.HybridConfig hybrid() {
        return hybrid;
    }

    /**
     * The tokenizer that sessions' text calls use.
     *
     * @return the tokenizer of {@link ModelOptions#tokenizer()}, else the one matching the vocabulary size
     */
    public Tokenizer tokenizer() {
        return tokenizer;
    }

    /**
     * Where the weights came from.
     *
     * @return the model file's path as given to {@link Rwkvx#load(Path, ModelOptions)}
     */
    public Path source() {
        return source;
    }

    /**
     * Describes the model for logs.
     *
     * @return one line: architecture, sizes (e.g. {@code RWKV-7 L12 C768 H12 V65536}) and the backend
     */
    public String describe() {
        ModelConfig c = config();
        return c.arch().displayName + " L" + c.nLayer() + " C" + c.nEmbd() + " H" + c.nHead() + " V" + c.nVocab()
                + " on " + backend.describe();
    }

    /**
     * Describes the backend.
     *
     * @return one line: the kernels, the thread count, why no GPU
     */
    public String backendDescription() {
        return backend.describe();
    }

    /**
     * The model's size in parameters.
     *
     * @return the number of elements over all weight tensors
     */
    public long parameterCount() {
        return weights.tensors().values().stream().mapToLong(Tensor::numel).sum();
    }

    /**
     * The model's size in memory.
     *
     * @return bytes of all weight tensors as stored (quantized ones in their blocks)
     */
    public long weightBytes() {
        return weights.tensors().values().stream()
                .mapToLong(t -> t.data().byteSize())
                .sum();
    }

    /**
     * The weights.
     *
     * @return the canonical tensors: read-only views of memory that is unmapped when the model closes
     */
    public ModelWeights weights() {
        return weights;
    }

    /**
     * Identifies the weights (geometry, tensor names/types/shapes and sampled data); saved with states, so a
     * state file is not loaded into another model.
     *
     * @return the fingerprint, equal for equal weights
     */
    public long fingerprint() {
        return fingerprint;
    }

    /**
     * Opens a new independent sequence starting from the initial state.
     *
     * @return the session; the caller closes it (closing the model closes it too)
     * @throws IllegalStateException if the model is closed
     */
    public Session newSession() {
        gate.enter(); // a concurrent close waits for the new state, then frees it with the others
        try {
            BackendState state = executor.newState();
            try {
                Session s = new Session(
                        executor,
                        state,
                        new Session.Owner(
                                source, fingerprint, tokenizer, this::newSession, sessions::remove, gate, scheduler));
                sessions.add(s);
                return s;
            } catch (RuntimeException | Error e) {
                state.close();
                throw e;
            }
        } finally {
            gate.exit();
        }
    }

    /**
     * What the batching of this model's sessions' calls has done so far: the calls waiting now, the last and
     * average batch size, rounds and tokens. Readable at any time, also after close.
     *
     * @return a snapshot of the counters
     */
    public BatchingStats batchingStats() {
        return scheduler.stats();
    }

    /**
     * Closes the sessions, frees the native model and context and unmaps the weights. Safe from any thread and
     * at any time: waits for the native calls in flight first (see the class comment); a second call (or one
     * made while another thread closes) returns once the model is closed.
     */
    @Override
    public void close() {
        synchronized (closeLock) {
            // Calls waiting for a round end now; those in the round in progress after it (the gate waits for them).
            scheduler.close(r -> new IllegalStateException(closedMessage));
            if (!gate.close()) return;
            // Nothing runs inside the gate any more: free in dependency order, each step even if one before failed.
            RuntimeException failure = null;
            for (Session s : sessions.toArray(Session[]::new)) failure = attempt(failure, s::close);
            failure = attempt(failure, executor::close);
            failure = attempt(failure, backend::close);
            failure = attempt(failure, arena::close);
            if (failure != null) throw failure;
        }
    }

    private static RuntimeException attempt(RuntimeException failure, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            if (failure == null) return e;
            failure.addSuppressed(e);
        }
        return failure;
    }

    private static long fingerprintOf(ModelWeights w) {
        CRC32C hi = new CRC32C(), lo = new CRC32C();
        hi.update(w.config().toString().getBytes(StandardCharsets.UTF_8));
        ByteBuffer sample = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN);
        for (Tensor t : new TreeMap<>(w.tensors()).values()) {
            byte[] meta =
                    (t.name() + t.dtype() + java.util.Arrays.toString(t.shape())).getBytes(StandardCharsets.UTF_8);
            hi.update(meta);
            // Head and tail of every tensor: cheap, yet tells different checkpoints apart.
            MemorySegment d = t.data();
            long n = Math.min(64, d.byteSize());
            sample.clear();
            sample.put(d.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            sample.put(d.asSlice(d.byteSize() - n, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            lo.update(sample.array(), 0, sample.position());
            lo.update(meta);
        }
        return (hi.getValue() << 32) | lo.getValue();
    }
}
