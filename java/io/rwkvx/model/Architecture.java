package io.rwkvx.model;

/** Model families; {@link #code} equals {@code rwkvx_arch} in the C ABI. */
public enum Architecture {
    RWKV4(4, "RWKV-4"),
    RWKV7(7, "RWKV-7");

    public final int code;
    public final String displayName;

    Architecture(int code, String displayName) {
        this.code = code;
        this.displayName = displayName;
    }
}
