package io.rwkvx.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeout;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bundled GPT-NeoX-20B tokenizer against docs/formats.md §9.4 and further ids taken from the
 * reference library ({@code tokenizers} 0.23.2).
 */
class NeoxTokenizerTest {
    private static final NeoxTokenizer NEOX = NeoxTokenizer.bundled();
    private static final int SPACE = 209; // "Ġ"
    private static final int X = 89;
    private static final int Y = 90;
    private static final int SPACE_Y = 340; // "Ġy"
    private static final int SPACES_24 = 50254;

    static Stream<Arguments> verifiedEncodings() {
        return Stream.of(
                Arguments.of("Hello world", new int[] {12092, 1533}),
                Arguments.of("Hello, world!", new int[] {12092, 13, 1533, 2}),
                Arguments.of(
                        "The quick brown fox jumps over the lazy dog.",
                        new int[] {510, 3158, 8516, 30013, 27287, 689, 253, 22658, 4370, 15}),
                Arguments.of(
                        "\n\nUser: hi\n\nAssistant:", new int[] {187, 187, 6989, 27, 14260, 187, 187, 6717, 5567, 27}),
                Arguments.of("a  b    c", new int[] {66, 50276, 67, 50274, 68}),
                Arguments.of("def f():\n    return 1", new int[] {1545, 269, 14850, 187, 50274, 2309, 337}),
                Arguments.of("<|endoftext|>Hi", new int[] {0, 12764}),
                Arguments.of("I'll 2024", new int[] {42, 1833, 1384, 1348}),
                Arguments.of("\"in", new int[] {3, 249}));
    }

    /** Ids from the reference for contractions, digits, whitespace, special tokens and non-Latin text. */
    static Stream<Arguments> referenceEncodings() {
        return Stream.of(
                // contractions: lower-case only, split off the word before them
                Arguments.of("it's", new int[] {262, 434}),
                Arguments.of("IT'S", new int[] {1433, 8, 52}),
                Arguments.of(
                        "we're they've I'm you'll he'd",
                        new int[] {664, 1472, 597, 1849, 309, 1353, 368, 1833, 344, 1871}),
                Arguments.of("don't", new int[] {9903, 626}),
                Arguments.of("'s'll", new int[] {434, 1833}),
                // digits: runs of \p{N}, punctuation apart
                Arguments.of("12345678", new int[] {42594, 25025}),
                Arguments.of("3.14159", new int[] {20, 15, 1047, 17220}),
                Arguments.of("1,000,000", new int[] {18, 13, 933, 13, 933}),
                Arguments.of("\u0663\u0664\u0665", new int[] {149, 98, 149, 99, 149, 100}),
                Arguments.of("\u216B", new int[] {158, 216, 106}),
                // newlines, tabs and Unicode white space
                Arguments.of("x\r\ny", new int[] {89, 190, 187, 90}),
                Arguments.of("a\t\tb", new int[] {66, 186, 186, 67}),
                Arguments.of("a \t b", new int[] {66, 28910, 270}),
                Arguments.of(" \n ", new int[] {4928}),
                Arguments.of("\n\n\n", new int[] {2756}),
                Arguments.of("a \n\n b", new int[] {66, 15267, 270}),
                Arguments.of("  \n", new int[] {50276, 187}),
                Arguments.of("\t\tz", new int[] {186, 186, 91}),
                Arguments.of("if x:\n\tpass", new int[] {338, 1269, 27, 187, 186, 5858}),
                Arguments.of("x\u00A0\u00A0y", new int[] {89, 575, 575, 90}),
                Arguments.of("a\u2003 b", new int[] {66, 3930, 270}),
                // special tokens
                Arguments.of("<|padding|><|endoftext|>", new int[] {1, 0}),
                Arguments.of("<|endoftext|", new int[] {29, 93, 423, 1171, 1156, 93}),
                Arguments.of("a<|endoftext|>  b", new int[] {66, 0, 50276, 67}),
                Arguments.of("  <|endoftext|>  ", new int[] {50276, 0, 50276}),
                Arguments.of("<|endoftext|><|endoftext|>", new int[] {0, 0}),
                Arguments.of("<|endoftext|> world", new int[] {0, 1533}),
                Arguments.of("Hello<|endoftext|>", new int[] {12092, 0}),
                // BPE beyond ASCII, and long pieces
                Arguments.of("\uFFFD", new int[] {21478}),
                Arguments.of("  hello", new int[] {50276, 25521}),
                Arguments.of("a".repeat(30), new int[] {49642, 49642, 49642, 23342, 5781}),
                Arguments.of("----------", new int[] {9962}),
                Arguments.of("日本語", new int[] {49868, 19119, 241}),
                Arguments.of("😀", new int[] {14931, 235, 211}),
                Arguments.of(" 😀", new int[] {49042, 211}));
    }

