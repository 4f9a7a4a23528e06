package io.rwkvx.backend.nativelib;

import static io.rwkvx.nativelib.NativeLibrary.check;

import io.rwkvx.backend.BackendState;
import io.rwkvx.backend.LogitsMode;
import io.rwkvx.backend.ModelExecutor;
import io.rwkvx.common.RwkvxException;
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
        if (!(state instanceof NativeState ns) || ns.executor() != this)
            throw new IllegalArgumentException("state was not created by this model");
        if (tokens.length == 0) throw new IllegalArgumentException("no tokens to evaluate");
        long need = switch (mode) {
            case NONE -> 0;
            case LAST -> (long) config.nVocab() * 4;
            case ALL -> (long) tokens.length * config.nVocab() * 4;
        };
        if (logits.byteSize() < need)
            throw new IllegalArgumentException(
                    "logits buffer has " + logits.byteSize() + " bytes, " + need + " needed");
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
