package io.rwkvx.format;

import io.rwkvx.model.Architecture;
import io.rwkvx.model.ModelConfig;
import io.rwkvx.model.ModelWeights;
import io.rwkvx.tensor.DType;
import io.rwkvx.tensor.Tensor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Writes canonical weights as an rwkv.cpp model file of format version 101 (docs/formats.md §1), the
 * inverse of {@link RwkvCppReader}: RWKV-7's six token-shift mixes go back into {@code att.x_rwkvag}
 * [6, 1, C] and its {@code w0 a0 v0 k_k k_a ffn.x_k} back to [1, 1, C]; RWKV-5.2/6's {@code time_decay} and
 * {@code time_faaaa} back to [H, N, 1]. Tensors keep the weights' order (a file's own order when they were
 * read from one), F32, F16 and quantized data as is; BF16, which rwkv.cpp has no code for, is widened to F32
 * (exactly). rwkv.cpp loads the result; this reader reads it back to the same weights.
 */
public final class RwkvCppWriter {
    private static final int VERSION = RwkvCppReader.VERSION_QUANTIZED;
    /** Bytes copied per write: bounds the heap a huge tensor needs. */
    private static final int CHUNK = 1 << 20;

    private RwkvCppWriter() {}

    /** One record as the file stores it: the tensor's bytes under its file name and torch-order shape. */
    record Record(String name, DType dtype, long[] shape, MemorySegment data) {}

