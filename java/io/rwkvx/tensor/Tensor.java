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
 * Equality is identity: two tensors over the same bytes are still two tensors.
 *
 * @param name  the tensor's name, for messages (a canonical name inside {@code ModelWeights})
 * @param dtype the element type
 * @param shape dimensions, slowest first; copied on the way in and out
 * @param data  exactly {@code dtype.byteSize(numel())} bytes, little-endian
 */
public record Tensor(String name, DType dtype, long[] shape, MemorySegment data) {

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * Checks that the segment holds exactly the shape's elements.
     *
     * @throws IllegalArgumentException if a dimension is negative, a quantized tensor's last dimension is not
     *                                  a multiple of 32, or the segment's size differs from the shape's
     * @throws ArithmeticException      if the element count does not fit in a long
     */
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

    /**
     * The element count.
     *
     * @return the product of the dimensions (1 for a scalar)
     */
    public long numel() {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    /**
     * The number of dimensions.
     *
     * @return the shape's length, 0 for a scalar
     */
    public int rank() {
        return shape.length;
    }

    /**
     * One dimension.
     *
     * @param i the dimension's index, slowest first; negative counts from the end ({@code -1} is the last)
     * @return the size of that dimension
     * @throws ArrayIndexOutOfBoundsException if {@code i} is outside {@code [-rank, rank)}
     */
    public long dim(int i) {
        return shape[i < 0 ? shape.length + i : i];
    }

    /**
     * The dimensions.
     *
     * @return a copy of the shape, slowest dimension first
     */
    @Override
    public long[] shape() {
        return shape.clone();
    }

    /**
     * Reads one element; a quantized one decodes its whole block, so use {@link #toFloatArray} for many.
     *
     * @param i the element's flat, row-major index, in {@code [0, numel())}
     * @return the element widened to float
     * @throws IndexOutOfBoundsException if {@code i} lies outside the tensor
     */
    public float getFloat(long i) {
        return switch (dtype) {
            case F32 -> data.get(F32, i * 4);
            case F16 -> Float.float16ToFloat(data.get(U16, i * 2));
            case BF16 -> Float.intBitsToFloat((data.get(U16, i * 2) & 0xffff) << 16);
            case Q4_0, Q4_1, Q5_0, Q5_1, Q8_0 -> QuantizedBlocks.element(dtype, data, i);
        };
    }

    /**
     * Reads every element.
     *
     * @return a new array of all elements widened to float, row-major
     * @throws IllegalStateException if the tensor has more elements than a Java array holds
     */
    public float[] toFloatArray() {
        long n = numel();
        if (n > Integer.MAX_VALUE) throw new IllegalStateException(name + ": too large for a Java array");
        float[] out = new float[(int) n];
        if (dtype.isQuantized()) QuantizedBlocks.decode(dtype, data, out);
        else for (int i = 0; i < out.length; i++) out[i] = getFloat(i);
        return out;
    }

    /**
     * A view with another shape over the same elements.
     *
     * @param newShape dimensions with the same element count (for a quantized type, the last one a multiple
     *                 of 32)
     * @return a tensor over the same memory
     * @throws IllegalArgumentException if the new shape does not fit the memory
     */
    public Tensor reshape(long... newShape) {
        return new Tensor(name, dtype, newShape, data);
    }

    /**
     * A renamed view.
     *
     * @param newName the view's name
     * @return a tensor over the same memory
     */
    public Tensor withName(String newName) {
        return new Tensor(newName, dtype, shape, data);
    }

    /**
     * Rows of the slowest dimension, as a view (whole blocks for a quantized tensor).
     *
     * @param from the first row, inclusive
     * @param to   the end row, exclusive; {@code from <= to <= dim(0)}
     * @return a tensor over the rows' part of the same memory
     * @throws IndexOutOfBoundsException if the rows lie outside the tensor
     */
    public Tensor sliceRows(long from, long to) {
        long row = dtype.byteSize(numel() / shape[0]);
        long[] s = shape.clone();
        s[0] = to - from;
        return new Tensor(name, dtype, s, data.asSlice(from * row, (to - from) * row));
    }

    /**
     * The tensor as float32.
     *
     * @param arena where a copy is allocated (64-byte aligned); it owns the copy's memory
     * @return this tensor if it is already 4-byte aligned F32, else a float32 copy in {@code arena}
     */
    public Tensor toF32(Arena arena) {
        if (dtype == DType.F32 && data.address() % 4 == 0) return this;
        long n = numel();
        MemorySegment out = arena.allocate(n * 4, 64);
        if (dtype.isQuantized()) MemorySegment.copy(toFloatArray(), 0, out, ValueLayout.JAVA_FLOAT, 0, (int) n);
        else for (long i = 0; i < n; i++) out.setAtIndex(ValueLayout.JAVA_FLOAT, i, getFloat(i));
        return new Tensor(name, DType.F32, shape, out);
    }

    /**
     * A new float32 tensor holding {@code values}, allocated in {@code arena} (64-byte aligned).
     *
     * @param arena  owns the tensor's memory
     * @param name   the tensor's name
     * @param values the elements, row-major; copied
     * @param shape  dimensions whose product is {@code values.length}
     * @return the tensor
     * @throws IllegalArgumentException if the shape does not hold {@code values.length} elements
     */
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
