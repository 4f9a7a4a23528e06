package io.rwkvx.format;

import io.rwkvx.model.ModelWeights;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Opens a model file with the reader its content (not its name) calls for. */
public final class ModelFiles {
    private static final int SNIFF_BYTES = 16;

    private ModelFiles() {}

    /** The formats {@link #read} tells apart. */
    public enum Kind {
        RWKV_CPP,
        SAFETENSORS,
        PYTORCH
    }

    /**
     * Reads an rwkv.cpp {@code .bin}, a safetensors file or a torch.save {@code .pth} checkpoint into {@code arena}.
     *
     * @throws ModelFormatException for any other content (saying what it looks like) or a malformed file
     */
    public static ModelWeights read(Path file, Arena arena) {
        return switch (detect(file)) {
            case RWKV_CPP -> RwkvCppReader.read(file, arena);
            case SAFETENSORS -> SafetensorsReader.read(file, arena);
            case PYTORCH -> PthReader.read(file, arena);
        };
    }

    /** Which reader fits {@code file}, judged by its first bytes. */
    public static Kind detect(Path file) {
        byte[] head = new byte[SNIFF_BYTES];
        int n;
        long size;
        try (InputStream in = Files.newInputStream(file)) {
            size = Files.size(file);
            n = in.readNBytes(head, 0, SNIFF_BYTES);
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(file + ": no such file", e);
        } catch (IOException e) {
            throw new ModelFormatException(file + ": cannot read: " + e.getMessage(), e);
        }
        ByteBuffer b = ByteBuffer.wrap(head, 0, n).order(ByteOrder.LITTLE_ENDIAN);
        // A short file with the rwkv.cpp magic goes to that reader, which says exactly what is truncated.
        if (n >= 4 && b.getInt(0) == RwkvCppReader.MAGIC) return Kind.RWKV_CPP;
        if (n < 8) {
            throw new ModelFormatException(file + ": only " + n + " bytes, too short to be a model file");
        }
        int magic = b.getInt(0);
        if (magic == Integer.reverseBytes(RwkvCppReader.MAGIC)) {
            throw new ModelFormatException(file + ": big-endian rwkv.cpp file; only little-endian files are supported");
        }
        // torch.save (PyTorch >= 1.6) writes a zip; PthReader reports a zip that is not a checkpoint.
        if (startsWith(head, 'P', 'K', 3, 4)) return Kind.PYTORCH;
        if ((head[0] & 0xff) == 0x80 && head[1] >= 2 && head[1] <= 5) {
            throw new ModelFormatException(file + ": a Python pickle (legacy, pre-1.6 non-zip PyTorch .pth): "
                    + "legacy PyTorch checkpoints are not supported; re-save with torch.save in PyTorch >= 1.6 "
                    + "or convert to safetensors");
        }
        if (startsWith(head, 'G', 'G', 'U', 'F')) {
            throw new ModelFormatException(file + ": a GGUF file; GGUF models are not supported, use an rwkv.cpp .bin "
                    + "or a safetensors file");
        }
        long headerLen = b.getLong(0);
        if (headerLen >= 2 && headerLen <= size - 8 && n > 8 && head[8] == '{') return Kind.SAFETENSORS;
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < Math.min(n, 8); i++) hex.append(String.format("%02x ", head[i] & 0xff));
        throw new ModelFormatException(file + ": not a recognised model file (first bytes "
                + hex.toString().trim() + "); expected an rwkv.cpp .bin or a .safetensors file");
    }

    private static boolean startsWith(byte[] head, int... prefix) {
        for (int i = 0; i < prefix.length; i++) if (head[i] != (byte) prefix[i]) return false;
        return true;
    }
}
