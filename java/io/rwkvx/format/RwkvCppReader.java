package io.rwkvx.format;

import io.rwkvx.model.Architecture;
import io.rwkvx.model.ModelWeights;
import io.rwkvx.tensor.DType;
import io.rwkvx.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Reads rwkv.cpp model files (docs/formats.md §1): a 24-byte header, then packed tensor records until the end
 * of the file. The file is memory-mapped and every tensor is a zero-copy view of the mapping (records are
 * unaligned; {@link Tensor} reads them unaligned). RWKV-4, 5.2, 6 and 7 files with FP32, FP16 and the
 * quantized Q4_0, Q4_1, Q5_0, Q5_1 and Q8_0 tensors of format version 101 are accepted (quantized types only
 * on weight matrices); the result is in the canonical layout of {@link Rwkv4Layout}, {@link Rwkv5Layout},
 * {@link Rwkv6Layout} or {@link Rwkv7Layout}, insertion-ordered as the file's records.
 */
public final class RwkvCppReader {
    /** {@code "fmgg"} on disk read as a little-endian u32. */
    public static final int MAGIC = 0x67676d66;

    /** The format version of ggml's current quantized block layouts; version 100 had others. */
    public static final int VERSION_QUANTIZED = 101;

    private static final int HEADER_BYTES = 24;
    private static final int RECORD_FIXED_BYTES = 12;
    /** Real names are under 40 bytes; a huge length means a corrupt or misparsed record. */
    private static final int MAX_KEY_LENGTH = 1024;

    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private RwkvCppReader() {}

    /**
     * Maps {@code file} into {@code arena} and returns its canonical weights (RWKV-4, 5.2, 6 or 7).
     *
     * @throws ModelFormatException naming the file, byte offset and tensor when the file is malformed, holds
     *                              a data type it cannot read, or is no supported RWKV generation
     */
    public static ModelWeights read(Path file, Arena arena) {
        String source = file.toString();
        MemorySegment seg = MappedFiles.map(file, arena);
        long[] header = readHeader(seg, source);
        Map<String, Long> offsets = new HashMap<>();
        Map<String, Tensor> raw = readRecords(seg, header[0], offsets, source);
        Architecture arch = ArchitectureDetection.detect(raw.keySet(), source);
        checkQuantizedAreMatrices(arch, raw, offsets, source);
        checkHeader(header, raw, source);
        if (arch == Architecture.RWKV4) return Rwkv4Layout.validate(canonicaliseV4(raw, arena), source);
        if (arch == Architecture.RWKV5) {
            return Rwkv5Layout.validate(Rwkv56Layout.canonicaliseRwkvCpp(arch, raw, arena), source);
        }
        if (arch == Architecture.RWKV6) {
            return Rwkv6Layout.validate(Rwkv56Layout.canonicaliseRwkvCpp(arch, raw, arena), source);
        }
        return Rwkv7Layout.validate(canonicalise(raw, source, arena), source);
    }

    /** Returns {version, n_vocab, n_embed, n_layer, data_type}. */
    private static long[] readHeader(MemorySegment seg, String source) {
        long size = seg.byteSize();
        if (size < 4) {
            throw new ModelFormatException(
                    source + ": truncated header: file has " + size + " bytes, the header needs " + HEADER_BYTES);
        }
        int magic = seg.get(U32, 0);
        if (magic != MAGIC) {
            String hint = magic == Integer.reverseBytes(MAGIC)
                    ? " (a big-endian rwkv.cpp file; only little-endian is supported)"
                    : "; not an rwkv.cpp model file";
            throw new ModelFormatException(source + ": wrong magic " + hex(magic) + " at byte offset 0, expected "
                    + hex(MAGIC) + " (\"fmgg\")" + hint);
        }
        if (size < HEADER_BYTES) {
            throw new ModelFormatException(
                    source + ": truncated header: file has " + size + " bytes, the header needs " + HEADER_BYTES);
        }
        long version = u32(seg, 4);
        if (version != 100 && version != 101) {
            throw new ModelFormatException(
                    source + ": unknown file version " + version + " at byte offset 4, expected 100 or 101");
        }
        long dataType = u32(seg, 20);
        if (version < VERSION_QUANTIZED && QUANTIZED_CODES.containsKey(dataType)) {
            throw new ModelFormatException(source + ": header data_type " + dataType + " ("
                    + QUANTIZED_CODES.get(dataType) + ") at byte offset 20 in a file of version " + version
                    + ": quantized files of version 100 used block layouts that ggml has since changed; only "
                    + "version " + VERSION_QUANTIZED + " files may be quantized (re-quantize the FP32/FP16 model)");
        }
        return new long[] {version, u32(seg, 8), u32(seg, 12), u32(seg, 16), dataType};
    }

