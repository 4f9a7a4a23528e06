package io.rwkvx.format;

import io.rwkvx.common.RwkvxException;

/** A model file that cannot be read: the message names the file, tensor, offset and expected vs found. */
public class ModelFormatException extends RwkvxException {
    public ModelFormatException(String message) {
        super(message);
    }

    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
