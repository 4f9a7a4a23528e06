package io.rwkvx.tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Element types understood by the native library; {@link #code} equals {@code rwkvx_dtype}. The float
 * types store one element per block; the quantized ones are ggml's blocks of 32 consecutive elements
 * along a tensor's last dimension (layouts in docs/formats.md, decoded by {@link QuantizedBlocks}), so a
 * byte size is always a whole number of blocks: use {@link #byteSize}, never elements times a size.
 */
public enum DType {
    /** IEEE binary32. */
    F32(0, 1, 4),
    /** IEEE binary16. */
    F16(1, 1, 2),
    /** bfloat16: the upper 16 bits of a binary32. */
    BF16(2, 1, 2),
    /** binary16 d, 16 bytes of 4-bit q: x = d * (q - 8). */
    Q4_0(3, 32, 18),
    /** binary16 d and m, 16 bytes of 4-bit q: x = d * q + m. */
    Q4_1(4, 32, 20),
    /** binary16 d, 32 fifth bits, 16 bytes of low 4 bits: x = d * (q - 16). */
    Q5_0(5, 32, 22),
    /** binary16 d and m, 32 fifth bits, 16 bytes of low 4 bits: x = d * q + m. */
    Q5_1(6, 32, 24),
    /** binary16 d, 32 int8 q: x = d * q. */
    Q8_0(7, 32, 34);

    /** The {@code RWKVX_DTYPE_*} value. */
    public final int code;
    /** Elements per block: 1 for the float types, 32 for the quantized ones. */
    public final int blockSize;
    /** Bytes per block (per element for the float types). */
    public final int blockBytes;

    DType(int code, int blockSize, int blockBytes) {
        this.code = code;
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
    }

    /**
     * Whether the type is quantized.
     *
     * @return true if elements come in quantized blocks of {@link #blockSize}, false for the float types
     */
    public boolean isQuantized() {
        return blockSize > 1;
    }

    /**
     * Bytes that {@code elements} elements take.
     *
     * @param elements an element count, a multiple of {@link #blockSize}
     * @return the byte size of that many elements
     * @throws IllegalArgumentException when {@code elements} is negative or not a whole number of blocks
     * @throws ArithmeticException      when the size does not fit in a long
     */
    public long byteSize(long elements) {
        if (elements < 0 || elements % blockSize != 0) {
            throw new IllegalArgumentException(
                    this + ": " + elements + " elements are not a whole number of " + blockSize + "-element blocks");
        }
        return Math.multiplyExact(elements / blockSize, (long) blockBytes);
    }

    /**
     * The type of a native code.
     *
     * @param code an {@code RWKVX_DTYPE_*} value
     * @return the type whose {@link #code} it is
     * @throws IllegalArgumentException if no type has that code
     */
    public static DType fromCode(int code) {
        for (DType d : values()) if (d.code == code) return d;
        throw new IllegalArgumentException("unknown dtype code " + code);
    }

    /**
     * The quantized types.
     *
     * @return an unmodifiable list, from the most to the fewest bits: Q8_0, Q5_1, Q5_0, Q4_1, Q4_0
     */
    public static List<DType> quantized() {
        List<DType> out = new ArrayList<>();
        for (DType d : values()) if (d.isQuantized()) out.add(0, d);
        return List.copyOf(out);
    }
}
