package io.rwkvx.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading small hand-made tokenizer files, valid and broken. */
class NeoxTokenizerFormatTest {
    private static final String SOURCE = "mini.json";

    /** ids: 0 end-of-text, then one per byte that occurs in UTF-8, then the merged tokens. */
    private static final String[] MERGED = {"he", "ll", "hell", "hello", "Ġw"};

    private static String vocab() {
        StringBuilder sb = new StringBuilder("{\"<|endoftext|>\": 0");
        int id = 1;
        for (int b = 0; b < 256; b++) {
            if (NeoxTokenizerFile.occursInUtf8(b)) {
                sb.append(", ")
                        .append(quote(String.valueOf(NeoxTokenizerFile.BYTE_TO_CHAR[b])))
                        .append(": ")
                        .append(id++);
            }
        }
        for (String merged : MERGED) {
            sb.append(", ").append(quote(merged)).append(": ").append(id++);
        }
        return sb.append('}').toString();
    }

    private static int byteId(char c) {
        int id = 1;
        for (int b = 0; b < c; b++) {
            if (NeoxTokenizerFile.occursInUtf8(b)) {
                id++;
            }
        }
        return id;
    }

    private static int mergedId(String token) {
        return 1 + 243 + java.util.Arrays.asList(MERGED).indexOf(token);
    }

    private static final int TWO_SPACES = 1 + 243 + MERGED.length;

    private static String valid() {
        return """
                {
                  "version": "1.0",
                  "truncation": null,
                  "padding": null,
                  "added_tokens": [
                    {"id": 0, "special": true, "content": "<|endoftext|>", "single_word": false, "lstrip": false,
                     "rstrip": false, "normalized": false},
                    {"id": %d, "special": false, "content": "  ", "single_word": false, "lstrip": false,
                     "rstrip": false, "normalized": true}
                  ],
                  "normalizer": {"type": "NFC"},
                  "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true},
                  "post_processor": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true},
                  "decoder": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true},
                  "model": {
                    "type": "BPE",
                    "dropout": null,
                    "unk_token": null,
                    "continuing_subword_prefix": null,
                    "end_of_word_suffix": null,
                    "fuse_unk": false,
                    "vocab": %s,
                    "merges": ["h e", "l l", "he ll", "hell o", "Ġ w"]
                  }
                }
                """.formatted(TWO_SPACES, vocab());
    }

    private static NeoxTokenizer load(String json) throws IOException {
        return NeoxTokenizer.load(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), SOURCE);
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    private static void assertRejected(String json, String... expectedInMessage) {
        TokenizerFormatException error = assertThrows(TokenizerFormatException.class, () -> load(json));
        String message = error.getMessage();
        assertTrue(message.startsWith(SOURCE + ": "), message);
        for (String expected : expectedInMessage) {
            assertTrue(message.contains(expected), "expected \"" + expected + "\" in: " + message);
        }
    }

    @Test
    void loadsAndEncodesAMiniatureTokenizer() throws IOException {
        NeoxTokenizer mini = load(valid());
        assertEquals(TWO_SPACES + 1, mini.vocabSize());
        assertArrayEquals(new int[] {mergedId("hello"), mergedId("Ġw"), byteId('o')}, mini.encode("hello wo"));
        // Merges apply by rank: "l l" (rank 1) before "he ll" (rank 2), so "hel" is "he" + "l".
        assertArrayEquals(new int[] {mergedId("he"), byteId('l')}, mini.encode("hel"));
        assertArrayEquals(new int[] {byteId('x'), TWO_SPACES, byteId('y'), 0}, mini.encode("x  y<|endoftext|>"));
        assertEquals("hello wo", mini.decode(mini.encode("hello wo")));
        assertTrue(mini.isEndOfText(0));
        assertTrue(mini.name().contains(SOURCE), mini.name());
    }

    @Test
    void anIdBeyondTheFileSizeIsRefusedBeforeTablesAreSizedByIt() {
        // Found by reviewing for the fuzz targets: one huge id made the loader allocate tables for 4M ids.
        String json = valid().replace("\"<|endoftext|>\": 0", "\"<|endoftext|>\": 0, \"zz\": 4000000");
        assertRejected(json, "expected ids below", "found id 4000000");
    }

    @Test
    void loadsFromAPathAndNamesItInErrors(@TempDir Path dir) throws IOException {
        Path good = dir.resolve("tokenizer.json");
        Files.writeString(good, valid());
        assertEquals(TWO_SPACES + 1, NeoxTokenizer.load(good).vocabSize());
        Path bad = dir.resolve("broken.json");
        Files.writeString(bad, "{\"model\": ");
        TokenizerFormatException error = assertThrows(TokenizerFormatException.class, () -> NeoxTokenizer.load(bad));
        assertTrue(error.getMessage().startsWith(bad.toString() + ": "), error.getMessage());
    }

    @Test
    void rejectsMalformedJson() {
        String json = valid();
        assertRejected(json.substring(0, json.length() / 2), "malformed JSON", "end of input");
        assertRejected(json.replace("\"padding\": null,", "\"padding\": null,,"), "malformed JSON at line 4");
        assertRejected("", "malformed JSON at line 1, column 1");
        assertRejected(json + "x", "malformed JSON", "after the value");
        assertRejected("[1, 2]", "expected the top level to be an object, found an array");
    }

