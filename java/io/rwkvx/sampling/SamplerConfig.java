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

    /**
     * Checks the settings.
     *
     * @throws IllegalArgumentException naming the first setting outside its range (see the components)
     */
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

    /**
     * Plain sampling from the model's distribution.
     *
     * @return temperature 1 with every filter and penalty off, seed 0
     */
    public static SamplerConfig defaults() {
        return new SamplerConfig(1, 0, 1, 0, 1, 0, 0, 0, 0);
    }

    /**
     * Greedy decoding.
     *
     * @return a config that always picks the highest logit (ties to the lowest token id); penalties off
     */
    public static SamplerConfig greedy() {
        return defaults().withTemperature(0);
    }

    /**
     * Whether the penalties are all off.
     *
     * @return true when no penalty would change any logit, so recording tokens is pointless
     */
    public boolean penaltiesOff() {
        return repetitionPenalty == 1 && presencePenalty == 0 && frequencyPenalty == 0;
    }

    /**
     * The same config with another {@link #temperature()}.
     *
     * @param value the temperature, finite and &gt;= 0; 0 = greedy
     * @return a new config
     * @throws IllegalArgumentException if the value is out of range
     */
    public SamplerConfig withTemperature(double value) {
        return new SamplerConfig(
                value, topK, topP, minP, repetitionPenalty, presencePenalty, frequencyPenalty, penaltyWindow, seed);
    }

    /**
     * The same config with another {@link #topK()}.
     *
     * @param value how many of the highest logits to keep, &gt;= 0; 0 = off
     * @return a new config
     * @throws IllegalArgumentException if the value is out of range
     */
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

    /**
     * The same config with another {@link #topP()}.
     *
     * @param value the nucleus mass, in (0, 1]; 1 = off
     * @return a new config
     * @throws IllegalArgumentException if the value is out of range
     */
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

    /**
     * The same config with another {@link #minP()}.
     *
     * @param value the minimum probability relative to the largest, in [0, 1); 0 = off
     * @return a new config
     * @throws IllegalArgumentException if the value is out of range
     */
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

    /**
     * The same config with another {@link #repetitionPenalty()}.
     *
     * @param value the repetition penalty, finite and &gt; 0; 1 = off
     * @return a new config
     * @throws IllegalArgumentException if the value is out of range
     */
    public SamplerConfig withRepetitionPenalty(double value) {
        return new SamplerConfig(
                temperature, topK, topP, minP, value, presencePenalty, frequencyPenalty, penaltyWindow, seed);
    }

    /**
     * The same config with another {@link #presencePenalty()}.
     *
     * @param value subtracted once per distinct recent token, finite; 0 = off
     * @return a new config
     * @throws IllegalArgumentException if the value is out of range
     */
    public SamplerConfig withPresencePenalty(double value) {
        return new SamplerConfig(
                temperature, topK, topP, minP, repetitionPenalty, value, frequencyPenalty, penaltyWindow, seed);
    }

    /**
     * The same config with another {@link #frequencyPenalty()}.
     *
     * @param value subtracted per occurrence of a recent token, finite; 0 = off
     * @return a new config
     * @throws IllegalArgumentException if the value is out of range
     */
    public SamplerConfig withFrequencyPenalty(double value) {
        return new SamplerConfig(
                temperature, topK, topP, minP, repetitionPenalty, presencePenalty, value, penaltyWindow, seed);
    }

    /**
     * The same config with another {@link #penaltyWindow()}.
     *
     * @param value how many recent tokens the penalties look at, &gt;= 0; 0 = all
     * @return a new config
     * @throws IllegalArgumentException if the value is out of range
     */
    public SamplerConfig withPenaltyWindow(int value) {
        return new SamplerConfig(
                temperature, topK, topP, minP, repetitionPenalty, presencePenalty, frequencyPenalty, value, seed);
    }

    /**
     * The same config with another {@link #seed()}.
     *
     * @param value the generator's seed
     * @return a new config
     */
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
