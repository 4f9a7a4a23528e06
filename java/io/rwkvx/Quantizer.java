package io.rwkvx;

import io.rwkvx.common.RwkvxException;
import io.rwkvx.ffi.rwkvx_h;
import io.rwkvx.format.ModelFiles;
import io.rwkvx.format.RwkvCppQuantization;
import io.rwkvx.format.RwkvCppWriter;
import io.rwkvx.model.Architecture;
import io.rwkvx.model.ModelWeights;
import io.rwkvx.nativelib.NativeLibrary;
import io.rwkvx.tensor.DType;
import io.rwkvx.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Quantizes models to ggml's block types the way rwkv.cpp's quantizer does: the same tensors
 * ({@link RwkvCppQuantization}), each through the native {@code rwkvx_quantize}, whose rounding is ggml's
 * reference rounding, so the blocks equal rwkv.cpp's byte for byte. {@link #quantizeFile} writes an rwkv.cpp
 * file (format version 101); {@link #quantize} works in memory (what {@link ModelOptions#withQuantization}
 * does after reading a model).
 *
 * <pre>{@code
 * Quantizer.Summary s = Quantizer.quantizeFile(Path.of("model-FP16.bin"), Path.of("model-Q5_1.bin"), DType.Q5_1, null);
 * }</pre>
 *
 * Thread-safe: nothing is shared between calls. Needs the native library.
 */
public final class Quantizer {
    private Quantizer() {}

    /**
     * What {@link #quantizeFile} did.
     *
     * @param quantized   tensor records quantized
     * @param kept        tensor records written as they were (F32/F16; BF16 widened to F32)
     * @param inputBytes  size of the input file
     * @param outputBytes size of the written file
     */
    public record Summary(int quantized, int kept, long inputBytes, long outputBytes) {}

    /**
     * Reads {@code in} (rwkv.cpp {@code .bin} in FP32/FP16, safetensors or {@code .pth}), quantizes the tensors
     * rwkv.cpp's quantizer quantizes to {@code type} ({@code head.weight} too, to {@code headType}, unless it is
     * null) and writes an rwkv.cpp file of version 101 to {@code out}, whose header names {@code type}.
     *
     * @param in       the model to read
     * @param out      the file to write (replaced if it exists); not {@code in}
     * @param type     one of {@link DType#quantized()}, for the tensors rwkv.cpp quantizes
     * @param headType one of {@link DType#quantized()} for {@code head.weight}, or null to keep it as stored
     * @return how many tensors were quantized and kept, and the files' sizes
     * @throws IllegalArgumentException if {@code type} or {@code headType} is not a quantized type
     * @throws RwkvxException for a model that is already quantized, an RWKV-X model, an output that is the
     *                        input, or when the native library is unavailable
     */
    public static Summary quantizeFile(Path in, Path out, DType type, DType headType) {
        checkType(type, "type");
        if (headType != null) checkType(headType, "head type");
        try {
            // Writing over the input would truncate the file that is mapped for reading.
            if (Files.exists(out) && Files.exists(in) && Files.isSameFile(in, out))
                throw new RwkvxException(out + ": the output would overwrite the input model");
        } catch (IOException e) {
            throw new RwkvxException(out + ": " + e.getMessage(), e);
        }
        try (Arena arena = Arena.ofConfined()) {
            ModelWeights before = ModelFiles.read(in, arena);
            ModelWeights after = quantize(before, type, headType, arena);
            int records = RwkvCppWriter.write(after, type, out);
            int quantized =
                    RwkvCppQuantization.selection(before, headType != null).size();
            return new Summary(quantized, records - quantized, Files.size(in), Files.size(out));
        } catch (IOException e) {
            throw new RwkvxException(out + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@code weights} with the tensors rwkv.cpp's quantizer picks replaced by {@code type} blocks allocated in
     * {@code arena} ({@code head.weight} too, to {@code headType}, unless it is null); the other tensors are the
     * same objects.
     *
     * @param weights  the model, FP32, FP16 or BF16; not RWKV-X
     * @param type     one of {@link DType#quantized()}, for the tensors rwkv.cpp quantizes
     * @param headType one of {@link DType#quantized()} for {@code head.weight}, or null to keep it as stored
     * @param arena    owns the quantized tensors' memory; must outlive the result
     * @return new weights with the same configuration and source
     * @throws IllegalArgumentException if {@code type} or {@code headType} is not a quantized type
     * @throws RwkvxException for weights that already hold quantized tensors, RWKV-X weights, a tensor whose rows
     *                        are not whole 32-element blocks, or when the native library is unavailable
     */
    public static ModelWeights quantize(ModelWeights weights, DType type, DType headType, Arena arena) {
        checkType(type, "type");
        if (headType != null) checkType(headType, "head type");
        String source = weights.source();
        if (weights.config().arch() == Architecture.HYBRID)
            throw new RwkvxException(source + ": RWKV-X models cannot be quantized yet (rwkv.cpp's quantizer,"
                    + " whose tensor choice this follows, knows no attention blocks)");
        for (Tensor t : weights.tensors().values()) {
            if (t.dtype().isQuantized())
                throw new RwkvxException(source + ": tensor '" + t.name() + "' is already " + t.dtype()
                        + "; quantize an FP32, FP16 or BF16 model (quantizing blocks again would add their errors)");
        }
        String unavailable = NativeLibrary.unavailableReason();
        if (unavailable != null)
            throw new RwkvxException(source + ": quantizing needs the native library (rwkvx_quantize): " + unavailable);
        List<String> chosen = RwkvCppQuantization.selection(weights, headType != null);
        Map<String, Tensor> out = new LinkedHashMap<>(weights.tensors());
        for (String name : chosen) {
            DType to = name.equals("head.weight") && headType != null ? headType : type;
            out.put(name, quantizeTensor(weights.get(name), to, source, arena));
        }
        return new ModelWeights(weights.config(), out, source);
    }

    /** One tensor through {@code rwkvx_quantize}. */
    private static Tensor quantizeTensor(Tensor t, DType type, String source, Arena arena) {
        long[] shape = t.shape();
        long row = shape[shape.length - 1];
        if (row % type.blockSize != 0)
            throw new RwkvxException(source + ": tensor '" + t.name() + "' " + Arrays.toString(shape)
                    + " cannot be quantized to " + type + ": its rows of " + row + " elements are not whole "
                    + type.blockSize + "-element blocks");
        long n = t.numel();
        long bytes = type.byteSize(n);
        long nativeBytes = rwkvx_h.rwkvx_dtype_bytes(type.code, n);
        if (nativeBytes != bytes)
            throw new RwkvxException("rwkvx_dtype_bytes(" + type + ", " + n + ") = " + nativeBytes
                    + ", but the Java side expects " + bytes + ": library and bindings disagree on the block layout");
        MemorySegment blocks = arena.allocate(bytes, 64);
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment src = t.toF32(scratch).data(); // aligned floats (a copy unless F32 and aligned)
            NativeLibrary.check(
                    "rwkvx_quantize of tensor '" + t.name() + "' to " + type,
                    rwkvx_h.rwkvx_quantize(type.code, src, n, blocks, bytes));
        }
        return new Tensor(t.name(), type, shape, blocks);
    }

    private static void checkType(DType type, String what) {
        if (type == null || !type.isQuantized())
            throw new IllegalArgumentException(what + " must be one of " + DType.quantized() + ", got " + type);
    }
}
