package io.rwkvx.tokenizer;

import java.util.Arrays;

/**
 * Merge table of a byte-pair-encoding model and the merge loop. Symbols are token ids; merging the pair
 * {@code (left, right)} yields the id of the concatenated token. Among all adjacent pairs that have a merge,
 * the one with the lowest rank is merged first, the leftmost on ties, exactly like HuggingFace
 * {@code tokenizers}. Immutable after construction, so thread-safe.
 */
final class BpeMerges {
    private static final long EMPTY = -1L;

    // Open addressing, keys (left << 32 | right), values (rank << 32 | merged id): avoids boxing 50k entries.
    private final long[] keys;
    private final long[] values;
    private final int mask;

    /** @param capacityHint number of merges that will be {@link #put} */
    BpeMerges(int capacityHint) {
        int capacity = Integer.highestOneBit(Math.max(16, capacityHint * 2 - 1)) << 1;
        keys = new long[capacity];
        values = new long[capacity];
        Arrays.fill(keys, EMPTY);
        mask = capacity - 1;
    }

    /** Records a merge; a later rank for the same pair replaces an earlier one (as the reference does). */
    void put(int left, int right, int rank, int merged) {
        long key = pairKey(left, right);
        int slot = slot(key);
        while (keys[slot] != EMPTY && keys[slot] != key) {
            slot = (slot + 1) & mask;
        }
        keys[slot] = key;
        values[slot] = ((long) rank << 32) | merged;
    }

    /** {@code rank << 32 | mergedId} for the pair, or -1 if it has no merge. */
    private long lookup(int left, int right) {
        long key = pairKey(left, right);
        int slot = slot(key);
        while (true) {
            long k = keys[slot];
            if (k == key) {
                return values[slot];
            }
            if (k == EMPTY) {
                return -1;
            }
            slot = (slot + 1) & mask;
        }
    }

    private static long pairKey(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 32) & mask;
    }

    /**
     * Applies all merges to {@code symbols} (initial ids, one per byte) and returns the final ids. Uses a
     * linked list plus a heap of candidate pairs, so long pieces (a megabyte of dashes) stay O(n log n).
     */
    int[] apply(int[] symbols) {
        int n = symbols.length;
        if (n < 2) {
            return symbols.clone();
        }
        int[] sym = symbols.clone();
        int[] prev = new int[n];
        int[] next = new int[n];
        boolean[] dead = new boolean[n];
        LongHeap heap = new LongHeap(n);
        for (int i = 0; i < n; i++) {
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        for (int i = 0; i + 1 < n; i++) {
            push(heap, sym[i], sym[i + 1], i);
        }
        int remaining = n;
        while (!heap.isEmpty()) {
            long top = heap.pop();
            int rank = (int) (top >>> 32);
            int pos = (int) top;
            int right = next[pos];
            if (dead[pos] || right < 0) {
                continue;
            }
            long merge = lookup(sym[pos], sym[right]);
            // Stale entry: one side was merged since it was pushed, so this pair no longer exists.
            if (merge < 0 || (int) (merge >>> 32) != rank) {
                continue;
            }
            sym[pos] = (int) merge;
            dead[right] = true;
            remaining--;
            next[pos] = next[right];
            if (next[pos] >= 0) {
                prev[next[pos]] = pos;
                push(heap, sym[pos], sym[next[pos]], pos);
            }
            if (prev[pos] >= 0) {
                push(heap, sym[prev[pos]], sym[pos], prev[pos]);
            }
        }
        int[] out = new int[remaining];
        int k = 0;
        for (int i = 0; i >= 0; i = next[i]) {
            out[k++] = sym[i];
        }
        return out;
    }

    private void push(LongHeap heap, int left, int right, int pos) {
        long merge = lookup(left, right);
        if (merge >= 0) {
            // Rank in the high half, position in the low half: lowest rank first, then leftmost.
            heap.push((merge & 0xFFFFFFFF00000000L) | pos);
        }
    }

    /** Binary min-heap of longs. */
    private static final class LongHeap {
        private long[] items;
        private int size;

        LongHeap(int capacity) {
            items = new long[Math.max(4, capacity)];
        }

        boolean isEmpty() {
            return size == 0;
        }

        void push(long value) {
            if (size == items.length) {
                items = Arrays.copyOf(items, size * 2);
            }
            int i = size++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (items[parent] <= value) {
                    break;
                }
                items[i] = items[parent];
                i = parent;
            }
            items[i] = value;
        }

        long pop() {
            long result = items[0];
            long last = items[--size];
            int i = 0;
            while (true) {
                int child = 2 * i + 1;
                if (child >= size) {
                    break;
                }
                if (child + 1 < size && items[child + 1] < items[child]) {
                    child++;
                }
                if (items[child] >= last) {
                    break;
                }
                items[i] = items[child];
                i = child;
            }
            items[i] = last;
            return result;
        }
    }
}
