package io.rwkvx;

import io.rwkvx.sampling.SamplerConfig;
import java.util.List;

/**
 * How to generate.
 *
 * @param maxTokens        upper bound on generated tokens, &gt;= 0
 * @param sampler          sampling settings (seeded: the same seed gives the same text)
 * @param stopStrings      generation stops before any of these; they are not emitted (copied; none may be empty)
 * @param stopAtEndOfText  stop on the end-of-text token (World vocab id 0); otherwise it is banned
 */
public record GenerationOptions(
        int maxTokens, SamplerConfig sampler, List<String> stopStrings, boolean stopAtEndOfText) {
    /**
     * Checks the options and copies the stop strings.
     *
     * @throws IllegalArgumentException if {@code maxTokens} is negative or {@code sampler} is null
     * @throws NullPointerException     if {@code stopStrings} or one of them is null
     */
    public GenerationOptions {
        if (maxTokens < 0) throw new IllegalArgumentException("maxTokens must be >= 0, got " + maxTokens);
        if (sampler == null) throw new IllegalArgumentException("sampler is null");
        stopStrings = List.copyOf(stopStrings);
    }

    /**
     * The options of a plain generation.
     *
     * @return at most 200 tokens, {@link SamplerConfig#defaults()}, no stop strings, stop at end of text
     */
    public static GenerationOptions defaults() {
        return new GenerationOptions(200, SamplerConfig.defaults(), List.of(), true);
    }

    /**
     * The same options with another token limit.
     *
     * @param n upper bound on generated tokens, &gt;= 0
     * @return new options
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public GenerationOptions withMaxTokens(int n) {
        return new GenerationOptions(n, sampler, stopStrings, stopAtEndOfText);
    }

    /**
     * The same options with other sampling settings.
     *
     * @param s the sampling settings, not null
     * @return new options
     * @throws IllegalArgumentException if {@code s} is null
     */
    public GenerationOptions withSampler(SamplerConfig s) {
        return new GenerationOptions(maxTokens, s, stopStrings, stopAtEndOfText);
    }

    /**
     * The same options with other stop strings.
     *
     * @param stops strings that end the generation, not emitted; may be empty, none may be the empty string
     * @return new options
     * @throws NullPointerException if {@code stops} or one of them is null
     */
    public GenerationOptions withStopStrings(List<String> stops) {
        return new GenerationOptions(maxTokens, sampler, stops, stopAtEndOfText);
    }

    /**
     * The same options with another end-of-text rule.
     *
     * @param stop true to stop on the end-of-text token, false to ban it
     * @return new options
     */
    public GenerationOptions withStopAtEndOfText(boolean stop) {
        return new GenerationOptions(maxTokens, sampler, stopStrings, stop);
    }
}
