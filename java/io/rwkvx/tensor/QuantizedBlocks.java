package io.rwkvx.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Decodes ggml's quantized blocks (docs/formats.md) in Java, independently of the native library's
 * {@code rwkvx_dequantize}: the float64 reference backend reads quantized weights through this class
 * (by way of {@link Tensor#toFloatArray}), so it checks the native kernels rather than sharing their code.
 *
 * <p>A block holds 32 consecutive elements. Element {@code j < 16} of a 4- or 5-bit block is the low
 * nibble of byte {@code j} of {@code qs}, element {@code j + 16} its high nibble; the fifth bit of element
 * {@code j} (0..31) is bit {@code j} of the little-endian u32 {@code qh}. {@code d} and {@code m} are
 * binary16. Values are computed in float32 as ggml does: {@code q * d} is exact in float32 (at most 8 + 11
 * significant bits), so the only rounding is the one addition of {@code m} in Q4_1 and Q5_1, and every
 * correct decoder gives the same float bits.
 */
public final class QuantizedBlocks {
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Elements per block of every quantized type. */
    public static final int BLOCK = 32;

    private QuantizedBlocks() {}

    /**
     * Decodes block {@code block} of {@code data} into {@code out[off .. off + 32)}.
     *
     * @param type  a quantized type
     * @param data  consecutive blocks of {@code type}, from the first
     * @param block the block's index in {@code data}
     * @param out   receives the 32 decoded elements
     * @param off   where in {@code out} the first element goes
     * @throws IndexOutOfBoundsException when the block lies beyond {@code data} or the elements beyond {@code out}
     * @throws IllegalArgumentException when {@code type} is not quantized
     */
    public static void decodeBlock(DType type, MemorySegment data, long block, float[] out, int off) {
        long base = block * type.blockBytes;
        float d = half(data, base);
        switch (type) {
            case Q4_0 -> {
                for (int j = 0; j < 16; j++) {
                    int q = data.get(ValueLayout.JAVA_BYTE, base + 2 + j) & 0xff;
                    out[off + j] = ((q & 0x0f) - 8) * d;
                    out[off + j + 16] = ((q >>> 4) - 8) * d;
                }
            }
            case Q4_1 -> {
                float m = half(data, base + 2);
                for (int j = 0; j < 16; j++) {
                    int q = data.get(ValueLayout.JAVA_BYTE, base + 4 + j) & 0xff;
                    out[off + j] = (q & 0x0f) * d + m;
                    out[off + j + 16] = (q >>> 4) * d + m;
                }
            }
            case Q5_0 -> {
                int qh = data.get(U32, base + 2);
                for (int j = 0; j < 16; j++) {
                    int q = data.get(ValueLayout.JAVA_BYTE, base + 6 + j) & 0xff;
                    out[off + j] = (((q & 0x0f) | fifthBit(qh, j)) - 16) * d;
                    out[off + j + 16] = (((q >>> 4) | fifthBit(qh, j + 16)) - 16) * d;
                }
            }
            case Q5_1 -> {
                float m = half(data, base + 2);
                int qh = data.get(U32, base + 4);
                for (int j = 0; j < 16; j++) {
                    int q = data.get(ValueLayout.JAVA_BYTE, base + 8 + j) & 0xff;
                    out[off + j] = ((q & 0x0f) | fifthBit(qh, j)) * d + m;
                    out[off + j + 16] = ((q >>> 4) | fifthBit(qh, j + 16)) * d + m;
                }
            }
            case Q8_0 -> {
                for (int j = 0; j < 32; j++) out[off + j] = data.get(ValueLayout.JAVA_BYTE, base + 2 + j) * d;
            }
            default -> throw new IllegalArgumentException(type + " is not a quantized type");
        }
    }

    /**
     * Decodes one element; each call decodes its whole block, so use {@link #decode} for many.
     *
     * @param type a quantized type
     * @param data consecutive blocks of {@code type}, from the first
     * @param i    the element's flat index
     * @return the element's value
     * @throws IllegalArgumentException when {@code type} is not quantized
     */
    public static float element(DType type, MemorySegment data, long i) {
        float[] block = new float[BLOCK];
        decodeBlock(type, data, i / BLOCK, block, 0);
        return block[(int) (i % BLOCK)];
    }

    /**
     * Decodes the first {@code out.length} elements of quantized {@code data}.
     *
     * @param type a quantized type
     * @param data consecutive blocks of {@code type}, from the first; at least {@code out.length / 32} of them
     * @param out  receives the elements; its length a multiple of 32
     * @throws IllegalArgumentException when {@code type} is not quantized or {@code out.length} is not a
     *                                  multiple of 32
     */
    public static void decode(DType type, MemorySegment data, float[] out) {
        if (out.length % BLOCK != 0)
            throw new IllegalArgumentException(out.length + " elements are not whole " + BLOCK + "-element blocks");
        for (int b = 0; b < out.length / BLOCK; b++) decodeBlock(type, data, b, out, b * BLOCK);
    }

    private static int fifthBit(int qh, int j) {
        return ((qh >>> j) & 1) << 4;
    }

    private static float half(MemorySegment data, long offset) {
        return Float.float16ToFloat(data.get(U16, offset));
    }
}
