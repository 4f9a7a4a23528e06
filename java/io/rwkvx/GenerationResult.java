package io.rwkvx;

/**
 * What a generation produced.
 *
 * @param text          the emitted text (stop string excluded)
 * @param tokens        the generated token ids (the end-of-text token that stopped it not included)
 * @param stopReason    why it ended
 * @param promptTokens  tokens fed before generating
 * @param prefillNanos  time spent on the prompt, in nanoseconds
 * @param decodeNanos   time spent generating, in nanoseconds
 */
public record GenerationResult(
        String text, int[] tokens, StopReason stopReason, int promptTokens, long prefillNanos, long decodeNanos) {
    /** Why a generation ended. */
    public enum StopReason {
        /** It generated {@link GenerationOptions#maxTokens()} tokens. */
        MAX_TOKENS,
        /** The model produced the end-of-text token (with {@link GenerationOptions#stopAtEndOfText()}). */
        END_OF_TEXT,
        /** The text reached one of {@link GenerationOptions#stopStrings()}. */
        STOP_STRING,
        /** {@link Session.TextStream#cancel()} stopped it. */
        CANCELLED
    }

    /**
     * The decode speed.
     *
     * @return generated tokens per second of decode time (0 if none was measured)
     */
    public double decodeTokensPerSecond() {
        return decodeNanos == 0 ? 0 : tokens.length * 1e9 / decodeNanos;
    }

    /**
     * The prefill speed.
     *
     * @return prompt tokens per second of prefill time (0 if none was measured)
     */
    public double prefillTokensPerSecond() {
        return prefillNanos == 0 ? 0 : promptTokens * 1e9 / prefillNanos;
    }
}
