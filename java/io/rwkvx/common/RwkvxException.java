package io.rwkvx.common;

/** Base of every exception rwkvx throws; the message says what was wrong and where. */
public class RwkvxException extends RuntimeException {
    public RwkvxException(String message) {
        super(message);
    }

    public RwkvxException(String message, Throwable cause) {
        super(message, cause);
    }
}
