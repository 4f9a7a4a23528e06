package io.rwkvx.tokenizer;

import java.nio.charset.StandardCharsets;

/**
 * Turns text into token ids and back. Tokenizers work on bytes: text is UTF-8 encoded before
 * tokenizing, and decoded ids are plain byte strings that may end in the middle of a character
 * (use {@link Utf8StreamDecoder} when printing tokens one at a time).
 */
public interface Tokenizer {

    /** Token ids for the UTF-8 encoding of {@code text} (unpaired surrogates become {@code '?'}). */
    default int[] encode(String text) {
        return encodeBytes(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Token ids for a raw byte string; every byte string is encodable. */
    int[] encodeBytes(byte[] bytes);

    /**
     * The bytes the ids stand for, concatenated. End-of-text ids contribute nothing.
     *
     * @throws IllegalArgumentException naming the id and its position if an id is out of range or
     *     has no byte string
     */
    byte[] decodeBytes(int[] ids);

    /**
     * {@link #decodeBytes} as text; invalid UTF-8 becomes U+FFFD exactly as {@link Utf8StreamDecoder}
     * does, so streamed output joins up to the same text.
     */
    default String decode(int[] ids) {
        return Utf8StreamDecoder.decodeAll(decodeBytes(ids));
    }

    /** Number of ids, i.e. the model's {@code n_vocab}; valid ids are {@code 0 .. vocabSize()-1}. */
    int vocabSize();

    /** Short human-readable name, for logs and messages. */
    String name();

    /** Whether {@code id} marks end of text, the point where generation should stop. */
    boolean isEndOfText(int id);
}