    @ParameterizedTest
    @MethodSource({"verifiedEncodings", "referenceEncodings"})
    void encodesLikeTheReference(String text, int[] expectedIds) {
        assertArrayEquals(expectedIds, NEOX.encode(text));
        assertArrayEquals(expectedIds, NEOX.encodeBytes(text.getBytes(StandardCharsets.UTF_8)));
    }

    @ParameterizedTest
    @MethodSource({"verifiedEncodings", "referenceEncodings"})
    void decodesBackToTheInput(String text, int[] ids) {
        assertEquals(text, new String(NEOX.decodeBytes(ids, false), StandardCharsets.UTF_8));
        String withoutSpecial = text.replace("<|endoftext|>", "").replace("<|padding|>", "");
        assertEquals(withoutSpecial, NEOX.decode(ids));
    }

    @Test
    void normalizesToNfcBeforeEncoding() {
        assertArrayEquals(new int[] {860}, NEOX.encode("e\u0301"));
        assertArrayEquals(NEOX.encode("\u00E9"), NEOX.encode("e\u0301"));
        assertEquals("\u00E9", NEOX.decode(NEOX.encode("e\u0301")));
    }

    @Test
    void spaceRunsBetweenWordsUseTheLongestRunTokens() {
        for (int n = 1; n <= 30; n++) {
            int[] expected = IntStream.concat(
                            IntStream.concat(
                                    IntStream.of(X),
                                    IntStream.generate(() -> SPACES_24).limit(n / 24)),
                            switch (n % 24) {
                                case 0 -> IntStream.of(Y);
                                case 1 -> IntStream.of(SPACE_Y); // a lone space joins the word after it
                                default -> IntStream.of(50278 - n % 24, Y);
                            })
                    .toArray();
            String text = "x" + " ".repeat(n) + "y";
            assertArrayEquals(expected, NEOX.encode(text), "x + " + n + " spaces + y");
            assertEquals(text, NEOX.decode(expected));
        }
    }

    @Test
    void spaceRunsAlone() {
        for (int n = 1; n <= 30; n++) {
            int[] expected = IntStream.concat(
                            IntStream.generate(() -> SPACES_24).limit(n / 24),
                            switch (n % 24) {
                                case 0 -> IntStream.empty();
                                case 1 -> IntStream.of(SPACE);
                                default -> IntStream.of(50278 - n % 24);
                            })
                    .toArray();
            String text = " ".repeat(n);
            assertArrayEquals(expected, NEOX.encode(text), n + " spaces");
            assertEquals(text, NEOX.decode(expected));
        }
    }

    @Test
    void spaceRunTokensDecodeToTheirSpaces() {
        for (int id = 50254; id <= 50276; id++) {
            assertEquals(" ".repeat(50278 - id), NEOX.decode(new int[] {id}));
        }
    }

