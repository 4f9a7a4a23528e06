package io.rwkvx.format;

import io.rwkvx.common.JsonParser;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads BlinkDL RWKV-7 and RWKV-4 checkpoints saved as safetensors: an 8-byte little-endian header length, a JSON
 * header {@code {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}}, then the data.
 * Names are BlinkDL's (docs/formats.md §2.5; RWKV-X: docs/rwkv-x.md §3), optionally all prefixed with {@code rwkv.}. The file is memory-mapped;
 * matrices stay zero-copy views. Canonicalisation copies only what differs from the canonical layout
 * ({@link Rwkv7Layout}): [1,1,C] and other vectors become F32 [C]; the LoRA matrices, stored (C,D) / (D,C)
 * by BlinkDL, are transposed into Linear layout (D,C) / (C,D) keeping their dtype.
 */
public final class SafetensorsReader {
    /** Larger JSON headers are refused (the reference implementation uses the same cap). */
    private static final long MAX_HEADER_BYTES = 100L << 20;

    private static final Set<String> OTHER_DTYPES = Set.of(
            "F64", "F8_E4M3", "F8_E5M2", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4", "BOOL", "I8", "U8", "I16", "U16", "I32",
            "U32", "I64", "U64", "C64");

    private SafetensorsReader() {}

    /**
     * Maps {@code file} into {@code arena} and returns its canonical weights (RWKV-4, 5.2, 6, 7 or RWKV-X).
     *
     * @throws ModelFormatException naming the file, tensor and offsets when the file is malformed,
     *                              uses an unsupported dtype, or is no supported RWKV generation
     */
    public static ModelWeights read(Path file, Arena arena) {
        String source = file.toString();
        MemorySegment seg = MappedFiles.map(file, arena);
        return canonicalWeights(readTensors(seg, source), source, arena);
    }

    /**
     * Canonical weights from a checkpoint's tensors under their stored (BlinkDL) names; shared with
     * {@link PthReader} so both checkpoint formats canonicalise identically.
     */
    static ModelWeights canonicalWeights(Map<String, Tensor> raw, String source, Arena arena) {
        Map<String, Tensor> named = stripPrefix(raw, source);
        if (named.keySet().stream().anyMatch(HybridLayout::isAttention)) return rwkvx(named, source, arena);
        Architecture arch = ArchitectureDetection.detect(named.keySet(), source);
        if (arch == Architecture.RWKV5) {
            return Rwkv5Layout.validate(Rwkv56Layout.canonicaliseBlinkDl(arch, named, source, arena), source);
        }
        if (arch == Architecture.RWKV6) {
            return Rwkv6Layout.validate(Rwkv56Layout.canonicaliseBlinkDl(arch, named, source, arena), source);
        }
        if (arch == Architecture.RWKV4) {
            return Rwkv4Layout.validate(canonicaliseV4(named, arena), source);
        }
        return Rwkv7Layout.validate(canonicalise(named, source, arena), source);
    }

