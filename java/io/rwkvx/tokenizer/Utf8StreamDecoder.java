package io.rwkvx.tokenizer;

import java.util.Arrays;

/**
 * Decodes UTF-8 that arrives in pieces, such as the bytes of tokens generated one at a time, where a
 * token may end in the middle of a character. {@link #feed} returns only complete characters and holds
 * back an incomplete sequence at the end; {@link #flush} releases it. However the bytes are split, the
 * pieces joined equal {@link #decodeAll} of all the bytes.
 *
 * <p>Invalid bytes become U+FFFD, one per maximal ill-formed subsequence: the Unicode recommendation,
 * also followed by Python's {@code errors="replace"} and WHATWG. {@code new String(bytes, UTF_8)} does
 * the same except for encoded surrogates ({@code ED A0..BF ..}), which it replaces as one unit.
 * Not thread-safe.
 */
public final class Utf8StreamDecoder {
    private static final char REPLACEMENT = '\uFFFD';

    private final byte[] pending = new byte[3]; // at most a 4-byte sequence minus its last byte
    private int pendingCount;

    /** A decoder at the start of a stream, holding nothing back. */
    public Utf8StreamDecoder() {}

    /**
     * Decodes a complete byte string at once.
     *
     * @param bytes UTF-8, possibly invalid
     * @return the text; invalid bytes and an incomplete sequence at the end become U+FFFD
     */
    public static String decodeAll(byte[] bytes) {
        return new Utf8StreamDecoder().decode(bytes, true);
    }

    /**
     * Decodes the next piece after any held-back bytes.
     *
     * @param bytes the next piece of UTF-8
     * @return the complete characters; an incomplete sequence at the end is held back for the next call
     */
    public String feed(byte[] bytes) {
        return feed(bytes, 0, bytes.length);
    }

    /**
     * Decodes {@code bytes[offset .. offset+length)} after any held-back bytes.
     *
     * @param bytes  holds the next piece of UTF-8
     * @param offset where the piece starts in {@code bytes}
     * @param length the piece's length in bytes
     * @return the complete characters; an incomplete sequence at the end is held back for the next call
     * @throws IndexOutOfBoundsException if the range lies outside {@code bytes}
     */
    public String feed(byte[] bytes, int offset, int length) {
        byte[] input = new byte[pendingCount + length];
        System.arraycopy(pending, 0, input, 0, pendingCount);
        System.arraycopy(bytes, offset, input, pendingCount, length);
        pendingCount = 0;
        return decode(input, false);
    }

    /**
     * Ends the stream and resets the decoder.
     *
     * @return U+FFFD for an incomplete sequence held back, "" if nothing is
     */
    public String flush() {
        byte[] input = Arrays.copyOf(pending, pendingCount);
        pendingCount = 0;
        return decode(input, true);
    }

    /**
     * Whether bytes are held back.
     *
     * @return true if an incomplete sequence waits for its next bytes
     */
    public boolean hasPending() {
        return pendingCount > 0;
    }

    private String decode(byte[] input, boolean endOfInput) {
        StringBuilder out = new StringBuilder(input.length);
        int i = 0;
        while (i < input.length) {
            int lead = input[i] & 0xFF;
            if (lead < 0x80) {
                out.append((char) lead);
                i++;
                continue;
            }
            int continuations;
            int codePoint;
            // The second byte's range excludes overlong forms, surrogates and code points past U+10FFFF.
            int secondMin = 0x80;
            int secondMax = 0xBF;
            if (lead >= 0xC2 && lead <= 0xDF) {
                continuations = 1;
                codePoint = lead & 0x1F;
            } else if (lead >= 0xE0 && lead <= 0xEF) {
                continuations = 2;
                codePoint = lead & 0x0F;
                if (lead == 0xE0) secondMin = 0xA0;
                if (lead == 0xED) secondMax = 0x9F;
            } else if (lead >= 0xF0 && lead <= 0xF4) {
                continuations = 3;
                codePoint = lead & 0x07;
                if (lead == 0xF0) secondMin = 0x90;
                if (lead == 0xF4) secondMax = 0x8F;
            } else {
                out.append(REPLACEMENT);
                i++;
                continue;
            }
            int consumed = 1;
            boolean malformed = false;
            while (consumed <= continuations) {
                if (i + consumed == input.length) {
                    break;
                }
                int next = input[i + consumed] & 0xFF;
                int min = consumed == 1 ? secondMin : 0x80;
                int max = consumed == 1 ? secondMax : 0xBF;
                if (next < min || next > max) {
                    malformed = true;
                    break;
                }
                codePoint = codePoint << 6 | next & 0x3F;
                consumed++;
            }
            if (malformed) {
                out.append(REPLACEMENT); // the bad byte starts the next sequence
                i += consumed;
            } else if (consumed <= continuations) {
                // Ran out of input in a sequence that is valid so far.
                if (endOfInput) {
                    out.append(REPLACEMENT);
                } else {
                    pendingCount = consumed;
                    System.arraycopy(input, i, pending, 0, consumed);
                }
                i += consumed;
            } else {
                out.appendCodePoint(codePoint);
                i += consumed;
            }
        }
        return out.toString();
    }
}
