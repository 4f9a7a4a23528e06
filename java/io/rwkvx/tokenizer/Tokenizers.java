package io.rwkvx.tokenizer;

/** Picks the tokenizer that matches a model's vocabulary size. */
public final class Tokenizers {
    private Tokenizers() {}

    /**
     * The tokenizer for a model with {@code nVocab} ids: 256 → {@link ByteTokenizer}, 50277 → the bundled
     * GPT-NeoX-20B {@link NeoxTokenizer} (RWKV-4 Pile), 65536 → the bundled {@link WorldTokenizer}.
     *
     * @throws IllegalArgumentException for any other size
     */
    public static Tokenizer forVocabSize(int nVocab) {
        return switch (nVocab) {
            case ByteTokenizer.VOCAB_SIZE -> new ByteTokenizer();
            case NeoxTokenizer.VOCAB_SIZE -> NeoxTokenizer.bundled();
            case WorldTokenizer.VOCAB_SIZE -> WorldTokenizer.bundled();
            default -> throw new IllegalArgumentException("no tokenizer for vocabulary size " + nVocab
                    + "; known sizes are " + ByteTokenizer.VOCAB_SIZE + " (byte-level), "
                    + NeoxTokenizer.VOCAB_SIZE + " (GPT-NeoX-20B, RWKV-4 Pile) and "
                    + WorldTokenizer.VOCAB_SIZE + " (RWKV World)");
        };
    }
}
