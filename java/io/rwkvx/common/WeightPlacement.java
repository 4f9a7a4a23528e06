package io.rwkvx.common;

/**
 * Where the native backend reads a model's weights from. Both compute the same logits up to float32
 * rounding (resident matrices are laid out for the kernels, so single-token products sum in another
 * order); the pure-Java reference backend ignores the choice.
 */
public enum WeightPlacement {
    /**
     * The native backend copies the weights into memory it owns, on 2 MiB huge pages where the OS
     * allows, with matrices in blocks of 32 rows that a single-token product streams several at a time: the
     * fastest decode (bench/README.md has the measured figures), at the cost of one copy of the weights
     * (the mapped file's pages are then released from the process). The default.
     */
    RESIDENT,
    /**
     * The weights are used in place from the memory-mapped file: zero-copy, pages loaded on demand and
     * shared with the page cache, but slower decode on the CPU.
     */
    IN_PLACE
}
