package io.rwkvx.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ByteTokenizerTest {
    private final ByteTokenizer tokenizer = new ByteTokenizer();

    @Test
    void idIsTheByteValue() {
        assertArrayEquals(new int[] {'h', 'i', 0xC3, 0xA9}, tokenizer.encode("hié"));
        assertEquals("hié", tokenizer.decode(new int[] {'h', 'i', 0xC3, 0xA9}));
        assertArrayEquals(new int[] {0, 255}, tokenizer.encodeBytes(new byte[] {0, (byte) 0xFF}));
    }

    @Test
    void roundTripsEveryByteValue() {
        byte[] bytes = new byte[1000];
        new Random(256).nextBytes(bytes);
        for (int value = 0; value < 256; value++) {
            bytes[value] = (byte) value;
        }
        assertArrayEquals(bytes, tokenizer.decodeBytes(tokenizer.encodeBytes(bytes)));
    }

    @Test
    void idZeroIsTheNulByteNotEndOfText() {
        assertFalse(tokenizer.isEndOfText(0));
        assertArrayEquals(new byte[] {0}, tokenizer.decodeBytes(new int[] {0}));
        assertEquals(256, tokenizer.vocabSize());
        assertEquals("byte", tokenizer.name());
    }

    @Test
    void rejectsIdsOutOfRange() {
        IllegalArgumentException error =
                assertThrows(IllegalArgumentException.class, () -> tokenizer.decodeBytes(new int[] {65, 256}));
        assertTrue(error.getMessage().contains("256") && error.getMessage().contains("position 1"), error.getMessage());
        assertThrows(IllegalArgumentException.class, () -> tokenizer.decodeBytes(new int[] {-1}));
    }
}
