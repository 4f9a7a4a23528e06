package io.rwkvx;

import io.rwkvx.sampling.SamplerConfig;
import java.util.List;

/**
 * How to generate.
 *
 * @param maxTokens        upper bound on generated tokens
 * @param sampler          sampling settings (seeded: the same seed gives the same text)
 * @param stopStrings      generation stops before any of these; they are not emitted
 * @param stopAtEndOfText  stop on the end-of-text token (World vocab id 0); otherwise it is banned
 */
public record GenerationOptions(
        int maxTokens, SamplerConfig sampler, List<String> stopStrings, boolean stopAtEndOfText) {
    public GenerationOptions {
        if (maxTokens < 0) throw new IllegalArgumentException("maxTokens must be >= 0, got " + maxTokens);
        if (sampler == null) throw new IllegalArgumentException("sampler is null");
        stopStrings = List.copyOf(stopStrings);
    }

    public static GenerationOptions defaults() {
        return new GenerationOptions(200, SamplerConfig.defaults(), List.of(), true);
    }

    public GenerationOptions withMaxTokens(int n) {
        return new GenerationOptions(n, sampler, stopStrings, stopAtEndOfText);
    }

    public GenerationOptions withSampler(SamplerConfig s) {
        return new GenerationOptions(maxTokens, s, stopStrings, stopAtEndOfText);
    }

    public GenerationOptions withStopStrings(List<String> stops) {
        return new GenerationOptions(maxTokens, sampler, stops, stopAtEndOfText);
    }

    public GenerationOptions withStopAtEndOfText(boolean stop) {
        return new GenerationOptions(maxTokens, sampler, stopStrings, stop);
    }
}