    /** Reads the records; {@code offsets} receives each tensor's record offset (for later messages). */
    private static Map<String, Tensor> readRecords(
            MemorySegment seg, long version, Map<String, Long> offsets, String source) {
        long size = seg.byteSize();
        Map<String, Tensor> out = new LinkedHashMap<>();
        long pos = HEADER_BYTES;
        while (pos < size) {
            long start = pos;
            need(seg, pos, RECORD_FIXED_BYTES, source, start, "record header");
            long dimCount = u32(seg, pos);
            long keyLength = u32(seg, pos + 4);
            long typeCode = u32(seg, pos + 8);
            pos += RECORD_FIXED_BYTES;
            if (dimCount < 1 || dimCount > 3) {
                throw new ModelFormatException(source + ": tensor record at byte offset " + start + ": dim_count "
                        + dimCount + " out of range, expected 1..3");
            }
            if (keyLength < 1 || keyLength > MAX_KEY_LENGTH) {
                throw new ModelFormatException(source + ": tensor record at byte offset " + start
                        + ": implausible key length " + keyLength + ", expected 1.." + MAX_KEY_LENGTH);
            }
            need(seg, pos, 4 * dimCount, source, start, "dimensions");
            long[] ne = new long[(int) dimCount];
            for (int i = 0; i < dimCount; i++) ne[i] = u32(seg, pos + 4L * i);
            pos += 4 * dimCount;
            need(seg, pos, keyLength, source, start, "name");
            String name = utf8(seg.asSlice(pos, keyLength), source, start);
            pos += keyLength;
            String where = source + ": tensor '" + name + "' (record at byte offset " + start + ")";
            DType dtype = dtype(typeCode, where);
            if (dtype.isQuantized() && version < VERSION_QUANTIZED) {
                throw new ModelFormatException(where + ": quantized data type " + dtype + " in a file of version "
                        + version + ": quantized files of version 100 used block layouts that ggml has since "
                        + "changed; only version " + VERSION_QUANTIZED
                        + " files may hold quantized tensors (re-quantize the FP32/FP16 model)");
            }
            long[] shape = new long[ne.length];
            for (int i = 0; i < ne.length; i++) {
                if (ne[i] == 0)
                    throw new ModelFormatException(where + ": dimension of size 0 in ne " + Arrays.toString(ne));
                shape[ne.length - 1 - i] = ne[i]; // ggml ne[0] is the fastest dimension: torch order is reversed
            }
            if (ne[0] % dtype.blockSize != 0) {
                throw new ModelFormatException(where + ": " + dtype + " stores rows in blocks of " + dtype.blockSize
                        + " elements, but the last dimension (ne[0]) is " + ne[0] + ", not a multiple of "
                        + dtype.blockSize);
            }
            long bytes;
            try {
                bytes = dtype.byteSize(Math.multiplyExact(
                        Math.multiplyExact(ne[0], ne.length > 1 ? ne[1] : 1), ne.length > 2 ? ne[2] : 1));
            } catch (ArithmeticException e) {
                throw new ModelFormatException(where + ": implausible size ne " + Arrays.toString(ne));
            }
            if (bytes > size - pos) {
                String blocks = dtype.isQuantized()
                        ? " (" + bytes / dtype.blockBytes + " blocks of " + dtype.blockBytes + " bytes)"
                        : "";
                throw new ModelFormatException(where + ": truncated data at byte offset " + pos + ": " + dtype + " "
                        + Arrays.toString(shape) + " needs " + bytes + " bytes" + blocks + ", only " + (size - pos)
                        + " remain");
            }
            Long first = offsets.putIfAbsent(name, start);
            if (first != null) {
                throw new ModelFormatException(where + ": duplicate tensor name, first record at byte offset " + first);
            }
            out.put(name, new Tensor(name, dtype, shape, seg.asSlice(pos, bytes)));
            pos += bytes;
        }
        return out;
    }