    @Test
    void endOfTextIsIdZeroAndDropsOutOfDecodedText() {
        assertEquals(NeoxTokenizer.VOCAB_SIZE, NEOX.vocabSize());
        assertEquals(50277, NEOX.vocabSize());
        assertTrue(NEOX.isEndOfText(0));
        assertFalse(NEOX.isEndOfText(1));
        assertFalse(NEOX.isEndOfText(187));
        assertTrue(NEOX.isSpecial(0));
        assertTrue(NEOX.isSpecial(1));
        assertFalse(NEOX.isSpecial(50276));
        assertEquals("ab", NEOX.decode(new int[] {66, 0, 1, 67}));
        assertEquals(
                "a<|endoftext|><|padding|>b",
                new String(NEOX.decodeBytes(new int[] {66, 0, 1, 67}, false), StandardCharsets.UTF_8));
    }

    @Test
    void specialTokensSplitTheTextBeforeNormalization() {
        // The special token cuts "e" from its combining accent, so they cannot compose across it.
        int[] ids = NEOX.encode("e<|endoftext|>\u0301");
        assertArrayEquals(new int[] {70, 0, 136, 212}, ids);
        assertEquals("e\u0301", NEOX.decode(ids));
        // Only the exact text is special; other spellings are ordinary text.
        assertFalse(Arrays.stream(NEOX.encode("<|endoftext |>")).anyMatch(id -> id == 0));
        assertFalse(Arrays.stream(NEOX.encode("<|ENDOFTEXT|>")).anyMatch(id -> id == 0));
    }

    @Test
    void bundledIsSharedAndNamed() {
        assertSame(NEOX, NeoxTokenizer.bundled());
        assertTrue(NEOX.name().startsWith("neox("), NEOX.name());
        assertArrayEquals(new int[0], NEOX.encode(""));
        assertArrayEquals(new byte[0], NEOX.decodeBytes(new int[0]));
    }

    @Test
    void everyIdDecodes() {
        int[] all = IntStream.range(0, NEOX.vocabSize()).toArray();
        assertTrue(NEOX.decodeBytes(all, false).length > NEOX.vocabSize());
    }

    @Test
    void outOfRangeIdsNameIdAndPosition() {
        IllegalArgumentException high =
                assertThrows(IllegalArgumentException.class, () -> NEOX.decodeBytes(new int[] {66, 50277}));
        assertTrue(high.getMessage().contains("50277") && high.getMessage().contains("position 1"), high.getMessage());
        IllegalArgumentException negative =
                assertThrows(IllegalArgumentException.class, () -> NEOX.decode(new int[] {-3}));
        assertTrue(
                negative.getMessage().contains("-3") && negative.getMessage().contains("position 0"),
                negative.getMessage());
    }

    @Test
    void roundTripsRandomNfcText() {
        Random random = new Random(20277);
        for (int trial = 0; trial < 500; trial++) {
            String text = Normalizer.normalize(randomText(random, random.nextInt(200)), Normalizer.Form.NFC);
            assertEquals(text, NEOX.decode(NEOX.encode(text)), "trial " + trial);
        }
    }

    /** Code points from ASCII, Latin, combining marks, CJK, emoji, white space and anywhere else. */
    private static String randomText(Random random, int length) {
        String pool = " \t\n\r'sdtmlrve0123456789.,!?-<|>\u00A0\u2003\u3000\u0085\u0301\u0300é中😀";
        StringBuilder sb = new StringBuilder();
        while (sb.length() < length) {
            int cp = switch (random.nextInt(4)) {
                case 0 ->
                    pool.codePointAt(pool.offsetByCodePoints(0, random.nextInt(pool.codePointCount(0, pool.length()))));
                case 1 -> 0x20 + random.nextInt(0x5F);
                case 2 -> random.nextInt(0x3000);
                default -> random.nextInt(0x110000);
            };
            if (Character.getType(cp) != Character.SURROGATE) {
                sb.appendCodePoint(cp);
            }
        }
        return sb.toString();
    }

