package io.rwkvx.format;

import io.rwkvx.format.PthUnpickler.PyDict;
import io.rwkvx.format.PthUnpickler.StorageRef;
import io.rwkvx.format.PthUnpickler.TensorRef;
import io.rwkvx.model.ModelWeights;
import io.rwkvx.tensor.DType;
import io.rwkvx.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads PyTorch checkpoints written by {@code torch.save} (the zip format of PyTorch ≥ 1.6) without
 * Python: a zip of {@code <archive>/data.pkl} (the pickled state dict), {@code <archive>/data/<key>} (one
 * raw little-endian storage per key, stored uncompressed and 64-byte aligned), {@code byteorder} and
 * {@code version} records. The file is memory-mapped and every tensor is a zero-copy view of its storage;
 * the pickle goes through {@link PthUnpickler}, which refuses anything but tensors. Names are then
 * canonicalised exactly as {@link SafetensorsReader} does (BlinkDL RWKV-4 / 5.2 / 6 / 7 names, optional
 * {@code rwkv.} prefix). Legacy (pre-1.6, non-zip) checkpoints are not supported.
 */
public final class PthReader {
    private PthReader() {}

    /**
     * Maps {@code file} into {@code arena} and returns its canonical weights.
     *
     * @throws ModelFormatException naming the file (and entry, tensor or byte offset) when the archive is
     *                              malformed, the pickle holds anything but tensors, or the model is unsupported
     */
    public static ModelWeights read(Path file, Arena arena) {
        String source = file.toString();
        MemorySegment seg = MappedFiles.map(file, arena);
        return SafetensorsReader.canonicalWeights(readTensors(seg, source), source, arena);
    }