    private static Map<String, Tensor> readTensors(MemorySegment seg, String source) {
        long size = seg.byteSize();
        if (size < 8) {
            throw new ModelFormatException(
                    source + ": truncated safetensors file: " + size + " bytes, the header length alone needs 8");
        }
        long headerLen = seg.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (headerLen < 2 || headerLen > MAX_HEADER_BYTES || headerLen > size - 8) {
            throw new ModelFormatException(source + ": safetensors header length " + Long.toUnsignedString(headerLen)
                    + " (byte offset 0) is impossible for a file of " + size + " bytes"
                    + (headerLen > MAX_HEADER_BYTES && headerLen <= size - 8
                            ? " (limit " + MAX_HEADER_BYTES + ")"
                            : ""));
        }
        String json;
        try {
            json = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(seg.asSlice(8, headerLen).toArray(ValueLayout.JAVA_BYTE)))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ModelFormatException(
                    source + ": safetensors header (bytes 8.." + (8 + headerLen) + ") is not valid UTF-8");
        }
        Object root;
        try {
            root = JsonParser.parse(json);
        } catch (JsonParser.JsonSyntaxException e) {
            throw new ModelFormatException(source + ": safetensors header is not valid JSON: " + e.getMessage()
                    + " of the header (which starts at byte offset 8)");
        }
        if (!(root instanceof Map<?, ?> entries)) {
            throw new ModelFormatException(source + ": safetensors header must be a JSON object");
        }
        long dataStart = 8 + headerLen;
        long dataSize = size - dataStart;
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : entries.entrySet()) {
            String name = (String) e.getKey();
            if (name.equals("__metadata__")) {
                if (!(e.getValue() instanceof Map<?, ?>)) {
                    throw new ModelFormatException(source + ": safetensors \"__metadata__\" must be a JSON object");
                }
                continue;
            }
            out.put(name, tensor(seg, name, e.getValue(), dataStart, dataSize, source));
        }
        return out;
    }

    private static Tensor tensor(
            MemorySegment seg, String name, Object entry, long dataStart, long dataSize, String source) {
        String where = source + ": tensor '" + name + "'";
        if (!(entry instanceof Map<?, ?> info))
            throw new ModelFormatException(where + ": header entry is not a JSON object");
        if (!(info.get("dtype") instanceof String dt))
            throw new ModelFormatException(where + ": missing or non-string \"dtype\"");
        DType dtype = switch (dt) {
            case "F32" -> DType.F32;
            case "F16" -> DType.F16;
            case "BF16" -> DType.BF16;
            default ->
                throw new ModelFormatException(where
                        + (OTHER_DTYPES.contains(dt)
                                ? ": dtype " + dt + " is not supported; expected F32, F16 or BF16"
                                : ": unknown dtype \"" + dt + "\"; expected F32, F16 or BF16"));
        };
        long[] shape = longs(info.get("shape"), -1, where, "shape");
        long[] offsets = longs(info.get("data_offsets"), 2, where, "data_offsets");
        long numel = 1;
        try {
            for (long d : shape) numel = Math.multiplyExact(numel, d);
            numel = dtype.byteSize(numel);
        } catch (ArithmeticException ex) {
            throw new ModelFormatException(where + ": implausible shape " + Arrays.toString(shape));
        }
        long begin = offsets[0], end = offsets[1];
        if (begin > end || end > dataSize) {
            throw new ModelFormatException(where + ": data_offsets [" + begin + ", " + end
                    + "] lie outside the data section (" + dataSize + " bytes from byte offset " + dataStart + ")");
        }
        if (end - begin != numel) {
            throw new ModelFormatException(where + ": data_offsets [" + begin + ", " + end + "] hold " + (end - begin)
                    + " bytes, but " + dtype + " " + Arrays.toString(shape) + " needs " + numel);
        }
        return new Tensor(name, dtype, shape, seg.asSlice(dataStart + begin, end - begin));
    }

    /** A JSON array of non-negative integers ({@code count} of them unless negative). */
    private static long[] longs(Object v, int count, String where, String field) {
        if (!(v instanceof List<?> list) || (count >= 0 && list.size() != count)) {
            throw new ModelFormatException(where + ": \"" + field + "\" must be an array of "
                    + (count >= 0 ? count + " " : "") + "non-negative integers, found " + v);
        }
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof Long l) || l < 0) {
                throw new ModelFormatException(
                        where + ": \"" + field + "\" must hold non-negative integers, found " + list);
            }
            out[i] = l;
        }
        return out;
    }

    /** RWKV-X: the RWKV-7 part canonicalised as RWKV-7, the {@code moba.} blocks by {@link HybridLayout}. */
    private static ModelWeights rwkvx(Map<String, Tensor> named, String source, Arena arena) {
        Map<String, Tensor> rwkv = new LinkedHashMap<>(), out = new LinkedHashMap<>();
        for (Tensor t : named.values()) if (!HybridLayout.isAttention(t.name())) rwkv.put(t.name(), t);
        out.putAll(canonicalise(rwkv, source, arena));
        for (Tensor t : named.values())
            if (HybridLayout.isAttention(t.name())) out.put(t.name(), HybridLayout.canonicalise(t, arena));
        return HybridLayout.validate(out, source);
    }

    /** {@code rwkv.} is dropped when every tensor other than RWKV-X's {@code moba.} blocks has it. */
    private static Map<String, Tensor> stripPrefix(Map<String, Tensor> raw, String source) {
        boolean allPrefixed = raw.keySet().stream().anyMatch(n -> n.startsWith("rwkv."))
                && raw.keySet().stream().allMatch(n -> n.startsWith("rwkv.") || n.startsWith("moba."));
        if (!allPrefixed) return raw;
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Tensor t : raw.values()) {
            String n = t.name().startsWith("rwkv.") ? t.name().substring("rwkv.".length()) : t.name();
            out.put(n, t.withName(n));
        }
        return out;
    }

    /**
     * BlinkDL RWKV-4 names: time_* vectors (1,1,C) become F32 [C]; the raw decay d becomes the canonical
     * -exp(d) (what rwkv.cpp's converter does); matrices stay views.
     */
    private static Map<String, Tensor> canonicaliseV4(Map<String, Tensor> named, Arena arena) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Tensor t : named.values()) {
            String name = t.name();
            if (Rwkv4Layout.isDecay(name)) out.put(name, Rwkv4Layout.decayFromRaw(t, arena));
            else if (Rwkv4Layout.isVector(name))
                out.put(name, TensorCopies.asF32(Rwkv7Layout.squeezeLeadingOnes(t), arena));
            else out.put(name, t);
        }
        return out;
    }

    private static Map<String, Tensor> canonicalise(Map<String, Tensor> named, String source, Arena arena) {
        Tensor emb = named.get("emb.weight");
        long c = emb != null && emb.rank() == 2 ? emb.dim(1) : -1;
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Tensor t : named.values()) {
            String name = t.name();
            // Some exports keep layer 0's value-residual parameters; the math never reads them.
            if (List.of("blocks.0.att.v0", "blocks.0.att.v1", "blocks.0.att.v2").contains(name)) continue;
            if (Rwkv7Layout.isVector(name)) {
                out.put(name, TensorCopies.asF32(Rwkv7Layout.squeezeLeadingOnes(t), arena));
            } else if ("att.r_k".equals(Rwkv7Layout.localName(name))) {
                out.put(name, TensorCopies.asF32(t, arena));
            } else if (Rwkv7Layout.isLora(name, 1) || Rwkv7Layout.isLora(name, 2)) {
                // BlinkDL stores x @ w1 @ w2: w1 is (C, D), w2 is (D, C).
                boolean down = Rwkv7Layout.isLora(name, 1);
                if (t.rank() != 2 || (c > 0 && t.dim(down ? 0 : 1) != c)) {
                    String cs = c > 0 ? Long.toString(c) : "C";
                    throw new ModelFormatException(source + ": tensor '" + name + "': expected shape "
                            + (down ? "[" + cs + ", D]" : "[D, " + cs + "]") + " (BlinkDL checkpoint layout), found "
                            + Arrays.toString(t.shape()));
                }
                out.put(name, TensorCopies.transpose2d(t, arena));
            } else {
                out.put(name, t);
            }
        }
        return out;
    }
}
