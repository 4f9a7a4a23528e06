package io.rwkvx.model;

/**
 * Geometry of a model, derived from its tensors.
 *
 * @param headSize N; {@code nEmbd == nHead * headSize} (RWKV-4 has no heads: nHead 1, headSize C)
 * @param ffnSize  hidden size of the channel mix
 */
public record ModelConfig(Architecture arch, int nLayer, int nEmbd, int nHead, int headSize, int nVocab, int ffnSize) {
    public ModelConfig {
        if (nLayer <= 0 || nEmbd <= 0 || nHead <= 0 || headSize <= 0 || nVocab <= 0 || ffnSize <= 0)
            throw new IllegalArgumentException("non-positive model dimension in " + this);
        if (nHead * headSize != nEmbd)
            throw new IllegalArgumentException("n_head " + nHead + " * head_size " + headSize + " != n_embd " + nEmbd);
    }

    /**
     * Floats of the recurrent state in the export layout ({@code rwkvx_state_export}): per layer 2 token
     * shifts, then RWKV-7: the H·N·N WKV state; RWKV-4: aa, bb and pp of C floats each.
     */
    public long stateFloats() {
        return (long) nLayer * layerStateFloats();
    }

    /** Floats of one layer's block of the state export layout. */
    public long layerStateFloats() {
        return switch (arch) {
            case RWKV4 -> 5L * nEmbd;
            case RWKV7 -> 2L * nEmbd + (long) nHead * headSize * headSize;
        };
    }
}
