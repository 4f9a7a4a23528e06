package io.rwkvx.format;

import static io.rwkvx.format.FormatAssertions.assertRejected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * rwkv.cpp's own quantized test files (Q5_0 and Q5_1 of the tiny RWKV-4, 5.2 and 7 models, made by its
 * quantizer from the FP32 files) and broken copies of them: every bad case is refused with one line that
 * names the file, the tensor and the byte offset.
 */
class RwkvCppQuantizedReaderTest {
    @TempDir
    Path dir;

    static Path quantized(String model, DType type) {
        return Path.of("tests/data/tiny-rwkv-" + model + "-" + type + ".bin");
    }

    static Path fp32(String model) {
        return model.equals("7v0-834K")
                ? Path.of("models/tiny-rwkv-7v0-834K-FP32.bin")
                : Path.of("tests/data/tiny-rwkv-" + model + "-FP32.bin");
    }

    /** Model, type, and how many tensors rwkv.cpp quantized (the 2-D projections of every layer). */
    static Stream<Arguments> files() {
        return Stream.of("4v0-660K", "5v2-730K", "7v0-834K")
                .flatMap(m -> Stream.of(DType.Q5_0, DType.Q5_1)
                        .map(t -> Arguments.of(
                                m,
                                t,
                                switch (m) {
                                    case "4v0-660K" -> 4 * 7;
                                    case "5v2-730K" -> 12 * 8;
                                    default -> 12 * 6;
                                })));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("files")
    void readsRwkvCppsQuantizedFiles(String model, DType type, int quantizedCount) {
        try (Arena arena = Arena.ofConfined()) {
            ModelWeights fp = RwkvCppReader.read(fp32(model), arena);
            ModelWeights q = RwkvCppReader.read(quantized(model, type), arena);
            assertEquals(fp.config(), q.config());
            assertEquals(fp.tensors().keySet(), q.tensors().keySet());
            // The tensors rwkv.cpp chose are exactly the ones our quantizer chooses; the rest are untouched.
            var chosen = RwkvCppQuantization.selection(fp, false);
            assertEquals(quantizedCount, chosen.size());
            for (Tensor t : q.tensors().values()) {
                Tensor f = fp.get(t.name());
                assertEquals(chosen.contains(t.name()) ? type : f.dtype(), t.dtype(), t.name());
                assertEquals(Arrays.toString(f.shape()), Arrays.toString(t.shape()), t.name());
                if (!t.dtype().isQuantized())
                    assertTrue(Arrays.equals(f.toFloatArray(), t.toFloatArray()), t.name() + " is kept as it was");
            }
            // Quantized tensors are views of the mapping, like FP16 ones (records are unaligned).
            Tensor key = q.get("blocks.1.att.key.weight");
            assertEquals(type.byteSize(key.numel()), key.data().byteSize());
            assertTrue(key.data().isMapped(), "a view of the mapped file");
        }
    }

    /**
     * Every dequantized weight lies within the block's rounding step of the FP32 weight it came from: ggml
     * rounds to the nearest of 32 levels d apart, except that the element opposite the block's largest
     * magnitude may be clamped one more level away (Q5_0: q = 32 → 31), and d and m are rounded to binary16
     * (2^-11 relative, and at least 2^-25 absolute where they are subnormal, times up to 31 levels: the 4v0
     * model's FFN weights, below 4e-7, get d = 0).
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("files")
    void dequantizedWeightsLieWithinOneStepOfTheFp32Ones(String model, DType type, int quantizedCount) {
        try (Arena arena = Arena.ofConfined()) {
            ModelWeights fp = RwkvCppReader.read(fp32(model), arena);
            ModelWeights q = RwkvCppReader.read(quantized(model, type), arena);
            int checked = 0;
            for (Tensor t : q.tensors().values()) {
                if (!t.dtype().isQuantized()) continue;
                float[] want = fp.get(t.name()).toFloatArray(), got = t.toFloatArray();
                ByteBuffer blocks = ByteBuffer.wrap(t.data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE))
                        .order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < got.length; i++) {
                    int b = i / 32;
                    double d = Math.abs(Float.float16ToFloat(blocks.getShort(b * type.blockBytes)));
                    double m = type == DType.Q5_1 ? Math.abs(Float.float16ToFloat(blocks.getShort(b * 24 + 2))) : 0;
                    double step = type == DType.Q5_0 ? 1.0 : 0.5;
                    // binary16 rounding: 2^-11 relative, at least 2^-25 absolute (below 2^-14 d is subnormal)
                    double dErr = d * 0x1p-11 + 0x1p-25, mErr = m * 0x1p-11 + 0x1p-25;
                    double bound = step * (d + dErr) + 31 * dErr + mErr + 1e-9;
                    double err = Math.abs(got[i] - (double) want[i]);
                    assertTrue(
                            err <= bound,
                            t.name() + " element " + i + ": " + got[i] + " vs " + want[i] + ", error " + err + " > "
                                    + bound);
                }
                checked++;
            }
            assertEquals(quantizedCount, checked);
        }
    }

    @Test
    void infoCountsMatchTheFile() {
        try (Arena arena = Arena.ofConfined()) {
            ModelWeights q = RwkvCppReader.read(quantized("7v0-834K", DType.Q5_1), arena);
            Map<DType, Integer> counts = new TreeMap<>();
            for (Tensor t : q.tensors().values()) counts.merge(t.dtype(), 1, Integer::sum);
            // 339 records, 267 of them F32 (12 x_rwkvag become 72 vectors: +60), 72 Q5_1.
            assertEquals(Map.of(DType.F32, 267 + 60, DType.Q5_1, 72), counts);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Broken files: one line naming the file, the tensor and the offset

    private static RwkvCppTestFile parse(String model, DType type) throws IOException {
        return RwkvCppTestFile.parse(quantized(model, type));
    }

    private void assertOneLineRejection(RwkvCppTestFile f, String name, String... fragments) throws IOException {
        Path file = f.write(dir.resolve("bad.bin"));
        String[] all = Arrays.copyOf(fragments, fragments.length + 1);
        all[fragments.length] = "tensor '" + name + "' (record at byte offset " + f.recordOffset(name) + ")";
        String m = assertRejected(RwkvCppReader::read, file, all).getMessage();
        assertFalse(m.contains("\n"), "one line: " + m);
    }

    @Test
    void kQuantsAreNamedAsNotSupportedYet() throws IOException {
        RwkvCppTestFile f = parse("7v0-834K", DType.Q5_0);
        RwkvCppTestFile.Record r = f.get("blocks.4.ffn.key.weight");
        f.replace(r.name(), new RwkvCppTestFile.Record(r.name(), 13, r.ne(), r.data()));
        assertOneLineRejection(f, r.name(), "data type Q4_K (code 13) is not supported yet");
    }

    @Test
    void unknownTypeIdIsNamed() throws IOException {
        RwkvCppTestFile f = parse("7v0-834K", DType.Q5_0);
        RwkvCppTestFile.Record r = f.get("blocks.4.ffn.key.weight");
        f.replace(r.name(), new RwkvCppTestFile.Record(r.name(), 42, r.ne(), r.data()));
        assertOneLineRejection(f, r.name(), "unknown data type code 42");
    }

    @Test
    void rowsThatAreNotWholeBlocks() throws IOException {
        RwkvCppTestFile f = parse("7v0-834K", DType.Q5_1);
        String name = "blocks.2.att.value.weight";
        // [64, 48] as ne = [48, 64]: 96 blocks' worth of bytes, but rows of 48 cannot be cut into blocks.
        f.replace(name, new RwkvCppTestFile.Record(name, 8, new long[] {48, 64}, new byte[96 * 24]));
        assertOneLineRejection(
                f, name, "Q5_1 stores rows in blocks of 32 elements, but the last dimension (ne[0]) is 48");
    }

    @Test
    void truncatedBlocks() throws IOException {
        RwkvCppTestFile f = parse("5v2-730K", DType.Q5_0);
        String name = "blocks.11.ffn.value.weight"; // [64, 256]: 512 blocks of 22 bytes
        long at = f.recordOffset(name);
        long data = at + 12 + 8 + name.length();
        byte[] all = f.toBytes();
        Path cut = Files.write(dir.resolve("cut.bin"), Arrays.copyOf(all, (int) data + 22 * 100 + 7));
        String m = assertRejected(
                        RwkvCppReader::read,
                        cut,
                        "tensor '" + name + "' (record at byte offset " + at + ")",
                        "truncated data at byte offset " + data,
                        "Q5_0 [64, 256] needs 11264 bytes (512 blocks of 22 bytes), only 2207 remain")
                .getMessage();
        assertFalse(m.contains("\n"), m);
    }

    /** A quantized record where the architecture needs floats: vectors, mixes, decays, bonuses, norms. */
    @ParameterizedTest(name = "{0} {1}")
    @org.junit.jupiter.params.provider.CsvSource({
        "7v0-834K, blocks.3.ln1.weight",
        "7v0-834K, blocks.5.att.x_rwkvag",
        "7v0-834K, blocks.6.att.r_k",
        "7v0-834K, blocks.7.att.k_k",
        "7v0-834K, ln_out.bias",
        "4v0-660K, blocks.1.att.time_decay",
        "4v0-660K, blocks.2.ffn.time_mix_r",
        "5v2-730K, blocks.0.att.time_mix_g",
        "5v2-730K, blocks.9.att.ln_x.weight",
    })
    void quantizedFloatParameters(String model, String name) throws IOException {
        RwkvCppTestFile f = parse(model, DType.Q5_1);
        RwkvCppTestFile.Record r = f.get(name);
        long n = Arrays.stream(r.ne()).reduce(1, (a, b) -> a * b);
        f.replace(name, new RwkvCppTestFile.Record(name, 9, r.ne(), new byte[(int) DType.Q8_0.byteSize(n)]));
        assertOneLineRejection(
                f,
                name,
                "quantized data type Q8_0 on a",
                "parameter that must stay floating point (a vector, decay, mixing or norm parameter)");
    }

    @Test
    void quantizedTensorsInAVersion100FileAreRefused() throws IOException {
        RwkvCppTestFile f = parse("4v0-660K", DType.Q5_0);
        f.version = 100;
        f.dataType = 0; // so that the header passes and the first quantized record is reached
        String first = f.records.stream()
                .filter(r -> r.typeCode() == 7)
                .findFirst()
                .orElseThrow()
                .name();
        assertOneLineRejection(
                f,
                first,
                "quantized data type Q5_0 in a file of version 100",
                "only version 101 files may hold quantized tensors");
    }

    @Test
    void aQuantizedHeaderTypeInAVersion100FileIsRefused() throws IOException {
        RwkvCppTestFile f = parse("4v0-660K", DType.Q5_1);
        f.version = 100;
        Path file = f.write(dir.resolve("v100.bin"));
        String m = assertRejected(
                        RwkvCppReader::read,
                        file,
                        "header data_type 8 (Q5_1) at byte offset 20 in a file of version 100",
                        "only version 101 files may be quantized")
                .getMessage();
        assertFalse(m.contains("\n"), m);
    }

    @Test
    void fp32FilesOfVersion100StillLoad() {
        try (Arena arena = Arena.ofConfined()) {
            assertEquals(4, RwkvCppReader.read(fp32("4v0-660K"), arena).config().nLayer());
        }
    }
}
