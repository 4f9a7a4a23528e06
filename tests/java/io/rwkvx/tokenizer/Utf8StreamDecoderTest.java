package io.rwkvx.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Utf8StreamDecoderTest {

    @Test
    void holdsBackAnEmojiUntilItsLastByte() {
        byte[] emoji = "😀".getBytes(StandardCharsets.UTF_8);
        Utf8StreamDecoder decoder = new Utf8StreamDecoder();
        for (int i = 0; i < emoji.length - 1; i++) {
            assertEquals("", decoder.feed(new byte[] {emoji[i]}), "after byte " + i);
            assertTrue(decoder.hasPending());
        }
        assertEquals("😀", decoder.feed(new byte[] {emoji[emoji.length - 1]}));
        assertFalse(decoder.hasPending());
        assertEquals("", decoder.flush());
    }

    @Test
    void decodesWorldTokensOfAnEmojiOneAtATime() {
        WorldTokenizer world = WorldTokenizer.bundled();
        Utf8StreamDecoder decoder = new Utf8StreamDecoder();
        StringBuilder shown = new StringBuilder();
        for (int id : new int[] {33155, 3319, 153, 129, 40213}) {
            String piece = decoder.feed(world.decodeBytes(new int[] {id}));
            assertFalse(piece.contains("\uFFFD"), piece);
            shown.append(piece);
        }
        assertEquals("Hello😀 world", shown + decoder.flush());
    }

    @Test
    void flushReplacesAnIncompleteSequence() {
        Utf8StreamDecoder decoder = new Utf8StreamDecoder();
        assertEquals("a", decoder.feed(new byte[] {'a', (byte) 0xE4, (byte) 0xB8}));
        assertEquals("\uFFFD", decoder.flush());
        assertFalse(decoder.hasPending());
        assertEquals("", decoder.flush());
    }

    @Test
    void replacesInvalidBytesImmediately() {
        Utf8StreamDecoder decoder = new Utf8StreamDecoder();
        assertEquals("a\uFFFDb", decoder.feed(new byte[] {'a', (byte) 0xFF, 'b'}));
        assertEquals("\uFFFDc", decoder.feed(new byte[] {(byte) 0x80, 'c'}));
        // A lead byte followed by a non-continuation is replaced as soon as that byte arrives.
        assertEquals("", decoder.feed(new byte[] {(byte) 0xE4}));
        assertEquals("\uFFFDx", decoder.feed(new byte[] {'x'}));
        assertFalse(decoder.hasPending());
    }

    @Test
    void anySplitDecodesLikeTheWholeAndLikeJava() {
        Random random = new Random(42);
        for (int trial = 0; trial < 2000; trial++) {
            byte[] bytes = new byte[random.nextInt(64)];
            for (int i = 0; i < bytes.length; i++) {
                // Mostly UTF-8 lead and continuation bytes, so partial and broken sequences are common.
                bytes[i] = (byte) (random.nextInt(4) == 0 ? random.nextInt(256) : 0x80 + random.nextInt(0x78));
            }
            Utf8StreamDecoder decoder = new Utf8StreamDecoder();
            StringBuilder out = new StringBuilder();
            int position = 0;
            while (position < bytes.length) {
                int length = Math.min(bytes.length - position, random.nextInt(5));
                out.append(decoder.feed(bytes, position, length));
                position += length;
            }
            out.append(decoder.flush());
            String whole = Utf8StreamDecoder.decodeAll(bytes);
            assertEquals(whole, out.toString(), "trial " + trial);
            if (!containsEd(bytes)) { // Java replaces encoded surrogates differently, see below
                assertEquals(new String(bytes, StandardCharsets.UTF_8), whole, "trial " + trial);
            }
        }
    }

    private static boolean containsEd(byte[] bytes) {
        for (byte b : bytes) {
            if ((b & 0xFF) == 0xED) {
                return true;
            }
        }
        return false;
    }

    @Test
    void replacesEachByteOfAnEncodedSurrogateLikePython() {
        // b"\xed\xa0\x80A".decode("utf-8", "replace") == "\ufffd\ufffd\ufffdA"
        assertEquals(
                "\uFFFD\uFFFD\uFFFDA",
                Utf8StreamDecoder.decodeAll(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80, 'A'}));
        assertEquals("\uFFFD\uFFFD", Utf8StreamDecoder.decodeAll(new byte[] {(byte) 0xED, (byte) 0xA0}));
        assertEquals("\uD55C", Utf8StreamDecoder.decodeAll(new byte[] {(byte) 0xED, (byte) 0x95, (byte) 0x9C}));
    }

    @Test
    void passesValidTextThroughInAnySplit() {
        String text = WorldTokenizerTest.randomText(new Random(7), 500);
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        Utf8StreamDecoder decoder = new Utf8StreamDecoder();
        StringBuilder out = new StringBuilder();
        for (byte b : bytes) {
            String piece = decoder.feed(new byte[] {b});
            assertFalse(piece.contains("\uFFFD"));
            out.append(piece);
        }
        assertEquals(text, out.toString());
        assertEquals("", decoder.flush());
    }
}
