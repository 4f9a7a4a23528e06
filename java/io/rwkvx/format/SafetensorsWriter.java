package io.rwkvx.format;

import io.rwkvx.tensor.Tensor;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/** Writes tensors as a safetensors file (header padded to 8 bytes, tensors in map order). */
public final class SafetensorsWriter {
    private SafetensorsWriter() {}

    /**
     * Writes {@code tensors} under their map keys (the names stored in the file).
     *
     * @throws ModelFormatException for a quantized tensor, which safetensors cannot hold
     */
    public static void write(Path file, Map<String, Tensor> tensors) {
        StringBuilder json = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            if (t.dtype().isQuantized())
                throw new ModelFormatException(file + ": tensor '" + e.getKey() + "' is " + t.dtype()
                        + ": safetensors files hold no ggml blocks (write an rwkv.cpp file, or start from a float"
                        + " model)");
            long n = t.data().byteSize();
            json.append(",\"")
                    .append(e.getKey())
                    .append("\":{\"dtype\":\"")
                    .append(t.dtype().name())
                    .append("\",\"shape\":")
                    .append(Arrays.toString(t.shape()).replace(" ", ""))
                    .append(",\"data_offsets\":[")
                    .append(offset)
                    .append(',')
                    .append(offset + n)
                    .append("]}");
            offset += n;
        }
        json.append('}');
        while ((json.length() + 8) % 8 != 0) json.append(' ');
        byte[] header = json.toString().getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(ByteBuffer.allocate(8)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(header.length)
                    .array());
            out.write(header);
            for (Tensor t : tensors.values()) out.write(t.data().toArray(ValueLayout.JAVA_BYTE));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
