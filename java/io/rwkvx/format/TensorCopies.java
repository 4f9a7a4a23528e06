package io.rwkvx.format;

import io.rwkvx.tensor.DType;
import io.rwkvx.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** The few copies canonicalisation needs; everything else stays a view of the mapped file. */
final class TensorCopies {
    private TensorCopies() {}

    /** {@code t} itself when it is already F32 (even unaligned: no copy), else an F32 copy in {@code arena}. */
    static Tensor asF32(Tensor t, Arena arena) {
        if (t.dtype() == DType.F32) return t;
        return t.toF32(arena);
    }

    /** The transpose of a 2-D tensor as a contiguous copy in {@code arena}, same dtype (bytes moved as is). */
    static Tensor transpose2d(Tensor t, Arena arena) {
        if (t.rank() != 2) throw new IllegalArgumentException(t + ": transpose needs a 2-D tensor");
        return transposeLastTwo(t, arena);
    }

    /**
     * Each [rows, cols] matrix of the last two dimensions transposed (a batch of them for rank 3), as a
     * contiguous copy in {@code arena}, same dtype (bytes moved as is).
     */
    static Tensor transposeLastTwo(Tensor t, Arena arena) {
        if (t.rank() < 2) throw new IllegalArgumentException(t + ": transpose needs at least 2 dimensions");
        // Quantized blocks run along rows: a transpose would have to dequantize (checkpoints hold no blocks).
        if (t.dtype().isQuantized()) throw new IllegalArgumentException(t + ": cannot transpose quantized blocks");
        long[] shape = t.shape();
        int r = shape.length;
        long rows = shape[r - 2], cols = shape[r - 1], batch = t.numel() / Math.max(1, rows * cols);
        int es = t.dtype().blockBytes; // one element per block: a float type
        MemorySegment src = t.data();
        MemorySegment out = arena.allocate(Math.max(1, t.numel()) * es, 64);
        for (long b = 0; b < batch; b++) {
            long base = b * rows * cols;
            for (long i = 0; i < rows; i++) {
                for (long j = 0; j < cols; j++) {
                    MemorySegment.copy(src, (base + i * cols + j) * es, out, (base + j * rows + i) * es, es);
                }
            }
        }
        long[] transposed = shape.clone();
        transposed[r - 2] = cols;
        transposed[r - 1] = rows;
        return new Tensor(t.name(), t.dtype(), transposed, out);
    }
}
