package io.rwkvx.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SamplerTest {

    @Test
    void greedyReturnsTheArgmax() {
        Random random = new Random(1);
        Sampler sampler = new Sampler(SamplerConfig.greedy(), 500);
        for (int round = 0; round < 50; round++) {
            float[] logits = randomLogits(random, 500, 5);
            int expected = 0;
            for (int i = 1; i < logits.length; i++) {
                if (logits[i] > logits[expected]) {
                    expected = i;
                }
            }
            assertEquals(expected, sampler.sample(logits));
        }
    }

    @Test
    void greedyBreaksTiesTowardTheLowestId() {
        Sampler sampler = new Sampler(SamplerConfig.greedy(), 6);
        assertEquals(2, sampler.sample(new float[] {1f, 0f, 3f, -2f, 3f, 3f}));
        assertEquals(0, sampler.sample(new float[] {5f, 5f, 5f, 5f, 5f, 5f}));
    }

    @Test
    void greedySkipsNanLogits() {
        Sampler sampler = new Sampler(SamplerConfig.greedy(), 4);
        assertEquals(3, sampler.sample(new float[] {Float.NaN, 1f, Float.NaN, 2f}));
    }

    @Test
    void sameSeedGivesSameTokensAndDifferentSeedDiffers() {
        float[] logits = new float[1000]; // uniform: every draw is decided by the generator alone
        SamplerConfig config = SamplerConfig.defaults().withSeed(1234);
        Sampler first = new Sampler(config, logits.length);
        Sampler second = new Sampler(config, logits.length);
        Sampler other = new Sampler(config.withSeed(1235), logits.length);
        int[] a = new int[200];
        int[] b = new int[200];
        int[] c = new int[200];
        for (int i = 0; i < a.length; i++) {
            a[i] = first.sample(logits);
            b[i] = second.sample(logits);
            c[i] = other.sample(logits);
        }
        assertArrayEquals(a, b);
        // 200 draws agreeing by chance over 1000 tokens has probability 1e-600.
        assertFalse(Arrays.equals(a, c));
    }

    @Test
    void resetReplaysTheSameTokens() {
        Random random = new Random(7);
        float[][] steps = new float[30][];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = randomLogits(random, 300, 3);
        }
        Sampler sampler = new Sampler(
                SamplerConfig.defaults().withSeed(99).withTopK(20).withTopP(0.8).withRepetitionPenalty(1.3), 300);
        int[] firstRun = run(sampler, steps);
        sampler.reset();
        assertArrayEquals(firstRun, run(sampler, steps));
    }

    @Test
    void drawFrequenciesMatchSoftmaxAtTemperature07() {
        float[] logits = {1.2f, 0.3f, -0.5f, 2.0f, 0.0f, -3.0f};
        double temperature = 0.7;
        double[] expected = ReferenceDistribution.softmax(logits, temperature);
        Sampler sampler = new Sampler(
                SamplerConfig.defaults().withTemperature(temperature).withSeed(5), 6);
        assertFrequencies(sampler, logits, expected, 100_000);
    }

    @Test
    void drawFrequenciesMatchTheFilteredDistribution() {
        float[] logits = {0.1f, 1.5f, 1.4f, -0.2f, 0.9f, 0.8f, 2.2f, -1.0f};
        double[] expected = ReferenceDistribution.filtered(logits, 1.3, 6, 0.9, 0.0);
        Sampler sampler = new Sampler(
                SamplerConfig.defaults()
                        .withTemperature(1.3)
                        .withTopK(6)
                        .withTopP(0.9)
                        .withSeed(11),
                logits.length);
        assertFrequencies(sampler, logits, expected, 100_000);
    }

    @Test
    void topKSupportIsExactlyTheKLargest() {
        Random random = new Random(3);
        for (int k : new int[] {1, 2, 7, 40, 999}) {
            float[] logits = randomLogits(random, 1000, 4);
            Sampler sampler = new Sampler(SamplerConfig.defaults().withTopK(k), logits.length);
            double[] actual = sampler.probabilities(logits);
            Set<Integer> expectedSupport = new HashSet<>();
            int[] order = ReferenceDistribution.ranking(logits);
            for (int rank = 0; rank < k; rank++) {
                expectedSupport.add(order[rank]);
            }
            assertEquals(expectedSupport, support(actual), "k=" + k);
            assertClose(ReferenceDistribution.filtered(logits, 1.0, k, 1.0, 0.0), actual);
        }
    }

    @Test
    void topKBreaksTiesAtTheBoundaryTowardLowerIds() {
        float[] logits = {1f, 3f, 2f, 2f, 0f, 2f, 2f};
        Sampler sampler = new Sampler(SamplerConfig.defaults().withTopK(3), logits.length);
        assertEquals(Set.of(1, 2, 3), support(sampler.probabilities(logits)));
    }

    @Test
    void topKLargerThanTheFiniteLogitsKeepsThemAll() {
        float[] logits = {Float.NEGATIVE_INFINITY, 0.5f, Float.NaN, 1f};
        Sampler sampler = new Sampler(SamplerConfig.defaults().withTopK(3), logits.length);
        assertEquals(Set.of(1, 3), support(sampler.probabilities(logits)));
    }

    @Test
    void topKOnAFullSizeVocabularyMatchesTheReference() {
        Random random = new Random(17);
        float[] logits = randomLogits(random, 65536, 10);
        Sampler sampler =
                new Sampler(SamplerConfig.defaults().withTemperature(0.8).withTopK(50), logits.length);
        assertClose(ReferenceDistribution.filtered(logits, 0.8, 50, 1.0, 0.0), sampler.probabilities(logits));
    }

    @Test
    void topPSupportIsTheSmallestPrefixReachingP() {
        // Probabilities 0.40, 0.25, 0.15, 0.10, 0.06, 0.04 placed at scrambled ids.
        double[] masses = {0.10, 0.40, 0.04, 0.15, 0.25, 0.06};
        float[] logits = new float[masses.length];
        for (int i = 0; i < masses.length; i++) {
            logits[i] = (float) Math.log(masses[i]);
        }
        assertEquals(Set.of(1), topPSupport(logits, 0.30));
        assertEquals(Set.of(1, 4), topPSupport(logits, 0.50));
        assertEquals(Set.of(1, 4, 3), topPSupport(logits, 0.75));
        assertEquals(Set.of(1, 4, 3, 0), topPSupport(logits, 0.85));
        assertEquals(Set.of(1, 4, 3, 0, 5), topPSupport(logits, 0.95));
        assertEquals(Set.of(1, 4, 3, 0, 5, 2), topPSupport(logits, 0.99));
        assertEquals(Set.of(1, 4, 3, 0, 5, 2), topPSupport(logits, 1.0));
    }

    @Test
    void topPKeepsTheTopTokenEvenForTinyP() {
        float[] logits = {0f, 0.1f, 0.05f};
        assertEquals(Set.of(1), topPSupport(logits, 1e-9));
    }

    @Test
    void topPMatchesTheReferenceOnRandomLogits() {
        Random random = new Random(23);
        for (int round = 0; round < 20; round++) {
            float[] logits = randomLogits(random, 2000, 3);
            double topP = 0.05 + 0.9 * random.nextDouble();
            Sampler sampler =
                    new Sampler(SamplerConfig.defaults().withTemperature(0.9).withTopP(topP), logits.length);
            assertClose(ReferenceDistribution.filtered(logits, 0.9, 0, topP, 0.0), sampler.probabilities(logits));
        }
    }

    @Test
    void minPDropsTokensBelowTheScaledMaximum() {
        float[] logits = {2.0f, 1.0f, 0.0f, -1.0f, 1.9f};
        double[] softmax = ReferenceDistribution.softmax(logits, 1.0);
        double minP = 0.3;
        double pmax = softmax[0];
        Set<Integer> expected = new HashSet<>();
        for (int i = 0; i < softmax.length; i++) {
            if (softmax[i] >= minP * pmax) {
                expected.add(i);
            }
        }
        assertEquals(Set.of(0, 1, 4), expected); // sanity of the hand-picked example: e^-1 >= 0.3 > e^-2
        Sampler sampler = new Sampler(SamplerConfig.defaults().withMinP(minP), logits.length);
        double[] actual = sampler.probabilities(logits);
        assertEquals(expected, support(actual));
        assertClose(ReferenceDistribution.filtered(logits, 1.0, 0, 1.0, minP), actual);
    }

    @Test
    void allFiltersTogetherMatchTheReference() {
        Random random = new Random(29);
        for (int round = 0; round < 10; round++) {
            float[] logits = randomLogits(random, 65536, 8);
            int topK = 1 + random.nextInt(200);
            double topP = 0.3 + 0.6 * random.nextDouble();
            double minP = 0.1 * random.nextDouble();
            double temperature = 0.3 + random.nextDouble();
            Sampler sampler = new Sampler(
                    SamplerConfig.defaults()
                            .withTemperature(temperature)
                            .withTopK(topK)
                            .withTopP(topP)
                            .withMinP(minP),
                    logits.length);
            assertClose(
                    ReferenceDistribution.filtered(logits, temperature, topK, topP, minP),
                    sampler.probabilities(logits));
        }
    }

    @Test
    void nanLogitsAreNeverSampled() {
        float[] logits = {Float.NaN, 0f, Float.NaN, 0f};
        Sampler sampler = new Sampler(SamplerConfig.defaults(), logits.length);
        assertArrayEquals(new double[] {0, 0.5, 0, 0.5}, sampler.probabilities(logits), 1e-12);
        for (int i = 0; i < 1000; i++) {
            int token = sampler.sample(logits);
            assertTrue(token == 1 || token == 3);
        }
    }

    @Test
    void positiveInfinityLogitsShareTheMass() {
        float[] logits = {5f, Float.POSITIVE_INFINITY, 0f, Float.POSITIVE_INFINITY};
        Sampler sampler = new Sampler(SamplerConfig.defaults(), logits.length);
        assertArrayEquals(new double[] {0, 0.5, 0, 0.5}, sampler.probabilities(logits), 1e-12);
    }

    @Test
    void tinyTemperatureBehavesLikeGreedyWithoutOverflow() {
        float[] logits = {1f, 3f, 2.999f, -1f};
        Sampler sampler = new Sampler(SamplerConfig.defaults().withTemperature(1e-30), logits.length);
        assertArrayEquals(new double[] {0, 1, 0, 0}, sampler.probabilities(logits), 0);
        assertEquals(1, sampler.sample(logits));
    }

    @Test
    void doesNotModifyTheCallersLogits() {
        float[] logits = {1f, Float.NaN, 2f, -1f};
        float[] copy = logits.clone();
        Sampler sampler = new Sampler(
                SamplerConfig.defaults()
                        .withRepetitionPenalty(2)
                        .withPresencePenalty(1)
                        .withTopK(2),
                logits.length);
        sampler.accept(2);
        sampler.sample(logits);
        assertArrayEquals(copy, logits);
    }

    @Test
    void rejectsBadInputs() {
        Sampler sampler = new Sampler(SamplerConfig.defaults(), 4);
        assertThrows(IllegalArgumentException.class, () -> sampler.sample(new float[3]));
        assertThrows(IllegalArgumentException.class, () -> sampler.accept(4));
        assertThrows(IllegalArgumentException.class, () -> sampler.accept(-1));
        assertThrows(IllegalArgumentException.class, () -> new Sampler(SamplerConfig.defaults(), 0));
        assertThrows(NullPointerException.class, () -> new Sampler(null, 4));
    }

    @Test
    void throwsWhenNoTokenIsPossible() {
        float ninf = Float.NEGATIVE_INFINITY;
        float[] impossible = {ninf, Float.NaN, ninf, Float.NaN};
        assertThrows(IllegalStateException.class, () -> new Sampler(SamplerConfig.defaults(), 4).sample(impossible));
        assertThrows(IllegalStateException.class, () -> new Sampler(SamplerConfig.greedy(), 4).sample(impossible));
    }

    private static void assertFrequencies(Sampler sampler, float[] logits, double[] expected, int draws) {
        int[] counts = new int[logits.length];
        for (int i = 0; i < draws; i++) {
            counts[sampler.sample(logits)]++;
        }
        for (int token = 0; token < logits.length; token++) {
            double p = expected[token];
            double standardError = Math.sqrt(draws * p * (1 - p));
            if (p == 0) {
                assertEquals(0, counts[token], "token " + token + " is outside the support");
            } else {
                assertTrue(
                        Math.abs(counts[token] - draws * p) <= 5 * standardError,
                        "token " + token + ": " + counts[token] + " draws, expected " + draws * p);
            }
        }
    }

    private static Set<Integer> topPSupport(float[] logits, double topP) {
        return support(new Sampler(SamplerConfig.defaults().withTopP(topP), logits.length).probabilities(logits));
    }

    private static Set<Integer> support(double[] probabilities) {
        Set<Integer> support = new HashSet<>();
        for (int i = 0; i < probabilities.length; i++) {
            if (probabilities[i] > 0) {
                support.add(i);
            }
        }
        return support;
    }

    private static void assertClose(double[] expected, double[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i] > 0, actual[i] > 0, "support differs at token " + i);
            assertEquals(expected[i], actual[i], 1e-9, "probability of token " + i);
        }
    }

    private static float[] randomLogits(Random random, int vocab, double scale) {
        float[] logits = new float[vocab];
        for (int i = 0; i < vocab; i++) {
            logits[i] = (float) (random.nextGaussian() * scale);
        }
        return logits;
    }

    private static int[] run(Sampler sampler, float[][] steps) {
        int[] tokens = new int[steps.length];
        for (int i = 0; i < steps.length; i++) {
            tokens[i] = sampler.sample(steps[i]);
            sampler.accept(tokens[i]);
        }
        return tokens;
    }
}
