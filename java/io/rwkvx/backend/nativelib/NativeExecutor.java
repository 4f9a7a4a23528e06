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
 */
final class NativeExecutor implements ModelExecutor {
    private final NativeBackend backend;
    private final ModelConfig config;
    private final MemorySegment model;
    private final long stateBytes;
    private volatile boolean closed;

    NativeExecutor(NativeBackend backend, ModelWeights weights, HybridConfig hybrid) {
        this.backend = backend;
        this.config = weights.config();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment tensors =
                    NativeTensors.namedArray(arena, weights.tensors().values());
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            int status = config.arch() == Architecture.HYBRID
                    ? rwkvx_h.rwkvx_model_create_hybrid(
                            backend.context(),
                            tensors,
                            weights.tensors().size(),
                            HybridConfigs.toNative(hybrid, arena),
                            out)
                    : rwkvx_h.rwkvx_model_create(
                            backend.context(),
                            config.arch().code,
                            tensors,
                            weights.tensors().size(),
                            out);
            if (status != 0)
                throw new RwkvxException(weights.source() + ": "
                        + NativeLibrary.error("rwkvx_model_create", status).getMessage());
            model = out.get(ValueLayout.ADDRESS, 0);
            MemorySegment info = rwkvx_model_info.allocate(arena);
            check("rwkvx_model_get_info", rwkvx_h.rwkvx_model_get_info(model, info));
            stateBytes = rwkvx_model_info.state_bytes(info);
            if (stateBytes != config.stateFloats() * 4)
                throw new RwkvxException(
                        "native state size " + stateBytes + " != expected " + config.stateFloats() * 4);
        }
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    MemorySegment handle() {
        if (closed) throw new IllegalStateException("model is closed");
        return model;
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
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ids = arena.allocateFrom(ValueLayout.JAVA_INT, tokens);
            check(
                    "rwkvx_model_eval",
                    rwkvx_h.rwkvx_model_eval(
                            handle(),
                            ns.handle(),
                            ids,
                            tokens.length,
                            mode == LogitsMode.NONE ? MemorySegment.NULL : logits,
                            mode.code));
        }
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        rwkvx_h.rwkvx_model_free(model);
    }

    @Override
    public boolean copiedWeights() {
        return backend.placement() == io.rwkvx.common.WeightPlacement.RESIDENT;
    }

    NativeBackend backend() {
        return backend;
    }
}