    @Test
    void roundTripsInvalidUtf8() {
        // Valid parts must already be NFC (random bytes could form a combining sequence that NFC would change).
        byte[][] chunks = {
            "é".getBytes(StandardCharsets.UTF_8),
            "中".getBytes(StandardCharsets.UTF_8),
            "😀".getBytes(StandardCharsets.UTF_8),
            {(byte) 0xE4, (byte) 0xB8, 'x'},
            {(byte) 0xF0, (byte) 0x9F, ' '},
            {(byte) 0xC3, '\n'},
            "<|endoftext".getBytes(StandardCharsets.UTF_8)
        };
        Random random = new Random(50277);
        for (int trial = 0; trial < 200; trial++) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (int n = random.nextInt(200); n > 0; n--) {
                switch (random.nextInt(3)) {
                    case 0 -> bytes.write(random.nextInt(0x80));
                    case 1 -> bytes.write(0x80 + random.nextInt(0x40)); // stray continuation byte
                    default -> bytes.writeBytes(chunks[random.nextInt(chunks.length)]);
                }
            }
            byte[] input = bytes.toByteArray();
            assertArrayEquals(input, NEOX.decodeBytes(NEOX.encodeBytes(input)), "trial " + trial);
        }
        assertArrayEquals(
                new byte[] {'a', (byte) 0x80, 'b'},
                NEOX.decodeBytes(NEOX.encodeBytes(new byte[] {'a', (byte) 0x80, 'b'})));
    }

    @Test
    void bytesThatNeverOccurInUtf8BecomeReplacementCharacters() {
        assertArrayEquals(new int[] {66, 21478, 67}, NEOX.encodeBytes(new byte[] {'a', (byte) 0xC0, 'b'}));
        assertArrayEquals(new int[] {21478}, NEOX.encodeBytes(new byte[] {(byte) 0xFF}));
    }

    @Test
    void unpairedSurrogatesBecomeQuestionMarks() {
        assertArrayEquals(NEOX.encode("a?b"), NEOX.encode("a\uD800b"));
        assertArrayEquals(NEOX.encodeBytes("a\uDC00".getBytes(StandardCharsets.UTF_8)), NEOX.encode("a\uDC00"));
        assertArrayEquals(NEOX.encode("😀"), NEOX.encode("\uD83D\uDE00"));
    }

    @Test
    void longPiecesStayFast() {
        String dashes = "-".repeat(200_000);
        String letters = "ab".repeat(100_000);
        assertTimeout(Duration.ofSeconds(20), () -> {
            assertEquals(dashes, NEOX.decode(NEOX.encode(dashes)));
            assertEquals(letters, NEOX.decode(NEOX.encode(letters)));
        });
    }

    @Test
    void encodesAMegabyteOfEnglishQuickly() throws IOException {
        String text;
        try (InputStream in = NeoxTokenizerTest.class.getResourceAsStream(NeoxTokenizer.BUNDLED_RESOURCE)) {
            // Varied non-English text with many distinct pieces: the tokenizer file itself.
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        StringBuilder english = new StringBuilder();
        Random random = new Random(1);
        String[] words = {
            "the",
            "of",
            "and",
            "to",
            "in",
            "a",
            "is",
            "that",
            "for",
            "it",
            "as",
            "was",
            "with",
            "be",
            "by",
            "on",
            "not",
            "he",
            "I",
            "this",
            "are",
            "or",
            "his",
            "from",
            "at",
            "which",
            "but",
            "have",
            "an",
            "had",
            "they",
            "you",
            "were",
            "their",
            "one",
            "all",
            "we",
            "can",
            "her",
            "has",
            "there",
            "been",
            "if",
            "more",
            "when",
            "will",
            "would",
            "who",
            "so",
            "no",
            "tokenizer",
            "inference",
            "recurrent"
        };
        while (english.length() < 1_000_000) {
            english.append(words[random.nextInt(words.length)]);
            english.append(random.nextInt(12) == 0 ? ".\n" : random.nextInt(8) == 0 ? ", " : " ");
        }
        String mixed = english + text.substring(0, 200_000);
        assertTimeout(Duration.ofSeconds(20), () -> {
            int[] ids = NEOX.encode(mixed);
            assertEquals(
                    Normalizer.normalize(mixed, Normalizer.Form.NFC),
                    new String(NEOX.decodeBytes(ids, false), StandardCharsets.UTF_8));
        });
    }
}
