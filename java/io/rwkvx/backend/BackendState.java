package io.rwkvx.backend;

import java.lang.foreign.MemorySegment;

/**
 * Recurrent state of one sequence. Host export layout (fp32), per layer: att token shift [C],
 * ffn token shift [C], WKV state [H][N key][N value]. Not thread-safe.
 */
public interface BackendState extends AutoCloseable {
    /**
     * The size of the export layout.
     *
     * @return bytes that {@link #exportTo} writes and {@link #importFrom} reads
     */
    long byteSize();

    /** Returns the state to the model's start of sequence, as a fresh {@link ModelExecutor#newState()}. */
    void reset();

    /**
     * Copies the state.
     *
     * @return an independent copy of the same executor; the caller owns and closes it
     */
    BackendState copy();

    /**
     * Writes the export layout into {@code dst}.
     *
     * @param dst at least {@link #byteSize()} bytes (a smaller one is refused); only the first
     *            {@link #byteSize()} are written
     */
    void exportTo(MemorySegment dst);

    /**
     * Replaces the state from the export layout.
     *
     * @param src exactly {@link #byteSize()} bytes written by {@link #exportTo} of a state of the same model
     * @throws io.rwkvx.common.RwkvxException if the size differs or a value is not finite
     */
    void importFrom(MemorySegment src);

    /** Frees the state; idempotent. */
    @Override
    void close();
}
