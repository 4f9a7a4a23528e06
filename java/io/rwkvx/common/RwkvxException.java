package io.rwkvx.common;

/** Base of every exception rwkvx throws; the message says what was wrong and where. */
public class RwkvxException extends RuntimeException {
    /**
     * An error without a cause.
     *
     * @param message what was wrong and where, e.g. the native library's message
     */
    public RwkvxException(String message) {
        super(message);
    }

    /**
     * An error caused by another, e.g. an I/O error while reading a model.
     *
     * @param message what was wrong and where
     * @param cause   the underlying exception
     */
    public RwkvxException(String message, Throwable cause) {
        super(message, cause);
    }
}
