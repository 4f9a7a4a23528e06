package io.rwkvx;

/**
 * What a generation produced.
 *
 * @param text          the emitted text (stop string excluded)
 * @param tokens        the generated token ids
 * @param stopReason    why it ended
 * @param promptTokens  tokens fed before generating
 * @param prefillNanos  time spent on the prompt
 * @param decodeNanos   time spent generating
 */
public record GenerationResult(
        String text, int[] tokens, StopReason stopReason, int promptTokens, long prefillNanos, long decodeNanos) {
    public enum StopReason {
        MAX_TOKENS,
        END_OF_TEXT,
        STOP_STRING,
        /** {@link Session.TextStream#cancel()} stopped it. */
        CANCELLED
    }

    public double decodeTokensPerSecond() {
        return decodeNanos == 0 ? 0 : tokens.length * 1e9 / decodeNanos;
    }

    public double prefillTokensPerSecond() {
        return prefillNanos == 0 ? 0 : promptTokens * 1e9 / prefillNanos;
    }
}
