package io.rwkvx.tokenizer;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TokenizersTest {

    @Test
    void picksByVocabularySize() {
        assertInstanceOf(ByteTokenizer.class, Tokenizers.forVocabSize(256));
        assertSame(WorldTokenizer.bundled(), Tokenizers.forVocabSize(65536));
        assertSame(NeoxTokenizer.bundled(), Tokenizers.forVocabSize(50277));
    }

    @Test
    void unknownSizeListsTheKnownOnes() {
        IllegalArgumentException error =
                assertThrows(IllegalArgumentException.class, () -> Tokenizers.forVocabSize(50254));
        String message = error.getMessage();
        assertTrue(
                message.contains("50254")
                        && message.contains("256")
                        && message.contains("50277")
                        && message.contains("65536"),
                message);
    }
}