    @Test
    void rejectsInvalidUtf8() {
        TokenizerFormatException error = assertThrows(
                TokenizerFormatException.class,
                () -> NeoxTokenizer.load(new ByteArrayInputStream(new byte[] {'{', (byte) 0xFF, '}'}), SOURCE));
        assertTrue(error.getMessage().contains(SOURCE) && error.getMessage().contains("UTF-8"), error.getMessage());
    }

    @Test
    void namesMissingKeys() {
        String json = valid();
        assertRejected(json.replace("\"merges\"", "\"merges_\""), "missing key model.merges");
        assertRejected(json.replace("\"vocab\"", "\"vocab_\""), "missing key model.vocab");
        assertRejected(json.replace("\"model\"", "\"model_\""), "missing key model");
        assertRejected(json.replace("\"added_tokens\"", "\"added\""), "missing key added_tokens");
        assertRejected(json.replace("\"normalizer\"", "\"normalizer_\""), "missing key normalizer");
        assertRejected(json.replace("\"pre_tokenizer\"", "\"pre\""), "missing key pre_tokenizer");
        assertRejected(json.replace("\"id\": 0, ", ""), "missing key added_tokens[0].id");
        assertRejected(json.replace("\"content\": \"  \", ", ""), "missing key added_tokens[1].content");
    }

    @Test
    void rejectsWrongTypes() {
        String json = valid();
        assertRejected(json.replace(vocab(), "[]"), "model.vocab", "object", "array");
        assertRejected(json.replace("\"<|endoftext|>\": 0", "\"<|endoftext|>\": -1"), "model.vocab[\"<|endoftext|>\"]");
        assertRejected(
                json.replace("\"<|endoftext|>\": 0", "\"<|endoftext|>\": 0.5"), "model.vocab[\"<|endoftext|>\"]");
        assertRejected(json.replace("\"special\": true", "\"special\": \"yes\""), "added_tokens[0].special");
        assertRejected(json.replace("\"h e\"", "7"), "model.merges[0]");
    }

    @Test
    void rejectsBrokenMerges() {
        String json = valid();
        assertRejected(json.replace("\"h e\"", "\"he\""), "model.merges[0]", "exactly one space");
        assertRejected(json.replace("\"h e\"", "\"h  e\""), "model.merges[0]", "exactly one space");
        assertRejected(json.replace("\"hell o\"", "\"hell q\""), "\"hellq\"", "model.merges[3]");
        assertRejected(json.replace("\"Ġ w\"", "\"Ġ zz\""), "\"zz\"", "model.merges[4]");
    }

    @Test
    void acceptsMergesAsPairs() throws IOException {
        NeoxTokenizer mini = load(valid().replace("\"h e\"", "[\"h\", \"e\"]"));
        assertArrayEquals(new int[] {mergedId("hello")}, mini.encode("hello"));
    }

    @Test
    void rejectsInconsistentVocabularies() {
        String json = valid();
        assertRejected(json.replace("\"<|endoftext|>\": 0", "\"<|endoftext|>\": 1"), "distinct ids", "id 1");
        assertRejected(
                json.replace("\"content\": \"<|endoftext|>\"", "\"content\": \"<|end|>\""),
                "added token id 0",
                "<|end|>");
        assertRejected(
                json.replace("\"content\": \"<|endoftext|>\"", "\"content\": \"<|end|>\"")
                        .replace("\"<|endoftext|>\": 0", "\"<|end|>\": 0"),
                "<|endoftext|>");
        assertRejected(json.replace(quote("A") + ": ", quote("AA") + ": "), "0x41");
    }

    @Test
    void rejectsSettingsThatChangeTheAlgorithm() {
        String json = valid();
        assertRejected(json.replace("{\"type\": \"NFC\"}", "{\"type\": \"NFKC\"}"), "normalizer.type", "NFKC");
        assertRejected(
                json.replace(
                        "\"pre_tokenizer\": {\"type\": \"ByteLevel\", \"add_prefix_space\": false",
                        "\"pre_tokenizer\": {\"type\": \"ByteLevel\", \"add_prefix_space\": true"),
                "add_prefix_space");
        assertRejected(
                json.replace(
                        "\"pre_tokenizer\": {\"type\": \"ByteLevel\"", "\"pre_tokenizer\": {\"type\": \"Whitespace\""),
                "pre_tokenizer.type",
                "Whitespace");
        assertRejected(json.replace("\"dropout\": null", "\"dropout\": 0.1"), "model.dropout");
        assertRejected(json.replace("\"type\": \"BPE\"", "\"type\": \"WordPiece\""), "model.type", "WordPiece");
        assertRejected(
                json.replace("\"continuing_subword_prefix\": null", "\"continuing_subword_prefix\": \"##\""),
                "model.continuing_subword_prefix");
        assertRejected(json.replace("\"lstrip\": false", "\"lstrip\": true"), "added_tokens[0].lstrip");
    }

    @Test
    void acceptsANullNormalizer() throws IOException {
        NeoxTokenizer mini = load(valid().replace("{\"type\": \"NFC\"}", "null"));
        // Without NFC the combining accent stays a separate code point.
        assertEquals("e\u0301", mini.decode(mini.encode("e\u0301")));
    }
}
