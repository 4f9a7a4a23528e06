package io.rwkvx.backend.nativelib;

import static io.rwkvx.nativelib.NativeLibrary.check;

import io.rwkvx.backend.Backend;
import io.rwkvx.backend.ModelExecutor;
import io.rwkvx.common.WeightPlacement;
import io.rwkvx.ffi.rwkvx_h;
import io.rwkvx.model.ModelWeights;
import io.rwkvx.nativelib.NativeLibrary;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The native library (librwkvx): AVX2/scalar CPU kernels, and CUDA kernels behind the same ABI where the library
 * was built with CUDA and a device exists ({@link #device()} says which runs; models run on the CPU for now).
 * Owns one native context (thread pool); close it after every executor made from it.
 *
 * <p>After {@link #close()} every method that reaches native code throws {@link IllegalStateException};
 * {@link #close()} is idempotent and thread-safe, and throws {@link io.rwkvx.common.RwkvxException}
 * (freeing nothing) while executors made from it are open or another thread's call uses it.
 */
public final class NativeBackend implements Backend {
    /**
     * Selects the backend inside the native library; values equal {@code rwkvx_backend}. AUTO takes CUDA when the
     * library was built with it and a usable device exists, else the CPU ({@link #describe()} says why); CUDA
     * fails with {@code RWKVX_ERROR_UNSUPPORTED} and the reason where it cannot run.
     */
    public enum Device {
        AUTO(0),
        CPU(1),
        CUDA(2);

        final int code;

        Device(int code) {
            this.code = code;
        }

        /** The device with this {@code rwkvx_backend} code. */
        static Device of(int code) {
            for (Device d : values()) if (d.code == code) return d;
            throw new IllegalArgumentException("rwkvx_backend " + code + " is not a known device");
        }
    }

    private final NativeHandle context;
    private final WeightPlacement placement;
    private final String description;

    /**
     * @param threads      compute threads, 0 = all processors
     * @param forceScalar  use the portable kernels even where AVX2 exists (for tests and comparisons)
     * @param weights      RESIDENT: models copy their weights into native memory
     *                     ({@code RWKVX_CONTEXT_RESIDENT_WEIGHTS}); IN_PLACE: they use the caller's memory in place
     */
    public NativeBackend(Device device, int threads, boolean forceScalar, WeightPlacement weights) {
        if (weights == null) throw new IllegalArgumentException("weight placement is null");
        this.placement = weights;
        NativeLibrary.load();
        int flags = (forceScalar ? rwkvx_h.RWKVX_CONTEXT_FORCE_SCALAR() : 0)
                | (weights == WeightPlacement.RESIDENT ? rwkvx_h.RWKVX_CONTEXT_RESIDENT_WEIGHTS() : 0);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            check("rwkvx_context_create", rwkvx_h.rwkvx_context_create(device.code, threads, flags, out));
            MemorySegment created = out.get(ValueLayout.ADDRESS, 0);
            context = new NativeHandle("native backend", created);
            description = "native "
                    + rwkvx_h.rwkvx_context_describe(created).reinterpret(4096).getString(0);
        }
    }

    /** As before weight placement existed: models use the weights in place ({@link WeightPlacement#IN_PLACE}). */
    public NativeBackend(Device device, int threads, boolean forceScalar) {
        this(device, threads, forceScalar, WeightPlacement.IN_PLACE);
    }

    /** The CPU backend with all processors, the best kernels and the weights used in place. */
    public NativeBackend() {
        this(Device.AUTO, 0, false);
    }

    @Override
    public String name() {
        return "native";
    }

    @Override
    public String describe() {
        return description;
    }

    /** Where models made by this backend keep their weights. */
    public WeightPlacement placement() {
        return placement;
    }

    /** Threads the native context computes with. */
    public int threads() {
        MemorySegment c = enter();
        try {
            return rwkvx_h.rwkvx_context_threads(c);
        } finally {
            exit();
        }
    }

    /**
     * The device the context's kernel, attention and KV-cache calls run on: {@link Device#CPU} or {@link
     * Device#CUDA}, never AUTO (an AUTO backend reports what it chose). Models run on the CPU on either today.
     */
    public Device device() {
        MemorySegment c = enter();
        try {
            return Device.of(rwkvx_h.rwkvx_context_backend(c));
        } finally {
            exit();
        }
    }

    /** Holds the context for a native call (pair with {@link #exit()}); throws once it is closed. */
    MemorySegment enter() {
        return context.enter();
    }

    void exit() {
        context.exit();
    }

    @Override
    public ModelExecutor load(ModelWeights weights) {
        return new NativeExecutor(this, weights, io.rwkvx.model.HybridConfig.defaults());
    }

    @Override
    public ModelExecutor load(ModelWeights weights, io.rwkvx.model.HybridConfig hybrid) {
        return new NativeExecutor(this, weights, hybrid);
    }

    /**
     * Frees the native context. Idempotent and thread-safe.
     *
     * @throws io.rwkvx.common.RwkvxException while executors made from this backend are open (or another
     *                                        thread's call uses it); nothing is freed then
     */
    @Override
    public void close() {
        context.close("rwkvx_context_free", rwkvx_h::rwkvx_context_free);
    }
}
