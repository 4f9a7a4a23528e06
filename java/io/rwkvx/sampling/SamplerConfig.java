package io.rwkvx.sampling;

/**
 * Settings of a {@link Sampler}. Every field has an "off" value, so a config only
 * changes the stages it names.
 *
 * @param temperature       divides the logits; 0 means greedy (argmax, ties to the lowest id)
 * @param topK              keep only the {@code topK} highest logits; 0 = off
 * @param topP              nucleus sampling: keep the smallest set of most likely tokens whose
 *                          probability mass reaches {@code topP}; 1 = off, must lie in (0, 1]
 * @param minP              drop tokens whose probability is below {@code minP} times the largest
 *                          probability; 0 = off, must lie in [0, 1)
 * @param repetitionPenalty llama.cpp / CTRL style: for each distinct recent token a positive
 *                          logit is divided by it, a non-positive one multiplied; 1 = off, must be &gt; 0
 * @param presencePenalty   OpenAI / RWKV style: subtracted once from the logit of every recent token
 * @param frequencyPenalty  OpenAI / RWKV style: subtracted once per occurrence of a recent token
 * @param penaltyWindow     how many of the most recent tokens the penalties look at; 0 = all
 * @param seed              seed of the random generator; equal seeds give equal draws
 */
public record SamplerConfig(
        double temperature,
        int topK,
        double topP,
        double minP,
        double repetitionPenalty,
        double presencePenalty,
        double frequencyPenalty,
        int penaltyWindow,
        long seed) {

    public SamplerConfig {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw invalid("temperature", temperature, "finite and >= 0");
        }
        if (topK < 0) {
            throw invalid("topK", topK, ">= 0");
        }
        if (!(topP > 0 && topP <= 1)) {
            throw invalid("topP", topP, "in (0, 1]");
        }
        if (!(minP >= 0 && minP < 1)) {
            throw invalid("minP", minP, "in [0, 1)");
        }
        if (!(repetitionPenalty > 0) || Double.isInfinite(repetitionPenalty)) {
            throw invalid("repetitionPenalty", repetitionPenalty, "finite and > 0");
        }
        if (!Double.isFinite(presencePenalty)) {
            throw invalid("presencePenalty", presencePenalty, "finite");
        }
        if (!Double.isFinite(frequencyPenalty)) {
            throw invalid("frequencyPenalty", frequencyPenalty, "finite");
        }
        if (penaltyWindow < 0) {
            throw invalid("penaltyWindow", penaltyWindow, ">= 0");
        }
    }

    /** Temperature 1 with every filter and penalty off, seed 0. */
    public static SamplerConfig defaults() {
        return new SamplerConfig(1, 0, 1, 0, 1, 0, 0, 0, 0);
    }

    /** Always picks the highest logit (ties to the lowest token id); penalties off. */
    public static SamplerConfig greedy() {
        return defaults().withTemperature(0);
    }

    /** True when no penalty would change any logit, so recording tokens is pointless. */
    public boolean penaltiesOff() {
        return repetitionPenalty == 1 && presencePenalty == 0 && frequencyPenalty == 0;
    }

    public SamplerConfig withTemperature(double value) {
        return new SamplerConfig(
                value, topK, topP, minP, repetitionPenalty, presencePenalty, frequencyPenalty, penaltyWindow, seed);
    }

    public SamplerConfig withTopK(int value) {
        return new SamplerConfig(
                temperature,
                value,
                topP,
                minP,
                repetitionPenalty,
                presencePenalty,
                frequencyPenalty,
                penaltyWindow,
                seed);
    }

    public SamplerConfig withTopP(double value) {
        return new SamplerConfig(
                temperature,
                topK,
                value,
                minP,
                repetitionPenalty,
                presencePenalty,
                frequencyPenalty,
                penaltyWindow,
                seed);
    }

    public SamplerConfig withMinP(double value) {
        return new SamplerConfig(
                temperature,
                topK,
                topP,
                value,
                repetitionPenalty,
                presencePenalty,
                frequencyPenalty,
                penaltyWindow,
                seed);
    }

    public SamplerConfig withRepetitionPenalty(double value) {
        return new SamplerConfig(
                temperature, topK, topP, minP, value, presencePenalty, frequencyPenalty, penaltyWindow, seed);
    }

    public SamplerConfig withPresencePenalty(double value) {
        return new SamplerConfig(
                temperature, topK, topP, minP, repetitionPenalty, value, frequencyPenalty, penaltyWindow, seed);
    }

    public SamplerConfig withFrequencyPenalty(double value) {
        return new SamplerConfig(
                temperature, topK, topP, minP, repetitionPenalty, presencePenalty, value, penaltyWindow, seed);
    }

    public SamplerConfig withPenaltyWindow(int value) {
        return new SamplerConfig(
                temperature, topK, topP, minP, repetitionPenalty, presencePenalty, frequencyPenalty, value, seed);
    }

    public SamplerConfig withSeed(long value) {
        return new SamplerConfig(
                temperature,
                topK,
                topP,
                minP,
                repetitionPenalty,
                presencePenalty,
                frequencyPenalty,
                penaltyWindow,
                value);
    }

    private static IllegalArgumentException invalid(String field, Object value, String rule) {
        return new IllegalArgumentException("SamplerConfig." + field + " must be " + rule + ", got " + value);
    }
}
