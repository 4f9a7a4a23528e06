package io.rwkvx.tokenizer;

import java.nio.charset.StandardCharsets;

/**
 * Turns text into token ids and back. Tokenizers work on bytes: text is UTF-8 encoded before
 * tokenizing, and decoded ids are plain byte strings that may end in the middle of a character
 * (use {@link Utf8StreamDecoder} when printing tokens one at a time).
 */
public interface Tokenizer {

    /**
     * Tokenizes text.
     *
     * @param text any string; its unpaired surrogates become {@code '?'}
     * @return the token ids of its UTF-8 encoding, each in {@code [0, vocabSize())}
     */
    default int[] encode(String text) {
        return encodeBytes(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Tokenizes a raw byte string; every byte string is encodable.
     *
     * @param bytes any bytes, not necessarily UTF-8
     * @return the token ids, each in {@code [0, vocabSize())}; decoding them gives {@code bytes} back
     */
    int[] encodeBytes(byte[] bytes);

    /**
     * The bytes the ids stand for, concatenated. End-of-text ids contribute nothing.
     *
     * @param ids token ids
     * @return a new array with the ids' bytes
     * @throws IllegalArgumentException naming the id and its position if an id is out of range or
     *     has no byte string
     */
    byte[] decodeBytes(int[] ids);

    /**
     * {@link #decodeBytes} as text; invalid UTF-8 becomes U+FFFD exactly as {@link Utf8StreamDecoder}
     * does, so streamed output joins up to the same text.
     *
     * @param ids token ids
     * @return the text of the ids' bytes
     * @throws IllegalArgumentException as {@link #decodeBytes}
     */
    default String decode(int[] ids) {
        return Utf8StreamDecoder.decodeAll(decodeBytes(ids));
    }

    /**
     * The vocabulary size.
     *
     * @return the number of ids, i.e. the model's {@code n_vocab}; valid ids are {@code 0 .. vocabSize()-1}
     */
    int vocabSize();

    /**
     * The tokenizer's name.
     *
     * @return a short human-readable name, e.g. "byte", for logs and messages
     */
    String name();

    /**
     * Whether an id ends the text.
     *
     * @param id a token id
     * @return true if {@code id} marks end of text, the point where generation should stop
     */
    boolean isEndOfText(int id);
}
