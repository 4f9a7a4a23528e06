package io.rwkvx.format;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import io.rwkvx.tensor.Npy;
import io.rwkvx.tokenizer.NeoxTokenizer;
import io.rwkvx.tokenizer.WorldTokenizer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Writes the seed corpora of the fuzz targets into tests/corpus (small valid inputs made from the repository's
 * test data and test-file writers, plus a few near-misses). Off in normal runs; regenerate with
 * {@code mvn -B -q test -Dtest=FuzzCorpusWriter -Drwkvx.writeFuzzCorpus=true}. Crash inputs found by fuzzing are
 * kept next to the seeds as {@code crash-*} files and are not touched here.
 */
@EnabledIfSystemProperty(named = "rwkvx.writeFuzzCorpus", matches = "true")
class FuzzCorpusWriter {
    private static final Path CORPUS = Path.of("tests/corpus/io/rwkvx");

    @Test
    void formatSeeds() throws IOException {
        Path dir = CORPUS.resolve("format/FormatFuzzTestInputs");
        SyntheticRwkv7 m = new SyntheticRwkv7(7, 4, 1, 1, 4, 4, 1);

        // rwkv.cpp: a whole (tiny) RWKV-7 file; skeletons of the real test files (every record kept, every
        // dimension 1) so the tensor names of RWKV-4/5.2/6/7 are in the corpus; a truncated header.
        byte[] v7 = m.rwkvCpp().toBytes();
        assertReads(v7, RwkvCppReader::read);
        seed(dir, "rwkvCpp", "seed-rwkv7-fp32", v7);
        for (String name : List.of(
                "tiny-rwkv-4v0-660K-FP16.bin",
                "tiny-rwkv-5v2-730K-FP32.bin",
                "tiny-rwkv-6v0-1m-FP32.bin",
                "tiny-rwkv-7v0-834K-FP16.bin")) {
            Path real = Path.of("tests/data", name);
            seed(dir, "rwkvCpp", "seed-skeleton-" + name.replace(".bin", ""), skeleton(real));
        }
        // A quantized RWKV-7 (C = 32, so that rows are whole blocks): the projections as Q5_1 blocks.
        RwkvCppTestFile q = new SyntheticRwkv7(7, 32, 1, 1, 4, 32, 1).rwkvCpp();
        q.records.replaceAll(r -> r.name().matches("blocks\\.\\d+\\.(att|ffn)\\.(key|value|receptance|output)\\.weight")
                ? new RwkvCppTestFile.Record(
                        r.name(),
                        8,
                        r.ne(),
                        io.rwkvx.tensor.GgmlReferenceQuantizer.quantize(io.rwkvx.tensor.DType.Q5_1, floats(r.data())))
                : r);
        byte[] v7q = q.toBytes();
        assertReads(v7q, RwkvCppReader::read);
        seed(dir, "rwkvCpp", "seed-rwkv7-q5_1", v7q);
        seed(
                dir,
                "rwkvCpp",
                "seed-truncated-header",
                Arrays.copyOf(Files.readAllBytes(Path.of("tests/data/tiny-rwkv-7v0-834K-FP16.bin")), 64));

        // safetensors: F32, and BF16 matrices with F16 vectors under the rwkv. prefix.
        SafetensorsTestFile st = m.safetensors("F32", "F32", "");
        byte[] stF32 = safetensorsBytes(st);
        assertReads(stF32, SafetensorsReader::read);
        seed(dir, "safetensors", "seed-rwkv7-f32", stF32);
        byte[] stMixed = safetensorsBytes(m.safetensors("BF16", "F16", "rwkv."));
        assertReads(stMixed, SafetensorsReader::read);
        seed(dir, "safetensors", "seed-rwkv7-bf16-prefixed", stMixed);

        // .pth: torch.save's current layout; an older one with zip64 extras, a plain dict and BF16.
        PthTestFile current = PthTestFile.of(m, "F32", "F32", "");
        PthTestFile older = PthTestFile.of(m, "BF16", "F32", "");
        older.layout = PthTestFile.Layout.SORTED_KEYS;
        older.forceZip64 = true;
        older.orderedDict = false;
        older.archive = "model";
        for (var e : List.of(List.of("current", current), List.of("zip64-sorted-dict", older))) {
            String tag = (String) e.get(0);
            PthTestFile f = (PthTestFile) e.get(1);
            byte[] zip = PthTestFile.zip(f.archive, f.records(), f);
            assertReads(zip, PthReader::read);
            seed(dir, "pth", "seed-rwkv7-" + tag, zip);
            seed(dir, "pthZip", "seed-rwkv7-" + tag, zip);
            byte[] pkl = f.pickle();
            assertDoesNotThrow(() -> PthUnpickler.load(MemorySegment.ofArray(pkl), "seed", "data.pkl"));
            seed(dir, "pthUnpickler", "seed-data-pkl-" + tag, pkl);
        }
    }

