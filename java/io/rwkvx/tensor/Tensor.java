package io.rwkvx.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A contiguous, row-major tensor over a {@link MemorySegment} (shape slowest dimension first, as in
 * PyTorch). The segment may be a memory-mapped file region, unaligned, and is handed to native code
 * without copies. The tensor does not own its memory: the segment's {@link Arena} does. A quantized
 * tensor ({@link DType#isQuantized}) stores its rows as blocks of 32 elements, so its last dimension is a
 * multiple of 32; {@link #getFloat} and {@link #toFloatArray} decode the blocks ({@link QuantizedBlocks}).
 */
public record Tensor(String name, DType dtype, long[] shape, MemorySegment data) {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public Tensor {
        shape = shape.clone();
        long n = 1;
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException(name + ": negative dimension in " + Arrays.toString(shape));
            n = Math.multiplyExact(n, d);
        }
        if (dtype.isQuantized() && (shape.length == 0 || shape[shape.length - 1] % dtype.blockSize != 0)) {
            throw new IllegalArgumentException(name + ": " + dtype + " " + Arrays.toString(shape)
                    + ": the last dimension must be a multiple of the " + dtype.blockSize + "-element block");
        }
        long need = dtype.byteSize(n);
        if (data.byteSize() != need) {
            throw new IllegalArgumentException(name + ": " + dtype + " " + Arrays.toString(shape) + " needs " + need
                    + " bytes, segment has " + data.byteSize());
        }
    }

    /** Number of elements. */
    public long numel() {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int i) {
        return shape[i < 0 ? shape.length + i : i];
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** Element {@code i} (flat, row-major) widened to float. */
    public float getFloat(long i) {
        return switch (dtype) {
            case F32 -> data.get(F32, i * 4);
            case F16 -> Float.float16ToFloat(data.get(U16, i * 2));
            case BF16 -> Float.intBitsToFloat((data.get(U16, i * 2) & 0xffff) << 16);
            case Q4_0, Q4_1, Q5_0, Q5_1, Q8_0 -> QuantizedBlocks.element(dtype, data, i);
        };
    }

    /** All elements widened to float, in a new array. */
    public float[] toFloatArray() {
        long n = numel();
        if (n > Integer.MAX_VALUE) throw new IllegalStateException(name + ": too large for a Java array");
        float[] out = new float[(int) n];
        if (dtype.isQuantized()) QuantizedBlocks.decode(dtype, data, out);
        else for (int i = 0; i < out.length; i++) out[i] = getFloat(i);
        return out;
    }

    /** A view with another shape over the same elements. */
    public Tensor reshape(long... newShape) {
        return new Tensor(name, dtype, newShape, data);
    }

    /** A renamed view. */
    public Tensor withName(String newName) {
        return new Tensor(newName, dtype, shape, data);
    }

    /** Rows {@code [from, to)} of the slowest dimension, as a view (whole blocks for a quantized tensor). */
    public Tensor sliceRows(long from, long to) {
        long row = dtype.byteSize(numel() / shape[0]);
        long[] s = shape.clone();
        s[0] = to - from;
        return new Tensor(name, dtype, s, data.asSlice(from * row, (to - from) * row));
    }

    /** A float32 copy allocated in {@code arena}. */
    public Tensor toF32(Arena arena) {
        if (dtype == DType.F32 && data.address() % 4 == 0) return this;
        long n = numel();
        MemorySegment out = arena.allocate(n * 4, 64);
        if (dtype.isQuantized()) MemorySegment.copy(toFloatArray(), 0, out, ValueLayout.JAVA_FLOAT, 0, (int) n);
        else for (long i = 0; i < n; i++) out.setAtIndex(ValueLayout.JAVA_FLOAT, i, getFloat(i));
        return new Tensor(name, DType.F32, shape, out);
    }

    /** A new float32 tensor holding {@code values}, allocated in {@code arena}. */
    public static Tensor ofFloats(Arena arena, String name, float[] values, long... shape) {
        MemorySegment seg = arena.allocate((long) values.length * 4, 64);
        MemorySegment.copy(values, 0, seg, ValueLayout.JAVA_FLOAT, 0, values.length);
        return new Tensor(name, DType.F32, shape, seg);
    }

    @Override
    public String toString() {
        return name + " " + dtype + " " + Arrays.toString(shape);
    }

    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }
}