    /**
     * Writes {@code weights} to {@code file}, through a temporary file beside it that replaces it only once
     * complete.
     *
     * @param mainType the header's data_type (informational in rwkv.cpp: the file's "main" type, e.g. the
     *                 type its matrices were quantized to)
     * @return the number of tensor records written
     * @throws ModelFormatException for an architecture or tensor that rwkv.cpp files cannot hold
     */
    public static int write(ModelWeights weights, DType mainType, Path file) {
        Integer mainCode = RwkvCppReader.TYPE_CODES.get(mainType);
        if (mainCode == null) throw new IllegalArgumentException(mainType + " has no rwkv.cpp data type code");
        ModelConfig c = weights.config();
        try (Arena scratch = Arena.ofConfined()) {
            List<Record> records = records(weights, scratch);
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            try {
                try (FileChannel ch = FileChannel.open(
                        tmp,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE)) {
                    ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
                    h.putInt(RwkvCppReader.MAGIC)
                            .putInt(VERSION)
                            .putInt(c.nVocab())
                            .putInt(c.nEmbd())
                            .putInt(c.nLayer())
                            .putInt(mainCode);
                    writeAll(ch, h.flip());
                    for (Record r : records) writeRecord(ch, r);
                }
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                return records.size();
            } catch (IOException e) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
            }
        }
    }

    /** The file's records in order: the canonical tensors turned back into rwkv.cpp's shapes and types. */
    static List<Record> records(ModelWeights weights, Arena scratch) {
        Architecture arch = weights.config().arch();
        if (arch == Architecture.HYBRID) {
            throw new ModelFormatException(weights.source() + ": RWKV-X models cannot be written as rwkv.cpp files "
                    + "(rwkv.cpp knows no attention blocks); keep them as safetensors");
        }
        List<Record> out = new ArrayList<>();
        for (Tensor t : weights.tensors().values()) {
            String local = Rwkv7Layout.localName(t.name());
            if (arch == Architecture.RWKV7 && local != null && Rwkv7Layout.SHIFT_MIXES.contains(local)) {
                // The six mixes are one record, written where the first of them stands.
                if (local.equals(Rwkv7Layout.SHIFT_MIXES.get(0))) out.add(shiftMixes(weights, t.name(), scratch));
                continue;
            }
            Tensor f = t.dtype() == DType.BF16 ? t.toF32(scratch) : t;
            out.add(new Record(t.name(), f.dtype(), fileShape(arch, t.name(), t.shape()), f.data()));
        }
        for (Record r : out) checkFits(r, weights.source());
        return out;
    }

    /**
     * The shape rwkv.cpp's files give a canonical tensor: the canonical one except RWKV-7's [1, 1, C] vectors
     * and RWKV-5.2/6's [H, N, 1] decay and bonus (RWKV-7's {@code x_*} mixes are written together, see above).
     */
    static long[] fileShape(Architecture arch, String name, long[] shape) {
        String local = Rwkv7Layout.localName(name);
        if (local == null) return shape;
        return switch (arch) {
            case RWKV7 ->
                Rwkv7Layout.isVector(name) && RWKV7_UNSQUEEZED.contains(local) ? new long[] {1, 1, shape[0]} : shape;
            case RWKV5, RWKV6 ->
                Rwkv56Layout.HEAD_TENSORS.contains(local) && shape.length == 2
                        ? new long[] {shape[0], shape[1], 1}
                        : shape;
            default -> shape;
        };
    }

    /** RWKV-7 vectors that rwkv.cpp's converter keeps as the checkpoint's (1, 1, C) (no {@code .time_} in the name). */
    private static final List<String> RWKV7_UNSQUEEZED =
            List.of("att.w0", "att.a0", "att.v0", "att.k_k", "att.k_a", "ffn.x_k");

    private static Record shiftMixes(ModelWeights weights, String firstName, Arena scratch) {
        String prefix = firstName.substring(
                0, firstName.length() - Rwkv7Layout.SHIFT_MIXES.get(0).length());
        long c = weights.config().nEmbd();
        MemorySegment all = scratch.allocate(6 * c * Float.BYTES, 64);
        for (int i = 0; i < 6; i++) {
            Tensor mix = weights.get(prefix + Rwkv7Layout.SHIFT_MIXES.get(i)); // F32 [C], as validated
            MemorySegment.copy(mix.data(), 0, all, i * c * Float.BYTES, c * Float.BYTES);
        }
        return new Record(prefix + "att.x_rwkvag", DType.F32, new long[] {6, 1, c}, all);
    }

    /** rwkv.cpp stores 1 to 3 dimensions as u32 and knows the F32, F16 and quantized codes only. */
    private static void checkFits(Record r, String source) {
        if (r.shape().length < 1 || r.shape().length > 3) {
            throw new ModelFormatException(source + ": tensor '" + r.name() + "' has " + r.shape().length
                    + " dimensions " + Arrays.toString(r.shape()) + "; rwkv.cpp files hold 1 to 3");
        }
        for (long d : r.shape()) {
            if (d > 0xffff_ffffL) {
                throw new ModelFormatException(source + ": tensor '" + r.name() + "' dimension " + d
                        + " does not fit rwkv.cpp's 32-bit sizes");
            }
        }
        if (!RwkvCppReader.TYPE_CODES.containsKey(r.dtype())) {
            throw new ModelFormatException(
                    source + ": tensor '" + r.name() + "' is " + r.dtype() + ", which rwkv.cpp files cannot hold");
        }
    }

    private static void writeRecord(FileChannel ch, Record r) throws IOException {
        byte[] key = r.name().getBytes(StandardCharsets.UTF_8);
        long[] ne = r.shape();
        ByteBuffer h = ByteBuffer.allocate(12 + 4 * ne.length + key.length).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(ne.length).putInt(key.length).putInt(RwkvCppReader.TYPE_CODES.get(r.dtype()));
        for (int i = ne.length - 1; i >= 0; i--) h.putInt((int) ne[i]); // ggml order: fastest dimension first
        h.put(key);
        writeAll(ch, h.flip());
        MemorySegment data = r.data();
        for (long off = 0; off < data.byteSize(); off += CHUNK) {
            long n = Math.min(CHUNK, data.byteSize() - off);
            writeAll(ch, ByteBuffer.wrap(data.asSlice(off, n).toArray(ValueLayout.JAVA_BYTE)));
        }
    }

    private static void writeAll(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }
}
