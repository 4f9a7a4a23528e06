package io.rwkvx.tokenizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A set of added tokens (literal strings with fixed ids) matched leftmost-longest, as the reference's
 * added-vocabulary splitter does: scanning left to right, the first position where any token starts wins,
 * and there the longest token.
 */
final class NeoxAddedTokens {
    static final NeoxAddedTokens NONE = new NeoxAddedTokens(List.of(), new int[0]);

    private final String[] contents;
    private final int[] ids;
    // Candidates by first character, longest first; the bitmap rejects most positions without hashing.
    private final Map<Character, int[]> byFirstChar = new HashMap<>();
    private final long[] firstChars = new long[1024];

    /** @param contents non-empty, distinct token strings; {@code ids[k]} is the id of {@code contents.get(k)} */
    NeoxAddedTokens(List<String> contents, int[] ids) {
        this.contents = contents.toArray(new String[0]);
        this.ids = ids.clone();
        Map<Character, List<Integer>> groups = new HashMap<>();
        for (int k = 0; k < this.contents.length; k++) {
            char first = this.contents[k].charAt(0);
            groups.computeIfAbsent(first, c -> new ArrayList<>()).add(k);
            firstChars[first >>> 6] |= 1L << first;
        }
        for (Map.Entry<Character, List<Integer>> group : groups.entrySet()) {
            List<Integer> ks = group.getValue();
            ks.sort(Comparator.comparingInt((Integer k) -> this.contents[k].length())
                    .reversed());
            byFirstChar.put(
                    group.getKey(), ks.stream().mapToInt(Integer::intValue).toArray());
        }
    }

    /** Index of the longest token starting at {@code text[at]}, or -1. */
    int matchAt(String text, int at) {
        char c = text.charAt(at);
        if ((firstChars[c >>> 6] & (1L << c)) == 0) {
            return -1;
        }
        for (int k : byFirstChar.get(c)) {
            if (text.startsWith(contents[k], at)) {
                return k;
            }
        }
        return -1;
    }

    int id(int k) {
        return ids[k];
    }

    int length(int k) {
        return contents[k].length();
    }

    boolean isEmpty() {
        return contents.length == 0;
    }
}
