package io.rwkvx.tensor;

/** Element types understood by the native library; {@link #code} equals {@code rwkvx_dtype}. */
public enum DType {
    F32(0, 4),
    F16(1, 2),
    BF16(2, 2);

    /** The {@code RWKVX_DTYPE_*} value. */
    public final int code;
    /** Bytes per element. */
    public final int bytes;

    DType(int code, int bytes) {
        this.code = code;
        this.bytes = bytes;
    }

    public static DType fromCode(int code) {
        for (DType d : values()) if (d.code == code) return d;
        throw new IllegalArgumentException("unknown dtype code " + code);
    }
}