    @Test
    void tokenizerSeeds() throws IOException {
        Path dir = CORPUS.resolve("tokenizer/TokenizerFuzzTestInputs");

        // World: the 256 single-byte lines of the bundled vocabulary and a few longer ones of each kind.
        List<String> lines = Files.readAllLines(Path.of("models/rwkv_vocab_v20230424.txt"), StandardCharsets.UTF_8);
        List<String> picked = new ArrayList<>(lines.subList(0, 256));
        for (int id : new int[] {257, 269, 274, 9804, 30000, 50000, 65000}) picked.add(lines.get(id - 1));
        picked.add(lines.stream()
                .filter(l -> l.matches("\\d+ '\\p{IsHan}+' \\d+"))
                .findFirst()
                .orElseThrow());
        picked.sort(java.util.Comparator.comparingInt(l -> Integer.parseInt(l.substring(0, l.indexOf(' ')))));
        byte[] vocab = (String.join("\n", picked) + "\n").getBytes(StandardCharsets.UTF_8);
        assertDoesNotThrow(() -> WorldTokenizer.load(new ByteArrayInputStream(vocab), "seed"));
        seed(dir, "worldVocab", "seed-vocab-lines", vocab);

        byte[] json = miniNeoxJson().getBytes(StandardCharsets.UTF_8);
        assertDoesNotThrow(() -> NeoxTokenizer.load(new ByteArrayInputStream(json), "seed"));
        seed(dir, "neoxTokenizerFile", "seed-mini-tokenizer-json", json);

        String[] texts = {
            "In a shocking finding, scientists discovered a herd of dragons.",
            "  leading spaces,\ttabs\nand\r\nnewlines   trailing  ",
            "中文和日本語のテキスト、한국어 텍스트",
            "emoji 🙂👍🏽 and e\u0301 (combining) vs \u00e9 (precomposed), \u212b, \ufb01",
            "<|endoftext|>after the end<|padding|> it's we'll they've",
            "numbers 1234567890 3.14159 -42 1e10"
        };
        for (String target : List.of("worldRoundTrip", "neoxRoundTrip", "byteRoundTrip")) {
            for (int i = 0; i < texts.length; i++) {
                seed(dir, target, "seed-text-" + i, texts[i].getBytes(StandardCharsets.UTF_8));
            }
            seed(dir, target, "seed-invalid-utf8", new byte[] {'a', (byte) 0xc3, '(', (byte) 0xff, (byte) 0xed});
            // As UTF-16LE: "A", a lone high surrogate, "B", a lone low surrogate.
            seed(dir, target, "seed-utf16-surrogates", new byte[] {
                0x41, 0, 0x00, (byte) 0xd8, 0x42, 0, 0x00, (byte) 0xdc
            });
        }
    }

    @Test
    void npySeeds() throws IOException {
        Path dir = CORPUS.resolve("tensor/NpyFuzzTestInputs");
        Path tmp = Files.createTempFile("seed", ".npy");
        try {
            Npy.writeFloat32(tmp, new float[] {1, -2, 3.5f, 0, 1e-3f, 7}, 2, 3);
            seed(dir, "npy", "seed-f4-2x3", Files.readAllBytes(tmp));
            Npy.writeFloat16(tmp, new short[] {0x3c00, (short) 0xc000, 0x7bff, 0}, 4);
            seed(dir, "npy", "seed-f2-4", Files.readAllBytes(tmp));
            Npy.writeFloat32(tmp, new float[] {42});
            seed(dir, "npy", "seed-f4-scalar", Files.readAllBytes(tmp));
        } finally {
            Files.deleteIfExists(tmp);
        }
        seed(
                dir,
                "npy",
                "seed-v2-f4-1x2x2",
                npyV2("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 2), }", 16));
    }

    @Test
    void stateSeeds() throws IOException {
        Path dir = CORPUS.resolve("StateFuzzTestInputs");
        seed(dir, "stateLoad", "seed-rwkv7-with-logits", stateFile(7, 12, 4));
        seed(dir, "stateLoad", "seed-rwkv4-no-logits", stateFile(4, 8, 0));
    }

    @Test
    void jsonSeeds() throws IOException {
        Path dir = CORPUS.resolve("common/JsonParserFuzzTestInputs");
        seed(dir, "json", "seed-object", "{\"a\":[1,2.5,-3e4,true,false,null,\"x\\u00e9\\n\"],\"b\":{}}");
        seed(
                dir,
                "json",
                "seed-safetensors-header",
                "{\"__metadata__\":{\"format\":\"pt\"},\"emb.weight\":{\"dtype\":\"F32\",\"shape\":[4,2],"
                        + "\"data_offsets\":[0,32]}}");
        seed(dir, "json", "seed-nested", "[[[{\"k\":[[]]}]],\"\\ud83d\\ude42\",0,-0.0e+0]");
    }

