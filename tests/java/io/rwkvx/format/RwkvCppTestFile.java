package io.rwkvx.format;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Test-side reader and writer of the rwkv.cpp format, independent of {@link RwkvCppReader}: parses a
 * valid file into editable records and writes records back, so tests can build corrupted or synthetic
 * files byte by byte.
 */
final class RwkvCppTestFile {
    /** One tensor record; {@code ne} in ggml order (fastest first). */
    record Record(String name, int typeCode, long[] ne, byte[] data) {
        Record withName(String n) {
            return new Record(n, typeCode, ne, data);
        }
    }

    int magic = RwkvCppReader.MAGIC;
    int version = 101;
    int nVocab, nEmbed, nLayer, dataType;
    final List<Record> records = new ArrayList<>();

    static RwkvCppTestFile parse(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        RwkvCppTestFile f = new RwkvCppTestFile();
        f.magic = b.getInt();
        f.version = b.getInt();
        f.nVocab = b.getInt();
        f.nEmbed = b.getInt();
        f.nLayer = b.getInt();
        f.dataType = b.getInt();
        while (b.hasRemaining()) {
            int dims = b.getInt(), keyLen = b.getInt(), type = b.getInt();
            long[] ne = new long[dims];
            long n = 1;
            for (int i = 0; i < dims; i++) {
                ne[i] = Integer.toUnsignedLong(b.getInt());
                n *= ne[i];
            }
            byte[] key = new byte[keyLen];
            b.get(key);
            byte[] data = new byte[(int) bytes(type, n)];
            b.get(data);
            f.records.add(new Record(new String(key, StandardCharsets.UTF_8), type, ne, data));
        }
        return f;
    }

    /** Bytes of {@code n} elements of rwkv.cpp type {@code code}: elements or ggml's 32-element blocks. */
    static long bytes(int code, long n) {
        return switch (code) {
            case 0 -> 4 * n;
            case 1 -> 2 * n;
            case 2 -> n / 32 * 18; // Q4_0
            case 3 -> n / 32 * 20; // Q4_1
            case 7 -> n / 32 * 22; // Q5_0
            case 8 -> n / 32 * 24; // Q5_1
            case 9 -> n / 32 * 34; // Q8_0
            default -> throw new IllegalArgumentException("test file parser: type code " + code);
        };
    }

    Record get(String name) {
        return records.stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    void replace(String name, Record with) {
        records.replaceAll(r -> r.name().equals(name) ? with : r);
    }

    void remove(String name) {
        if (!records.removeIf(r -> r.name().equals(name))) throw new IllegalArgumentException(name);
    }

    /** Byte offset at which record {@code index} starts in {@link #toBytes()}. */
    long recordOffset(int index) {
        long pos = 24;
        for (int i = 0; i < index; i++) pos += recordBytes(records.get(i));
        return pos;
    }

    long recordOffset(String name) {
        for (int i = 0; i < records.size(); i++) if (records.get(i).name().equals(name)) return recordOffset(i);
        throw new IllegalArgumentException(name);
    }

    private static long recordBytes(Record r) {
        return 12 + 4L * r.ne().length + r.name().getBytes(StandardCharsets.UTF_8).length + r.data().length;
    }

    byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(magic)
                .putInt(version)
                .putInt(nVocab)
                .putInt(nEmbed)
                .putInt(nLayer)
                .putInt(dataType);
        out.writeBytes(h.array());
        for (Record r : records) {
            byte[] key = r.name().getBytes(StandardCharsets.UTF_8);
            ByteBuffer rh = ByteBuffer.allocate(12 + 4 * r.ne().length).order(ByteOrder.LITTLE_ENDIAN);
            rh.putInt(r.ne().length).putInt(key.length).putInt(r.typeCode());
            for (long d : r.ne()) rh.putInt((int) d);
            out.writeBytes(rh.array());
            out.writeBytes(key);
            out.writeBytes(r.data());
        }
        return out.toByteArray();
    }

    Path write(Path file) throws IOException {
        return Files.write(file, toBytes());
    }

    /** An FP32 record from a torch-order shape. */
    static Record f32(String name, long[] torchShape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) b.putFloat(v);
        return new Record(name, 0, reverse(torchShape), b.array());
    }

    /** An FP16 record from a torch-order shape (values rounded to binary16). */
    static Record f16(String name, long[] torchShape, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) b.putShort(Float.floatToFloat16(v));
        return new Record(name, 1, reverse(torchShape), b.array());
    }

    static long[] reverse(long[] s) {
        long[] r = new long[s.length];
        for (int i = 0; i < s.length; i++) r[i] = s[s.length - 1 - i];
        return r;
    }
}
