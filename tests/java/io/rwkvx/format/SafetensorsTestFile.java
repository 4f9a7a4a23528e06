package io.rwkvx.format;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Test-side safetensors writer; the header JSON is built by hand so tests can also write broken ones. */
final class SafetensorsTestFile {
    record Entry(String name, String dtype, long[] shape, byte[] data) {}

    final List<Entry> entries = new ArrayList<>();
    String metadata = "{\"format\":\"pt\"}";

    SafetensorsTestFile add(String name, String dtype, long[] shape, float[] values) {
        int es = dtype.equals("F32") ? 4 : 2;
        ByteBuffer b = ByteBuffer.allocate(values.length * es).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            switch (dtype) {
                case "F32" -> b.putFloat(v);
                case "F16" -> b.putShort(Float.floatToFloat16(v));
                case "BF16" -> b.putShort(toBf16Bits(v));
                default -> throw new IllegalArgumentException(dtype);
            }
        }
        entries.add(new Entry(name, dtype, shape, b.array()));
        return this;
    }

    /** The JSON header with correct offsets. */
    String header() {
        StringBuilder sb = new StringBuilder("{");
        if (metadata != null) sb.append("\"__metadata__\":").append(metadata).append(',');
        long off = 0;
        for (Entry e : entries) {
            sb.append('"')
                    .append(e.name())
                    .append("\":{\"dtype\":\"")
                    .append(e.dtype())
                    .append("\",\"shape\":")
                    .append(Arrays.toString(e.shape()).replace(" ", ""))
                    .append(",\"data_offsets\":[")
                    .append(off)
                    .append(',')
                    .append(off + e.data().length)
                    .append("]},");
            off += e.data().length;
        }
        sb.setLength(sb.length() - 1);
        return sb.append('}').toString();
    }

    byte[] data() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Entry e : entries) out.writeBytes(e.data());
        return out.toByteArray();
    }

    Path write(Path file) throws IOException {
        return write(file, header(), data());
    }

    /** Writes any header text (padded with spaces to a multiple of 8, as the reference writer does) and data. */
    static Path write(Path file, String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        int padded = (h.length + 7) / 8 * 8;
        ByteBuffer b = ByteBuffer.allocate(8 + padded + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded).put(h);
        for (int i = h.length; i < padded; i++) b.put((byte) ' ');
        b.put(data);
        return Files.write(file, b.array());
    }

    /** Round to nearest even bfloat16. */
    static short toBf16Bits(float v) {
        int bits = Float.floatToRawIntBits(v);
        int rounded = bits + 0x7fff + ((bits >>> 16) & 1);
        return (short) (rounded >>> 16);
    }

    static float roundToBf16(float v) {
        return Float.intBitsToFloat((toBf16Bits(v) & 0xffff) << 16);
    }
}
