package io.rwkvx.tokenizer;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads the RWKV World vocabulary format: one {@code <id> <literal> <byte length>} line per token,
 * where the literal is a Python {@code '...'}, {@code "..."} or {@code b'...'} string
 * (docs/formats.md §9.2). Every line's declared length is checked against the parsed literal.
 */
final class WorldVocabParser {
    private final String sourceName;
    private final int vocabSize;
    private final CharsetDecoder strictUtf8 = StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private byte[] literalBuffer = new byte[256];
    private int literalLength;
    private int lineNumber;

    private WorldVocabParser(String sourceName, int vocabSize) {
        this.sourceName = sourceName;
        this.vocabSize = vocabSize;
    }

    /**
     * Parses a whole vocabulary file.
     *
     * @return the byte string of each id, indexed by id; {@code null} for ids the file does not list
     * @throws TokenizerFormatException on the first malformed line
     */
    static byte[][] parse(byte[] content, String sourceName, int vocabSize) {
        return new WorldVocabParser(sourceName, vocabSize).parseAll(content);
    }

    private byte[][] parseAll(byte[] content) {
        requireUtf8(content);
        byte[][] tokensById = new byte[vocabSize][];
        int previousId = 0;
        int lineStart = 0;
        lineNumber = 0;
        while (lineStart < content.length) {
            lineNumber++;
            int lineEnd = indexOf(content, (byte) '\n', lineStart, content.length);
            if (lineEnd < 0) {
                lineEnd = content.length; // tolerate a missing final newline
            }
            int id = parseLine(content, lineStart, lineEnd, tokensById);
            if (id <= previousId) {
                fail("an id greater than the previous id " + previousId, "id " + id);
            }
            previousId = id;
            lineStart = lineEnd + 1;
        }
        return tokensById;
    }

    /** Checks the whole file at once (fast), and only on failure looks for the offending line. */
    private void requireUtf8(byte[] content) {
        try {
            strictUtf8.decode(ByteBuffer.wrap(content));
            return;
        } catch (CharacterCodingException e) {
            // fall through to find the line
        }
        int lineStart = 0;
        lineNumber = 0;
        while (lineStart < content.length) {
            lineNumber++;
            int lineEnd = indexOf(content, (byte) '\n', lineStart, content.length);
            if (lineEnd < 0) {
                lineEnd = content.length;
            }
            try {
                strictUtf8.decode(ByteBuffer.wrap(content, lineStart, lineEnd - lineStart));
            } catch (CharacterCodingException e) {
                fail("valid UTF-8", "malformed bytes in " + describe(content, lineStart, lineEnd));
            }
            lineStart = lineEnd + 1;
        }
    }

    /** Parses the line {@code content[start .. end)} into {@code tokensById} and returns its id. */
    private int parseLine(byte[] content, int start, int end, byte[][] tokensById) {
        int firstSpace = indexOf(content, (byte) ' ', start, end);
        int lastSpace = lastIndexOf(content, (byte) ' ', start, end);
        if (firstSpace < 0 || lastSpace <= firstSpace + 1) {
            fail("'<id> <literal> <byte length>'", describe(content, start, end));
        }
        int id = parseDecimal(content, start, firstSpace, "a decimal token id");
        if (id < 1 || id >= vocabSize) {
            fail("a token id in 1.." + (vocabSize - 1) + " (0 is end-of-text)", "id " + id);
        }
        int declaredLength = parseDecimal(content, lastSpace + 1, end, "a decimal byte length");
        parseLiteral(content, firstSpace + 1, lastSpace);
        if (literalLength != declaredLength) {
            fail(
                    "a literal of " + declaredLength + " bytes (the declared length)",
                    "one of " + literalLength + " bytes");
        }
        if (literalLength == 0) {
            fail("a non-empty token", "an empty literal");
        }
        tokensById[id] = Arrays.copyOf(literalBuffer, literalLength);
        return id;
    }

