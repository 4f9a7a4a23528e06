package io.rwkvx.tokenizer;

import io.rwkvx.common.JsonParser;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Reads and checks a HuggingFace {@code tokenizer.json} of the GPT-NeoX kind (byte-level BPE, NFC, GPT-2
 * pre-tokenizer). Settings that would change the algorithm (a prefix space, another normalizer, BPE dropout,
 * subword affixes, lstrip/rstrip on added tokens, ...) are rejected rather than silently ignored.
 */
final class NeoxTokenizerFile {
    /** Ids above this are taken as corruption rather than allocated. */
    private static final int MAX_ID = 1 << 22;

    /** GPT-2 {@code bytes_to_unicode}: printable Latin-1 bytes map to themselves, the other 68 to U+0100... */
    static final char[] BYTE_TO_CHAR = new char[256];

    private static final int[] CHAR_TO_BYTE = new int[256 + 68];

    static {
        Arrays.fill(CHAR_TO_BYTE, -1);
        int extra = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
            char c = printable ? (char) b : (char) (256 + extra++);
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    final String sourceName;
    int vocabSize;
    int endOfText = -1;
    byte[][] bytesById;
    boolean[] special;
    NeoxAddedTokens rawAdded = NeoxAddedTokens.NONE;
    NeoxAddedTokens normalizedAdded = NeoxAddedTokens.NONE;
    boolean nfc;
    final int[] idOfByte = new int[256];
    BpeMerges merges;

    private NeoxTokenizerFile(String sourceName) {
        this.sourceName = sourceName;
    }

    static NeoxTokenizerFile parse(byte[] content, String sourceName) {
        NeoxTokenizerFile file = new NeoxTokenizerFile(sourceName);
        file.read(parseJson(content, sourceName), content.length);
        return file;
    }

    /** Strict UTF-8 (a leading byte-order mark is skipped), then JSON; errors give line and column. */
    private static Object parseJson(byte[] content, String sourceName) {
        String text;
        try {
            text = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(content))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new TokenizerFormatException(sourceName + ": expected UTF-8 JSON, found invalid UTF-8");
        }
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        try {
            return JsonParser.parse(text);
        } catch (JsonParser.JsonSyntaxException e) {
            int line = 1, lineStart = 0;
            for (int i = 0; i < e.offset() && i < text.length(); i++)
                if (text.charAt(i) == '\n') {
                    line++;
                    lineStart = i + 1;
                }
            throw new TokenizerFormatException(String.format(
                    "%s: malformed JSON at line %d, column %d: %s",
                    sourceName, line, e.offset() - lineStart + 1, e.reason()));
        }
    }

