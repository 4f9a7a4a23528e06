package io.rwkvx.bench.jmh;

import java.util.Arrays;
import java.util.Locale;

/**
 * Times of two variants of a step taken in turns under the same load (nanoseconds), and their medians: the
 * median of the pairwise differences is the cost of the one over the other, steadier than the difference of two
 * benchmarks run minutes apart on a shared machine.
 */
final class PairedTimes {
    private final String variant;
    private final String baseline;
    private long[] variantNanos = new long[1024];
    private long[] baselineNanos = new long[1024];
    private int pairs;

    PairedTimes(String variant, String baseline) {
        this.variant = variant;
        this.baseline = baseline;
    }

    void add(long variantTime, long baselineTime) {
        if (pairs == variantNanos.length) {
            variantNanos = Arrays.copyOf(variantNanos, 2 * pairs);
            baselineNanos = Arrays.copyOf(baselineNanos, 2 * pairs);
        }
        variantNanos[pairs] = variantTime;
        baselineNanos[pairs] = baselineTime;
        pairs++;
    }

    boolean isEmpty() {
        return pairs == 0;
    }

    /** One line, "# paired ...", for the log and for bench/README.md. */
    String summary(String label) {
        long[] difference = new long[pairs];
        for (int i = 0; i < pairs; i++) difference[i] = variantNanos[i] - baselineNanos[i];
        double variantMedian = median(Arrays.copyOf(variantNanos, pairs));
        double baselineMedian = median(Arrays.copyOf(baselineNanos, pairs));
        double differenceMedian = median(difference);
        return String.format(
                Locale.ROOT,
                "# paired %s: %d pairs; median %s %.1f us, %s %.1f us; median difference %.1f us = %.2f %% of %s",
                label,
                pairs,
                variant,
                variantMedian / 1e3,
                baseline,
                baselineMedian / 1e3,
                differenceMedian / 1e3,
                100 * differenceMedian / baselineMedian,
                baseline);
    }

    private static double median(long[] values) {
        Arrays.sort(values);
        int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2.0;
    }
}
