package io.rwkvx.format;

import static io.rwkvx.format.FormatAssertions.assertRejected;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rwkvx.model.Architecture;
import io.rwkvx.model.ModelConfig;
import io.rwkvx.model.ModelWeights;
import io.rwkvx.tensor.DType;
import io.rwkvx.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** rwkv.cpp files: the tiny RWKV-7 in FP32 and FP16, and corrupted copies of it. */
class RwkvCppReaderTest {
    static final Path FP32 = Path.of("models/tiny-rwkv-7v0-834K-FP32.bin");
    static final Path FP16 = Path.of("tests/data/tiny-rwkv-7v0-834K-FP16.bin");

    static RwkvCppTestFile original;

    @TempDir
    Path dir;

    @BeforeAll
    static void parseOriginal() throws IOException {
        original = RwkvCppTestFile.parse(FP32);
    }

    private static RwkvCppTestFile copy() throws IOException {
        return RwkvCppTestFile.parse(FP32);
    }

    private static void assertRejectedFile(Path file, String... fragments) {
        assertRejected(RwkvCppReader::read, file, fragments);
    }

    @Test
    void readsTinyRwkv7Fp32() {
        try (Arena arena = Arena.ofConfined()) {
            ModelWeights w = RwkvCppReader.read(FP32, arena);
            assertEquals(new ModelConfig(Architecture.RWKV7, 12, 64, 1, 64, 256, 256), w.config());
            // 339 records; each layer's x_rwkvag becomes six vectors.
            assertEquals(339 + 12 * 5, w.tensors().size());
            assertEquals(Rwkv7Layout.tensorNames(12).size(), w.tensors().size());
            assertEquals(FP32.toString(), w.source());
            for (Tensor t : w.tensors().values()) assertEquals(DType.F32, t.dtype(), t.name());
            assertArrayEquals(new long[] {64}, w.get("blocks.4.att.x_a").shape());
            assertArrayEquals(new long[] {64}, w.get("blocks.4.att.w0").shape());
            assertArrayEquals(new long[] {32, 64}, w.get("blocks.4.att.w1").shape());
            assertArrayEquals(new long[] {64, 32}, w.get("blocks.4.att.w2").shape());
            assertArrayEquals(new long[] {1, 64}, w.get("blocks.4.att.r_k").shape());
            assertFalse(w.has("blocks.0.att.v0"));
            assertTrue(w.has("blocks.1.att.v0"));
        }
    }

    @Test
    void tensorsAreZeroCopyViewsOfTheMapping() {
        try (Arena arena = Arena.ofConfined()) {
            ModelWeights w = RwkvCppReader.read(FP32, arena);
            // emb.weight's data starts at byte 54 of the file; the mapping is page-aligned, so a view keeps
            // that offset while any copy would be freshly aligned.
            assertEquals(54, w.get("emb.weight").data().address() % 4096);
            Tensor xr = w.get("blocks.2.att.x_r");
            for (int c = 1; c < 6; c++) {
                Tensor row = w.get("blocks.2." + Rwkv7Layout.SHIFT_MIXES.get(c));
                assertEquals(xr.data().address() + c * 64L * 4, row.data().address(), row.name());
            }
        }
    }

    @Test
    void valuesMatchTheFile() {
        RwkvCppTestFile.Record mix = original.get("blocks.7.att.x_rwkvag");
        ByteBuffer b = ByteBuffer.wrap(mix.data()).order(ByteOrder.LITTLE_ENDIAN);
        try (Arena arena = Arena.ofConfined()) {
            ModelWeights w = RwkvCppReader.read(FP32, arena);
            for (int c = 0; c < 6; c++) {
                Tensor t = w.get("blocks.7." + Rwkv7Layout.SHIFT_MIXES.get(c));
                for (int i = 0; i < 64; i++) assertEquals(b.getFloat((c * 64 + i) * 4), t.getFloat(i), t.name());
            }
            // head.weight ne [64, 256] → (256, 64): element (o, i) at o*64 + i.
            ByteBuffer h = ByteBuffer.wrap(original.get("head.weight").data()).order(ByteOrder.LITTLE_ENDIAN);
            Tensor head = w.get("head.weight");
            assertArrayEquals(new long[] {256, 64}, head.shape());
            assertEquals(h.getFloat((200 * 64 + 13) * 4), head.getFloat(200 * 64 + 13));
        }
    }

