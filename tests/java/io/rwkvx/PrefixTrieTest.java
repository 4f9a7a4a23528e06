package io.rwkvx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The radix trie against a brute force (a map of keys scanned for the longest prefix), under random edits. */
class PrefixTrieTest {
    /** A key as a map key. */
    private record Key(int[] tokens) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(tokens, k.tokens);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(tokens);
        }
    }

    @Test
    void matchesABruteForceUnderRandomPutsRemovesAndLookups() {
        SplittableRandom rnd = new SplittableRandom(7);
        PrefixTrie<String> trie = new PrefixTrie<>();
        Map<Key, String> brute = new HashMap<>();
        List<int[]> known = new ArrayList<>();
        int lookups = 0, found = 0;
        for (int step = 0; step < 10_000; step++) {
            int op = rnd.nextInt(10);
            // Small alphabet and shared stems: many splits, merges and partial matches.
            int[] key = known.isEmpty() || rnd.nextInt(3) == 0
                    ? randomKey(rnd)
                    : mutate(rnd, known.get(rnd.nextInt(known.size())));
            if (op < 4) {
                String value = "v" + step;
                assertEquals(brute.put(new Key(key), value), trie.put(key.clone(), value), "put at step " + step);
                known.add(key);
            } else if (op < 6) {
                assertEquals(brute.remove(new Key(key)), trie.remove(key), "remove at step " + step);
            } else {
                int maxLength = rnd.nextInt(key.length + 1);
                // Accept only values whose key is at most maxLength long: the filter the cache uses.
                String want = null;
                int wantLength = -1;
                for (Map.Entry<Key, String> e : brute.entrySet()) {
                    int[] k = e.getKey().tokens();
                    if (k.length <= key.length
                            && k.length <= maxLength
                            && k.length > wantLength
                            && Arrays.equals(k, 0, k.length, key, 0, k.length)) {
                        want = e.getValue();
                        wantLength = k.length;
                    }
                }
                Map<String, Integer> lengths = new HashMap<>();
                brute.forEach((k, v) -> lengths.put(v, k.tokens().length));
                String got = trie.longestPrefixOf(key, v -> lengths.get(v) <= maxLength);
                assertEquals(want, got, "lookup at step " + step + " of " + Arrays.toString(key));
                lookups++;
                if (got != null) found++;
            }
            assertEquals(brute.size(), trie.size());
            if (step % 100 == 0)
                assertTrue(trie.nodeCount() <= 2 * trie.size() + 1, trie.nodeCount() + " nodes for " + trie.size());
        }
        assertTrue(found > lookups / 4 && found < lookups, found + " of " + lookups + " lookups found a prefix");
        for (Key k : brute.keySet()) assertEquals(brute.get(k), trie.get(k.tokens()));
        for (Key k : new ArrayList<>(brute.keySet())) trie.remove(k.tokens());
        assertTrue(trie.isEmpty());
        assertEquals(1, trie.nodeCount(), "removals leave only the root");
        assertNull(trie.longestPrefixOf(new int[] {1, 2, 3}, v -> true));
    }

    @Test
    void theEmptyKeyAndLongKeys() {
        PrefixTrie<String> trie = new PrefixTrie<>();
        int[] longKey = TestModels.randomBytes(5000, 1);
        trie.put(new int[0], "empty");
        trie.put(longKey.clone(), "long");
        trie.put(Arrays.copyOf(longKey, 2500), "half");
        assertEquals("long", trie.longestPrefixOf(longKey, v -> true));
        assertEquals("half", trie.longestPrefixOf(Arrays.copyOf(longKey, 4999), v -> true));
        assertEquals("empty", trie.longestPrefixOf(new int[] {longKey[0] + 1}, v -> true));
        assertEquals("half", trie.remove(Arrays.copyOf(longKey, 2500)));
        assertEquals("empty", trie.longestPrefixOf(Arrays.copyOf(longKey, 4999), v -> true));
        assertNull(trie.remove(Arrays.copyOf(longKey, 2500)), "already removed");
        assertNull(trie.remove(Arrays.copyOf(longKey, 100)), "never stored, inside an edge");
        assertEquals(2, trie.size());
    }

    private static int[] randomKey(SplittableRandom rnd) {
        int[] key = new int[rnd.nextInt(1, 12)];
        for (int i = 0; i < key.length; i++) key[i] = rnd.nextInt(3);
        return key;
    }

    /** A key near {@code base}: cut, extended, or with one token changed. */
    private static int[] mutate(SplittableRandom rnd, int[] base) {
        return switch (rnd.nextInt(3)) {
            case 0 -> Arrays.copyOf(base, rnd.nextInt(1, base.length + 1));
            case 1 -> {
                int[] longer = Arrays.copyOf(base, base.length + rnd.nextInt(1, 5));
                for (int i = base.length; i < longer.length; i++) longer[i] = rnd.nextInt(3);
                yield longer;
            }
            default -> {
                int[] changed = base.clone();
                changed[rnd.nextInt(changed.length)] = rnd.nextInt(3);
                yield changed;
            }
        };
    }
}
