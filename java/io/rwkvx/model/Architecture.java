package io.rwkvx.model;

/** Model families; {@link #code} equals {@code rwkvx_arch} in the C ABI. */
public enum Architecture {
    /** RWKV-4: time mix with the aa/bb/pp recurrence, no heads. */
    RWKV4(4, "RWKV-4"),
    /** RWKV-5.2 ("Eagle"): matrix-valued state per head, with a learned decay that does not depend on the input. */
    RWKV5(5, "RWKV-5.2"),
    /** RWKV-6 ("Finch"): as RWKV-5.2, with a decay and token shift that depend on the input. */
    RWKV6(6, "RWKV-6"),
    /** RWKV-7 ("Goose", x070): the generalized delta rule state update. */
    RWKV7(7, "RWKV-7"),
    /** RWKV-X: RWKV-7 blocks with sparse-attention blocks interleaved ({@link ModelConfig#nAttnLayer}). */
    HYBRID(8, "RWKV-X");

    /** The value of {@code rwkvx_arch} in {@code include/rwkvx.h}. */
    public final int code;
    /** The family's usual name, e.g. "RWKV-5.2", for messages and {@code rwkvx info}. */
    public final String displayName;

    Architecture(int code, String displayName) {
        this.code = code;
        this.displayName = displayName;
    }
}
