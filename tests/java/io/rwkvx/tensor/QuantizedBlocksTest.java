package io.rwkvx.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Java block decoder on blocks built here byte by byte from the layouts in docs/formats.md: each
 * expected value is computed in double from the block's integers, so a wrong nibble order, fifth-bit
 * position, offset or header field shows as a wrong element.
 */
class QuantizedBlocksTest {
    private static final short HALF_ONE = Float.floatToFloat16(1f);

    /**
     * One block from its integer quants {@code q[0..31]} (unsigned 0..15 / 0..31, or int8 for Q8_0) and the
     * binary16 bits of d and m (m unused by the _0 types).
     */
    static byte[] block(DType type, short d, short m, int[] q) {
        ByteBuffer b = ByteBuffer.allocate(type.blockBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(d);
        if (type == DType.Q4_1 || type == DType.Q5_1) b.putShort(m);
        if (type == DType.Q8_0) {
            for (int v : q) b.put((byte) v);
            return b.array();
        }
        if (type == DType.Q5_0 || type == DType.Q5_1) {
            int qh = 0;
            for (int j = 0; j < 32; j++) qh |= ((q[j] >> 4) & 1) << j;
            b.putInt(qh);
        }
        for (int j = 0; j < 16; j++) b.put((byte) ((q[j] & 0x0f) | ((q[j + 16] & 0x0f) << 4)));
        return b.array();
    }

    /** ggml's formula in double, rounded once to float (q·d is exact in float, so this is ggml's value). */
    static float expected(DType type, short d, short m, int q) {
        double dd = Float.float16ToFloat(d), mm = Float.float16ToFloat(m);
        return switch (type) {
            case Q4_0 -> (float) ((q - 8) * dd);
            case Q5_0 -> (float) ((q - 16) * dd);
            case Q8_0 -> (float) (q * dd);
            case Q4_1, Q5_1 -> (float) (q * dd + mm);
            default -> throw new IllegalArgumentException(type.toString());
        };
    }

    static int maxQuant(DType type) {
        return switch (type) {
            case Q4_0, Q4_1 -> 15;
            case Q5_0, Q5_1 -> 31;
            default -> 127;
        };
    }

    static float[] decode(DType type, byte[]... blocks) {
        MemorySegment seg = Arena.ofAuto().allocate((long) blocks.length * type.blockBytes);
        for (int i = 0; i < blocks.length; i++)
            MemorySegment.copy(blocks[i], 0, seg, ValueLayout.JAVA_BYTE, (long) i * type.blockBytes, type.blockBytes);
        float[] out = new float[32 * blocks.length];
        QuantizedBlocks.decode(type, seg, out);
        return out;
    }

    private static void assertDecodes(DType type, short d, short m, int[] q) {
        float[] got = decode(type, block(type, d, m, q));
        for (int j = 0; j < 32; j++) {
            assertEquals(
                    Float.floatToIntBits(expected(type, d, m, q[j])),
                    Float.floatToIntBits(got[j]),
                    type + " element " + j + " (q " + q[j] + "): expected " + expected(type, d, m, q[j]) + ", got "
                            + got[j]);
        }
    }

    static List<DType> types() {
        return DType.quantized();
    }

    @ParameterizedTest
    @EnumSource(names = {"Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0"})
    void everyQuantValueAtEveryPosition(DType type) {
        // Position j holds a value that differs from its neighbours' and from position j ± 16's, so a swapped
        // nibble or a misplaced fifth bit gives another number; two blocks check the block stride too.
        int max = maxQuant(type), min = type == DType.Q8_0 ? -128 : 0;
        int[] q1 = new int[32], q2 = new int[32];
        for (int j = 0; j < 32; j++) {
            q1[j] = min + (j * 7 + 3) % (max - min + 1);
            q2[j] = max - (j * 5) % (max - min + 1);
        }
        short d = Float.floatToFloat16(-0.3125f), m = Float.floatToFloat16(1.75f);
        assertDecodes(type, d, m, q1);
        assertDecodes(type, Float.floatToFloat16(0.0078125f), Float.floatToFloat16(-0.5f), q2);
        float[] both = decode(type, block(type, d, m, q1), block(type, HALF_ONE, m, q2));
        for (int j = 0; j < 32; j++) {
            assertEquals(expected(type, d, m, q1[j]), both[j], 0.0, "block 0 element " + j);
            assertEquals(expected(type, HALF_ONE, m, q2[j]), both[32 + j], 0.0, "block 1 element " + j);
        }
    }

    @Test
    void nibbleAndFifthBitPositionsAreGgmls() {
        // One element set at a time: its value must appear at exactly that index.
        for (DType type : List.of(DType.Q4_0, DType.Q5_0)) {
            int zero = type == DType.Q4_0 ? 8 : 16;
            for (int pos = 0; pos < 32; pos++) {
                int[] q = new int[32];
                java.util.Arrays.fill(q, zero);
                q[pos] = type == DType.Q4_0 ? 15 : 31; // for Q5_0 this sets bit pos of qh too
                float[] x = decode(type, block(type, HALF_ONE, (short) 0, q));
                for (int j = 0; j < 32; j++)
                    assertEquals(j == pos ? (type == DType.Q4_0 ? 7f : 15f) : 0f, x[j], 0.0, type + " pos " + pos);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"Q4_1", "Q5_1"})
    void minimumOffsetBlocks(DType type) {
        // q = 0 decodes to m exactly, whatever d is; the largest quant to m + max·d.
        for (float m : new float[] {-3f, -65504f, 0.0001f, -0f}) {
            short mh = Float.floatToFloat16(m);
            int[] q = new int[32];
            q[31] = maxQuant(type);
            float[] x = decode(type, block(type, Float.floatToFloat16(0.125f), mh, q));
            for (int j = 0; j < 31; j++) assertEquals(Float.float16ToFloat(mh), x[j], 0.0, "m = " + m);
            assertEquals(expected(type, Float.floatToFloat16(0.125f), mh, q[31]), x[31], 0.0);
        }
        // A block of equal values: ggml's quantizer writes d = 0 and m = the value.
        int[] q = new int[32];
        float[] x = decode(type, block(type, (short) 0, Float.floatToFloat16(2.5f), q));
        for (float v : x) assertEquals(2.5f, v, 0.0);
    }

    @ParameterizedTest
    @EnumSource(names = {"Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0"})
    void allZeroBlocks(DType type) {
        // All bytes zero: d = 0 (and m = 0), so every element is a zero (Q4_0 and Q5_0 give -0: (0 - 8)·0).
        for (float v : decode(type, new byte[type.blockBytes])) assertEquals(0f, Math.abs(v), 0.0, type.toString());
        // What ggml's quantizer writes for 32 zeros: d = 0, q at the type's zero point; decodes to +0.
        int zeroPoint = type == DType.Q4_0 ? 8 : type == DType.Q5_0 ? 16 : 0;
        int[] q = new int[32];
        java.util.Arrays.fill(q, zeroPoint);
        for (float v : decode(type, block(type, (short) 0, (short) 0, q)))
            assertEquals(Float.floatToIntBits(0f), Float.floatToIntBits(v), type.toString());
    }

    @ParameterizedTest
    @EnumSource(names = {"Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0"})
    void extremeScales(DType type) {
        int max = maxQuant(type), min = type == DType.Q8_0 ? -128 : 0;
        int[] q = new int[32];
        for (int j = 0; j < 32; j++) q[j] = j % 2 == 0 ? min : max;
        short maxHalf = (short) 0x7bff, minSubnormal = (short) 0x0001, negativeMax = (short) 0xfbff;
        for (short d : new short[] {maxHalf, negativeMax, minSubnormal, (short) 0x8001, (short) 0x0400}) {
            assertDecodes(type, d, Float.floatToFloat16(-1f), q);
            assertDecodes(type, d, negativeMax, q);
        }
        // 65504·127 and (0 - 16)·65504 are exact in float32: nothing overflows or rounds.
        float[] x = decode(type, block(type, maxHalf, (short) 0, q));
        assertEquals(
                type == DType.Q8_0
                        ? -128.0 * 65504
                        : (type == DType.Q4_0 ? -8 : type == DType.Q5_0 ? -16 : 0) * 65504.0,
                x[0],
                0.0);
        // An infinite d (a corrupt file) follows IEEE arithmetic: the largest quant gives +inf.
        float[] y = decode(type, block(type, (short) 0x7c00, (short) 0, q));
        assertEquals(Float.POSITIVE_INFINITY, y[1], "inf d");
    }

    @Test
    void randomBlocksAgreeElementByElementWithTheTensorAccessors() {
        SplittableRandom rnd = new SplittableRandom(7);
        try (Arena arena = Arena.ofConfined()) {
            for (DType type : types()) {
                long[] shape = {3, 64};
                MemorySegment seg = arena.allocate(type.byteSize(3 * 64));
                for (long i = 0; i < seg.byteSize(); i++) seg.set(ValueLayout.JAVA_BYTE, i, (byte) rnd.nextInt(256));
                // Keep d and m finite so that every element is a number.
                for (long b = 0; b < 6; b++) {
                    seg.set(ValueLayout.JAVA_SHORT_UNALIGNED, b * type.blockBytes, Float.floatToFloat16((float)
                            rnd.nextDouble(-2, 2)));
                    if (type == DType.Q4_1 || type == DType.Q5_1)
                        seg.set(ValueLayout.JAVA_SHORT_UNALIGNED, b * type.blockBytes + 2, Float.floatToFloat16((float)
                                rnd.nextDouble(-2, 2)));
                }
                Tensor t = new Tensor("t", type, shape, seg);
                float[] all = t.toFloatArray();
                for (int i = 0; i < all.length; i++) assertEquals(all[i], t.getFloat(i), 0.0, type + " element " + i);
                float[] row2 = t.sliceRows(2, 3).toFloatArray();
                assertArrayEquals(java.util.Arrays.copyOfRange(all, 128, 192), row2, 0f, type + " row 2");
                Tensor f32 = t.toF32(arena);
                assertEquals(DType.F32, f32.dtype());
                assertArrayEquals(all, f32.toFloatArray(), 0f);
                assertArrayEquals(all, t.reshape(6, 32).toFloatArray(), 0f, "blocks stay where they are");
            }
        }
    }

    @Test
    void sizesAreWholeBlocks() {
        assertEquals(18, DType.Q4_0.byteSize(32));
        assertEquals(20 * 4, DType.Q4_1.byteSize(128));
        assertEquals(22 * 2, DType.Q5_0.byteSize(64));
        assertEquals(24, DType.Q5_1.byteSize(32));
        assertEquals(34 * 3, DType.Q8_0.byteSize(96));
        assertEquals(4 * 5, DType.F32.byteSize(5));
        assertEquals(2 * 5, DType.BF16.byteSize(5));
        assertEquals(List.of(DType.Q8_0, DType.Q5_1, DType.Q5_0, DType.Q4_1, DType.Q4_0), DType.quantized());
        assertThrows(IllegalArgumentException.class, () -> DType.Q8_0.byteSize(48));
        assertThrows(IllegalArgumentException.class, () -> DType.F16.byteSize(-1));
        for (DType t : DType.values()) assertEquals(t, DType.fromCode(t.code));
    }

    @Test
    void quantizedTensorsNeedWholeBlocksAlongTheLastDimension() {
        try (Arena arena = Arena.ofConfined()) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> new Tensor(
                            "w", DType.Q5_0, new long[] {64, 48}, arena.allocate(DType.Q5_0.byteSize(64 * 48))));
            assertTrue(
                    e.getMessage().contains("last dimension must be a multiple of the 32-element block"),
                    e.getMessage());
            e = assertThrows(
                    IllegalArgumentException.class,
                    () -> new Tensor("w", DType.Q8_0, new long[] {2, 32}, arena.allocate(34)));
            assertTrue(e.getMessage().contains("needs 68 bytes, segment has 34"), e.getMessage());
        }
    }
}
