package io.rwkvx.backend.nativelib;

import static io.rwkvx.nativelib.NativeLibrary.check;

import io.rwkvx.backend.BackendState;
import io.rwkvx.common.RwkvxException;
import io.rwkvx.ffi.rwkvx_h;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A recurrent state owned by the native library (host memory today, device memory with CUDA). Its
 * export size is asked each time: RWKV-X states grow with their KV caches.
 *
 * <p>One call at a time: the library refuses a call that overlaps another on the same state with
 * {@code RWKVX_ERROR_IN_USE}, which surfaces as a {@link RwkvxException}. After {@link #close()} every
 * method throws {@link IllegalStateException}; {@link #close()} is idempotent and thread-safe, and throws
 * {@link RwkvxException} (freeing nothing) while another thread's call uses the state.
 */
final class NativeState implements BackendState {
    private final NativeExecutor executor;
    private final NativeHandle state;

    NativeState(NativeExecutor executor) {
        this.executor = executor;
        MemorySegment model = executor.enter();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            check("rwkvx_state_create", rwkvx_h.rwkvx_state_create(model, out));
            state = new NativeHandle("native state", out.get(ValueLayout.ADDRESS, 0));
        } finally {
            executor.exit();
        }
    }

    NativeExecutor executor() {
        return executor;
    }

    /** Holds the state for a native call (pair with {@link #exit()}); throws once it is closed. */
    MemorySegment enter() {
        return state.enter();
    }

    void exit() {
        state.exit();
    }

    @Override
    public long byteSize() {
        MemorySegment s = enter();
        try {
            return rwkvx_h.rwkvx_state_size(s);
        } finally {
            exit();
        }
    }

    @Override
    public void reset() {
        MemorySegment s = enter();
        try {
            check("rwkvx_state_reset", rwkvx_h.rwkvx_state_reset(s));
        } finally {
            exit();
        }
    }

    @Override
    public BackendState copy() {
        MemorySegment src = enter();
        try {
            NativeState c = new NativeState(executor);
            MemorySegment dst = c.enter();
            try {
                check("rwkvx_state_copy", rwkvx_h.rwkvx_state_copy(dst, src));
            } catch (RuntimeException | Error e) {
                c.exit();
                c.close();
                throw e;
            }
            c.exit();
            return c;
        } finally {
            exit();
        }
    }

    @Override
    public void exportTo(MemorySegment dst) {
        MemorySegment s = enter();
        try {
            long size = rwkvx_h.rwkvx_state_size(s);
            if (dst.byteSize() < size)
                throw new IllegalArgumentException(
                        "export buffer has " + dst.byteSize() + " bytes, the state needs " + size);
            check("rwkvx_state_export", rwkvx_h.rwkvx_state_export(s, dst, size));
        } finally {
            exit();
        }
    }

    @Override
    public void importFrom(MemorySegment src) {
        MemorySegment s = enter();
        try {
            check("rwkvx_state_import", rwkvx_h.rwkvx_state_import(s, src, src.byteSize()));
        } finally {
            exit();
        }
    }

    /**
     * Frees the native state. Idempotent and thread-safe.
     *
     * @throws RwkvxException when another thread's call is using the state (nothing is freed then)
     */
    @Override
    public void close() {
        state.close("rwkvx_state_free", rwkvx_h::rwkvx_state_free);
    }
}
