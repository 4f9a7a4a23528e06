package io.rwkvx.sampling;

import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Picks the next token from a row of logits according to a {@link SamplerConfig}.
 *
 * <p>Pipeline, in this order:
 * <ol>
 *   <li>NaN logits become -inf; the caller's array is never modified.</li>
 *   <li>Penalties over the recent tokens (see {@link #accept}): for every distinct token in the
 *       window, the repetition penalty divides a positive logit and multiplies a non-positive
 *       one; then {@code presencePenalty + frequencyPenalty * count} is subtracted.</li>
 *   <li>Temperature 0: return the argmax, ties to the lowest id (no random draw).</li>
 *   <li>Temperature: logits divided by it.</li>
 *   <li>Top-k: keep the k highest logits (ties to the lowest id), by partial selection.</li>
 *   <li>Softmax over what is left.</li>
 *   <li>Top-p: keep the smallest set of most likely tokens whose mass reaches p (at least one);
 *       ranked in growing chunks, so only the nucleus gets sorted.</li>
 *   <li>Min-p: drop tokens with probability below {@code minP} times the largest probability.</li>
 *   <li>Renormalise and draw once from a {@link SplittableRandom} seeded with the config's seed.</li>
 * </ol>
 * If any logit is +inf, only the +inf tokens remain and they share the mass equally. The same seed and the same
 * sequence of logits and accepted tokens always give the same tokens.
 *
 * <p>Buffers sized to the vocabulary are allocated once, so sampling allocates nothing per call.
 * Not thread-safe.
 */
public final class Sampler {
    private static final int FIRST_NUCLEUS_CHUNK = 64;

    private final SamplerConfig config;
    private final int vocabSize;
    private final PenaltyHistory history;
    private SplittableRandom random;

    // Per-call scratch, reused.
    private final float[] adjusted;
    private final int[] candidates;
    private final double[] weights;
    private final long[] keys;

    /**
     * A sampler at the start of a sequence: no accepted tokens, the generator seeded with the config's seed.
     *
     * @param config    the stages to apply
     * @param vocabSize the length of every logits row, at least 1
     * @throws IllegalArgumentException if {@code vocabSize} is not positive
     */
    public Sampler(SamplerConfig config, int vocabSize) {
        this.config = Objects.requireNonNull(config, "config");
        if (vocabSize <= 0) {
            throw new IllegalArgumentException("vocabSize must be > 0, got " + vocabSize);
        }
        this.vocabSize = vocabSize;
        this.history = config.penaltiesOff() ? null : new PenaltyHistory(vocabSize, config.penaltyWindow());
        this.random = new SplittableRandom(config.seed());
        this.adjusted = new float[vocabSize];
        this.candidates = new int[vocabSize];
        this.weights = new double[vocabSize];
        this.keys = new long[vocabSize];
    }

    /**
     * The settings.
     *
     * @return the config the sampler was made with
     */
    public SamplerConfig config() {
        return config;
    }

    /**
     * The vocabulary size.
     *
     * @return the length every logits row must have
     */
    public int vocabSize() {
        return vocabSize;
    }

    /**
     * Returns the next token id for {@code logits} (length {@code vocabSize}).
     * Does not record it: call {@link #accept} with the token actually used.
     *
     * @param logits one row of {@code vocabSize} logits; read, never modified
     * @return the chosen token id, in {@code [0, vocabSize)}
     * @throws IllegalStateException if every logit is -inf or NaN
     */
    public int sample(float[] logits) {
        applyPenalties(logits);
        if (config.temperature() == 0) {
            return argmax();
        }
        int count = filteredDistribution();
        double total = 0;
        for (int i = 0; i < count; i++) {
            total += weights[i];
        }
        double target = random.nextDouble() * total;
        double cumulative = 0;
        for (int i = 0; i < count; i++) {
            cumulative += weights[i];
            if (target < cumulative) {
                return candidates[i];
            }
        }
        // Only reachable through rounding in the cumulative sum.
        return candidates[count - 1];
    }

    /**
     * Records a prompt or generated token so later calls penalise it.
     *
     * @param token a token id in {@code [0, vocabSize)}
     * @throws IllegalArgumentException if the token is out of range
     */
    public void accept(int token) {
        if (token < 0 || token >= vocabSize) {
            throw new IllegalArgumentException("token must be in [0, " + vocabSize + "), got " + token);
        }
        if (history != null) {
            history.add(token);
        }
    }

    /** Forgets every accepted token and re-seeds the generator: back to the state after construction. */
    public void reset() {
        if (history != null) {
            history.clear();
        }
        random = new SplittableRandom(config.seed());
    }

    /** The logits after NaN replacement and penalties, as a fresh array. Visible for tests. */
    float[] adjustedLogits(float[] logits) {
        applyPenalties(logits);
        return adjusted.clone();
    }

    /**
     * The full distribution {@link #sample} would draw from for {@code logits} (one-hot when greedy),
     * without drawing. Visible for tests.
     */
    double[] probabilities(float[] logits) {
        applyPenalties(logits);
        double[] probabilities = new double[vocabSize];
        if (config.temperature() == 0) {
            probabilities[argmax()] = 1;
            return probabilities;
        }
        int count = filteredDistribution();
        double total = 0;
        for (int i = 0; i < count; i++) {
            total += weights[i];
        }
        for (int i = 0; i < count; i++) {
            probabilities[candidates[i]] = weights[i] / total;
        }
        return probabilities;
    }

    /** Fills {@link #adjusted} from the caller's logits: NaN to -inf, then penalties. */
    private void applyPenalties(float[] logits) {
        Objects.requireNonNull(logits, "logits");
        if (logits.length != vocabSize) {
            throw new IllegalArgumentException(
                    "logits length must equal vocabSize " + vocabSize + ", got " + logits.length);
        }
        for (int i = 0; i < vocabSize; i++) {
            float logit = logits[i];
            adjusted[i] = Float.isNaN(logit) ? Float.NEGATIVE_INFINITY : logit;
        }
        if (history == null) {
            return;
        }
        double repetition = config.repetitionPenalty();
        double presence = config.presencePenalty();
        double frequency = config.frequencyPenalty();
        for (int i = 0, n = history.distinctCount(); i < n; i++) {
            int token = history.distinctToken(i);
            // Double arithmetic so large counts do not lose the logit's low bits before the final rounding.
            double logit = adjusted[token];
            logit = logit > 0 ? logit / repetition : logit * repetition;
            adjusted[token] = (float) (logit - presence - frequency * history.count(token));
        }
    }

    private int argmax() {
        int best = -1;
        float bestLogit = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < vocabSize; i++) {
            // Strict comparison keeps the lowest id among ties.
            if (adjusted[i] > bestLogit) {
                bestLogit = adjusted[i];
                best = i;
            }
        }
        if (best < 0) {
            throw noCandidates();
        }
        return best;
    }

    /**
     * Runs temperature, top-k, softmax, top-p and min-p over {@link #adjusted}. Leaves the
     * surviving tokens in {@code candidates[0, n)} with positive unnormalised weights in
     * {@code weights[0, n)} and returns n (at least 1).
     */
    private int filteredDistribution() {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < vocabSize; i++) {
            max = Math.max(max, adjusted[i]);
        }
        if (max == Float.NEGATIVE_INFINITY) {
            throw noCandidates();
        }
        boolean infiniteMax = max == Float.POSITIVE_INFINITY;

        int count = 0;
        for (int i = 0; i < vocabSize; i++) {
            float logit = adjusted[i];
            // With a +inf logit present, finite logits have zero probability.
            if (infiniteMax ? logit == Float.POSITIVE_INFINITY : logit != Float.NEGATIVE_INFINITY) {
                candidates[count++] = i;
            }
        }

        int topK = config.topK();
        if (topK > 0 && topK < count) {
            fillKeys(count);
            TokenRanking.selectLargest(keys, count, topK);
            for (int i = 0; i < topK; i++) {
                candidates[i] = TokenRanking.token(keys[count - topK + i]);
            }
            count = topK;
        }

        count = softmaxWeights(count, max, infiniteMax);
        boolean ranked = config.topP() < 1;
        if (ranked) {
            count = keepNucleus(count, max, infiniteMax);
        }
        if (config.minP() > 0) {
            count = keepAboveMinP(count, ranked);
        }
        return count;
    }

    private void fillKeys(int count) {
        for (int i = 0; i < count; i++) {
            int token = candidates[i];
            keys[i] = TokenRanking.key(token, adjusted[token]);
        }
    }

    /** exp((logit - max) / T): the softmax numerator, at most 1. */
    private double weight(int token, float max, boolean infiniteMax) {
        // Subtracting the max first keeps exp() from overflowing, even for tiny temperatures.
        return infiniteMax ? 1 : Math.exp(((double) adjusted[token] - max) / config.temperature());
    }

    /** Weighs every candidate; drops those whose weight underflows to 0. */
    private int softmaxWeights(int count, float max, boolean infiniteMax) {
        int kept = 0;
        for (int i = 0; i < count; i++) {
            int token = candidates[i];
            double weight = weight(token, max, infiniteMax);
            if (weight > 0) {
                candidates[kept] = token;
                weights[kept] = weight;
                kept++;
            }
        }
        // The max candidate has weight exactly 1 (or every +inf candidate does), so kept >= 1.
        return kept;
    }

    /**
     * Keeps the shortest run of most likely candidates whose mass reaches topP, leaving them in
     * decreasing order of probability. The nucleus is usually a small part of the vocabulary, so
     * candidates are ranked in growing chunks (select the next best chunk, sort only it) instead
     * of sorting them all; that stops as soon as the mass is reached.
     */
    private int keepNucleus(int count, float max, boolean infiniteMax) {
        double total = 0;
        for (int i = 0; i < count; i++) {
            total += weights[i];
        }
        double needed = config.topP() * total;
        fillKeys(count);

        int kept = 0;
        double cumulative = 0;
        int chunk = FIRST_NUCLEUS_CHUNK;
        // keys[0, unranked) hold the candidates not yet ranked.
        int unranked = count;
        while (unranked > 0) {
            int take = Math.min(chunk, unranked);
            TokenRanking.selectLargest(keys, unranked, take);
            Arrays.sort(keys, unranked - take, unranked);
            for (int i = unranked - 1; i >= unranked - take; i--) {
                int token = TokenRanking.token(keys[i]);
                double weight = weight(token, max, infiniteMax);
                candidates[kept] = token;
                weights[kept] = weight;
                kept++;
                cumulative += weight;
                if (cumulative >= needed) {
                    return kept;
                }
            }
            unranked -= take;
            chunk = (int) Math.min(Integer.MAX_VALUE, 4L * chunk);
        }
        // Rounding kept the sum just short of the target: everything stays.
        return kept;
    }

    private int keepAboveMinP(int count, boolean ranked) {
        double maxWeight = 0;
        for (int i = 0; i < count; i++) {
            maxWeight = Math.max(maxWeight, weights[i]);
        }
        double threshold = config.minP() * maxWeight;
        if (ranked) {
            // Weights are in decreasing order: the survivors form a prefix.
            int kept = 0;
            while (kept < count && weights[kept] >= threshold) {
                kept++;
            }
            return kept;
        }
        int kept = 0;
        for (int i = 0; i < count; i++) {
            if (weights[i] >= threshold) {
                candidates[kept] = candidates[i];
                weights[kept] = weights[i];
                kept++;
            }
        }
        return kept;
    }

    private static IllegalStateException noCandidates() {
        return new IllegalStateException("every logit is -inf or NaN: nothing to sample");
    }
}
