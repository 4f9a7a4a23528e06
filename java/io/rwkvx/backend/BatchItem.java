package io.rwkvx.backend;

import java.lang.foreign.MemorySegment;

/**
 * One sequence of {@link ModelExecutor#evalBatch}: run {@code tokens} from {@code state} (updated in place) and
 * write the logits {@code mode} asks for into {@code logits}, as {@link ModelExecutor#eval} does.
 */
public record BatchItem(BackendState state, int[] tokens, MemorySegment logits, LogitsMode mode) {
    public BatchItem {
        if (state == null) throw new IllegalArgumentException("batch item without a state");
        if (tokens == null || tokens.length == 0) throw new IllegalArgumentException("batch item without tokens");
        if (mode == null) throw new IllegalArgumentException("batch item without a logits mode");
    }
}