    private int parseDecimal(byte[] content, int start, int end, String expected) {
        if (start == end || end - start > 9) {
            fail(expected, describe(content, start, end));
        }
        int value = 0;
        for (int i = start; i < end; i++) {
            int c = content[i];
            if (c < '0' || c > '9') {
                fail(expected, describe(content, start, end));
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    /**
     * Parses the Python string or bytes literal {@code content[start .. end)} into
     * {@code literalBuffer[0 .. literalLength)}. Characters that stand for themselves are copied as
     * their UTF-8 bytes, which the file already holds (checked by {@link #requireUtf8}).
     */
    private void parseLiteral(byte[] content, int start, int end) {
        boolean isBytes = content[start] == 'b';
        int open = isBytes ? start + 1 : start;
        int quote = open < end ? content[open] : 0;
        if (quote != '\'' && quote != '"') {
            fail("a literal starting with ', \" or b'", describe(content, start, end));
        }
        int close = end - 1;
        if (close <= open || content[close] != quote) {
            fail("a literal ending with " + (char) quote, describe(content, start, end));
        }
        literalLength = 0;
        int i = open + 1;
        while (i < close) {
            int c = content[i];
            if (c == quote) {
                fail("no unescaped " + (char) quote + " inside the literal", describe(content, start, end));
            }
            if (c != '\\') {
                if (isBytes && c < 0) {
                    fail("only ASCII characters in a bytes literal", describe(content, start, end));
                }
                appendByte(c);
                i++;
                continue;
            }
            if (i + 1 >= close) {
                fail("an escape after the backslash", describe(content, start, end));
            }
            int escape = content[i + 1];
            switch (escape) {
                case 'x' -> {
                    int value = parseHex(content, i + 2, 2, close, start, end);
                    // In a text literal \xHH is the code point U+00HH; in a bytes literal, the byte itself.
                    if (isBytes) {
                        appendByte(value);
                    } else {
                        appendCodePoint(value);
                    }
                    i += 4;
                }
                case 'u' -> {
                    if (isBytes) {
                        fail("no \\u escape in a bytes literal", describe(content, start, end));
                    }
                    int value = parseHex(content, i + 2, 4, close, start, end);
                    if (Character.isSurrogate((char) value)) {
                        fail("a non-surrogate code point", describe(content, start, end));
                    }
                    appendCodePoint(value);
                    i += 6;
                }
                case 't' -> {
                    appendByte('\t');
                    i += 2;
                }
                case 'n' -> {
                    appendByte('\n');
                    i += 2;
                }
                case 'r' -> {
                    appendByte('\r');
                    i += 2;
                }
                case '\\', '\'', '"' -> {
                    appendByte(escape);
                    i += 2;
                }
                default ->
                    fail(
                            "one of the escapes \\xHH \\uHHHH \\t \\n \\r \\\\ \\' \\\"",
                            describe(content, i, i + 2) + " in " + describe(content, start, end));
            }
        }
    }

    private int parseHex(byte[] content, int from, int digits, int close, int start, int end) {
        if (from + digits > close) {
            fail(digits + " hex digits", describe(content, start, end));
        }
        int value = 0;
        for (int i = from; i < from + digits; i++) {
            int digit = Character.digit(content[i], 16);
            if (digit < 0) {
                fail(digits + " hex digits", describe(content, start, end));
            }
            value = value * 16 + digit;
        }
        return value;
    }

    private void appendCodePoint(int codePoint) {
        if (codePoint < 0x80) {
            appendByte(codePoint);
        } else if (codePoint < 0x800) {
            appendByte(0xC0 | codePoint >> 6);
            appendByte(0x80 | codePoint & 0x3F);
        } else if (codePoint < 0x10000) {
            appendByte(0xE0 | codePoint >> 12);
            appendByte(0x80 | codePoint >> 6 & 0x3F);
            appendByte(0x80 | codePoint & 0x3F);
        } else {
            appendByte(0xF0 | codePoint >> 18);
            appendByte(0x80 | codePoint >> 12 & 0x3F);
            appendByte(0x80 | codePoint >> 6 & 0x3F);
            appendByte(0x80 | codePoint & 0x3F);
        }
    }

    private void appendByte(int value) {
        if (literalLength == literalBuffer.length) {
            literalBuffer = Arrays.copyOf(literalBuffer, literalLength * 2);
        }
        literalBuffer[literalLength++] = (byte) value;
    }

    private TokenizerFormatException fail(String expected, String found) {
        throw new TokenizerFormatException(
                sourceName + " line " + lineNumber + ": expected " + expected + ", found " + found);
    }

    /** Quotes {@code content[start .. end)} for a message, control characters visible, long text cut. */
    private static String describe(byte[] content, int start, int end) {
        if (start >= end) {
            return "nothing";
        }
        String text = new String(content, start, end - start, StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder("`");
        int limit = Math.min(text.length(), 80);
        for (int i = 0; i < limit; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7F) {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append(limit < text.length() ? "...`" : "`").toString();
    }

    private static int indexOf(byte[] content, byte value, int from, int to) {
        for (int i = from; i < to; i++) {
            if (content[i] == value) {
                return i;
            }
        }
        return -1;
    }

    private static int lastIndexOf(byte[] content, byte value, int from, int to) {
        for (int i = to - 1; i >= from; i--) {
            if (content[i] == value) {
                return i;
            }
        }
        return -1;
    }
}
