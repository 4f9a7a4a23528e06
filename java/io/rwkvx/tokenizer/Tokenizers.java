package io.rwkvx.tokenizer;

/** Picks the tokenizer that matches a model's vocabulary size. */
public final class Tokenizers {
    /** n_vocab of RWKV-4 Pile models whose embedding is padded from 50277 to 50304 rows. */
    public static final int PILE_PADDED_VOCAB_SIZE = 50304;

    private Tokenizers() {}

    /**
     * The tokenizer for a model with {@code nVocab} ids: 256 → {@link ByteTokenizer}, 50277 (or the padded 50304) → the bundled
     * GPT-NeoX-20B {@link NeoxTokenizer} (RWKV-4 Pile), 65536 → the bundled {@link WorldTokenizer}.
     *
     * @param nVocab the model's vocabulary size
     * @return the matching tokenizer; the bundled ones are loaded once and shared
     * @throws IllegalArgumentException for any other size
     */
    public static Tokenizer forVocabSize(int nVocab) {
        return switch (nVocab) {
            case ByteTokenizer.VOCAB_SIZE -> new ByteTokenizer();
            case NeoxTokenizer.VOCAB_SIZE -> NeoxTokenizer.bundled();
            // RWKV-4 Pile checkpoints padded to a multiple of 64; the extra ids are never produced.
            case PILE_PADDED_VOCAB_SIZE -> NeoxTokenizer.bundled();
            case WorldTokenizer.VOCAB_SIZE -> WorldTokenizer.bundled();
            default ->
                throw new IllegalArgumentException("no tokenizer for vocabulary size " + nVocab
                        + "; known sizes are " + ByteTokenizer.VOCAB_SIZE + " (byte-level), "
                        + NeoxTokenizer.VOCAB_SIZE + " (GPT-NeoX-20B, RWKV-4 Pile) and "
                        + WorldTokenizer.VOCAB_SIZE + " (RWKV World)");
        };
    }
}
