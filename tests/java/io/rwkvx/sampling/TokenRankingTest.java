package io.rwkvx.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TokenRankingTest {

    @Test
    void keysOrderByLogitThenByLowerId() {
        float[] logits = {
            Float.NEGATIVE_INFINITY, -3.5f, -0.0f, 0.0f, 1e-40f, 2f, 2f, Float.MAX_VALUE, Float.POSITIVE_INFINITY
        };
        for (int a = 0; a < logits.length; a++) {
            for (int b = 0; b < logits.length; b++) {
                long keyA = TokenRanking.key(a, logits[a]);
                long keyB = TokenRanking.key(b, logits[b]);
                boolean aRanksHigher = logits[a] > logits[b] || (logits[a] == logits[b] && a < b);
                assertEquals(aRanksHigher, keyA > keyB, "tokens " + a + " and " + b);
            }
        }
    }

    @Test
    void tokenRoundTripsThroughTheKey() {
        for (int token : new int[] {0, 1, 65535, 1 << 20, Integer.MAX_VALUE}) {
            assertEquals(token, TokenRanking.token(TokenRanking.key(token, -1.25f)));
        }
    }

    @Test
    void selectLargestLeavesTheKLargestAtTheEnd() {
        Random random = new Random(13);
        for (int n : new int[] {1, 2, 3, 10, 257, 5000}) {
            // k spans both strategies: heap selection for k <= n / 16, quickselect above.
            for (int k : new int[] {1, 2, 3, n / 16, n / 16 + 1, n / 2, n - 1, n}) {
                if (k < 1 || k > n) {
                    continue;
                }
                for (String shape : new String[] {"random", "ascending", "descending", "fewValues"}) {
                    long[] keys = shaped(shape, n, random);
                    long[] sorted = keys.clone();
                    Arrays.sort(sorted);
                    TokenRanking.selectLargest(keys, n, k);
                    long[] top = Arrays.copyOfRange(keys, n - k, n);
                    Arrays.sort(top);
                    assertArrayEquals(Arrays.copyOfRange(sorted, n - k, n), top, shape + " n=" + n + " k=" + k);
                    long[] all = keys.clone();
                    Arrays.sort(all);
                    assertArrayEquals(sorted, all, "selection must only permute");
                }
            }
        }
    }

    @Test
    void selectLargestHandlesDegenerateK() {
        long[] keys = {5, 1, 4};
        TokenRanking.selectLargest(keys, 3, 0);
        assertArrayEquals(new long[] {5, 1, 4}, keys);
        TokenRanking.selectLargest(keys, 3, 3);
        assertTrue(Arrays.equals(new long[] {5, 1, 4}, keys));
    }

    private static long[] shaped(String shape, int n, Random random) {
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            float logit = switch (shape) {
                case "ascending" -> i;
                case "descending" -> -i;
                case "fewValues" -> random.nextInt(3);
                default -> (float) random.nextGaussian();
            };
            keys[i] = TokenRanking.key(i, logit);
        }
        return keys;
    }
}
