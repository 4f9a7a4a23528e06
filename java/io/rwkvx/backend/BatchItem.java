package io.rwkvx.backend;

import java.lang.foreign.MemorySegment;

/**
 * One sequence of {@link ModelExecutor#evalBatch}: run {@code tokens} from {@code state} (updated in place) and
 * write the logits {@code mode} asks for into {@code logits}, as {@link ModelExecutor#eval} does.
 *
 * @param state  the sequence's state, updated in place; no other item of the batch may hold it
 * @param tokens the token ids to run, at least one, each in {@code [0, n_vocab)}
 * @param logits native floats for {@code mode}: {@code n_vocab} (LAST) or {@code tokens.length * n_vocab} (ALL);
 *               ignored, and may be null, for NONE
 * @param mode   which logits to write
 */
public record BatchItem(BackendState state, int[] tokens, MemorySegment logits, LogitsMode mode) {
    /**
     * Checks the item.
     *
     * @throws IllegalArgumentException if the state or mode is null, or there are no tokens
     */
    public BatchItem {
        if (state == null) throw new IllegalArgumentException("batch item without a state");
        if (tokens == null || tokens.length == 0) throw new IllegalArgumentException("batch item without tokens");
        if (mode == null) throw new IllegalArgumentException("batch item without a logits mode");
    }
}