    /** A state file as {@code State.save} writes it (see its class comment), with made-up dimensions. */
    private static byte[] stateFile(int arch, int nState, int nLogits) {
        ByteBuffer b = ByteBuffer.allocate(64 + 4 * (nState + nLogits) + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RWKVXST\0".getBytes(StandardCharsets.US_ASCII))
                .putInt(1)
                .putInt(arch)
                .putLong(0x1234_5678_9abcL);
        for (int d : new int[] {1, 4, 1, 4, nLogits == 0 ? 256 : nLogits}) b.putInt(d);
        b.putLong(nState).putLong(nLogits);
        for (int i = 0; i < nState + nLogits; i++) b.putFloat(i * 0.25f - 1);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.array();
    }

    private static byte[] npyV2(String dict, int dataBytes) {
        int unpadded = 12 + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        ByteBuffer b = ByteBuffer.allocate(12 + header.length() + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0}).putInt(header.length());
        b.put(header.getBytes(StandardCharsets.ISO_8859_1));
        for (int i = 0; i < dataBytes / 4; i++) b.putFloat(i);
        return b.array();
    }

    private static float[] floats(byte[] f32) {
        float[] out = new float[f32.length / 4];
        java.nio.ByteBuffer.wrap(f32)
                .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .asFloatBuffer()
                .get(out);
        return out;
    }

    /** Every record of a real rwkv.cpp file with each dimension made 1: the names without the megabytes. */
    private static byte[] skeleton(Path real) throws IOException {
        RwkvCppTestFile f = RwkvCppTestFile.parse(real);
        f.records.replaceAll(r -> {
            long[] ne = new long[r.ne().length];
            Arrays.fill(ne, 1);
            return new RwkvCppTestFile.Record(r.name(), r.typeCode(), ne, new byte[r.typeCode() == 0 ? 4 : 2]);
        });
        f.nVocab = f.nEmbed = 1;
        return f.toBytes();
    }

    private static byte[] safetensorsBytes(SafetensorsTestFile f) throws IOException {
        Path tmp = Files.createTempFile("seed", ".safetensors");
        try {
            return Files.readAllBytes(f.write(tmp));
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private interface Reader {
        Object read(Path file, Arena arena);
    }

    private static void assertReads(byte[] bytes, Reader reader) throws IOException {
        Path tmp = Files.createTempFile("seed", ".bin");
        try (Arena arena = Arena.ofConfined()) {
            Files.write(tmp, bytes);
            assertDoesNotThrow(() -> reader.read(tmp, arena));
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The hand-made tokenizer.json of NeoxTokenizerFormatTest: every UTF-8 byte, a few merges, two added tokens. */
    private static String miniNeoxJson() {
        StringBuilder vocab = new StringBuilder("{\"<|endoftext|>\": 0");
        int id = 1;
        String[] merged = {"he", "ll", "hell", "hello", "Ġw"};
        for (int b = 0; b < 256; b++) {
            if (b < 0xC0 || (b >= 0xC2 && b <= 0xF4)) {
                vocab.append(", ")
                        .append(quote(String.valueOf(byteChar(b))))
                        .append(": ")
                        .append(id++);
            }
        }
        for (String s : merged) vocab.append(", ").append(quote(s)).append(": ").append(id++);
        vocab.append('}');
        return """
                {
                  "version": "1.0",
                  "added_tokens": [
                    {"id": 0, "special": true, "content": "<|endoftext|>", "single_word": false, "lstrip": false,
                     "rstrip": false, "normalized": false},
                    {"id": %d, "special": false, "content": "  ", "single_word": false, "lstrip": false,
                     "rstrip": false, "normalized": true}
                  ],
                  "normalizer": {"type": "NFC"},
                  "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true},
                  "model": {
                    "type": "BPE",
                    "dropout": null,
                    "continuing_subword_prefix": null,
                    "end_of_word_suffix": null,
                    "vocab": %s,
                    "merges": ["h e", "l l", "he ll", "hell o", ["Ġ", "w"]]
                  }
                }
                """.formatted(id, vocab);
    }

    /** GPT-2's bytes_to_unicode. */
    private static char byteChar(int b) {
        boolean printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
        if (printable) return (char) b;
        int extra = 0;
        for (int x = 0; x < b; x++) {
            if (!((x >= 0x21 && x <= 0x7E) || (x >= 0xA1 && x <= 0xAC) || (x >= 0xAE))) extra++;
        }
        return (char) (256 + extra);
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') sb.append('\\').append(c);
            else if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        return sb.append('"').toString();
    }

    private static void seed(Path dir, String target, String name, String text) throws IOException {
        seed(dir, target, name, text.getBytes(StandardCharsets.UTF_8));
    }

    private static void seed(Path dir, String target, String name, byte[] bytes) throws IOException {
        Path d = Files.createDirectories(dir.resolve(target));
        Files.write(d.resolve(name), bytes);
    }
}
