package io.rwkvx.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The bundled World tokenizer against the encodings verified in docs/formats.md §9.3. */
class WorldTokenizerTest {
    private static final WorldTokenizer WORLD = WorldTokenizer.bundled();

    static Stream<Arguments> verifiedEncodings() {
        return Stream.of(
                Arguments.of("Hello world", new int[] {33155, 40213}),
                Arguments.of("Hello, world!", new int[] {33155, 45, 40213, 34}),
                Arguments.of(
                        "The quick brown fox jumps over the lazy dog.",
                        new int[] {6699, 39418, 37917, 21704, 38828, 31601, 22590, 31261, 21551, 47}),
                Arguments.of("\n\nUser: hi\n\nAssistant:", new int[] {261, 24281, 59, 4571, 261, 5585, 41693, 59}),
                Arguments.of("中文测试", new int[] {10285, 13012, 13827, 16707}),
                Arguments.of("😀", new int[] {3319, 153, 129}),
                Arguments.of("\"in", new int[] {35, 1950}),
                // rwkv.cpp's own tokenizer test: special-token text is plain bytes.
                Arguments.of("I'll 'd test блабла 以下は、]) -> <|endoftext|><|padding|> int", new int[] {
                    74, 5229, 274, 101, 32223, 5092, 27980, 2795, 27980, 33, 10399, 10258, 10139, 10079, 1682, 3463,
                    295, 125, 25258, 7588, 2318, 125, 790, 125, 49520, 125, 63, 21888
                }));
    }

    @ParameterizedTest
    @MethodSource("verifiedEncodings")
    void encodesLikeTheReference(String text, int[] expectedIds) {
        assertArrayEquals(expectedIds, WORLD.encode(text));
    }

    @ParameterizedTest
    @MethodSource("verifiedEncodings")
    void decodesBackToTheInput(String text, int[] ids) {
        assertEquals(text, WORLD.decode(ids));
        assertArrayEquals(text.getBytes(StandardCharsets.UTF_8), WORLD.decodeBytes(ids));
    }

    @Test
    void encodesRawBytes() {
        assertArrayEquals(new int[] {1}, WORLD.encodeBytes(new byte[] {0x00}));
        assertArrayEquals(new int[] {256}, WORLD.encodeBytes(new byte[] {(byte) 0xFF}));
        assertArrayEquals(new int[] {3025}, WORLD.encodeBytes(new byte[] {(byte) 0xE4, (byte) 0xB8}));
        assertArrayEquals(new int[0], WORLD.encode(""));
    }

    @Test
    void singleBytesAreIdsOneTo256() {
        for (int value = 0; value < 256; value++) {
            assertArrayEquals(new byte[] {(byte) value}, WORLD.decodeBytes(new int[] {value + 1}));
        }
    }

    @Test
    void matchesGreedilyNotOptimally() {
        int[] ids = WORLD.encode("Assistant");
        assertEquals(2, ids.length);
        assertEquals("Ass", WORLD.decode(new int[] {ids[0]}));
        assertEquals("istant", WORLD.decode(new int[] {ids[1]}));
    }

    @Test
    void roundTripsRandomBytes() {
        Random random = new Random(20230424);
        for (int trial = 0; trial < 200; trial++) {
            byte[] bytes = new byte[random.nextInt(2000)];
            random.nextBytes(bytes);
            assertArrayEquals(bytes, WORLD.decodeBytes(WORLD.encodeBytes(bytes)), "trial " + trial);
        }
        byte[] everyValue = new byte[512];
        for (int i = 0; i < everyValue.length; i++) {
            everyValue[i] = (byte) (i * 7); // all 256 values, in an order that mixes them
        }
        assertArrayEquals(everyValue, WORLD.decodeBytes(WORLD.encodeBytes(everyValue)));
    }

    @Test
    void roundTripsRandomUnicode() {
        Random random = new Random(65536);
        for (int trial = 0; trial < 200; trial++) {
            String text = randomText(random, random.nextInt(300));
            assertEquals(text, WORLD.decode(WORLD.encode(text)), "trial " + trial);
        }
    }

    /** Code points from ASCII, Latin, CJK and the supplementary planes, never surrogates. */
    static String randomText(Random random, int codePoints) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < codePoints; i++) {
            int codePoint = switch (random.nextInt(5)) {
                case 0 -> random.nextInt(0x80);
                case 1 -> 0x80 + random.nextInt(0x800 - 0x80);
                case 2 -> 0x4E00 + random.nextInt(0x9FFF - 0x4E00);
                case 3 -> 0x10000 + random.nextInt(0x110000 - 0x10000);
                default -> " etaoinsrhl\n".charAt(random.nextInt(12));
            };
            text.appendCodePoint(codePoint);
        }
        return text.toString();
    }

    @Test
    void endOfTextDecodesToNothing() {
        assertTrue(WORLD.isEndOfText(0));
        assertFalse(WORLD.isEndOfText(1));
        assertEquals("Hello world", WORLD.decode(new int[] {0, 33155, 0, 40213, 0}));
        assertArrayEquals(new byte[0], WORLD.decodeBytes(new int[] {0}));
    }

    @Test
    void specialTokenTextIsNotSpecial() {
        int[] ids = WORLD.encode("<|endoftext|>");
        for (int id : ids) {
            assertFalse(WORLD.isEndOfText(id));
        }
        assertEquals("<|endoftext|>", WORLD.decode(ids));
    }

    @Test
    void rejectsIdsOutOfRangeOrWithoutBytes() {
        IllegalArgumentException negative =
                assertThrows(IllegalArgumentException.class, () -> WORLD.decodeBytes(new int[] {33155, -1}));
        assertTrue(
                negative.getMessage().contains("-1") && negative.getMessage().contains("position 1"),
                negative.getMessage());
        IllegalArgumentException tooLarge =
                assertThrows(IllegalArgumentException.class, () -> WORLD.decodeBytes(new int[] {65536}));
        assertTrue(
                tooLarge.getMessage().contains("65536") && tooLarge.getMessage().contains("position 0"),
                tooLarge.getMessage());
        IllegalArgumentException noBytes =
                assertThrows(IllegalArgumentException.class, () -> WORLD.decodeBytes(new int[] {1, 2, 65530}));
        assertTrue(
                noBytes.getMessage().contains("65530") && noBytes.getMessage().contains("position 2"),
                noBytes.getMessage());
    }

    @Test
    void describesTheBundledVocabulary() {
        assertEquals(65536, WORLD.vocabSize());
        assertEquals(65529, WORLD.tokenCount());
        assertSame(WORLD, WorldTokenizer.bundled());
        assertTrue(WORLD.name().contains("rwkv_vocab_v20230424"), WORLD.name());
    }

    @Test
    void decodesTokensThatEndMidCharacterWithReplacement() {
        assertEquals("\uFFFD", WORLD.decode(new int[] {3319}));
    }
}
