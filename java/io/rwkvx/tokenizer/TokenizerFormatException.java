package io.rwkvx.tokenizer;

import io.rwkvx.common.RwkvxException;

/** A vocabulary file that cannot be read: the message names the source, line, and expected vs found. */
public class TokenizerFormatException extends RwkvxException {
    /**
     * A vocabulary error.
     *
     * @param message the source, the line and what was expected versus found
     */
    public TokenizerFormatException(String message) {
        super(message);
    }
}
