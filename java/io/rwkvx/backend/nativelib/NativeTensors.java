package io.rwkvx.backend.nativelib;

import io.rwkvx.ffi.rwkvx_h;
import io.rwkvx.ffi.rwkvx_named_tensor;
import io.rwkvx.ffi.rwkvx_tensor;
import io.rwkvx.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Collection;

/**
 * Describes Java {@link Tensor}s to native code as {@code rwkvx_tensor} structs (no data copies). Java tensors
 * live in host memory, so every struct says {@code RWKVX_MEMORY_HOST}.
 */
public final class NativeTensors {
    private NativeTensors() {}

    /** Writes {@code t} into the {@code rwkvx_tensor} at {@code struct}. */
    public static void describe(MemorySegment struct, Tensor t) {
        long[] shape = t.shape();
        if (shape.length < 1 || shape.length > 4)
            throw new IllegalArgumentException(t.name() + ": rank " + shape.length + " is not in 1..4");
        rwkvx_tensor.data(struct, t.data());
        rwkvx_tensor.dtype(struct, t.dtype().code);
        rwkvx_tensor.ndim(struct, shape.length);
        long stride = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            rwkvx_tensor.shape(struct, i, shape[i]);
            rwkvx_tensor.strides(struct, i, stride);
            stride *= shape[i];
        }
        rwkvx_tensor.memory(struct, rwkvx_h.RWKVX_MEMORY_HOST());
        rwkvx_tensor.reserved(struct, 0);
    }

    /** A new {@code rwkvx_tensor} in {@code arena} describing {@code t}. */
    public static MemorySegment of(Arena arena, Tensor t) {
        MemorySegment s = rwkvx_tensor.allocate(arena);
        describe(s, t);
        return s;
    }

    /** An array of {@code rwkvx_named_tensor} in {@code arena}; names are allocated there too. */
    public static MemorySegment namedArray(Arena arena, Collection<Tensor> tensors) {
        MemorySegment array = rwkvx_named_tensor.allocateArray(tensors.size(), arena);
        long i = 0;
        for (Tensor t : tensors) {
            MemorySegment entry = rwkvx_named_tensor.asSlice(array, i++);
            rwkvx_named_tensor.name(entry, arena.allocateFrom(t.name()));
            describe(rwkvx_named_tensor.tensor(entry), t);
        }
        return array;
    }
}
