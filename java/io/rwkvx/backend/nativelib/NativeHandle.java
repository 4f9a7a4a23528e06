package io.rwkvx.backend.nativelib;

import io.rwkvx.common.RwkvxException;
import io.rwkvx.ffi.rwkvx_h;
import io.rwkvx.nativelib.NativeLibrary;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToIntFunction;

/**
 * A native handle (context, model, state) shared by Java threads. Every call that passes it to native code
 * holds it ({@link #enter()} ... {@link #exit()}), and {@link #close} frees it only while no call holds it,
 * so no call can reach native code with a freed pointer: a call after close throws
 * {@link IllegalStateException}, a close during a call throws {@link RwkvxException} and frees nothing.
 *
 * <p>The native library refuses a free of its own accord ({@code RWKVX_ERROR_IN_USE}) while the handle has
 * dependents (a model's states, a context's models) or a native call holds it; {@link #close} turns that
 * into a {@link RwkvxException} with the library's message and leaves the handle open, so closing it again
 * once the dependents are gone succeeds.
 */
final class NativeHandle {
    private static final long CLOSED = Long.MIN_VALUE;
    private static final long CLOSING = -1;

    private final String what;
    private final MemorySegment segment;
    // Calls holding the handle, or CLOSING while a close frees it, or CLOSED once it is freed.
    private final AtomicLong holders = new AtomicLong();

    /**
     * @param what    the handle as messages name it, e.g. "native state"
     * @param segment the native pointer
     */
    NativeHandle(String what, MemorySegment segment) {
        this.what = what;
        this.segment = segment;
    }

    /**
     * Holds the handle for a native call; pair with {@link #exit()} in a {@code finally}.
     *
     * @throws IllegalStateException when the handle is closed or being closed
     */
    MemorySegment enter() {
        for (; ; ) {
            long n = holders.get();
            if (n == CLOSED) throw new IllegalStateException(what + " is closed");
            if (n < 0) throw new IllegalStateException(what + " is being closed by another thread");
            if (holders.compareAndSet(n, n + 1)) return segment;
        }
    }

    /** Ends a call that {@link #enter()} began. */
    void exit() {
        holders.decrementAndGet();
    }

    boolean isClosed() {
        return holders.get() == CLOSED;
    }

    /**
     * Frees the handle with {@code free} (an {@code rwkvx_*_free} returning an {@code rwkvx_status}). Does
     * nothing when it is closed already; idempotent and thread-safe.
     *
     * @param function the native function's name, for messages
     * @throws RwkvxException when a call holds the handle (in Java or natively) or it still has dependents;
     *                        nothing was freed and the handle stays usable
     */
    synchronized void close(String function, ToIntFunction<MemorySegment> free) {
        long n = holders.get();
        if (n == CLOSED) return;
        if (n > 0 || !holders.compareAndSet(0, CLOSING)) {
            throw new RwkvxException(function + " refused: another thread is using the " + what + " (" + Math.max(n, 1)
                    + " call(s) in flight); nothing was freed");
        }
        int status;
        try {
            status = free.applyAsInt(segment);
        } catch (RuntimeException | Error e) {
            holders.set(0);
            throw e;
        }
        if (status != rwkvx_h.RWKVX_OK()) {
            // Read the message before anything else calls into the library on this thread.
            RwkvxException refused = NativeLibrary.error(function, status);
            holders.set(0);
            throw refused;
        }
        holders.set(CLOSED);
    }
}
