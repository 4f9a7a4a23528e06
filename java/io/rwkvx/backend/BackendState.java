package io.rwkvx.backend;

import java.lang.foreign.MemorySegment;

/**
 * Recurrent state of one sequence. Host export layout (fp32), per layer: att token shift [C],
 * ffn token shift [C], WKV state [H][N key][N value]. Not thread-safe.
 */
public interface BackendState extends AutoCloseable {
    /** Bytes of the export layout. */
    long byteSize();

    void reset();

    /** An independent copy. */
    BackendState copy();

    /** Writes the export layout into {@code dst} ({@link #byteSize()} bytes). */
    void exportTo(MemorySegment dst);

    /** Replaces the state from the export layout; rejects non-finite values. */
    void importFrom(MemorySegment src);

    @Override
    void close();
}
