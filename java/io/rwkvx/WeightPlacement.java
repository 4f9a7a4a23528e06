package io.rwkvx;

/**
 * Where the native backend reads a model's weights from. Both compute the same logits, bit for bit; the
 * pure-Java reference backend ignores the choice.
 */
public enum WeightPlacement {
    /**
     * The native backend copies the weights into memory it owns, on 2 MiB huge pages where the OS
     * allows: the fastest decode (fewer TLB misses while every weight streams through once per token),
     * at the cost of one extra copy of the weights in memory. The default.
     */
    RESIDENT,
    /**
     * The weights are used in place from the memory-mapped file: zero-copy, pages loaded on demand and
     * shared with the page cache, but about 10% slower decode on the CPU.
     */
    MAPPED
}
