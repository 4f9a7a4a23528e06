package io.rwkvx.backend.nativelib;

import static io.rwkvx.ffi.NativeLibrary.check;

import io.rwkvx.backend.BackendState;
import io.rwkvx.ffi.rwkvx_h;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** A recurrent state owned by the native library (host memory today, device memory with CUDA). */
final class NativeState implements BackendState {
    private final NativeExecutor executor;
    private final long bytes;
    private final MemorySegment state;
    private boolean closed;

    NativeState(NativeExecutor executor, long bytes) {
        this.executor = executor;
        this.bytes = bytes;
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
        return bytes;
    }

    @Override
    public void reset() {
        check("rwkvx_state_reset", rwkvx_h.rwkvx_state_reset(handle()));
    }

    @Override
    public BackendState copy() {
        NativeState c = new NativeState(executor, bytes);
        check("rwkvx_state_copy", rwkvx_h.rwkvx_state_copy(c.handle(), handle()));
        return c;
    }

    @Override
    public void exportTo(MemorySegment dst) {
        check("rwkvx_state_export", rwkvx_h.rwkvx_state_export(handle(), dst, bytes));
    }

    @Override
    public void importFrom(MemorySegment src) {
        check("rwkvx_state_import", rwkvx_h.rwkvx_state_import(handle(), src, bytes));
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        rwkvx_h.rwkvx_state_free(state);
    }
}
