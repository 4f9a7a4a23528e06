package io.rwkvx.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SamplerPenaltyTest {

    @Test
    void repetitionPenaltyDividesAPositiveLogit() {
        // 2.0 / 1.5 = 1.33 falls below 1.5, so the unpenalised token wins.
        Sampler sampler = new Sampler(SamplerConfig.greedy().withRepetitionPenalty(1.5), 2);
        float[] logits = {2.0f, 1.5f};
        assertEquals(0, sampler.sample(logits));
        sampler.accept(0);
        assertEquals(1, sampler.sample(logits));
    }

    @Test
    void repetitionPenaltyMultipliesANegativeLogit() {
        // -1.0 * 1.5 = -1.5 falls below -1.2; dividing instead would have kept token 0 on top.
        Sampler sampler = new Sampler(SamplerConfig.greedy().withRepetitionPenalty(1.5), 2);
        float[] logits = {-1.0f, -1.2f};
        sampler.accept(0);
        assertEquals(1, sampler.sample(logits));
    }

    @Test
    void repetitionPenaltyAppliesOncePerDistinctToken() {
        Sampler sampler = new Sampler(SamplerConfig.defaults().withRepetitionPenalty(2.0), 3);
        for (int i = 0; i < 5; i++) {
            sampler.accept(1);
        }
        assertArrayEquals(new float[] {4f, 2f, -1f}, sampler.adjustedLogits(new float[] {4f, 4f, -1f}));
    }

    @Test
    void frequencyPenaltyScalesWithTheCount() {
        // Token 0 seen 3 times: 1.0 - 0.05 - 3 * 0.02 = 0.89 < 0.9. Counting it once would give 0.93.
        Sampler sampler =
                new Sampler(SamplerConfig.greedy().withPresencePenalty(0.05).withFrequencyPenalty(0.02), 3);
        float[] logits = {1.0f, 0.9f, 0.5f};
        sampler.accept(0);
        sampler.accept(0);
        assertEquals(0, sampler.sample(logits));
        sampler.accept(0);
        assertEquals(1, sampler.sample(logits));
    }

    @Test
    void presencePenaltyIsSubtractedOnceRegardlessOfCount() {
        Sampler sampler = new Sampler(SamplerConfig.defaults().withPresencePenalty(0.5), 3);
        sampler.accept(2);
        sampler.accept(2);
        sampler.accept(2);
        sampler.accept(0);
        assertArrayEquals(new float[] {0.5f, 1f, 0.5f}, sampler.adjustedLogits(new float[] {1f, 1f, 1f}));
    }

    @Test
    void penaltiesMatchTheReferenceOnRandomHistories() {
        Random random = new Random(41);
        for (int window : new int[] {0, 1, 7, 64, 300, 1000}) {
            double repetition = 0.5 + 1.5 * random.nextDouble();
            double presence = random.nextDouble() - 0.3;
            double frequency = random.nextDouble() - 0.3;
            int vocab = 50;
            Sampler sampler = new Sampler(
                    SamplerConfig.defaults()
                            .withRepetitionPenalty(repetition)
                            .withPresencePenalty(presence)
                            .withFrequencyPenalty(frequency)
                            .withPenaltyWindow(window),
                    vocab);
            List<Integer> history = new ArrayList<>();
            for (int step = 0; step < 600; step++) {
                // Skewed draws so some tokens repeat a lot and others never appear.
                int token = (int) (vocab * Math.pow(random.nextDouble(), 2));
                sampler.accept(token);
                history.add(token);
                if (step % 37 == 0) {
                    float[] logits = new float[vocab];
                    for (int i = 0; i < vocab; i++) {
                        logits[i] = (float) (random.nextGaussian() * 3);
                    }
                    float[] expected = referencePenalties(logits, history, window, repetition, presence, frequency);
                    assertArrayEquals(
                            expected, sampler.adjustedLogits(logits), 1e-4f, "window " + window + ", step " + step);
                }
            }
        }
    }

    @Test
    void penaltyWindowOnlySeesTheMostRecentTokens() {
        float[] logits = {1f, 1f, 1f, 1f, 1f, 1f};
        SamplerConfig config = SamplerConfig.defaults().withPresencePenalty(1);
        Sampler window5 = new Sampler(config.withPenaltyWindow(5), 6);
        Sampler window6 = new Sampler(config.withPenaltyWindow(6), 6);
        for (int token : new int[] {0, 1, 2, 3, 4, 5}) {
            window5.accept(token);
            window6.accept(token);
        }
        // Token 0 is the sixth most recent: outside a window of 5, inside a window of 6.
        assertArrayEquals(new float[] {1f, 0f, 0f, 0f, 0f, 0f}, window5.adjustedLogits(logits));
        assertArrayEquals(new float[] {0f, 0f, 0f, 0f, 0f, 0f}, window6.adjustedLogits(logits));
    }

    @Test
    void frequencyCountsOnlyOccurrencesInsideTheWindow() {
        Sampler sampler =
                new Sampler(SamplerConfig.defaults().withFrequencyPenalty(1).withPenaltyWindow(3), 2);
        for (int token : new int[] {0, 0, 0, 0, 1, 0}) {
            sampler.accept(token);
        }
        // Last three tokens: 0, 1, 0.
        assertArrayEquals(new float[] {-2f, -1f}, sampler.adjustedLogits(new float[] {0f, 0f}));
    }

    @Test
    void resetForgetsTheHistory() {
        Sampler sampler =
                new Sampler(SamplerConfig.defaults().withPresencePenalty(1).withPenaltyWindow(4), 3);
        sampler.accept(0);
        sampler.accept(1);
        sampler.reset();
        sampler.accept(2);
        assertArrayEquals(new float[] {1f, 1f, 0f}, sampler.adjustedLogits(new float[] {1f, 1f, 1f}));
    }

    @Test
    void penaltiesAreAppliedBeforeTheFilters() {
        // Top-1 after penalties: token 0 drops from 3 to 1, so token 1 (2.0) is the only survivor.
        Sampler sampler = new Sampler(SamplerConfig.defaults().withTopK(1).withPresencePenalty(2), 3);
        sampler.accept(0);
        assertArrayEquals(new double[] {0, 1, 0}, sampler.probabilities(new float[] {3f, 2f, 0f}), 0);
    }

    /** Penalties from their definition: distinct tokens among the last {@code window} of the history. */
    private static float[] referencePenalties(
            float[] logits, List<Integer> history, int window, double repetition, double presence, double frequency) {
        List<Integer> recent =
                window == 0 ? history : history.subList(Math.max(0, history.size() - window), history.size());
        Map<Integer, Integer> counts = new HashMap<>();
        for (int token : recent) {
            counts.merge(token, 1, Integer::sum);
        }
        float[] result = logits.clone();
        counts.forEach((token, count) -> {
            double logit = logits[token];
            logit = logit > 0 ? logit / repetition : logit * repetition;
            result[token] = (float) (logit - presence - frequency * count);
        });
        return result;
    }
}