    /** rwkv.cpp's data type code of each type it reads (docs/formats.md §1.3). */
    static final Map<DType, Integer> TYPE_CODES = Map.of(
            DType.F32, 0,
            DType.F16, 1,
            DType.Q4_0, 2,
            DType.Q4_1, 3,
            DType.Q5_0, 7,
            DType.Q5_1, 8,
            DType.Q8_0, 9);

    /** The quantized codes, by name: the ones read here and the ones not supported yet. */
    private static final Map<Long, String> QUANTIZED_CODES = Map.ofEntries(
            Map.entry(2L, "Q4_0"),
            Map.entry(3L, "Q4_1"),
            Map.entry(7L, "Q5_0"),
            Map.entry(8L, "Q5_1"),
            Map.entry(9L, "Q8_0"),
            Map.entry(10L, "Q8_1"),
            Map.entry(11L, "Q2_K"),
            Map.entry(12L, "Q3_K"),
            Map.entry(13L, "Q4_K"),
            Map.entry(14L, "Q5_K"),
            Map.entry(15L, "Q6_K"),
            Map.entry(16L, "Q8_K"));

    private static DType dtype(long code, String where) {
        for (Map.Entry<DType, Integer> e : TYPE_CODES.entrySet()) if (e.getValue() == code) return e.getKey();
        if (code >= 4 && code <= 6) {
            throw new ModelFormatException(where + ": data type code " + code + " ("
                    + List.of("Q4_1_O", "Q4_2", "Q4_3").get((int) code - 4)
                    + ") was removed from rwkv.cpp; re-convert the model as FP32 or FP16");
        }
        String name = QUANTIZED_CODES.get(code);
        if (name != null) {
            throw new ModelFormatException(where + ": data type " + name + " (code " + code
                    + ") is not supported yet; rwkvx reads FP32, FP16, Q4_0, Q4_1, Q5_0, Q5_1 and Q8_0");
        }
        throw new ModelFormatException(where + ": unknown data type code " + code
                + ", expected 0 (FP32), 1 (FP16), 2 (Q4_0), 3 (Q4_1), 7 (Q5_0), 8 (Q5_1) or 9 (Q8_0)");
    }

    /**
     * Quantized blocks only on weight matrices: vectors, decay, mixing and norm parameters must stay
     * floating point (rwkv.cpp's quantizer never touches them), so a quantized one is a broken file.
     */
    private static void checkQuantizedAreMatrices(
            Architecture arch, Map<String, Tensor> raw, Map<String, Long> offsets, String source) {
        for (Tensor t : raw.values()) {
            if (t.dtype().isQuantized() && mustStayFloat(arch, t.name())) {
                throw new ModelFormatException(source + ": tensor '" + t.name() + "' (record at byte offset "
                        + offsets.get(t.name()) + "): quantized data type " + t.dtype() + " on a " + arch.displayName
                        + " parameter that must stay floating point (a vector, decay, mixing or norm parameter); "
                        + "only weight matrices may be quantized");
            }
        }
    }

    /** Whether the file's tensor {@code name} is one of the architecture's float-only parameters. */
    private static boolean mustStayFloat(Architecture arch, String name) {
        String local = Rwkv7Layout.localName(name);
        return switch (arch) {
            case RWKV7 -> Rwkv7Layout.isVector(name) || "att.x_rwkvag".equals(local) || "att.r_k".equals(local);
            case RWKV4 -> Rwkv4Layout.isVector(name);
            case RWKV5, RWKV6 -> Rwkv56Layout.isFloatParameter(arch, name);
            case HYBRID -> false; // not an rwkv.cpp architecture: detection never returns it
        };
    }

