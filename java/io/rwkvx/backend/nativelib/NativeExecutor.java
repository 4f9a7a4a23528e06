package io.rwkvx.backend.nativelib;

import static io.rwkvx.nativelib.NativeLibrary.check;

import io.rwkvx.backend.BackendState;
import io.rwkvx.backend.BatchItem;
import io.rwkvx.backend.LogitsMode;
import io.rwkvx.backend.ModelExecutor;
import io.rwkvx.common.RwkvxException;
import io.rwkvx.ffi.rwkvx_batch_item;
import io.rwkvx.ffi.rwkvx_h;
import io.rwkvx.ffi.rwkvx_model_info;
import io.rwkvx.model.Architecture;
import io.rwkvx.model.HybridConfig;
import io.rwkvx.model.ModelConfig;
import io.rwkvx.model.ModelWeights;
import io.rwkvx.nativelib.NativeLibrary;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * A model created in the native library: over the caller's weight memory (in place, not copied), or over
 * a copy it owns when the backend's context has resident weights.
 *
 * <p>Thread-safe: states of one model may be evaluated from several threads (the context's calls take
 * turns). After {@link #close()} every method throws {@link IllegalStateException}; {@link #close()} is
 * idempotent and thread-safe, and throws {@link RwkvxException} (freeing nothing) while the model still
 * has states or another thread's call uses it.
 */
final class NativeExecutor implements ModelExecutor {
    private final NativeBackend backend;
    private final ModelConfig config;
    private final NativeHandle model;
    private final long stateBytes;

    NativeExecutor(NativeBackend backend, ModelWeights weights, HybridConfig hybrid) {
        this.backend = backend;
        this.config = weights.config();
        MemorySegment context = backend.enter();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment tensors =
                    NativeTensors.namedArray(arena, weights.tensors().values());
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            int status = config.arch() == Architecture.HYBRID
                    ? rwkvx_h.rwkvx_model_create_hybrid(
                            context, tensors, weights.tensors().size(), HybridConfigs.toNative(hybrid, arena), out)
                    : rwkvx_h.rwkvx_model_create(
                            context,
                            config.arch().code,
                            tensors,
                            weights.tensors().size(),
                            out);
            if (status != 0)
                throw new RwkvxException(weights.source() + ": "
                        + NativeLibrary.error("rwkvx_model_create", status).getMessage());
            MemorySegment created = out.get(ValueLayout.ADDRESS, 0);
            model = new NativeHandle("native model", created);
            try {
                MemorySegment info = rwkvx_model_info.allocate(arena);
                check("rwkvx_model_get_info", rwkvx_h.rwkvx_model_get_info(created, info));
                stateBytes = rwkvx_model_info.state_bytes(info);
                if (stateBytes != config.stateFloats() * 4)
                    throw new RwkvxException(
                            "native state size " + stateBytes + " != expected " + config.stateFloats() * 4);
            } catch (RuntimeException | Error e) {
                model.close("rwkvx_model_free", rwkvx_h::rwkvx_model_free); // no states yet: freed
                throw e;
            }
        } finally {
            backend.exit();
        }
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    /** Holds the model for a native call (pair with {@link #exit()}); throws once it is closed. */
    MemorySegment enter() {
        return model.enter();
    }

    void exit() {
        model.exit();
    }

    @Override
    public BackendState newState() {
        return new NativeState(this);
    }

    @Override
    public void eval(BackendState state, int[] tokens, MemorySegment logits, LogitsMode mode) {
        NativeState ns = ownState(state, "");
        if (tokens.length == 0) throw new IllegalArgumentException("no tokens to evaluate");
        checkLogits(logits, tokens.length, mode, "");
        MemorySegment m = enter();
        try {
            MemorySegment s = ns.enter();
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment ids = arena.allocateFrom(ValueLayout.JAVA_INT, tokens);
                check(
                        "rwkvx_model_eval",
                        rwkvx_h.rwkvx_model_eval(
                                m,
                                s,
                                ids,
                                tokens.length,
                                mode == LogitsMode.NONE ? MemorySegment.NULL : logits,
                                mode.code));
            } finally {
                ns.exit();
            }
        } finally {
            exit();
        }
    }

    /**
     * Runs every item in one native call ({@code rwkvx_model_eval_batch}: one pass over the weights for the
     * whole batch). All or nothing: the items are checked here and again natively before anything runs, so
     * an error (a state of another model or closed, two items with one state, a token out of range, a state
     * in use by another call) changes no state and writes no logits; its message names the item
     * ({@code "items[3]: ..."}). The logits segments are written in place: they must be native memory that
     * stays alive until this method returns. An empty list does nothing.
     */
    @Override
    public void evalBatch(List<BatchItem> items) {
        if (items.isEmpty()) return;
        NativeState[] states = new NativeState[items.size()];
        for (int i = 0; i < states.length; i++) {
            BatchItem it = items.get(i);
            String at = "items[" + i + "]: ";
            if (it == null) throw new IllegalArgumentException(at + "item is null");
            states[i] = ownState(it.state(), at);
            checkLogits(it.logits(), it.tokens().length, it.mode(), at);
        }
        MemorySegment m = enter();
        int held = 0;
        try {
            MemorySegment[] handles = new MemorySegment[states.length];
            for (; held < states.length; held++) {
                try {
                    handles[held] = states[held].enter();
                } catch (IllegalStateException e) {
                    throw new IllegalStateException("items[" + held + "]: " + e.getMessage(), e);
                }
            }
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment array = rwkvx_batch_item.allocateArray(states.length, arena);
                for (int i = 0; i < states.length; i++) {
                    BatchItem it = items.get(i);
                    MemorySegment item = rwkvx_batch_item.asSlice(array, i);
                    rwkvx_batch_item.state(item, handles[i]);
                    rwkvx_batch_item.tokens(item, arena.allocateFrom(ValueLayout.JAVA_INT, it.tokens()));
                    rwkvx_batch_item.n_tokens(item, it.tokens().length);
                    rwkvx_batch_item.logits(item, it.mode() == LogitsMode.NONE ? MemorySegment.NULL : it.logits());
                    rwkvx_batch_item.logits_mode(item, it.mode().code);
                }
                check("rwkvx_model_eval_batch", rwkvx_h.rwkvx_model_eval_batch(m, array, states.length));
            }
        } finally {
            for (int i = 0; i < held; i++) states[i].exit();
            exit();
        }
    }

    /** {@code state} as this model's native state, or IllegalArgumentException prefixed with {@code at}. */
    private NativeState ownState(BackendState state, String at) {
        if (!(state instanceof NativeState ns) || ns.executor() != this)
            throw new IllegalArgumentException(at + "state was not created by this model");
        return ns;
    }

    /**
     * Throws IllegalArgumentException (prefixed with {@code at}) when {@code logits} cannot take what {@code mode}
     * writes: too small, or not native memory. With {@link LogitsMode#NONE} it is not used (it may be null).
     */
    private void checkLogits(MemorySegment logits, int nTokens, LogitsMode mode, String at) {
        if (mode == LogitsMode.NONE) return;
        if (logits == null) throw new IllegalArgumentException(at + "logits is null with mode " + mode);
        if (!logits.isNative())
            throw new IllegalArgumentException(at + "logits must be native memory (the library writes them)");
        // A downcall keeps its segment arguments alive; a batch passes them inside its item array.
        if (!logits.scope().isAlive()) throw new IllegalStateException(at + "logits memory is already freed");
        long need = mode == LogitsMode.LAST ? (long) config.nVocab() * 4 : (long) nTokens * config.nVocab() * 4;
        if (logits.byteSize() < need)
            throw new IllegalArgumentException(
                    at + "logits buffer has " + logits.byteSize() + " bytes, " + need + " needed");
    }

    /**
     * Frees the native model. Idempotent and thread-safe.
     *
     * @throws RwkvxException while the model has states that are not closed, or another thread's call uses
     *                        it (nothing is freed then; close again after closing the states)
     */
    @Override
    public void close() {
        model.close("rwkvx_model_free", rwkvx_h::rwkvx_model_free);
    }

    @Override
    public boolean copiedWeights() {
        return backend.placement() == io.rwkvx.common.WeightPlacement.RESIDENT;
    }

    NativeBackend backend() {
        return backend;
    }
}
