package io.rwkvx.sampling;

import java.util.Arrays;

/**
 * Packs a (logit, token) pair into one {@code long} whose natural order is "higher logit
 * first, then lower token id", so tokens can be ranked with primitive sorts and selections
 * that never allocate and never see two equal keys.
 */
final class TokenRanking {
    private static final long TOKEN_MASK = 0xFFFF_FFFFL;
    // Below k = n / 16 the heap scan wins; above it quickselect's linear cost does.
    private static final int HEAP_SELECTION_RATIO = 16;

    private TokenRanking() {}

    /** Key for a non-NaN logit; a larger key means a better-ranked token. */
    static long key(int token, float logit) {
        // +0.0f folds -0.0f into +0.0f so the two rank as equal.
        int bits = Float.floatToRawIntBits(logit + 0.0f);
        // Flipping the magnitude bits of negative floats makes signed int order match float order.
        int orderedBits = bits < 0 ? bits ^ 0x7FFF_FFFF : bits;
        // Low half: complement of the id, so that among equal logits the lower id ranks higher.
        return ((long) orderedBits << 32) | (TOKEN_MASK - token);
    }

    static int token(long key) {
        return (int) (TOKEN_MASK - (key & TOKEN_MASK));
    }

    /**
     * Rearranges {@code keys[0, n)} so that its {@code k} largest keys occupy {@code keys[n-k, n)},
     * in no particular order; the rest stay in {@code keys[0, n-k)}.
     */
    static void selectLargest(long[] keys, int n, int k) {
        if (k <= 0 || k >= n) {
            return;
        }
        if ((long) k * HEAP_SELECTION_RATIO <= n) {
            selectWithHeap(keys, n, k);
        } else {
            quickselect(keys, n, k);
        }
    }

    /**
     * For k much smaller than n: a min-heap of the best k seen so far. Most keys lose a single,
     * well-predicted comparison against the heap's minimum, which beats partitioning everything.
     */
    private static void selectWithHeap(long[] keys, int n, int k) {
        // The heap lives in keys[0, k); anything it evicts is swapped into the scanned position.
        for (int i = k / 2 - 1; i >= 0; i--) {
            siftDown(keys, i, k);
        }
        for (int i = k; i < n; i++) {
            if (keys[i] > keys[0]) {
                long evicted = keys[0];
                keys[0] = keys[i];
                keys[i] = evicted;
                siftDown(keys, 0, k);
            }
        }
        // Move the winners to the end; k <= n / 2 so the two blocks do not overlap.
        for (int i = 0; i < k; i++) {
            long swap = keys[i];
            keys[i] = keys[n - k + i];
            keys[n - k + i] = swap;
        }
    }

    private static void siftDown(long[] heap, int index, int size) {
        long value = heap[index];
        while (true) {
            int child = 2 * index + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && heap[child + 1] < heap[child]) {
                child++;
            }
            if (heap[child] >= value) {
                break;
            }
            heap[index] = heap[child];
            index = child;
        }
        heap[index] = value;
    }

    /** Expected linear time; falls back to sorting the remaining range if partitioning degenerates. */
    private static void quickselect(long[] keys, int n, int k) {
        int target = n - k;
        int lo = 0;
        int hi = n - 1;
        int partitionsLeft = 4 * (32 - Integer.numberOfLeadingZeros(n)) + 8;
        while (lo < hi) {
            if (partitionsLeft-- == 0) {
                Arrays.sort(keys, lo, hi + 1);
                return;
            }
            long pivot = medianOfThree(keys[lo], keys[(lo + hi) >>> 1], keys[hi]);
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (keys[i] < pivot) {
                    i++;
                }
                while (keys[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    long swap = keys[i];
                    keys[i] = keys[j];
                    keys[j] = swap;
                    i++;
                    j--;
                }
            }
            // Now keys[lo..j] <= pivot <= keys[i..hi], and anything strictly between j and i equals pivot.
            if (target <= j) {
                hi = j;
            } else if (target >= i) {
                lo = i;
            } else {
                return;
            }
        }
    }

    private static long medianOfThree(long a, long b, long c) {
        if (a > b) {
            long swap = a;
            a = b;
            b = swap;
        }
        // With a <= b: if c >= b the median is b, otherwise it is the larger of a and c.
        return c >= b ? b : Math.max(a, c);
    }
}
