package io.rwkvx.backend.nativelib;

import static io.rwkvx.nativelib.NativeLibrary.check;

import io.rwkvx.backend.BackendState;
import io.rwkvx.ffi.rwkvx_h;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A recurrent state owned by the native library (host memory today, device memory with CUDA). Its
 * export size is asked each time: RWKV-X states grow with their KV caches.
 */
final class NativeState implements BackendState {
    private final NativeExecutor executor;
    private final MemorySegment state;
    private boolean closed;

    NativeState(NativeExecutor executor) {
        this.executor = executor;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            check("rwkvx_state_create", rwkvx_h.rwkvx_state_create(executor.handle(), out));
            state = out.get(ValueLayout.ADDRESS, 0);
        }
    }

    NativeExecutor executor() {
        return executor;
    }

    MemorySegment handle() {
        if (closed) throw new IllegalStateException("state is closed");
        return state;
    }

    @Override
    public long byteSize() {
        return rwkvx_h.rwkvx_state_size(handle());
    }

    @Override
    public void reset() {
        check("rwkvx_state_reset", rwkvx_h.rwkvx_state_reset(handle()));
    }

    @Override
    public BackendState copy() {
        NativeState c = new NativeState(executor);
        check("rwkvx_state_copy", rwkvx_h.rwkvx_state_copy(c.handle(), handle()));
        return c;
    }

    @Override
    public void exportTo(MemorySegment dst) {
        check("rwkvx_state_export", rwkvx_h.rwkvx_state_export(handle(), dst, byteSize()));
    }

    @Override
    public void importFrom(MemorySegment src) {
        check("rwkvx_state_import", rwkvx_h.rwkvx_state_import(handle(), src, src.byteSize()));
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        rwkvx_h.rwkvx_state_free(state);
    }
}
