package io.rwkvx.backend;

/** Which backend a model runs on; {@code io.rwkvx.BackendProvider} creates it. */
public enum BackendKind {
    /** The native library when it loads (GPU when usable, else CPU), otherwise the Java reference. */
    AUTO,
    /** The native library; fails if it cannot be loaded. */
    NATIVE,
    /** The native library with its portable scalar kernels (no AVX2): for comparisons and tests. */
    NATIVE_SCALAR,
    /** The pure-Java float64 reference: slow, independent of native code. */
    REFERENCE
}
