package io.rwkvx.model;

/**
 * Geometry of a model, derived from its tensors.
 *
 * @param arch     the model family
 * @param nLayer   blocks (RWKV-X: the RWKV-7 blocks)
 * @param nEmbd    C, the embedding width
 * @param nHead    H, heads of the time mix
 * @param nVocab   the vocabulary size, rows of the embedding and of the head
 * @param headSize N; {@code nEmbd == nHead * headSize} (RWKV-4 has no heads: nHead 1, headSize C)
 * @param ffnSize  hidden size of the channel mix
 * @param nAttnLayer RWKV-X: attention blocks (A; nLayer counts the RWKV-7 blocks R); 0 for other architectures
 */
public record ModelConfig(
        Architecture arch, int nLayer, int nEmbd, int nHead, int headSize, int nVocab, int ffnSize, int nAttnLayer) {
    /**
     * A model without attention blocks.
     *
     * @param arch     the model family; not {@link Architecture#HYBRID}
     * @param nLayer   blocks
     * @param nEmbd    C, the embedding width
     * @param nHead    H, heads of the time mix
     * @param headSize N; {@code nEmbd == nHead * headSize}
     * @param nVocab   the vocabulary size
     * @param ffnSize  hidden size of the channel mix
     * @throws IllegalArgumentException as the canonical constructor
     */
    public ModelConfig(Architecture arch, int nLayer, int nEmbd, int nHead, int headSize, int nVocab, int ffnSize) {
        this(arch, nLayer, nEmbd, nHead, headSize, nVocab, ffnSize, 0);
    }

    /**
     * Checks the geometry.
     *
     * @throws IllegalArgumentException if a dimension is not positive, {@code nHead * headSize != nEmbd},
     *                                  or the attention blocks do not fit the architecture (RWKV-X needs
     *                                  some, dividing {@code nLayer}; the others none)
     */
    public ModelConfig {
        if (nAttnLayer < 0 || (nAttnLayer > 0) != (arch == Architecture.HYBRID))
            throw new IllegalArgumentException("n_attn_layer " + nAttnLayer + " does not fit " + arch);
        if (arch == Architecture.HYBRID && nLayer % nAttnLayer != 0)
            throw new IllegalArgumentException("RWKV-X layout: " + nLayer + " RWKV layers are not divisible by "
                    + nAttnLayer + " attention layers");
        if (nLayer <= 0 || nEmbd <= 0 || nHead <= 0 || headSize <= 0 || nVocab <= 0 || ffnSize <= 0)
            throw new IllegalArgumentException("non-positive model dimension in " + this);
        if (nHead * headSize != nEmbd)
            throw new IllegalArgumentException("n_head " + nHead + " * head_size " + headSize + " != n_embd " + nEmbd);
    }

    /**
     * Floats of the recurrent state in the export layout ({@code rwkvx_state_export}): per layer 2 token
     * shifts, then RWKV-5.2/6/7: the H·N·N WKV state; RWKV-4: aa, bb and pp of C floats each.
     *
     * @return the float count; for RWKV-X, with empty KV caches
     */
    public long stateFloats() {
        // RWKV-X (empty KV caches): int64 header [A, L_0..L_{A-1}] as float pairs, RWKV-7 layers, A ffn shifts.
        if (arch == Architecture.HYBRID)
            return (long) nLayer * layerStateFloats() + 2L * (1 + nAttnLayer) + (long) nAttnLayer * nEmbd;
        return (long) nLayer * layerStateFloats();
    }

    /**
     * The size of one layer's block of the state export layout.
     *
     * @return floats of one RWKV layer's block: its token shifts and WKV state
     */
    public long layerStateFloats() {
        return switch (arch) {
            case RWKV4 -> 5L * nEmbd;
            case RWKV5, RWKV6, RWKV7, HYBRID -> 2L * nEmbd + (long) nHead * headSize * headSize;
        };
    }
}
