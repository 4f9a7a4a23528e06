package io.rwkvx.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Test-side port of ggml's reference quantizers (the rounding rules behind rwkv.cpp's files, docs/formats.md),
 * written from those rules in float32 arithmetic as C evaluates them without FMA contraction: an independent
 * oracle for the native {@code rwkvx_quantize}. Per block of 32:
 *
 * <ul>
 *   <li>Q4_0 / Q5_0: {@code max} = the first element of largest magnitude (sign kept); {@code d = max / -8}
 *       (/ -16); {@code q = min(15, (int8)(x / d + 8.5))} (min(31, … + 16.5)), with {@code x · (1/d)}.
 *   <li>Q4_1 / Q5_1: {@code d = (max - min) / 15} (/ 31), {@code m = min}; {@code q = (x - min) · (1/d) + 0.5}
 *       truncated (Q4_1 also capped at 15).
 *   <li>Q8_0: {@code d = amax / 127}, {@code q = roundf(x · (1/d))} (halves away from zero).
 * </ul>
 *
 * {@code 1/d} is 0 when d is 0; d and m are stored as binary16, rounded to nearest even.
 */
public final class GgmlReferenceQuantizer {
    private GgmlReferenceQuantizer() {}

    /** The blocks of {@code x} (a multiple of 32 floats). */
    public static byte[] quantize(DType type, float[] x) {
        if (x.length % 32 != 0) throw new IllegalArgumentException(x.length + " is not a multiple of 32");
        ByteBuffer out = ByteBuffer.allocate((int) type.byteSize(x.length)).order(ByteOrder.LITTLE_ENDIAN);
        for (int b = 0; b < x.length / 32; b++) {
            float[] v = new float[32];
            System.arraycopy(x, b * 32, v, 0, 32);
            switch (type) {
                case Q4_0 -> symmetric(out, v, 8, 15);
                case Q5_0 -> symmetric(out, v, 16, 31);
                case Q4_1 -> withMinimum(out, v, 15, true);
                case Q5_1 -> withMinimum(out, v, 31, false);
                case Q8_0 -> q8(out, v);
                default -> throw new IllegalArgumentException(type + " is not quantized");
            }
        }
        return out.array();
    }

    private static void symmetric(ByteBuffer out, float[] v, int zero, int cap) {
        float amax = 0, max = 0;
        for (float e : v) {
            if (amax < Math.abs(e)) {
                amax = Math.abs(e);
                max = e;
            }
        }
        float d = max / -zero;
        float id = d != 0 ? 1.0f / d : 0.0f;
        out.putShort(Float.floatToFloat16(d));
        int[] q = new int[32];
        for (int j = 0; j < 32; j++) q[j] = Math.min(cap, int8(v[j] * id + (zero + 0.5f)));
        pack(out, q, cap == 31);
    }

    private static void withMinimum(ByteBuffer out, float[] v, int levels, boolean capped) {
        float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
        for (float e : v) {
            if (e < min) min = e;
            if (e > max) max = e;
        }
        float d = (max - min) / levels;
        float id = d != 0 ? 1.0f / d : 0.0f;
        out.putShort(Float.floatToFloat16(d)).putShort(Float.floatToFloat16(min));
        int[] q = new int[32];
        for (int j = 0; j < 32; j++) {
            float t = (v[j] - min) * id + 0.5f;
            q[j] = capped ? Math.min(levels, int8(t)) : ((int) t) & 0xff; // (uint8_t) of a value in [0.5, 31.5]
        }
        pack(out, q, levels == 31);
    }

    private static void q8(ByteBuffer out, float[] v) {
        float amax = 0;
        for (float e : v) amax = Math.max(amax, Math.abs(e));
        float d = amax / 127;
        float id = d != 0 ? 1.0f / d : 0.0f;
        out.putShort(Float.floatToFloat16(d));
        for (float e : v) {
            double t = e * id; // the float product, then C's roundf: halves away from zero
            out.put((byte) (long) Math.copySign(Math.floor(Math.abs(t) + 0.5), t));
        }
    }

    /** C's {@code (int8_t)(float)}: truncation toward zero, then the low 8 bits as a signed byte. */
    private static int int8(float t) {
        return (byte) (int) t;
    }

    private static void pack(ByteBuffer out, int[] q, boolean fifthBits) {
        if (fifthBits) {
            int qh = 0;
            for (int j = 0; j < 32; j++) qh |= ((q[j] >> 4) & 1) << j;
            out.putInt(qh);
        }
        for (int j = 0; j < 16; j++) out.put((byte) ((q[j] & 0x0f) | ((q[j + 16] & 0x0f) << 4)));
    }
}
