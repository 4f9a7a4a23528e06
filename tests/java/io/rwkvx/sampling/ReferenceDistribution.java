package io.rwkvx.sampling;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/**
 * Deliberately plain re-implementation of the sampling filters, written from their definitions
 * and sharing no code with {@link Sampler}, so tests can compare against it.
 */
final class ReferenceDistribution {
    private ReferenceDistribution() {}

    /** softmax(logits / temperature) over the whole vocabulary; -inf logits get probability 0. */
    static double[] softmax(float[] logits, double temperature) {
        double max = Double.NEGATIVE_INFINITY;
        for (float logit : logits) {
            max = Math.max(max, logit);
        }
        double[] probabilities = new double[logits.length];
        double total = 0;
        for (int i = 0; i < logits.length; i++) {
            probabilities[i] = Math.exp((logits[i] - max) / temperature);
            total += probabilities[i];
        }
        for (int i = 0; i < logits.length; i++) {
            probabilities[i] /= total;
        }
        return probabilities;
    }

    /** Token ids from highest to lowest logit, ties broken by lower id first. */
    static int[] ranking(float[] logits) {
        return IntStream.range(0, logits.length)
                .boxed()
                .sorted(Comparator.<Integer>comparingDouble(i -> -logits[i]).thenComparingInt(i -> i))
                .mapToInt(Integer::intValue)
                .toArray();
    }

    /** Full pipeline after penalties: temperature, top-k, softmax, top-p, min-p, renormalise. */
    static double[] filtered(float[] logits, double temperature, int topK, double topP, double minP) {
        int[] order = ranking(logits);
        boolean[] keep = new boolean[logits.length];
        int limit = topK > 0 ? Math.min(topK, logits.length) : logits.length;
        for (int rank = 0; rank < limit; rank++) {
            keep[order[rank]] = true;
        }
        float[] kept = logits.clone();
        for (int i = 0; i < kept.length; i++) {
            if (!keep[i]) {
                kept[i] = Float.NEGATIVE_INFINITY;
            }
        }
        double[] probabilities = softmax(kept, temperature);

        if (topP < 1) {
            double mass = 0;
            boolean reached = false;
            for (int token : order) {
                if (reached) {
                    probabilities[token] = 0;
                } else {
                    mass += probabilities[token];
                    reached = mass >= topP;
                }
            }
        }
        if (minP > 0) {
            double max = Arrays.stream(probabilities).max().orElseThrow();
            for (int i = 0; i < probabilities.length; i++) {
                if (probabilities[i] < minP * max) {
                    probabilities[i] = 0;
                }
            }
        }
        double total = Arrays.stream(probabilities).sum();
        for (int i = 0; i < probabilities.length; i++) {
            probabilities[i] /= total;
        }
        return probabilities;
    }
}
