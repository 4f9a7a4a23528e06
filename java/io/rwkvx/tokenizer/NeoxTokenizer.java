package io.rwkvx.tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The GPT-NeoX-20B byte-level BPE tokenizer of the RWKV-4 Pile models ({@code 20B_tokenizer.json},
 * HuggingFace {@code tokenizers} format, 50,277 ids), implemented as docs/formats.md §9.4 describes:
 * split off special added tokens, NFC-normalize, split off the space-run added tokens, pre-tokenize with the
 * GPT-2 regex, map UTF-8 bytes to the byte-level alphabet and merge by rank. Id 0 {@code <|endoftext|>}
 * ends text. Decoding drops special tokens ({@code <|endoftext|>}, {@code <|padding|>}) as the reference's
 * default {@code decode} does; {@link #decodeBytes(int[], boolean)} can keep them. Instances are immutable
 * and thread-safe.
 */
public final class NeoxTokenizer implements Tokenizer {
    /** Number of ids of the bundled tokenizer (50,254 BPE tokens + 23 space-run tokens), RWKV-4 Pile's n_vocab. */
    public static final int VOCAB_SIZE = 50277;
    /** Id of {@code <|endoftext|>} in the bundled tokenizer; a loaded file may place it elsewhere. */
    public static final int END_OF_TEXT = 0;
    /** The text of the end-of-text token, which every loaded file must have. */
    public static final String END_OF_TEXT_CONTENT = "<|endoftext|>";
    /** Classpath location of the tokenizer that ships with rwkvx. */
    public static final String BUNDLED_RESOURCE = "/io/rwkvx/models/20B_tokenizer.json";

    /** GPT-2 pre-tokenizer; Unicode {@code \s} like the reference's Oniguruma regex. */
    private static final Pattern GPT2_SPLIT = Pattern.compile(
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
            Pattern.UNICODE_CHARACTER_CLASS);

    private static final int CACHE_LIMIT = 100_000;
    private static final int CACHE_MAX_PIECE = 48;
    private static final byte[] NO_BYTES = new byte[0];
    private static final String REPLACEMENT = "\uFFFD";

    private static volatile NeoxTokenizer bundled;

    private final String sourceName;
    private final int vocabSize;
    private final int endOfText;
    private final byte[][] bytesById;
    private final boolean[] special;
    private final NeoxAddedTokens rawAdded;
    private final NeoxAddedTokens normalizedAdded;
    private final boolean nfc;
    private final int[] idOfByte;
    private final BpeMerges merges;
    // Pieces repeat a lot in real text (" the", "."), so remember their ids.
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    private NeoxTokenizer(NeoxTokenizerFile file) {
        this.sourceName = file.sourceName;
        this.vocabSize = file.vocabSize;
        this.endOfText = file.endOfText;
        this.bytesById = file.bytesById;
        this.special = file.special;
        this.rawAdded = file.rawAdded;
        this.normalizedAdded = file.normalizedAdded;
        this.nfc = file.nfc;
        this.idOfByte = file.idOfByte;
        this.merges = file.merges;
    }

    /**
     * Reads a {@code tokenizer.json} file.
     *
     * @param path a HuggingFace {@code tokenizers} JSON file of a byte-level BPE model
     * @return the tokenizer
     * @throws IOException              if the file cannot be read
     * @throws TokenizerFormatException if the file is malformed or uses features this tokenizer lacks
     */
    public static NeoxTokenizer load(Path path) throws IOException {
        return fromBytes(Files.readAllBytes(path), path.toString());
    }

    /**
     * Reads a {@code tokenizer.json} from a stream (not closed here).
     *
     * @param in         the file's content, read to its end
     * @param sourceName where the stream comes from, for error messages
     * @return the tokenizer
     * @throws IOException              if the stream cannot be read
     * @throws TokenizerFormatException if the content is malformed or uses features this tokenizer lacks
     */
    public static NeoxTokenizer load(InputStream in, String sourceName) throws IOException {
        return fromBytes(in.readAllBytes(), sourceName);
    }

    /**
     * The tokenizer bundled on the classpath ({@link #BUNDLED_RESOURCE}), loaded on first use and then shared.
     *
     * @return the GPT-NeoX-20B tokenizer of {@link #VOCAB_SIZE} ids
     * @throws IllegalStateException if the resource is missing from the classpath
     */
    public static NeoxTokenizer bundled() {
        NeoxTokenizer result = bundled;
        if (result == null) {
            synchronized (NeoxTokenizer.class) {
                result = bundled;
                if (result == null) {
                    result = loadBundled();
                    bundled = result;
                }
            }
        }
        return result;
    }

    private static NeoxTokenizer loadBundled() {
        try (InputStream in = NeoxTokenizer.class.getResourceAsStream(BUNDLED_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("bundled tokenizer " + BUNDLED_RESOURCE + " is not on the classpath");
            }
            return load(in, "classpath:" + BUNDLED_RESOURCE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read bundled tokenizer " + BUNDLED_RESOURCE, e);
        }
    }

    private static NeoxTokenizer fromBytes(byte[] content, String sourceName) {
        return new NeoxTokenizer(NeoxTokenizerFile.parse(content, sourceName));
    }

    /**
     * Token ids of {@code text}, NFC-normalized (so decoding gives back the NFC form). Unpaired surrogates
     * become {@code '?'}, as {@link String#getBytes} would make them.
     */
    @Override
    public int[] encode(String text) {
        IntList out = new IntList(text.length() / 3 + 8);
        encodeText(replaceUnpairedSurrogates(text), out);
        return out.toArray();
    }

    /**
     * Valid UTF-8 is encoded as its text, as by {@link #encode}. The reference cannot take invalid UTF-8 at all; here each byte that
     * is not part of a valid sequence becomes its single-byte token, so such byte strings still round-trip,
     * except for the bytes that never occur in UTF-8 and have no token (C0, C1, F5..FF in the 20B
     * vocabulary): those become U+FFFD.
     */
    @Override
    public int[] encodeBytes(byte[] bytes) {
        IntList out = new IntList(bytes.length / 3 + 8);
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer chars = CharBuffer.allocate(bytes.length);
        while (true) {
            CoderResult result = decoder.decode(in, chars, true);
            if (!result.isError()) {
                break;
            }
            flushText(chars, out);
            for (int i = 0; i < result.length(); i++) {
                int id = idOfByte[in.get() & 0xFF];
                if (id >= 0) {
                    out.add(id);
                } else {
                    encodePiece(REPLACEMENT, out);
                }
            }
        }
        decoder.flush(chars);
        flushText(chars, out);
        return out.toArray();
    }

    private void flushText(CharBuffer chars, IntList out) {
        chars.flip();
        encodeText(chars.toString(), out);
        chars.clear();
    }

    private void encodeText(String text, IntList out) {
        // Special tokens are matched in the raw text, before normalization (they have normalized: false).
        int start = 0;
        int i = 0;
        while (i < text.length()) {
            int k = rawAdded.matchAt(text, i);
            if (k < 0) {
                i++;
                continue;
            }
            encodeSegment(text.substring(start, i), out);
            out.add(rawAdded.id(k));
            i += rawAdded.length(k);
            start = i;
        }
        encodeSegment(text.substring(start), out);
    }

    private void encodeSegment(String segment, IntList out) {
        if (segment.isEmpty()) {
            return;
        }
        String text = nfc ? Normalizer.normalize(segment, Normalizer.Form.NFC) : segment;
        // The space-run tokens (normalized: true) are matched in the normalized text.
        int start = 0;
        int i = 0;
        while (i < text.length()) {
            int k = normalizedAdded.matchAt(text, i);
            if (k < 0) {
                i++;
                continue;
            }
            preTokenize(text, start, i, out);
            out.add(normalizedAdded.id(k));
            i += normalizedAdded.length(k);
            start = i;
        }
        preTokenize(text, start, text.length(), out);
    }

    private void preTokenize(String text, int from, int to, IntList out) {
        if (from >= to) {
            return;
        }
        // Opaque region bounds: the lookahead must not see past the piece, as in the reference.
        Matcher matcher = GPT2_SPLIT.matcher(text).region(from, to);
        int last = from;
        while (matcher.find()) {
            if (matcher.start() > last) {
                encodePiece(text.substring(last, matcher.start()), out); // cannot happen: the regex matches anything
            }
            encodePiece(text.substring(matcher.start(), matcher.end()), out);
            last = matcher.end();
        }
        if (last < to) {
            encodePiece(text.substring(last, to), out);
        }
    }

    private void encodePiece(String piece, IntList out) {
        int[] ids = cache.get(piece);
        if (ids == null) {
            byte[] bytes = piece.getBytes(StandardCharsets.UTF_8);
            int[] symbols = new int[bytes.length];
            for (int i = 0; i < bytes.length; i++) {
                symbols[i] = idOfByte[bytes[i] & 0xFF];
            }
            ids = merges.apply(symbols);
            if (piece.length() <= CACHE_MAX_PIECE) {
                if (cache.size() >= CACHE_LIMIT) {
                    cache.clear(); // crude bound; real text re-fills the common pieces at once
                }
                cache.put(piece, ids);
            }
        }
        out.addAll(ids);
    }

    private static String replaceUnpairedSurrogates(String text) {
        StringBuilder sb = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!Character.isSurrogate(c)) {
                continue;
            }
            boolean paired = Character.isHighSurrogate(c)
                    && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1));
            if (paired) {
                i++;
                continue;
            }
            if (sb == null) {
                sb = new StringBuilder(text);
            }
            sb.setCharAt(i, '?');
        }
        return sb == null ? text : sb.toString();
    }

    /** The bytes of the ids, special tokens ({@code <|endoftext|>}, {@code <|padding|>}) dropped. */
    @Override
    public byte[] decodeBytes(int[] ids) {
        return decodeBytes(ids, true);
    }

    /**
     * The bytes of the ids; with {@code skipSpecial} false, special tokens contribute their literal text.
     *
     * @param ids         token ids
     * @param skipSpecial true to drop special tokens, as {@link #decodeBytes(int[])} does
     * @return a new array with the ids' bytes
     * @throws IllegalArgumentException naming the id and its position if an id is out of range or has no token
     */
    public byte[] decodeBytes(int[] ids, boolean skipSpecial) {
        int length = 0;
        for (int position = 0; position < ids.length; position++) {
            length += tokenBytes(ids[position], position, skipSpecial).length;
        }
        byte[] bytes = new byte[length];
        int offset = 0;
        for (int position = 0; position < ids.length; position++) {
            byte[] token = tokenBytes(ids[position], position, skipSpecial);
            System.arraycopy(token, 0, bytes, offset, token.length);
            offset += token.length;
        }
        return bytes;
    }

    private byte[] tokenBytes(int id, int position, boolean skipSpecial) {
        if (id < 0 || id >= vocabSize) {
            throw new IllegalArgumentException(
                    "token id " + id + " at position " + position + " is out of range 0.." + (vocabSize - 1));
        }
        byte[] token = bytesById[id];
        if (token == null) {
            throw new IllegalArgumentException(
                    "token id " + id + " at position " + position + " has no token in " + sourceName);
        }
        return skipSpecial && special[id] ? NO_BYTES : token;
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public String name() {
        return "neox(" + sourceName + ")";
    }

    @Override
    public boolean isEndOfText(int id) {
        return id == endOfText;
    }

    /**
     * Whether an id is a special token.
     *
     * @param id any int
     * @return true if {@code id} is a special added token ({@code <|endoftext|>}, {@code <|padding|>}); false
     *         for ordinary and out-of-range ids
     */
    public boolean isSpecial(int id) {
        return id >= 0 && id < vocabSize && special[id];
    }

    /** Growable int array for building id lists without boxing. */
    private static final class IntList {
        private int[] items;
        private int size;

        IntList(int capacity) {
            items = new int[Math.max(8, capacity)];
        }

        void add(int value) {
            if (size == items.length) {
                items = Arrays.copyOf(items, size * 2);
            }
            items[size++] = value;
        }

        void addAll(int[] values) {
            if (size + values.length > items.length) {
                items = Arrays.copyOf(items, Math.max(size * 2, size + values.length));
            }
            System.arraycopy(values, 0, items, size, values.length);
            size += values.length;
        }

        int[] toArray() {
            return Arrays.copyOf(items, size);
        }
    }
}