    @Test
    void readsTinyRwkv7Fp16() {
        try (Arena arena = Arena.ofConfined()) {
            ModelWeights w = RwkvCppReader.read(FP16, arena);
            assertEquals(new ModelConfig(Architecture.RWKV7, 12, 64, 1, 64, 256, 256), w.config());
            assertEquals(DType.F16, w.get("emb.weight").dtype());
            assertEquals(DType.F16, w.get("blocks.3.att.key.weight").dtype());
            assertEquals(DType.F16, w.get("blocks.3.att.a1").dtype());
            assertEquals(DType.F32, w.get("blocks.3.att.k_k").dtype());
            assertEquals(DType.F32, w.get("blocks.3.att.x_g").dtype());
            assertEquals(DType.F32, w.get("blocks.3.att.r_k").dtype());
            assertEquals(DType.F32, w.get("blocks.3.ln1.weight").dtype());
        }
    }

    @Test
    void syntheticFileRoundTrips() throws IOException {
        Path f = copy().write(dir.resolve("copy.bin"));
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(399, RwkvCppReader.read(f, arena).tensors().size());
        }
    }

    @Test
    void wrongMagicShowsTheFoundValueInHex() throws IOException {
        RwkvCppTestFile f = copy();
        f.magic = 0x12345678;
        assertRejectedFile(f.write(dir.resolve("m.bin")), "wrong magic 0x12345678", "expected 0x67676d66");
    }

    @Test
    void bigEndianMagicIsExplained() throws IOException {
        RwkvCppTestFile f = copy();
        f.magic = Integer.reverseBytes(RwkvCppReader.MAGIC);
        assertRejectedFile(f.write(dir.resolve("be.bin")), "wrong magic 0x666d6767", "big-endian");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 99, 102, 1000})
    void unknownVersion(int version) throws IOException {
        RwkvCppTestFile f = copy();
        f.version = version;
        assertRejectedFile(f.write(dir.resolve("v.bin")), "unknown file version " + version, "expected 100 or 101");
    }

    @Test
    void version100IsAccepted() throws IOException {
        RwkvCppTestFile f = copy();
        f.version = 100;
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(
                    12,
                    RwkvCppReader.read(f.write(dir.resolve("v100.bin")), arena)
                            .config()
                            .nLayer());
        }
    }

    /** Cuts the file at an offset and checks the message says what was cut. */
    @ParameterizedTest(name = "cut at {0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "0   | truncated header: file has 0 bytes",
                "2   | truncated header: file has 2 bytes",
                "10  | truncated header: file has 10 bytes",
                "23  | truncated header: file has 23 bytes",
                "29  | truncated tensor record at byte offset 24: record header needs 12 bytes, only 5 remain",
                "38  | truncated tensor record at byte offset 24: dimensions (at byte offset 36) needs 8 bytes, only 2 remain",
                "47  | truncated tensor record at byte offset 24: name (at byte offset 44) needs 10 bytes, only 3 remain",
                "154 | tensor 'emb.weight' (record at byte offset 24): truncated data at byte offset 54",
            })
    void truncatedFile(long cut, String fragment) throws IOException {
        byte[] all = Files.readAllBytes(FP32);
        Path f = Files.write(dir.resolve("cut.bin"), Arrays.copyOf(all, (int) cut));
        assertRejectedFile(f, fragment);
    }

    @Test
    void truncatedInsideALaterTensor() throws IOException {
        RwkvCppTestFile f = copy();
        long at = f.recordOffset("blocks.5.att.key.weight");
        byte[] all = f.toBytes();
        Path p = Files.write(dir.resolve("cut.bin"), Arrays.copyOf(all, (int) at + 12 + 8 + 23 + 100));
        assertRejectedFile(
                p,
                "tensor 'blocks.5.att.key.weight' (record at byte offset " + at + ")",
                "truncated data",
                "needs 16384 bytes, only 100 remain");
    }

    @Test
    void truncatedAtTheLastByte() throws IOException {
        byte[] all = Files.readAllBytes(FP32);
        Path f = Files.write(dir.resolve("cut.bin"), Arrays.copyOf(all, all.length - 1));
        assertRejectedFile(f, "truncated data", "only " + (256 * 64 * 4 - 1) + " remain");
    }

    @ParameterizedTest(name = "code {0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "10 | data type Q8_1 (code 10) is not supported yet",
                "11 | data type Q2_K (code 11) is not supported yet",
                "13 | data type Q4_K (code 13) is not supported yet",
                "14 | data type Q5_K (code 14) is not supported yet",
                "16 | data type Q8_K (code 16) is not supported yet",
                "5  | data type code 5 (Q4_2) was removed",
                "17 | unknown data type code 17",
                "-1 | unknown data type code 4294967295",
            })
    void badDtypeCode(int code, String fragment) throws IOException {
        RwkvCppTestFile f = copy();
        RwkvCppTestFile.Record r = f.get("blocks.2.att.value.weight");
        f.replace(r.name(), new RwkvCppTestFile.Record(r.name(), code, r.ne(), r.data()));
        assertRejectedFile(f.write(dir.resolve("q.bin")), "tensor 'blocks.2.att.value.weight'", fragment);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 4})
    void dimCountOutOfRange(int dims) throws IOException {
        RwkvCppTestFile f = copy();
        long[] ne = dims == 0 ? new long[0] : new long[] {64, 1, 1, 1};
        f.records.add(0, new RwkvCppTestFile.Record("odd", 0, ne, new byte[256]));
        assertRejectedFile(
                f.write(dir.resolve("d.bin")),
                "record at byte offset 24: dim_count " + dims + " out of range, expected 1..3");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 5000, Integer.MAX_VALUE, -1})
    void implausibleKeyLength(int keyLength) throws IOException {
        byte[] all = Files.readAllBytes(FP32);
        ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).putInt(28, keyLength);
        Path f = Files.write(dir.resolve("k.bin"), all);
        assertRejectedFile(
                f, "record at byte offset 24: implausible key length " + Integer.toUnsignedString(keyLength));
    }

    @Test
    void nameThatIsNotUtf8() throws IOException {
        byte[] all = Files.readAllBytes(FP32);
        all[44] = (byte) 0xff; // first byte of "emb.weight"
        assertRejectedFile(Files.write(dir.resolve("u.bin"), all), "byte offset 24: name is not valid UTF-8");
    }

    @Test
    void zeroSizedDimension() throws IOException {
        RwkvCppTestFile f = copy();
        f.records.add(3, new RwkvCppTestFile.Record("empty", 0, new long[] {0, 64}, new byte[0]));
        assertRejectedFile(f.write(dir.resolve("z.bin")), "tensor 'empty'", "dimension of size 0");
    }

    @Test
    void duplicateName() throws IOException {
        RwkvCppTestFile f = copy();
        long first = f.recordOffset("ln_out.weight");
        f.records.add(f.get("ln_out.weight"));
        assertRejectedFile(
                f.write(dir.resolve("dup.bin")),
                "tensor 'ln_out.weight'",
                "duplicate tensor name, first record at byte offset " + first);
    }

    @Test
    void missingTensor() throws IOException {
        RwkvCppTestFile f = copy();
        f.remove("blocks.3.att.key.weight");
        assertRejectedFile(f.write(dir.resolve("miss.bin")), "missing tensor 'blocks.3.att.key.weight'");
    }

    @Test
    void missingValueResidualOfLayer1() throws IOException {
        RwkvCppTestFile f = copy();
        f.remove("blocks.1.att.v0");
        f.remove("blocks.1.att.v2");
        assertRejectedFile(f.write(dir.resolve("miss.bin")), "missing 2 tensors: 'blocks.1.att.v0', 'blocks.1.att.v2'");
    }

    @Test
    void misShapedMatrix() throws IOException {
        RwkvCppTestFile f = copy();
        f.replace(
                "blocks.3.att.key.weight",
                RwkvCppTestFile.f32("blocks.3.att.key.weight", new long[] {64, 32}, new float[64 * 32]));
        assertRejectedFile(
                f.write(dir.resolve("shape.bin")),
                "tensor 'blocks.3.att.key.weight': expected shape [64, 64], found [64, 32]");
    }

    @Test
    void misShapedVector() throws IOException {
        RwkvCppTestFile f = copy();
        f.replace("blocks.6.att.k_a", RwkvCppTestFile.f32("blocks.6.att.k_a", new long[] {1, 2, 32}, new float[64]));
        assertRejectedFile(
                f.write(dir.resolve("vec.bin")), "tensor 'blocks.6.att.k_a': expected shape [64], found [1, 2, 32]");
    }

    @Test
    void misShapedShiftMixes() throws IOException {
        RwkvCppTestFile f = copy();
        f.replace(
                "blocks.0.att.x_rwkvag",
                RwkvCppTestFile.f32("blocks.0.att.x_rwkvag", new long[] {5, 1, 64}, new float[5 * 64]));
        assertRejectedFile(
                f.write(dir.resolve("mix.bin")),
                "tensor 'blocks.0.att.x_rwkvag': expected shape [6, 1, C], found [5, 1, 64]");
    }

    @Test
    void loraRanksMustAgree() throws IOException {
        RwkvCppTestFile f = copy();
        f.replace("blocks.9.att.g2", RwkvCppTestFile.f16("blocks.9.att.g2", new long[] {64, 16}, new float[64 * 16]));
        assertRejectedFile(
                f.write(dir.resolve("lora.bin")),
                "tensor 'blocks.9.att.g2': expected shape [64, 32] (LoRA up-projection matching blocks.9.att.g1 [32, 64]),"
                        + " found [64, 16]");
    }

    @Test
    void headMustMatchTheEmbedding() throws IOException {
        RwkvCppTestFile f = copy();
        f.replace("head.weight", RwkvCppTestFile.f32("head.weight", new long[] {255, 64}, new float[255 * 64]));
        assertRejectedFile(
                f.write(dir.resolve("head.bin")), "tensor 'head.weight': expected shape [256, 64], found [255, 64]");
    }

    @Test
    void unexpectedExtraTensors() throws IOException {
        RwkvCppTestFile f = copy();
        f.records.add(RwkvCppTestFile.f32("blocks.2.att.gate.weight", new long[] {64, 64}, new float[64 * 64]));
        f.records.add(RwkvCppTestFile.f32("something.else", new long[] {3}, new float[3]));
        assertRejectedFile(
                f.write(dir.resolve("extra.bin")),
                "2 unexpected tensors not part of RWKV-7: 'blocks.2.att.gate.weight', 'something.else'");
    }

    @Test
    void layerZeroWithValueResidual() throws IOException {
        RwkvCppTestFile f = copy();
        f.records.add(f.get("blocks.1.att.v0").withName("blocks.0.att.v0"));
        assertRejectedFile(f.write(dir.resolve("v0.bin")), "'blocks.0.att.v0'", "layer 0 has no value-residual");
    }

    @Test
    void shiftMixGivenTwice() throws IOException {
        RwkvCppTestFile f = copy();
        f.records.add(f.get("blocks.0.att.k_k").withName("blocks.0.att.x_v"));
        assertRejectedFile(f.write(dir.resolve("twice.bin")), "tensor 'blocks.0.att.x_v' is given twice");
    }

    @Test
    void missingLayer() throws IOException {
        RwkvCppTestFile f = copy();
        f.records.removeIf(r -> r.name().startsWith("blocks.4."));
        f.nLayer = 11;
        assertRejectedFile(
                f.write(dir.resolve("layer.bin")), "layers are not numbered 0..10", "no tensors for blocks [4]");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "n_vocab | header n_vocab = 300 (byte offset 8) but tensor 'emb.weight' has shape [256, 64]",
                "n_embed | header n_embed = 32 (byte offset 12) but tensor 'emb.weight' has shape [256, 64]",
                "n_layer | header n_layer = 11 (byte offset 16) but the file has tensors for 12 layers",
            })
    void headerMustAgreeWithTensors(String field, String fragment) throws IOException {
        RwkvCppTestFile f = copy();
        switch (field) {
            case "n_vocab" -> f.nVocab = 300;
            case "n_embed" -> f.nEmbed = 32;
            default -> f.nLayer = 11;
        }
        assertRejectedFile(f.write(dir.resolve("hdr.bin")), fragment);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "RWKV-4   | RWKV-4 model is missing",
                "RWKV-5.1 | detected RWKV-5.1 (tensor blocks.0.att.ln_x.weight present",
                "RWKV-5.2 | RWKV-5.2 model is missing",
                "RWKV-6   | RWKV-6 model is missing",
            })
    void olderGenerationsAreNamed(String generation, String fragment) throws IOException {
        RwkvCppTestFile f = new RwkvCppTestFile();
        f.nVocab = 4;
        f.nEmbed = 8;
        f.nLayer = 1;
        f.records.add(RwkvCppTestFile.f32("emb.weight", new long[] {4, 8}, new float[32]));
        List<String> names = switch (generation) {
            case "RWKV-4" -> List.of("blocks.0.att.time_decay", "blocks.0.att.time_first");
            case "RWKV-5.1" -> List.of("blocks.0.att.ln_x.weight");
            case "RWKV-5.2" -> List.of("blocks.0.att.ln_x.weight", "blocks.0.att.gate.weight");
            default -> List.of("blocks.0.att.ln_x.weight", "blocks.0.att.gate.weight", "blocks.0.att.time_maa_x");
        };
        for (String n : names) f.records.add(RwkvCppTestFile.f32(n, new long[] {8}, new float[8]));
        assertRejectedFile(f.write(dir.resolve("old.bin")), fragment);
    }

    @Test
    void missingFile() {
        assertRejectedFile(dir.resolve("nope.bin"), "no such file");
    }

    @Test
    void directory() {
        assertRejectedFile(dir, "is a directory");
    }
}