    /** The state dict's tensors under their stored names, in pickle order (views of {@code seg}). */
    static Map<String, Tensor> readTensors(MemorySegment seg, String source) {
        PthZip zip = PthZip.open(seg, source);
        String prefix = archivePrefix(zip, source);
        PthZip.Entry byteorder = zip.entry(prefix + "byteorder");
        if (byteorder != null) {
            String order = new String(zip.data(byteorder).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII);
            if (!order.equals("little")) {
                throw new ModelFormatException(source + ": checkpoint was saved with byte order '" + order
                        + "'; only little-endian checkpoints are supported");
            }
        }
        String pklName = prefix + "data.pkl";
        Object root = PthUnpickler.load(zip.data(zip.entry(pklName)), source, pklName);
        Map<Object, Object> dict = stateDict(root, source);
        Map<String, MemorySegment> storages = new HashMap<>();
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<Object, Object> e : dict.entrySet()) {
            if (!(e.getKey() instanceof String name)) {
                throw new ModelFormatException(source + ": state dict key " + PthUnpickler.describe(e.getKey()) + " ("
                        + PthUnpickler.type(e.getKey()) + ") is not a string");
            }
            if (!(e.getValue() instanceof TensorRef t)) {
                throw new ModelFormatException(source + ": state dict entry '" + name + "' holds "
                        + PthUnpickler.type(e.getValue()) + ", not a tensor (expected a state dict of tensors)");
            }
            out.put(name, tensor(zip, prefix, name, t, storages, source));
        }
        return out;
    }

    /**
     * The folder every record lives in ({@code archive/} when saved to a buffer, the file's base name
     * when saved to a path): the one holding {@code data.pkl}.
     */
    private static String archivePrefix(PthZip zip, String source) {
        List<String> pkls = zip.entries().keySet().stream()
                .filter(n -> n.endsWith("/data.pkl") && n.indexOf('/') == n.length() - "/data.pkl".length())
                .toList();
        if (pkls.size() == 1) {
            String prefix = pkls.get(0).substring(0, pkls.get(0).length() - "data.pkl".length());
            if (zip.entry(prefix + "constants.pkl") != null) {
                throw new ModelFormatException(source + ": a TorchScript archive (torch.jit.save), not a torch.save "
                        + "checkpoint; save the model's state_dict() with torch.save instead");
            }
            return prefix;
        }
        List<String> names = zip.entries().keySet().stream().limit(8).toList();
        throw new ModelFormatException(source + ": a zip archive but not a PyTorch checkpoint: "
                + (pkls.isEmpty() ? "no <archive>/data.pkl entry" : pkls.size() + " data.pkl entries " + pkls)
                + " (entries: " + names + (zip.entries().size() > names.size() ? ", ..." : "") + ")");
    }

    /** The dict of tensors: the pickled object itself, or its {@code state_dict} entry (training checkpoints). */
    private static Map<Object, Object> stateDict(Object root, String source) {
        if (!(root instanceof PyDict d)) {
            throw new ModelFormatException(source + ": checkpoint holds " + PthUnpickler.type(root)
                    + ", expected a state dict (a dict of tensors)");
        }
        boolean anyTensor = d.map.values().stream().anyMatch(v -> v instanceof TensorRef);
        if (!anyTensor && d.map.get("state_dict") instanceof PyDict inner) return inner.map;
        return d.map;
    }

    private static Tensor tensor(
            PthZip zip, String prefix, String name, TensorRef t, Map<String, MemorySegment> storages, String source) {
        String where = source + ": tensor '" + name + "'";
        StorageRef s = t.storage();
        DType dtype = switch (s.storageType()) {
            case "FloatStorage" -> DType.F32;
            case "HalfStorage" -> DType.F16;
            case "BFloat16Storage" -> DType.BF16;
            default ->
                throw new ModelFormatException(where + ": dtype " + torchDtype(s.storageType()) + " (torch."
                        + s.storageType() + ") is not supported; expected float32, float16 or bfloat16");
        };
        String entryName = prefix + "data/" + s.key();
        MemorySegment storage = storages.get(s.key());
        if (storage == null) {
            PthZip.Entry e = zip.entry(entryName);
            if (e == null) {
                throw new ModelFormatException(where + ": its storage '" + s.key() + "' (entry '" + entryName
                        + "') is missing from the archive");
            }
            storage = zip.data(e);
            storages.put(s.key(), storage);
        }
        // Checked for every tensor, not only the storage's first: tensors sharing a storage each name its type
        // and element count, and a later one may disagree with the entry's size.
        long need;
        try {
            need = dtype.byteSize(s.numel());
        } catch (ArithmeticException ex) {
            throw new ModelFormatException(where + ": implausible storage size of " + s.numel() + " elements");
        }
        if (storage.byteSize() != need) {
            throw new ModelFormatException(where + ": storage entry '" + entryName + "' holds " + storage.byteSize()
                    + " bytes, but the pickle says " + s.numel() + " " + dtype + " elements (" + need + " bytes)");
        }
        long[] shape = t.shape(), stride = t.stride();
        if (stride.length != shape.length) {
            throw new ModelFormatException(where + ": size " + Arrays.toString(shape) + " and stride "
                    + Arrays.toString(stride) + " differ in rank");
        }
        long numel = 1;
        try {
            for (long d : shape) {
                if (d < 0)
                    throw new ModelFormatException(where + ": negative dimension in size " + Arrays.toString(shape));
                numel = Math.multiplyExact(numel, d);
            }
        } catch (ArithmeticException ex) {
            throw new ModelFormatException(where + ": implausible size " + Arrays.toString(shape));
        }
        // Row-major contiguity; a dimension of extent 1 may carry any stride (PyTorch does not normalise it).
        long expect = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && stride[i] != expect && numel != 0) {
                throw new ModelFormatException(where + ": size " + Arrays.toString(shape) + " with stride "
                        + Arrays.toString(stride) + " is not contiguous row-major; save t.contiguous() instead");
            }
            expect *= shape[i];
        }
        if (t.offset() > s.numel() || numel > s.numel() - t.offset()) {
            throw new ModelFormatException(where + ": needs elements [" + t.offset() + ", " + (t.offset() + numel)
                    + ") of storage '" + s.key() + "', which has only " + s.numel());
        }
        return new Tensor(name, dtype, shape, storage.asSlice(dtype.byteSize(t.offset()), dtype.byteSize(numel)));
    }

    private static String torchDtype(String storageType) {
        return switch (storageType) {
            case "DoubleStorage" -> "float64";
            case "LongStorage" -> "int64";
            case "IntStorage" -> "int32";
            case "ShortStorage" -> "int16";
            case "CharStorage" -> "int8";
            case "ByteStorage" -> "uint8";
            case "BoolStorage" -> "bool";
            default -> storageType;
        };
    }
}
