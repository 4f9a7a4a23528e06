package io.rwkvx.tokenizer;

import static io.rwkvx.common.FuzzSupport.parsesOrRefuses;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Arrays;

/**
 * Fuzz targets for the tokenizers: the two vocabulary parsers refuse bad files only with
 * {@link TokenizerFormatException}; encoding never throws on any string or byte string, and decoding gives the
 * text back (World and byte: exactly, as UTF-8 with unpaired surrogates as '?'; GPT-NeoX-20B: up to NFC, which it
 * applies). Seeds: tests/corpus/io/rwkvx/tokenizer/TokenizerFuzzTestInputs/&lt;target&gt;/.
 */
class TokenizerFuzzTest {
    private static final ByteTokenizer BYTES = new ByteTokenizer();

    /** A World vocabulary file ({@code <id> <literal> <byte length>} lines), then a round trip through it. */
    @FuzzTest
    void worldVocab(byte[] data) throws Throwable {
        parsesOrRefuses(
                () -> {
                    WorldTokenizer t = WorldTokenizer.load(new ByteArrayInputStream(data), "fuzz.txt");
                    // A vocabulary that loaded has every single byte: any byte string round-trips.
                    byte[] sample = Arrays.copyOf(data, Math.min(data.length, 256));
                    assertBytesRoundTrip(t, sample);
                },
                TokenizerFormatException.class);
    }

    /** A tokenizer.json of the GPT-NeoX kind, then encoding its own text through it. */
    @FuzzTest
    void neoxTokenizerFile(byte[] data) throws Throwable {
        parsesOrRefuses(
                () -> {
                    NeoxTokenizer t = NeoxTokenizer.load(new ByteArrayInputStream(data), "fuzz.json");
                    String text = new String(data, 0, Math.min(data.length, 256), StandardCharsets.UTF_8);
                    int[] ids = t.encode(text);
                    t.decodeBytes(ids, false);
                    t.encodeBytes(Arrays.copyOf(data, Math.min(data.length, 256)));
                },
                TokenizerFormatException.class);
    }

    @FuzzTest
    void worldRoundTrip(byte[] data) {
        roundTrip(WorldTokenizer.bundled(), data, false);
    }

    @FuzzTest
    void neoxRoundTrip(byte[] data) {
        roundTrip(NeoxTokenizer.bundled(), data, true);
    }

    @FuzzTest
    void byteRoundTrip(byte[] data) {
        roundTrip(BYTES, data, false);
    }

    /**
     * The input read three ways: as raw bytes, as UTF-8 text (a valid string), and as UTF-16 code units (unpaired
     * surrogates included, which encode as '?').
     */
    private static void roundTrip(Tokenizer t, byte[] data, boolean nfc) {
        String utf8 = new String(data, StandardCharsets.UTF_8);
        checkText(t, utf8, nfc);
        char[] units = new char[data.length / 2];
        ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).asCharBuffer().get(units);
        checkText(t, new String(units), nfc);
        if (!nfc) {
            assertBytesRoundTrip(t, data);
        } else {
            // NeoX: bytes that never occur in UTF-8 have no token; anything else comes back.
            t.decode(t.encodeBytes(data));
        }
    }

    private static void checkText(Tokenizer t, String text, boolean nfc) {
        int[] ids = t.encode(text);
        for (int id : ids) {
            if (id < 0 || id >= t.vocabSize()) throw new AssertionError("id " + id + " out of range for " + t.name());
        }
        // Valid text: what comes back is the text itself (unpaired surrogates are '?', as UTF-8 encoding makes them).
        String expected = new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
        byte[] back = t instanceof NeoxTokenizer neox ? neox.decodeBytes(ids, false) : t.decodeBytes(ids);
        String decoded = new String(back, StandardCharsets.UTF_8);
        if (nfc) {
            expected = Normalizer.normalize(expected, Normalizer.Form.NFC);
            decoded = Normalizer.normalize(decoded, Normalizer.Form.NFC);
        }
        if (!decoded.equals(expected)) {
            throw new AssertionError(t.name() + ": decode(encode(s)) != s for s = " + escape(expected) + ", got "
                    + escape(decoded) + " from ids " + Arrays.toString(ids));
        }
    }

    private static void assertBytesRoundTrip(Tokenizer t, byte[] bytes) {
        byte[] back = t.decodeBytes(t.encodeBytes(bytes));
        if (!Arrays.equals(back, bytes)) {
            throw new AssertionError(t.name() + ": decodeBytes(encodeBytes(b)) != b for b = " + Arrays.toString(bytes)
                    + ", got " + Arrays.toString(back));
        }
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c >= 0x20 && c < 0x7f) sb.append(c);
            else sb.append(String.format("\\u%04x", (int) c));
        }
        return sb.append('"').toString();
    }
}
