package io.rwkvx.model;

/** Model families; {@link #code} equals {@code rwkvx_arch} in the C ABI. */
public enum Architecture {
    RWKV4(4, "RWKV-4"),
    RWKV5(5, "RWKV-5.2"),
    RWKV6(6, "RWKV-6"),
    RWKV7(7, "RWKV-7"),
    /** RWKV-X: RWKV-7 blocks with sparse-attention blocks interleaved ({@link ModelConfig#nAttnLayer}). */
    HYBRID(8, "RWKV-X");

    public final int code;
    public final String displayName;

    Architecture(int code, String displayName) {
        this.code = code;
        this.displayName = displayName;
    }
}
