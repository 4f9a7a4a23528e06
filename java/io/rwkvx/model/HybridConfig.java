package io.rwkvx.model;

import io.rwkvx.tensor.DType;

/**
 * Inference knobs of an RWKV-X model that are not in its weights ({@code rwkvx_hybrid_config};
 * docs/rwkv-x.md §4, §5). Prefill (calls with several tokens) and decode (one token) should use the same
 * mode: then a prefill equals token-by-token decoding. SPARSE: each query attends its own chunk
 * causally plus the {@code topK} best complete past chunks (MoBA-consistent; the package's decode).
 *
 * @param chunkSize   B, chunks aligned to position 0
 * @param topK        complete past chunks attended besides the query's own chunk
 * @param perHeadScope true: each head selects its own chunks (training); false: one selection over all heads
 * @param prefillSparse sparse (true) or full attention for calls with several tokens
 * @param decodeSparse  sparse (true) or full attention for single-token calls
 * @param denseBelow  sparse runs as full while the attended length is at most this; must be below B·(topK+1)
 * @param kvMaxSize   compress a KV cache longer than this before a decode step (SnapKV-like); 0 = never
 * @param kvWindow    recent tokens compression always keeps
 * @param kvMinSize   cache length after compression
 * @param kvDtype     how the KV caches store K and V: F32, or F16/BF16 for half the memory (K and V then
 *                    rounded to 16 bits, in prefill and decode alike)
 */
public record HybridConfig(
        int chunkSize,
        int topK,
        boolean perHeadScope,
        boolean prefillSparse,
        boolean decodeSparse,
        long denseBelow,
        long kvMaxSize,
        long kvWindow,
        long kvMinSize,
        DType kvDtype) {
    /**
     * Knobs with F32 KV caches.
     *
     * @param chunkSize     B, chunks aligned to position 0; at least 1
     * @param topK          complete past chunks attended besides the query's own chunk, 0..64
     * @param perHeadScope  true: each head selects its own chunks; false: one selection over all heads
     * @param prefillSparse sparse (true) or full attention for calls with several tokens
     * @param decodeSparse  sparse (true) or full attention for single-token calls
     * @param denseBelow    sparse runs as full while the attended length is at most this; below B·(topK+1)
     * @param kvMaxSize     compress a KV cache longer than this before a decode step; 0 = never
     * @param kvWindow      recent tokens compression always keeps
     * @param kvMinSize     cache length after compression
     * @throws IllegalArgumentException as the canonical constructor
     */
    public HybridConfig(
            int chunkSize,
            int topK,
            boolean perHeadScope,
            boolean prefillSparse,
            boolean decodeSparse,
            long denseBelow,
            long kvMaxSize,
            long kvWindow,
            long kvMinSize) {
        this(
                chunkSize,
                topK,
                perHeadScope,
                prefillSparse,
                decodeSparse,
                denseBelow,
                kvMaxSize,
                kvWindow,
                kvMinSize,
                DType.F32);
    }

    /**
     * Checks the knobs.
     *
     * @throws IllegalArgumentException if a size is out of range, the dense threshold reaches
     *                                  B·(topK+1), compression sizes are not ordered
     *                                  {@code 0 <= kvWindow < kvMinSize <= kvMaxSize}, or {@code kvDtype}
     *                                  is null or quantized
     */
    public HybridConfig {
        if (kvDtype == null) throw new IllegalArgumentException("kv dtype is null");
        if (kvDtype.isQuantized())
            throw new IllegalArgumentException("kv dtype must be F32, F16 or BF16, got " + kvDtype);
        if (chunkSize < 1) throw new IllegalArgumentException("chunk size must be >= 1, got " + chunkSize);
        if (topK < 0 || topK > 64) throw new IllegalArgumentException("top-k must be in 0..64, got " + topK);
        if (denseBelow < 0 || denseBelow >= (long) chunkSize * (topK + 1))
            throw new IllegalArgumentException(
                    "dense-below threshold " + denseBelow + " must be in [0, chunk*(topK+1) = "
                            + (long) chunkSize * (topK + 1) + ") so that prefill and decode agree");
        if (kvMaxSize < 0) throw new IllegalArgumentException("kv max size must be >= 0, got " + kvMaxSize);
        if (kvMaxSize > 0 && !(kvWindow >= 0 && kvWindow < kvMinSize && kvMinSize <= kvMaxSize))
            throw new IllegalArgumentException("need 0 <= kv window < kv min size <= kv max size, got " + kvWindow
                    + ", " + kvMinSize + ", " + kvMaxSize);
    }

    /**
     * The released models' settings.
     *
     * @return chunk 2048, top-3, dense up to 6144 tokens, per-head scores, sparse prefill and decode, F32
     *         caches, no compression
     */
    public static HybridConfig defaults() {
        return new HybridConfig(2048, 3, true, true, true, 2048L * 3, 0, 2000, 16000);
    }

    /**
     * The same knobs with another chunk selection. The dense threshold is lowered to {@code chunk * k}
     * where it would no longer fit.
     *
     * @param chunk chunk size B, at least 1
     * @param k     past chunks attended, 0..64
     * @return a new config
     * @throws IllegalArgumentException if {@code chunk} or {@code k} is out of range
     */
    public HybridConfig withChunk(int chunk, int k) {
        return new HybridConfig(
                chunk,
                k,
                perHeadScope,
                prefillSparse,
                decodeSparse,
                Math.min(denseBelow, (long) chunk * k),
                kvMaxSize,
                kvWindow,
                kvMinSize,
                kvDtype);
    }

    /**
     * The same knobs with another dense threshold.
     *
     * @param n sparse calls attending at most {@code n} tokens run as full attention; in
     *          {@code [0, chunkSize * (topK + 1))}
     * @return a new config
     * @throws IllegalArgumentException if {@code n} is out of range
     */
    public HybridConfig withDenseBelow(long n) {
        return new HybridConfig(
                chunkSize, topK, perHeadScope, prefillSparse, decodeSparse, n, kvMaxSize, kvWindow, kvMinSize, kvDtype);
    }

    /**
     * The same knobs with another selection scope.
     *
     * @param perHead true: each head selects its own chunks; false: one selection over all heads
     * @return a new config
     */
    public HybridConfig withPerHeadScope(boolean perHead) {
        return new HybridConfig(
                chunkSize,
                topK,
                perHead,
                prefillSparse,
                decodeSparse,
                denseBelow,
                kvMaxSize,
                kvWindow,
                kvMinSize,
                kvDtype);
    }

    /**
     * The same knobs with KV caches in {@code dtype}.
     *
     * @param dtype F32, F16 or BF16
     * @return a new config
     * @throws IllegalArgumentException if {@code dtype} is null or quantized
     */
    public HybridConfig withKvDtype(DType dtype) {
        return new HybridConfig(
                chunkSize,
                topK,
                perHeadScope,
                prefillSparse,
                decodeSparse,
                denseBelow,
                kvMaxSize,
                kvWindow,
                kvMinSize,
                dtype);
    }
}
