package io.rwkvx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A radix trie from token sequences to values: each edge holds a run of tokens, so a trie of E keys has at most
 * 2E nodes whatever their lengths, and a lookup walks the query once (O(query length) token comparisons plus one
 * hash lookup per edge). Not thread-safe: {@link PrefixStateCache} guards it.
 *
 * <p>Every node but the root holds a value or has at least two children (removals merge what they leave
 * behind), so the edge labels together hold at most as many tokens as the keys.
 */
final class PrefixTrie<V> {
    private static final class Node<V> {
        /** The tokens on the edge into this node (empty for the root). */
        int[] label;
        /** Children by the first token of their label; null while there are none. */
        Map<Integer, Node<V>> children;

        V value;

        Node(int[] label) {
            this.label = label;
        }

        Node<V> child(int token) {
            return children == null ? null : children.get(token);
        }

        void link(Node<V> child) {
            if (children == null) children = new HashMap<>(4);
            children.put(child.label[0], child);
        }

        int childCount() {
            return children == null ? 0 : children.size();
        }
    }

    private final Node<V> root = new Node<>(new int[0]);
    private int size;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Nodes, the root included: at most 2 * size() + 1 (see the class comment). */
    int nodeCount() {
        return count(root);
    }

    private static int count(Node<?> node) {
        int n = 1;
        if (node.children != null) for (Node<?> child : node.children.values()) n += count(child);
        return n;
    }

    /** The value stored under exactly {@code key}, or null. */
    V get(int[] key) {
        Node<V> node = find(key);
        return node == null ? null : node.value;
    }

    /** Stores {@code value} under {@code key} (not copied: the caller must not change it); returns the old one. */
    V put(int[] key, V value) {
        if (value == null) throw new IllegalArgumentException("null value");
        Node<V> node = root;
        int i = 0;
        while (i < key.length) {
            Node<V> child = node.child(key[i]);
            if (child == null) {
                Node<V> leaf = new Node<>(Arrays.copyOfRange(key, i, key.length));
                node.link(leaf);
                node = leaf;
                i = key.length;
                break;
            }
            int common = commonLength(child.label, key, i);
            if (common < child.label.length) child = split(node, child, common);
            node = child;
            i += common;
        }
        V old = node.value;
        node.value = value;
        if (old == null) size++;
        return old;
    }

    /** Removes the value under exactly {@code key}; returns it, or null when there was none. */
    V remove(int[] key) {
        List<Node<V>> path = new ArrayList<>();
        path.add(root);
        Node<V> node = root;
        int i = 0;
        while (i < key.length) {
            Node<V> child = node.child(key[i]);
            if (child == null || !matches(child.label, key, i)) return null;
            node = child;
            i += child.label.length;
            path.add(node);
        }
        V old = node.value;
        if (old == null) return null;
        node.value = null;
        size--;
        compact(path);
        return old;
    }

    /**
     * The value of the longest key that is a prefix of {@code tokens} (the whole of it included) and that
     * {@code accept} takes, or null.
     */
    V longestPrefixOf(int[] tokens, Predicate<? super V> accept) {
        V best = root.value != null && accept.test(root.value) ? root.value : null;
        Node<V> node = root;
        int i = 0;
        while (i < tokens.length) {
            Node<V> child = node.child(tokens[i]);
            if (child == null || !matches(child.label, tokens, i)) break;
            node = child;
            i += child.label.length;
            if (node.value != null && accept.test(node.value)) best = node.value;
        }
        return best;
    }

    /** The node of exactly {@code key}, or null. */
    private Node<V> find(int[] key) {
        Node<V> node = root;
        int i = 0;
        while (i < key.length) {
            Node<V> child = node.child(key[i]);
            if (child == null || !matches(child.label, key, i)) return null;
            node = child;
            i += child.label.length;
        }
        return node;
    }

    /** Puts a node holding the first {@code at} tokens of {@code child}'s label between it and {@code parent}. */
    private Node<V> split(Node<V> parent, Node<V> child, int at) {
        Node<V> middle = new Node<>(Arrays.copyOf(child.label, at));
        child.label = Arrays.copyOfRange(child.label, at, child.label.length);
        middle.link(child);
        parent.link(middle); // replaces child: both labels start with the same token
        return middle;
    }

    /**
     * After a removal at the end of {@code path}: drops valueless leaves and merges valueless nodes that have a
     * single child into that child, walking up while something changes.
     */
    private void compact(List<Node<V>> path) {
        for (int d = path.size() - 1; d >= 1; d--) {
            Node<V> node = path.get(d);
            Node<V> parent = path.get(d - 1);
            if (node.value != null) return;
            int children = node.childCount();
            if (children == 0) {
                parent.children.remove(node.label[0]);
                if (parent.children.isEmpty()) parent.children = null;
                continue; // the parent may now be a valueless leaf or have a single child
            }
            if (children == 1) {
                Node<V> only = node.children.values().iterator().next();
                int[] merged = Arrays.copyOf(node.label, node.label.length + only.label.length);
                System.arraycopy(only.label, 0, merged, node.label.length, only.label.length);
                only.label = merged;
                parent.link(only); // replaces node: same first token
            }
            return;
        }
    }

    private static boolean matches(int[] label, int[] tokens, int from) {
        return label.length <= tokens.length - from
                && Arrays.equals(label, 0, label.length, tokens, from, from + label.length);
    }

    private static int commonLength(int[] label, int[] key, int from) {
        int n = Math.min(label.length, key.length - from);
        int m = Arrays.mismatch(label, 0, n, key, from, from + n);
        return m < 0 ? n : m;
    }
}