    /** {@code fileBytes} bounds the id space: the tables sized by the largest id stay proportional to the file. */
    private void read(Object json, int fileBytes) {
        Map<String, Object> root = asObject(json, "the top level");
        Map<String, Object> model = asObject(require(root, "model", ""), "model");
        checkModel(model);
        Map<String, Object> vocab = asObject(require(model, "vocab", "model."), "model.vocab");
        List<Object> mergeList = asArray(require(model, "merges", "model."), "model.merges");
        List<Object> addedList = asArray(require(root, "added_tokens", ""), "added_tokens");
        nfc = readNormalizer(require(root, "normalizer", ""));
        checkPreTokenizer(require(root, "pre_tokenizer", ""));

        // Token strings by id: the model vocabulary, then added tokens (some, like <|endoftext|>, are in both).
        int maxId = -1;
        for (Map.Entry<String, Object> entry : vocab.entrySet()) {
            // Messages are built only on failure: this loop and the merges run 50k times at load.
            if (!isId(entry.getValue())) {
                asId(entry.getValue(), "model.vocab[\"" + entry.getKey() + "\"]");
            }
            maxId = Math.max(maxId, ((Long) entry.getValue()).intValue());
        }
        List<AddedToken> added = new ArrayList<>();
        for (int k = 0; k < addedList.size(); k++) {
            AddedToken token = readAddedToken(addedList.get(k), "added_tokens[" + k + "]");
            added.add(token);
            maxId = Math.max(maxId, token.id);
        }
        // Every id is written in the file with its token ("t": id), so a dense vocabulary never has more ids than
        // the file has bytes; a larger id is corruption, refused before the tables sized by it are allocated.
        if (maxId >= fileBytes) {
            throw error("expected ids below " + fileBytes + " (the file's size in bytes), found id " + maxId);
        }
        vocabSize = maxId + 1;
        String[] tokens = new String[vocabSize];
        for (Map.Entry<String, Object> entry : vocab.entrySet()) {
            int id = ((Long) entry.getValue()).intValue();
            if (tokens[id] != null) {
                throw error("expected distinct ids in model.vocab, found id " + id + " for both \"" + tokens[id]
                        + "\" and \"" + entry.getKey() + "\"");
            }
            tokens[id] = entry.getKey();
        }
        special = new boolean[vocabSize];
        List<String> rawContents = new ArrayList<>();
        List<Integer> rawIds = new ArrayList<>();
        List<String> normContents = new ArrayList<>();
        List<Integer> normIds = new ArrayList<>();
        for (AddedToken token : added) {
            if (tokens[token.id] != null && !tokens[token.id].equals(token.content)) {
                throw error("expected added token id " + token.id + " to be \"" + tokens[token.id]
                        + "\" as in model.vocab, found \"" + token.content + "\"");
            }
            if (rawContents.contains(token.content) || normContents.contains(token.content)) {
                throw error("expected distinct added tokens, found \"" + token.content + "\" twice");
            }
            tokens[token.id] = token.content;
            special[token.id] = token.special;
            (token.normalized ? normContents : rawContents).add(token.content);
            (token.normalized ? normIds : rawIds).add(token.id);
        }
        rawAdded = new NeoxAddedTokens(
                rawContents, rawIds.stream().mapToInt(Integer::intValue).toArray());
        normalizedAdded = new NeoxAddedTokens(
                normContents, normIds.stream().mapToInt(Integer::intValue).toArray());

        bytesById = new byte[vocabSize][];
        for (int id = 0; id < vocabSize; id++) {
            if (tokens[id] != null) {
                bytesById[id] = tokenBytes(tokens[id]);
            }
            if (endOfText < 0 && NeoxTokenizer.END_OF_TEXT_CONTENT.equals(tokens[id])) {
                endOfText = id;
            }
        }
        if (endOfText < 0) {
            throw error("expected a token \"" + NeoxTokenizer.END_OF_TEXT_CONTENT + "\", found none");
        }
        for (int b = 0; b < 256; b++) {
            Object id = vocab.get(String.valueOf(BYTE_TO_CHAR[b]));
            // The 20B vocabulary has no token for bytes that never occur in UTF-8 (C0, C1, F5..FF).
            if (id == null && !occursInUtf8(b)) {
                idOfByte[b] = -1;
                continue;
            }
            if (id == null) {
                throw error(String.format(
                        "expected model.vocab to hold every byte that occurs in UTF-8, found none for 0x%02X (\"%c\")",
                        b, BYTE_TO_CHAR[b]));
            }
            idOfByte[b] = ((Long) id).intValue();
        }
        merges = readMerges(mergeList, vocab);
    }

    static boolean occursInUtf8(int b) {
        return b < 0xC0 || (b >= 0xC2 && b <= 0xF4);
    }

