package io.rwkvx.tokenizer;

import java.util.Arrays;

/**
 * Byte trie of a token vocabulary that tokenizes by greedy longest match.
 *
 * <p>Nodes are numbered breadth-first with each node's children in ascending byte order, so the
 * children of node {@code n} are exactly the nodes {@code firstChild[n] .. firstChild[n+1]-1}: three
 * flat arrays hold the whole trie (about 9 bytes per node), and a child is found by binary search
 * over its siblings' labels, or by direct indexing when a node has all 256 children.
 */
final class ByteTrie {
    private static final int NO_TOKEN = -1;
    private static final int ROOT = 0;

    private final int[] firstChild; // length nodeCount + 1
    private final byte[] label; // byte on the edge into each node
    private final int[] tokenAt; // id of the token that ends at each node, or NO_TOKEN

    private ByteTrie(int[] firstChild, byte[] label, int[] tokenAt) {
        this.firstChild = firstChild;
        this.label = label;
        this.tokenAt = tokenAt;
    }

    /**
     * Builds the trie of all non-null entries of {@code tokensById}, one depth at a time.
     *
     * @throws IllegalArgumentException if two ids have the same byte string
     */
    static ByteTrie build(byte[][] tokensById) {
        int tokenCount = 0;
        long totalBytes = 0;
        int maxLength = 0;
        for (byte[] token : tokensById) {
            if (token != null) {
                tokenCount++;
                totalBytes += token.length;
                maxLength = Math.max(maxLength, token.length);
            }
        }
        // The tokens still longer than the current depth, each with its node at the previous depth.
        int[] ids = new int[tokenCount];
        int[] parents = new int[tokenCount];
        int activeCount = 0;
        for (int id = 0; id < tokensById.length; id++) {
            if (tokensById[id] != null) {
                ids[activeCount++] = id;
            }
        }
        int[] sortedIds = new int[tokenCount];
        int[] sortedParents = new int[tokenCount];
        int[] keys = new int[tokenCount];

        int capacity = (int) Math.min(Integer.MAX_VALUE - 8, totalBytes + 1);
        int[] parent = new int[capacity];
        byte[] label = new byte[capacity];
        int[] tokenAt = new int[capacity];
        tokenAt[ROOT] = NO_TOKEN;
        int nodeCount = 1;
        int previousLevelStart = ROOT;

        for (int depth = 1; depth <= maxLength; depth++) {
            // Breadth-first numbering needs this depth's edges ordered by (parent, byte): two stable
            // counting sorts, least significant key first.
            for (int k = 0; k < activeCount; k++) {
                keys[k] = tokensById[ids[k]][depth - 1] & 0xFF;
            }
            stableCountingSort(keys, 256, activeCount, ids, parents, sortedIds, sortedParents);
            for (int k = 0; k < activeCount; k++) {
                keys[k] = sortedParents[k] - previousLevelStart;
            }
            stableCountingSort(
                    keys, nodeCount - previousLevelStart, activeCount, sortedIds, sortedParents, ids, parents);

            int levelStart = nodeCount;
            int previousParent = -1;
            int previousByte = -1;
            int node = -1;
            int stillActive = 0;
            for (int k = 0; k < activeCount; k++) {
                int id = ids[k];
                byte[] token = tokensById[id];
                int edge = token[depth - 1] & 0xFF;
                if (parents[k] != previousParent || edge != previousByte) {
                    node = nodeCount++;
                    parent[node] = parents[k];
                    label[node] = (byte) edge;
                    tokenAt[node] = NO_TOKEN;
                    previousParent = parents[k];
                    previousByte = edge;
                }
                if (token.length == depth) {
                    if (tokenAt[node] != NO_TOKEN) {
                        throw new IllegalArgumentException(
                                "token ids " + tokenAt[node] + " and " + id + " have the same bytes");
                    }
                    tokenAt[node] = id;
                } else {
                    ids[stillActive] = id;
                    parents[stillActive] = node;
                    stillActive++;
                }
            }
            activeCount = stillActive;
            previousLevelStart = levelStart;
        }

        // Children were numbered in parent order, so each node's children start after all earlier nodes'.
        int[] firstChild = new int[nodeCount + 1];
        for (int node = 1; node < nodeCount; node++) {
            firstChild[parent[node] + 1]++;
        }
        firstChild[0] = 1;
        for (int node = 0; node < nodeCount; node++) {
            firstChild[node + 1] += firstChild[node];
        }
        return new ByteTrie(firstChild, Arrays.copyOf(label, nodeCount), Arrays.copyOf(tokenAt, nodeCount));
    }

    /** Stably reorders the pairs {@code (ids[k], parents[k])} by {@code keys[k]} in {@code [0, keyRange)}. */
    private static void stableCountingSort(
            int[] keys, int keyRange, int count, int[] ids, int[] parents, int[] sortedIds, int[] sortedParents) {
        int[] next = new int[keyRange + 1];
        for (int k = 0; k < count; k++) {
            next[keys[k] + 1]++;
        }
        for (int key = 0; key < keyRange; key++) {
            next[key + 1] += next[key];
        }
        for (int k = 0; k < count; k++) {
            int to = next[keys[k]]++;
            sortedIds[to] = ids[k];
            sortedParents[to] = parents[k];
        }
    }

    /** The child of {@code node} along byte {@code value} (0..255), or -1 if there is none. */
    private int child(int node, int value) {
        int low = firstChild[node];
        int high = firstChild[node + 1];
        if (high - low == 256) {
            return low + value;
        }
        while (low < high) {
            int middle = (low + high) >>> 1;
            int middleValue = label[middle] & 0xFF;
            if (middleValue < value) {
                low = middle + 1;
            } else if (middleValue > value) {
                high = middle;
            } else {
                return middle;
            }
        }
        return -1;
    }

    /**
     * Greedy longest-match tokenization: from each position, take the longest token that matches,
     * then continue after it.
     *
     * @throws IllegalStateException if some byte starts no token (impossible when every single byte is one)
     */
    int[] tokenize(byte[] input) {
        int[] ids = new int[Math.max(16, input.length / 3)];
        int count = 0;
        int position = 0;
        while (position < input.length) {
            int bestId = NO_TOKEN;
            int bestEnd = position;
            int node = ROOT;
            for (int i = position; i < input.length; i++) {
                node = child(node, input[i] & 0xFF);
                if (node < 0) {
                    break;
                }
                int id = tokenAt[node];
                if (id != NO_TOKEN) {
                    bestId = id;
                    bestEnd = i + 1;
                }
            }
            if (bestId == NO_TOKEN) {
                throw new IllegalStateException(String.format(
                        "no token starts with byte 0x%02X at offset %d", input[position] & 0xFF, position));
            }
            if (count == ids.length) {
                ids = Arrays.copyOf(ids, count * 2);
            }
            ids[count++] = bestId;
            position = bestEnd;
        }
        return Arrays.copyOf(ids, count);
    }
}
