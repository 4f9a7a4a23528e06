package io.rwkvx.sampling;

/**
 * Counts of the most recent tokens, kept up to date as tokens arrive, so that applying
 * the penalties costs time proportional to the number of distinct recent tokens rather
 * than to the vocabulary or the length of the text.
 */
final class PenaltyHistory {
    private static final int INITIAL_RING_CAPACITY = 256;

    private final int window;
    private final int[] counts;
    // Sparse set of the tokens with a non-zero count: O(1) insert and remove.
    private final int[] distinct;
    private final int[] slotOf;
    private int distinctCount;

    // Ring buffer of the tokens inside the window; grows on demand up to the window.
    private int[] ring = new int[0];
    private int ringHead;
    private int ringSize;

    /** @param window how many recent tokens count; 0 = every token since the last reset */
    PenaltyHistory(int vocabSize, int window) {
        this.window = window;
        this.counts = new int[vocabSize];
        this.distinct = new int[vocabSize];
        this.slotOf = new int[vocabSize];
    }

    void add(int token) {
        if (window > 0) {
            if (ringSize == window) {
                decrement(ring[ringHead]);
                ring[ringHead] = token;
                ringHead = (ringHead + 1) % window;
            } else {
                if (ringSize == ring.length) {
                    growRing();
                }
                ring[(ringHead + ringSize) % ring.length] = token;
                ringSize++;
            }
        }
        if (counts[token]++ == 0) {
            slotOf[token] = distinctCount;
            distinct[distinctCount++] = token;
        }
    }

    void clear() {
        for (int i = 0; i < distinctCount; i++) {
            counts[distinct[i]] = 0;
        }
        distinctCount = 0;
        ringHead = 0;
        ringSize = 0;
    }

    int distinctCount() {
        return distinctCount;
    }

    /** The {@code i}-th distinct recent token, for {@code 0 <= i < distinctCount()}; order is arbitrary. */
    int distinctToken(int i) {
        return distinct[i];
    }

    int count(int token) {
        return counts[token];
    }

    private void decrement(int token) {
        if (--counts[token] == 0) {
            // Move the last member into the freed slot.
            int slot = slotOf[token];
            int last = distinct[--distinctCount];
            distinct[slot] = last;
            slotOf[last] = slot;
        }
    }

    private void growRing() {
        int capacity = (int) Math.min(window, Math.max(INITIAL_RING_CAPACITY, 2L * ring.length));
        int[] grown = new int[capacity];
        // Only grows before the window is full, when ringHead is still 0 and the data is contiguous.
        System.arraycopy(ring, 0, grown, 0, ringSize);
        ring = grown;
    }
}
