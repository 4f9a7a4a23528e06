package io.rwkvx.backend;

/** Which logits an evaluation writes; {@link #code} equals {@code rwkvx_logits_mode}. */
public enum LogitsMode {
    /** None: prefill only. */
    NONE(0),
    /** {@code n_vocab} floats after the last token. */
    LAST(1),
    /** {@code n_tokens * n_vocab} floats, one row per token. */
    ALL(2);

    /** The value of {@code rwkvx_logits_mode} in {@code include/rwkvx.h}. */
    public final int code;

    LogitsMode(int code) {
        this.code = code;
    }
}
