package io.rwkvx.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rwkvx.common.RwkvxException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Vocabulary files written in the test: literal syntax, length checks and error messages. */
class WorldVocabParserTest {
    private static final int FIRST_EXTRA_LINE = 257;

    /** Lines 1..256: ids 1..256 for the single bytes, as b'\xHH' literals. */
    private static String singleByteLines() {
        StringBuilder lines = new StringBuilder();
        for (int value = 0; value < 256; value++) {
            lines.append(value + 1).append(String.format(" b'\\x%02x' 1\n", value));
        }
        return lines.toString();
    }

    private static WorldTokenizer load(String content) throws IOException {
        return WorldTokenizer.load(new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)), "test-vocab");
    }

    private static byte[] bytesOf(WorldTokenizer tokenizer, int id) {
        return tokenizer.decodeBytes(new int[] {id});
    }

    @Test
    void parsesEveryLiteralForm() throws IOException {
        WorldTokenizer tokenizer = load(singleByteLines()
                + "257 'ab' 2\n"
                + "258 'a b c' 5\n"
                + "259 \"it's\" 4\n"
                + "260 b'\\xe5\\x81' 2\n"
                + "261 '\\x80' 2\n"
                + "262 '\\u200b' 3\n"
                + "263 '\\t\\n\\r' 3\n"
                + "264 'a\\\\b' 3\n"
                + "265 '\\'s' 2\n"
                + "266 '中文' 6\n"
                + "267 '  ' 2\n");
        assertEquals("ab", tokenizer.decode(new int[] {257}));
        assertEquals("a b c", tokenizer.decode(new int[] {258}));
        assertEquals("it's", tokenizer.decode(new int[] {259}));
        assertArrayEquals(new byte[] {(byte) 0xE5, (byte) 0x81}, bytesOf(tokenizer, 260));
        assertArrayEquals(new byte[] {(byte) 0xC2, (byte) 0x80}, bytesOf(tokenizer, 261));
        assertEquals("\u200b", tokenizer.decode(new int[] {262}));
        assertEquals("\t\n\r", tokenizer.decode(new int[] {263}));
        assertEquals("a\\b", tokenizer.decode(new int[] {264}));
        assertEquals("'s", tokenizer.decode(new int[] {265}));
        assertEquals("中文", tokenizer.decode(new int[] {266}));
        assertEquals(267, tokenizer.tokenCount());
    }

    @Test
    void greedyMatchTakesTheLongestPrefixEvenIfTheRestTokenizesWorse() throws IOException {
        WorldTokenizer tokenizer = load(singleByteLines() + "257 'ab' 2\n258 'bcd' 3\n259 'abc' 3\n");
        // Optimal would be a + bcd (2 tokens); greedy takes abc then d.
        assertArrayEquals(new int[] {259, 'd' + 1}, tokenizer.encode("abcd"));
        assertArrayEquals(new int[] {257}, tokenizer.encode("ab"));
    }

    @Test
    void loadsFromAPath(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("vocab.txt");
        Files.writeString(file, singleByteLines() + "257 'hi' 2\n");
        WorldTokenizer tokenizer = WorldTokenizer.load(file);
        assertArrayEquals(new int[] {257}, tokenizer.encode("hi"));
        assertTrue(tokenizer.name().contains("vocab.txt"), tokenizer.name());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "257 'ab' 3", // declared length disagrees
                "257 b'\\xe5' 2", // declared length disagrees (bytes literal)
                "257 '\\x80' 1", // text \x80 is U+0080, two bytes
                "257 'ab 2", // unterminated
                "257 ab 2", // unquoted
                "257 'a'b' 3", // unescaped quote inside
                "257 'a\\q' 2", // unknown escape
                "257 'a\\x4' 2", // short hex escape
                "257 b'\\u200b' 3", // \\u is not an escape in a bytes literal
                "257 b'中' 3", // non-ASCII in a bytes literal
                "257 '' 0", // empty token
                "x257 'ab' 2", // id not decimal
                "257 'ab' two", // length not decimal
                "257 'ab'", // no length
                "257", // nothing but an id
                "", // empty line
                "65536 'ab' 2", // id out of range
                "0 'ab' 2", // id 0 is end-of-text
                "256 'ab' 2", // id not ascending
                "257 'ab' 2\r", // CRLF line ending
            })
    void malformedLineNamesSourceAndLine(String badLine) {
        TokenizerFormatException error =
                assertThrows(TokenizerFormatException.class, () -> load(singleByteLines() + badLine + "\n"));
        String message = error.getMessage();
        assertTrue(message.startsWith("test-vocab line " + FIRST_EXTRA_LINE + ": expected "), message);
        assertTrue(message.contains(", found "), message);
    }

    @Test
    void lengthMismatchSaysExpectedAndFound() {
        TokenizerFormatException error =
                assertThrows(TokenizerFormatException.class, () -> load(singleByteLines() + "257 'ab' 3\n"));
        assertTrue(
                error.getMessage().contains("3 bytes") && error.getMessage().contains("2 bytes"), error.getMessage());
        assertTrue(error instanceof RwkvxException);
    }

    @Test
    void errorOnAnEarlyLineReportsThatLine() {
        String lines = "1 b'\\x00' 1\n2 b'\\x01' 1\n3 'oops 1\n";
        TokenizerFormatException error = assertThrows(TokenizerFormatException.class, () -> load(lines));
        assertTrue(error.getMessage().startsWith("test-vocab line 3: "), error.getMessage());
    }

    @Test
    void rejectsInvalidUtf8() {
        byte[] prefix = singleByteLines().getBytes(StandardCharsets.UTF_8);
        byte[] bad = {'2', '5', '7', ' ', '\'', (byte) 0xFF, '\'', ' ', '1', '\n'};
        byte[] content = new byte[prefix.length + bad.length];
        System.arraycopy(prefix, 0, content, 0, prefix.length);
        System.arraycopy(bad, 0, content, prefix.length, bad.length);
        TokenizerFormatException error = assertThrows(
                TokenizerFormatException.class,
                () -> WorldTokenizer.load(new ByteArrayInputStream(content), "test-vocab"));
        assertTrue(error.getMessage().startsWith("test-vocab line 257: expected valid UTF-8"), error.getMessage());
    }

    @Test
    void rejectsDuplicateByteStrings() {
        TokenizerFormatException error = assertThrows(
                TokenizerFormatException.class, () -> load(singleByteLines() + "257 'ab' 2\n258 b'ab' 2\n"));
        assertTrue(error.getMessage().contains("257") && error.getMessage().contains("258"), error.getMessage());
    }

    @Test
    void rejectsAVocabularyMissingASingleByte() {
        String withoutFf = singleByteLines().replace("256 b'\\xff' 1\n", "");
        TokenizerFormatException error = assertThrows(TokenizerFormatException.class, () -> load(withoutFf));
        assertTrue(error.getMessage().contains("0xFF"), error.getMessage());
    }
}
