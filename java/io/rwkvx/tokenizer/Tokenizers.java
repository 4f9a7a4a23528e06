package io.rwkvx.tokenizer;

/** Picks the tokenizer that matches a model's vocabulary size. */
public final class Tokenizers {
    private Tokenizers() {}

    /**
     * The tokenizer for a model with {@code nVocab} ids: 256 → {@link ByteTokenizer}, 65536 → the
     * bundled {@link WorldTokenizer}.
     *
     * @throws IllegalArgumentException for any other size
     */
    public static Tokenizer forVocabSize(int nVocab) {
        return switch (nVocab) {
            case ByteTokenizer.VOCAB_SIZE -> new ByteTokenizer();
            case WorldTokenizer.VOCAB_SIZE -> WorldTokenizer.bundled();
            default -> throw new IllegalArgumentException("no tokenizer for vocabulary size " + nVocab
                    + "; known sizes are " + ByteTokenizer.VOCAB_SIZE + " (byte-level) and "
                    + WorldTokenizer.VOCAB_SIZE + " (RWKV World)");
        };
    }
}
