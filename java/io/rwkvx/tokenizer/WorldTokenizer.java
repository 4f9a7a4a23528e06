package io.rwkvx.tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Tokenizer of the RWKV World models (RWKV-5/6/7 World, RWKV-X): vocabulary {@code rwkv_vocab_v20230424.txt},
 * 65536 ids, greedy longest-match encoding over UTF-8 bytes (docs/formats.md §9.2, §9.3). Id 0 is
 * end-of-text: it has no bytes, the encoder never produces it and the decoder drops it. Text such as
 * {@code <|endoftext|>} is encoded as ordinary bytes. Instances are immutable and thread-safe.
 */
public final class WorldTokenizer implements Tokenizer {
    /** Number of ids of the World vocabulary, the World models' n_vocab. */
    public static final int VOCAB_SIZE = 65536;
    /** Id of end of text; it has no bytes. */
    public static final int END_OF_TEXT = 0;
    /** Classpath location of the vocabulary that ships with rwkvx. */
    public static final String BUNDLED_RESOURCE = "/io/rwkvx/models/rwkv_vocab_v20230424.txt";

    private static final byte[] NO_BYTES = new byte[0];
    private static volatile WorldTokenizer bundled;

    private final byte[][] tokensById;
    private final ByteTrie trie;
    private final String sourceName;

    private WorldTokenizer(byte[][] tokensById, ByteTrie trie, String sourceName) {
        this.tokensById = tokensById;
        this.trie = trie;
        this.sourceName = sourceName;
    }

    /**
     * Reads a vocabulary file.
     *
     * @param path a file in the format of {@code rwkv_vocab_v20230424.txt} (docs/formats.md §9.2)
     * @return the tokenizer
     * @throws IOException              if the file cannot be read
     * @throws TokenizerFormatException if the file is malformed
     */
    public static WorldTokenizer load(Path path) throws IOException {
        return fromBytes(Files.readAllBytes(path), path.toString());
    }

    /**
     * Reads a vocabulary from a stream (not closed here).
     *
     * @param in         the file's content, read to its end
     * @param sourceName where the stream comes from, for error messages
     * @return the tokenizer
     * @throws IOException              if the stream cannot be read
     * @throws TokenizerFormatException if the content is malformed
     */
    public static WorldTokenizer load(InputStream in, String sourceName) throws IOException {
        return fromBytes(in.readAllBytes(), sourceName);
    }

    /**
     * The vocabulary bundled on the classpath ({@link #BUNDLED_RESOURCE}), loaded on first use and then shared.
     *
     * @return the World tokenizer of {@link #VOCAB_SIZE} ids
     * @throws IllegalStateException if the resource is missing from the classpath
     */
    public static WorldTokenizer bundled() {
        WorldTokenizer result = bundled;
        if (result == null) {
            synchronized (WorldTokenizer.class) {
                result = bundled;
                if (result == null) {
                    result = loadBundled();
                    bundled = result;
                }
            }
        }
        return result;
    }

    private static WorldTokenizer loadBundled() {
        try (InputStream in = WorldTokenizer.class.getResourceAsStream(BUNDLED_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("bundled vocabulary " + BUNDLED_RESOURCE + " is not on the classpath");
            }
            return load(in, "classpath:" + BUNDLED_RESOURCE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read bundled vocabulary " + BUNDLED_RESOURCE, e);
        }
    }

    private static WorldTokenizer fromBytes(byte[] content, String sourceName) {
        byte[][] tokensById = WorldVocabParser.parse(content, sourceName, VOCAB_SIZE);
        ByteTrie trie;
        try {
            trie = ByteTrie.build(tokensById);
        } catch (IllegalArgumentException e) {
            throw new TokenizerFormatException(
                    sourceName + ": expected distinct byte strings, found " + e.getMessage());
        }
        requireEverySingleByte(sourceName, tokensById);
        return new WorldTokenizer(tokensById, trie, sourceName);
    }

    /** Greedy matching can only get stuck on a byte that is not a token of its own, so rule that out. */
    private static void requireEverySingleByte(String sourceName, byte[][] tokensById) {
        boolean[] present = new boolean[256];
        for (byte[] token : tokensById) {
            if (token != null && token.length == 1) {
                present[token[0] & 0xFF] = true;
            }
        }
        for (int value = 0; value < 256; value++) {
            if (!present[value]) {
                throw new TokenizerFormatException(String.format(
                        "%s: expected a token for every single byte, found none for 0x%02X", sourceName, value));
            }
        }
    }

    @Override
    public int[] encodeBytes(byte[] bytes) {
        return trie.tokenize(bytes);
    }

    @Override
    public byte[] decodeBytes(int[] ids) {
        int length = 0;
        for (int position = 0; position < ids.length; position++) {
            length += tokenBytes(ids[position], position).length;
        }
        byte[] bytes = new byte[length];
        int offset = 0;
        for (int position = 0; position < ids.length; position++) {
            byte[] token = tokenBytes(ids[position], position);
            System.arraycopy(token, 0, bytes, offset, token.length);
            offset += token.length;
        }
        return bytes;
    }

    private byte[] tokenBytes(int id, int position) {
        if (id < 0 || id >= VOCAB_SIZE) {
            throw new IllegalArgumentException(
                    "token id " + id + " at position " + position + " is out of range 0.." + (VOCAB_SIZE - 1));
        }
        if (id == END_OF_TEXT) {
            return NO_BYTES;
        }
        byte[] token = tokensById[id];
        if (token == null) {
            throw new IllegalArgumentException(
                    "token id " + id + " at position " + position + " has no bytes in " + sourceName);
        }
        return token;
    }

    @Override
    public int vocabSize() {
        return VOCAB_SIZE;
    }

    @Override
    public String name() {
        return "world(" + sourceName + ")";
    }

    @Override
    public boolean isEndOfText(int id) {
        return id == END_OF_TEXT;
    }

    /**
     * Counts the ids in use.
     *
     * @return the number of ids that have a byte string (65,529 for the bundled vocabulary)
     */
    public int tokenCount() {
        int count = 0;
        for (byte[] token : tokensById) {
            if (token != null) {
                count++;
            }
        }
        return count;
    }
}
