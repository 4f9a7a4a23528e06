package io.rwkvx.format;

import static io.rwkvx.format.FormatAssertions.assertRejected;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Choosing the reader by content, and naming what an unsupported file is. */
class ModelFilesTest {
    @TempDir
    Path dir;

    private void assertRejectedFile(Path file, String... fragments) {
        assertRejected(ModelFiles::read, file, fragments);
    }

    @Test
    void rwkvCppByMagic() throws IOException {
        // The extension does not matter, only the content.
        Path f = Files.copy(RwkvCppReaderTest.FP32, dir.resolve("model.safetensors"));
        assertEquals(ModelFiles.Kind.RWKV_CPP, ModelFiles.detect(f));
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(12, ModelFiles.read(f, arena).config().nLayer());
        }
    }

    @Test
    void safetensorsByHeader() throws IOException {
        Path f = new SyntheticRwkv7(1, 8, 1, 2, 10, 32, 2)
                .safetensors("BF16", "BF16", "")
                .write(dir.resolve("m.bin"));
        assertEquals(ModelFiles.Kind.SAFETENSORS, ModelFiles.detect(f));
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(2, ModelFiles.read(f, arena).config().nLayer());
        }
    }

    @Test
    void truncatedRwkvCppStillGoesToItsReader() throws IOException {
        Path f = Files.write(dir.resolve("t.bin"), new byte[] {0x66, 0x6d, 0x67, 0x67, 0x65, 0});
        assertRejectedFile(f, "truncated header: file has 6 bytes");
    }

    @Test
    void pytorchZipCheckpoint() throws IOException {
        // A zip goes to PthReader (PthReaderTest covers real checkpoints), which names what is wrong.
        Path f = Files.write(
                dir.resolve("model.pth"), new byte[] {'P', 'K', 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        assertEquals(ModelFiles.Kind.PYTORCH, ModelFiles.detect(f));
        assertRejectedFile(f, "truncated zip archive: 17 bytes");
    }

    @Test
    void legacyPickleCheckpoint() throws IOException {
        Path f = Files.write(dir.resolve("model.pth"), new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10, 0, 0, 0, 0, 0, 0});
        assertRejectedFile(f, "pickle", "legacy PyTorch checkpoints are not supported; re-save with torch.save");
    }

    @Test
    void bigEndianRwkvCpp() throws IOException {
        Path f = Files.write(dir.resolve("be.bin"), new byte[] {0x67, 0x67, 0x6d, 0x66, 0, 0, 0, 101, 0, 0});
        assertRejectedFile(f, "big-endian rwkv.cpp file");
    }

    @Test
    void gguf() throws IOException {
        Path f = Files.write(dir.resolve("m.gguf"), new byte[] {'G', 'G', 'U', 'F', 3, 0, 0, 0, 0, 0, 0, 0});
        assertRejectedFile(f, "a GGUF file");
    }

    @Test
    void somethingElse() throws IOException {
        Path f = Files.writeString(dir.resolve("notes.txt"), "hello, world, this is text");
        assertRejectedFile(
                f,
                "not a recognised model file (first bytes 68 65 6c 6c 6f 2c 20 77)",
                "expected an rwkv.cpp .bin or a .safetensors file");
    }

    @Test
    void safetensorsLengthMustFitTheFile() throws IOException {
        byte[] b = new byte[20];
        b[0] = (byte) 200; // header length 200 > 12 remaining bytes
        b[8] = '{';
        assertRejectedFile(Files.write(dir.resolve("s.safetensors"), b), "not a recognised model file");
    }

    @Test
    void emptyAndTinyFiles() throws IOException {
        assertRejectedFile(
                Files.write(dir.resolve("empty"), new byte[0]), "only 0 bytes, too short to be a model file");
        assertRejectedFile(Files.write(dir.resolve("tiny"), new byte[] {1, 2, 3}), "only 3 bytes");
    }

    @Test
    void missingFileAndDirectory() {
        assertRejectedFile(dir.resolve("absent.bin"), "no such file");
        assertRejectedFile(dir, "cannot read");
    }
}
