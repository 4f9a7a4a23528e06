package io.rwkvx.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class SamplerConfigTest {

    @Test
    void defaultsTurnEveryStageOff() {
        SamplerConfig config = SamplerConfig.defaults();
        assertEquals(new SamplerConfig(1.0, 0, 1.0, 0.0, 1.0, 0.0, 0.0, 0, 0L), config);
        assertTrue(config.penaltiesOff());
    }

    @Test
    void greedyIsDefaultsAtTemperatureZero() {
        assertEquals(new SamplerConfig(0.0, 0, 1.0, 0.0, 1.0, 0.0, 0.0, 0, 0L), SamplerConfig.greedy());
    }

    @Test
    void withersChangeOnlyTheirField() {
        SamplerConfig config = SamplerConfig.defaults()
                .withTemperature(0.7)
                .withTopK(40)
                .withTopP(0.9)
                .withMinP(0.05)
                .withRepetitionPenalty(1.1)
                .withPresencePenalty(0.2)
                .withFrequencyPenalty(-0.3)
                .withPenaltyWindow(64)
                .withSeed(42);
        assertEquals(new SamplerConfig(0.7, 40, 0.9, 0.05, 1.1, 0.2, -0.3, 64, 42L), config);
    }

    @Test
    void penaltiesOffOnlyWhenEveryPenaltyIsNeutral() {
        assertTrue(!SamplerConfig.defaults().withRepetitionPenalty(1.2).penaltiesOff());
        assertTrue(!SamplerConfig.defaults().withPresencePenalty(0.1).penaltiesOff());
        assertTrue(!SamplerConfig.defaults().withFrequencyPenalty(0.1).penaltiesOff());
        assertTrue(SamplerConfig.defaults().withPenaltyWindow(10).penaltiesOff());
    }

    @Test
    void rejectsInvalidValuesNamingFieldAndValue() {
        SamplerConfig base = SamplerConfig.defaults();
        assertRejected("temperature", "-0.5", () -> base.withTemperature(-0.5));
        assertRejected("temperature", "NaN", () -> base.withTemperature(Double.NaN));
        assertRejected("temperature", "Infinity", () -> base.withTemperature(Double.POSITIVE_INFINITY));
        assertRejected("topK", "-1", () -> base.withTopK(-1));
        assertRejected("topP", "0.0", () -> base.withTopP(0.0));
        assertRejected("topP", "1.5", () -> base.withTopP(1.5));
        assertRejected("topP", "NaN", () -> base.withTopP(Double.NaN));
        assertRejected("minP", "1.0", () -> base.withMinP(1.0));
        assertRejected("minP", "-0.1", () -> base.withMinP(-0.1));
        assertRejected("minP", "NaN", () -> base.withMinP(Double.NaN));
        assertRejected("repetitionPenalty", "0.0", () -> base.withRepetitionPenalty(0.0));
        assertRejected("repetitionPenalty", "-1.0", () -> base.withRepetitionPenalty(-1.0));
        assertRejected("repetitionPenalty", "NaN", () -> base.withRepetitionPenalty(Double.NaN));
        assertRejected("presencePenalty", "NaN", () -> base.withPresencePenalty(Double.NaN));
        assertRejected("frequencyPenalty", "NaN", () -> base.withFrequencyPenalty(Double.NaN));
        assertRejected("frequencyPenalty", "Infinity", () -> base.withFrequencyPenalty(Double.POSITIVE_INFINITY));
        assertRejected("penaltyWindow", "-3", () -> base.withPenaltyWindow(-3));
    }

    @Test
    void acceptsBoundaryValues() {
        SamplerConfig config = SamplerConfig.defaults()
                .withTopP(1.0)
                .withMinP(0.0)
                .withTemperature(0.0)
                .withPresencePenalty(-1.0)
                .withFrequencyPenalty(-1.0)
                .withRepetitionPenalty(0.5);
        assertEquals(0.5, config.repetitionPenalty());
    }

    private static void assertRejected(String field, String value, Supplier<SamplerConfig> build) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, build::get);
        assertTrue(error.getMessage().contains(field), error.getMessage());
        assertTrue(error.getMessage().contains(value), error.getMessage());
    }
}
