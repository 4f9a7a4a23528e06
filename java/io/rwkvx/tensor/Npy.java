package io.rwkvx.tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A minimal reader and writer of NumPy {@code .npy} files (format versions 1-3): little-endian
 * float32 ({@code <f4}) and float16 ({@code <f2}) arrays in C order, which is what the attention
 * harness exchanges with Python users. Anything else is an {@link IOException} that says what the
 * file holds and what was expected.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {}

    /**
     * An array read from a file.
     *
     * @param dtype {@code "f4"} or {@code "f2"}
     * @param shape dimensions, slowest first
     * @param data  the elements' little-endian bytes, C order
     */
    public record Array(String dtype, long[] shape, byte[] data) {
        /**
         * The element count.
         *
         * @return the product of the shape's dimensions (1 for a scalar)
         */
        public long size() {
            long n = 1;
            for (long d : shape) n *= d;
            return n;
        }

        /**
         * The elements as floats.
         *
         * @return a new array of {@link #size()} floats in C order, float16 elements widened exactly
         * @throws ArithmeticException if there are more than {@code Integer.MAX_VALUE} elements
         */
        public float[] toFloats() {
            int n = Math.toIntExact(size());
            float[] out = new float[n];
            ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
            if (dtype.equals("f4")) b.asFloatBuffer().get(out);
            else for (int i = 0; i < n; i++) out[i] = Float.float16ToFloat(b.getShort(2 * i));
            return out;
        }

        /**
         * The shape for messages.
         *
         * @return the shape as NumPy prints it, e.g. {@code (4, 2, 64)} or {@code (5,)}
         */
        public String shapeString() {
            return shapeString(shape);
        }

        static String shapeString(long[] shape) {
            StringBuilder sb = new StringBuilder("(");
            for (int i = 0; i < shape.length; i++) sb.append(i == 0 ? "" : ", ").append(shape[i]);
            return sb.append(shape.length == 1 ? ",)" : ")").toString();
        }
    }

    /**
     * Reads a float32 or float16 array.
     *
     * @param file a {@code .npy} file of format 1, 2 or 3
     * @return the array, its data copied into memory
     * @throws IOException if the file cannot be read or is not a little-endian, C-order {@code <f4} or
     *                     {@code <f2} array whose data size matches its shape; the message names the file
     */
    public static Array read(Path file) throws IOException {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (java.nio.file.FileSystemException e) {
            throw e; // names the file already
        } catch (IOException e) { // e.g. a directory: "Is a directory", naming no file
            throw new IOException(file + ": " + e.getMessage(), e);
        }
        if (all.length < 10 || !Arrays.equals(Arrays.copyOf(all, 6), MAGIC))
            throw new IOException(file + ": not a .npy file (no \\x93NUMPY magic)");
        int major = all[6] & 0xff;
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        long headerLen;
        int start;
        if (major == 1) {
            headerLen = b.getShort(8) & 0xffff;
            start = 10;
        } else if (major == 2 || major == 3) {
            if (all.length < 12) throw new IOException(file + ": truncated .npy header");
            headerLen = b.getInt(8) & 0xffffffffL;
            start = 12;
        } else {
            throw new IOException(file + ": unsupported .npy format version " + major);
        }
        if (start + headerLen > all.length) throw new IOException(file + ": truncated .npy header");
        String header = new String(
                all, start, (int) headerLen, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header), f = FORTRAN.matcher(header), s = SHAPE.matcher(header);
        if (!d.find() || !f.find() || !s.find())
            throw new IOException(file + ": malformed .npy header: " + header.strip());
        String descr = d.group(1);
        String dtype = switch (descr) {
            case "<f4" -> "f4";
            case "<f2" -> "f2";
            default ->
                throw new IOException(file + ": dtype '" + descr
                        + "' is not supported; expected float32 ('<f4') or float16 ('<f2'), little-endian");
        };
        if (f.group(1).equals("True"))
            throw new IOException(file + ": Fortran-order arrays are not supported; save a C-contiguous array");
        String[] parts = s.group(1).split(",");
        long[] shape = Arrays.stream(parts)
                .map(String::strip)
                .filter(p -> !p.isEmpty())
                .mapToLong(p -> {
                    try {
                        return Long.parseLong(p.replaceAll("L$", ""));
                    } catch (NumberFormatException e) {
                        return -1;
                    }
                })
                .toArray();
        for (long dim : shape)
            if (dim < 0) throw new IOException(file + ": bad shape in .npy header: " + header.strip());
        long elements = 1, bytes;
        try {
            for (long dim : shape) elements = Math.multiplyExact(elements, dim);
            bytes = Math.multiplyExact(elements, dtype.equals("f4") ? 4 : 2);
        } catch (ArithmeticException e) {
            throw new IOException(
                    file + ": shape " + Array.shapeString(shape) + " in the .npy header has more "
                            + "elements than fit in 64 bits",
                    e);
        }
        long offset = start + headerLen;
        if (all.length - offset != bytes)
            throw new IOException(file + ": holds " + (all.length - offset) + " data bytes, expected " + bytes
                    + " for shape " + Array.shapeString(shape) + " " + descr);
        return new Array(dtype, shape, Arrays.copyOfRange(all, (int) offset, all.length));
    }

    /**
     * Writes a float32 array of the given shape (format 1.0, header padded to 64 bytes).
     *
     * @param file  the file to create or replace
     * @param data  the elements in C order
     * @param shape dimensions, slowest first; written as given, so their product should be {@code data.length}
     * @throws IOException if the file cannot be written
     */
    public static void writeFloat32(Path file, float[] data, long... shape) throws IOException {
        write(file, "<f4", shape, floatBytes(data));
    }

    /**
     * Writes float16 values of the given shape (format 1.0, header padded to 64 bytes).
     *
     * @param file  the file to create or replace
     * @param data  the elements' IEEE binary16 bits in C order
     * @param shape dimensions, slowest first; written as given, so their product should be {@code data.length}
     * @throws IOException if the file cannot be written
     */
    public static void writeFloat16(Path file, short[] data, long... shape) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(data.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        b.asShortBuffer().put(data);
        write(file, "<f2", shape, b.array());
    }

    private static byte[] floatBytes(float[] data) {
        ByteBuffer b = ByteBuffer.allocate(data.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(data);
        return b.array();
    }

    private static void write(Path file, String descr, long[] shape, byte[] payload) throws IOException {
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + Array.shapeString(shape) + ", }";
        int unpadded = 10 + dict.length() + 1;
        int pad = (64 - unpadded % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        ByteBuffer out =
                ByteBuffer.allocate(10 + header.length() + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        out.put(header.getBytes(StandardCharsets.ISO_8859_1)).put(payload);
        Files.write(file, out.array());
    }
}
