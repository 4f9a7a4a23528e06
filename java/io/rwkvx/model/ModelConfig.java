package io.rwkvx.model;

/**
 * Geometry of a model, derived from its tensors.
 *
 * @param headSize N; {@code nEmbd == nHead * headSize}
 * @param ffnSize  hidden size of the channel mix
 */
public record ModelConfig(Architecture arch, int nLayer, int nEmbd, int nHead, int headSize, int nVocab, int ffnSize) {
    public ModelConfig {
        if (nLayer <= 0 || nEmbd <= 0 || nHead <= 0 || headSize <= 0 || nVocab <= 0 || ffnSize <= 0)
            throw new IllegalArgumentException("non-positive model dimension in " + this);
        if (nHead * headSize != nEmbd)
            throw new IllegalArgumentException("n_head " + nHead + " * head_size " + headSize + " != n_embd " + nEmbd);
    }

    /** Floats of the recurrent state in the export layout: per layer 2 token shifts + H·N·N WKV. */
    public long stateFloats() {
        return (long) nLayer * (2L * nEmbd + (long) nHead * headSize * headSize);
    }
}