    /**
     * A token's bytes, as the reference's byte-level decoder gives them: a string entirely in the byte-level
     * alphabet maps back char by char; any other (the space-run tokens) stands for its own UTF-8.
     */
    private static byte[] tokenBytes(String token) {
        byte[] bytes = new byte[token.length()];
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            int b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
            if (b < 0) {
                return token.getBytes(StandardCharsets.UTF_8);
            }
            bytes[i] = (byte) b;
        }
        return bytes;
    }

    private BpeMerges readMerges(List<Object> mergeList, Map<String, Object> vocab) {
        BpeMerges result = new BpeMerges(mergeList.size());
        for (int rank = 0; rank < mergeList.size(); rank++) {
            Object entry = mergeList.get(rank);
            String left;
            String right;
            if (entry instanceof String s) {
                int space = s.indexOf(' ');
                if (space <= 0 || space == s.length() - 1 || s.indexOf(' ', space + 1) >= 0) {
                    throw error("expected model.merges[" + rank
                            + "] to be \"left right\" with exactly one space, found \"" + s + "\"");
                }
                left = s.substring(0, space);
                right = s.substring(space + 1);
            } else if (entry instanceof List<?> pair
                    && pair.size() == 2
                    && pair.get(0) instanceof String a
                    && pair.get(1) instanceof String b) {
                left = a;
                right = b;
            } else {
                throw error("expected model.merges[" + rank
                        + "] to be a string \"left right\" or a pair of strings, found " + describe(entry));
            }
            int leftId = vocabId(vocab, left, rank);
            int rightId = vocabId(vocab, right, rank);
            int mergedId = vocabId(vocab, left + right, rank);
            result.put(leftId, rightId, rank, mergedId);
        }
        return result;
    }

    private int vocabId(Map<String, Object> vocab, String token, int rank) {
        Object id = vocab.get(token);
        if (id == null) {
            throw error(
                    "expected model.vocab to hold \"" + token + "\" used by model.merges[" + rank + "], found none");
        }
        return ((Long) id).intValue();
    }

    private void checkModel(Map<String, Object> model) {
        Object type = model.get("type");
        if (type != null && !"BPE".equals(type)) {
            throw error("expected model.type \"BPE\", found " + describe(type));
        }
        requireAbsentOrNull(model, "dropout", "model.");
        requireAbsentOrEmpty(model, "continuing_subword_prefix", "model.");
        requireAbsentOrEmpty(model, "end_of_word_suffix", "model.");
        Object ignoreMerges = model.get("ignore_merges");
        if (Boolean.TRUE.equals(ignoreMerges)) {
            throw error("model.ignore_merges = true is not supported");
        }
    }

    private boolean readNormalizer(Object normalizer) {
        if (normalizer == JsonParser.NULL) {
            return false;
        }
        Map<String, Object> map = asObject(normalizer, "normalizer");
        Object type = require(map, "type", "normalizer.");
        if (!"NFC".equals(type)) {
            throw error("expected normalizer.type \"NFC\" (or a null normalizer), found " + describe(type)
                    + ", which is not supported");
        }
        return true;
    }

    private void checkPreTokenizer(Object preTokenizer) {
        Map<String, Object> map = asObject(preTokenizer, "pre_tokenizer");
        Object type = require(map, "type", "pre_tokenizer.");
        if (!"ByteLevel".equals(type)) {
            throw error(
                    "expected pre_tokenizer.type \"ByteLevel\", found " + describe(type) + ", which is not supported");
        }
        // The reference defaults add_prefix_space to true, which this tokenizer does not implement.
        Object prefix = require(map, "add_prefix_space", "pre_tokenizer.");
        if (!Boolean.FALSE.equals(prefix)) {
            throw error("expected pre_tokenizer.add_prefix_space false, found " + describe(prefix)
                    + ", which is not supported");
        }
        Object useRegex = map.get("use_regex");
        if (useRegex != null && !Boolean.TRUE.equals(useRegex)) {
            throw error("expected pre_tokenizer.use_regex true or absent, found " + describe(useRegex)
                    + ", which is not supported");
        }
    }

    private record AddedToken(int id, String content, boolean special, boolean normalized) {}

    private AddedToken readAddedToken(Object json, String where) {
        Map<String, Object> map = asObject(json, where);
        int id = asId(require(map, "id", where + "."), where + ".id");
        Object content = require(map, "content", where + ".");
        if (!(content instanceof String s) || s.isEmpty()) {
            throw error("expected " + where + ".content to be a non-empty string, found " + describe(content));
        }
        boolean isSpecial = asBoolean(require(map, "special", where + "."), where + ".special");
        // The reference's default: special tokens are matched before normalization, others after.
        Object normalized = map.get("normalized");
        boolean isNormalized = normalized == null ? !isSpecial : asBoolean(normalized, where + ".normalized");
        for (String option : new String[] {"single_word", "lstrip", "rstrip"}) {
            Object value = map.get(option);
            if (value != null && asBoolean(value, where + "." + option)) {
                throw error(where + "." + option + " = true is not supported");
            }
        }
        return new AddedToken(id, s, isSpecial, isNormalized);
    }

    private Object require(Map<String, Object> map, String key, String prefix) {
        Object value = map.get(key);
        if (value == null) {
            throw error("missing key " + prefix + key);
        }
        return value;
    }

    private void requireAbsentOrNull(Map<String, Object> map, String key, String prefix) {
        Object value = map.get(key);
        if (value != null && value != JsonParser.NULL) {
            throw error("expected " + prefix + key + " null, found " + describe(value) + ", which is not supported");
        }
    }

    private void requireAbsentOrEmpty(Map<String, Object> map, String key, String prefix) {
        Object value = map.get(key);
        if (value != null && value != JsonParser.NULL && !"".equals(value)) {
            throw error("expected " + prefix + key + " null, found " + describe(value) + ", which is not supported");
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> asObject(Object value, String what) {
        if (!(value instanceof Map)) {
            throw error("expected " + what + " to be an object, found " + describe(value));
        }
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private List<Object> asArray(Object value, String what) {
        if (!(value instanceof List)) {
            throw error("expected " + what + " to be an array, found " + describe(value));
        }
        return (List<Object>) value;
    }

    private boolean asBoolean(Object value, String what) {
        if (!(value instanceof Boolean b)) {
            throw error("expected " + what + " to be true or false, found " + describe(value));
        }
        return b;
    }

    private static boolean isId(Object value) {
        return value instanceof Long n && n >= 0 && n <= MAX_ID;
    }

    private int asId(Object value, String what) {
        if (!isId(value)) {
            throw error("expected " + what + " to be an id 0.." + MAX_ID + ", found " + describe(value));
        }
        return ((Long) value).intValue();
    }

    private static String describe(Object value) {
        if (value instanceof Map) {
            return "an object";
        }
        if (value instanceof List) {
            return "an array";
        }
        if (value instanceof String s) {
            return "\"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
        }
        return String.valueOf(value);
    }

    private TokenizerFormatException error(String message) {
        return new TokenizerFormatException(sourceName + ": " + message);
    }
}
