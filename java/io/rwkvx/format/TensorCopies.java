package io.rwkvx.format;

import io.rwkvx.tensor.DType;
import io.rwkvx.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** The few copies canonicalisation needs; everything else stays a view of the mapped file. */
final class TensorCopies {
    private TensorCopies() {}

    /** {@code t} itself when it is already F32 (even unaligned: no copy), else an F32 copy in {@code arena}. */
    static Tensor asF32(Tensor t, Arena arena) {
        if (t.dtype() == DType.F32) return t;
        long n = t.numel();
        MemorySegment out = arena.allocate(n * 4, 64);
        for (long i = 0; i < n; i++) out.setAtIndex(ValueLayout.JAVA_FLOAT, i, t.getFloat(i));
        return new Tensor(t.name(), DType.F32, t.shape(), out);
    }

    /** The transpose of a 2-D tensor as a contiguous copy in {@code arena}, same dtype (bytes moved as is). */
    static Tensor transpose2d(Tensor t, Arena arena) {
        if (t.rank() != 2) throw new IllegalArgumentException(t + ": transpose needs a 2-D tensor");
        long rows = t.dim(0), cols = t.dim(1);
        int es = t.dtype().bytes;
        MemorySegment src = t.data();
        MemorySegment out = arena.allocate(rows * cols * es, 64);
        for (long r = 0; r < rows; r++) {
            for (long c = 0; c < cols; c++) {
                MemorySegment.copy(src, (r * cols + c) * es, out, (c * rows + r) * es, es);
            }
        }
        return new Tensor(t.name(), t.dtype(), new long[] {cols, rows}, out);
    }
}
