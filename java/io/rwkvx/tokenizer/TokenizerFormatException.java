package io.rwkvx.tokenizer;

import io.rwkvx.common.RwkvxException;

/** A vocabulary file that cannot be read: the message names the source, line, and expected vs found. */
public class TokenizerFormatException extends RwkvxException {
    public TokenizerFormatException(String message) {
        super(message);
    }
}