    /** The header's sizes must describe the tensors, as rwkv.cpp's loader checks. */
    private static void checkHeader(long[] header, Map<String, Tensor> raw, String source) {
        Tensor emb = raw.get("emb.weight");
        if (emb != null && emb.rank() == 2) {
            if (header[1] != emb.dim(0)) {
                throw new ModelFormatException(source + ": header n_vocab = " + header[1]
                        + " (byte offset 8) but tensor" + " 'emb.weight' has shape " + Arrays.toString(emb.shape()));
            }
            if (header[2] != emb.dim(1)) {
                throw new ModelFormatException(source + ": header n_embed = " + header[2]
                        + " (byte offset 12) but tensor" + " 'emb.weight' has shape " + Arrays.toString(emb.shape()));
            }
        }
        TreeSet<Integer> layers = new TreeSet<>();
        for (String n : raw.keySet()) {
            int l = Rwkv7Layout.layerOf(n);
            if (l >= 0) layers.add(l);
        }
        if (!layers.isEmpty() && header[3] != layers.size()) {
            throw new ModelFormatException(source + ": header n_layer = " + header[3] + " (byte offset 16) but the file"
                    + " has tensors for " + layers.size() + " layers (blocks." + layers.first() + " .. blocks."
                    + layers.last() + ")");
        }
    }

    /**
     * Undoes rwkv.cpp's converter changes for RWKV-7: {@code x_rwkvag} [6,1,C] becomes six row views
     * {@code x_r … x_g} of shape [C]; [1,1,C] vectors become [C]. Vectors that are not F32 (never
     * written by rwkv.cpp's converter) are converted into {@code arena}.
     */
    private static Map<String, Tensor> canonicalise(Map<String, Tensor> raw, String source, Arena arena) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Tensor t : raw.values()) {
            String local = Rwkv7Layout.localName(t.name());
            if ("att.x_rwkvag".equals(local)) {
                long[] s = t.shape();
                if (s.length != 3 || s[0] != 6 || s[1] != 1) {
                    throw new ModelFormatException(source + ": tensor '" + t.name()
                            + "': expected shape [6, 1, C], found " + Arrays.toString(s));
                }
                String prefix = t.name().substring(0, t.name().length() - "att.x_rwkvag".length());
                for (int c = 0; c < 6; c++) {
                    String name = prefix + Rwkv7Layout.SHIFT_MIXES.get(c);
                    Tensor row = t.sliceRows(c, c + 1).reshape(s[2]).withName(name);
                    put(out, TensorCopies.asF32(row, arena), source);
                }
            } else if (Rwkv7Layout.isVector(t.name())) {
                put(out, TensorCopies.asF32(Rwkv7Layout.squeezeLeadingOnes(t), arena), source);
            } else if ("att.r_k".equals(local)) {
                put(out, TensorCopies.asF32(t, arena), source);
            } else {
                put(out, t, source);
            }
        }
        return out;
    }

    /**
     * RWKV-4 files are already canonical (rwkv.cpp stores time_decay as -exp(d), the canonical form);
     * only vectors are made F32 [C] (a no-op for converter output).
     */
    private static Map<String, Tensor> canonicaliseV4(Map<String, Tensor> raw, Arena arena) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Tensor t : raw.values()) {
            out.put(
                    t.name(),
                    Rwkv4Layout.isVector(t.name()) ? TensorCopies.asF32(Rwkv7Layout.squeezeLeadingOnes(t), arena) : t);
        }
        return out;
    }

    private static void put(Map<String, Tensor> out, Tensor t, String source) {
        if (out.putIfAbsent(t.name(), t) != null) {
            throw new ModelFormatException(
                    source + ": tensor '" + t.name() + "' is given twice (directly and inside x_rwkvag)");
        }
    }

    private static void need(MemorySegment seg, long pos, long n, String source, long start, String what) {
        long left = seg.byteSize() - pos;
        if (n > left) {
            throw new ModelFormatException(source + ": truncated tensor record at byte offset " + start + ": " + what
                    + (pos == start ? "" : " (at byte offset " + pos + ")") + " needs " + n + " bytes, only " + left
                    + " remain");
        }
    }

    private static String utf8(MemorySegment bytes, String source, long start) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toArray(ValueLayout.JAVA_BYTE)))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ModelFormatException(
                    source + ": tensor record at byte offset " + start + ": name is not valid UTF-8");
        }
    }

    private static long u32(MemorySegment seg, long offset) {
        return Integer.toUnsignedLong(seg.get(U32, offset));
    }

    private static String hex(int v) {
        return String.format("0x%08x", v);
    }
}
