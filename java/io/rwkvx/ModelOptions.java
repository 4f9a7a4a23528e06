package io.rwkvx;

import io.rwkvx.backend.BackendKind;
import io.rwkvx.common.WeightPlacement;
import io.rwkvx.model.HybridConfig;
import io.rwkvx.tensor.DType;
import io.rwkvx.tokenizer.Tokenizer;

/**
 * How to load a model.
 *
 * @param backend   which backend runs it
 * @param threads   compute threads (0 = all processors)
 * @param tokenizer the tokenizer to use, or null to pick one from the vocabulary size
 * @param hybrid    RWKV-X inference knobs (ignored by other architectures)
 * @param weights   whether the native backend copies the weights into its own memory ({@link WeightPlacement#RESIDENT},
 *                  the default) or uses them in place from the mapped file ({@link WeightPlacement#IN_PLACE})
 * @param quantize  a quantized type ({@link DType#quantized()}) to quantize the weights to right after reading them,
 *                  the tensors rwkv.cpp's quantizer would (see {@link Quantizer#quantize}), or null to keep them
 * @param maxBatch  the most sequences that concurrent {@link Session}s of the model may have evaluated together in
 *                  one batched call (continuous batching); 1 runs every call on its own
 * @param prefillChunk the most tokens of one call a batched round evaluates: longer calls (prefills) run in chunks
 *                  of this size, one per round, so that the decode steps of other sessions keep flowing
 * @param roundPrefillTokens the most tokens that the chunks of several tokens in one round hold together (a round
 *                  always runs at least one; single-token steps are not counted)
 */
public record ModelOptions(
        BackendKind backend,
        int threads,
        Tokenizer tokenizer,
        HybridConfig hybrid,
        WeightPlacement weights,
        DType quantize,
        int maxBatch,
        int prefillChunk,
        int roundPrefillTokens) {
    /** The default batch size of concurrent sessions' calls. */
    public static final int DEFAULT_MAX_BATCH = 8;

    /** The default {@link #prefillChunk}. */
    public static final int DEFAULT_PREFILL_CHUNK = 256;

    /** The default {@link #roundPrefillTokens}. */
    public static final int DEFAULT_ROUND_PREFILL_TOKENS = 512;

    /**
     * Options with the default prefill chunks.
     *
     * @param backend   which backend runs it
     * @param threads   compute threads (0 = all processors)
     * @param tokenizer the tokenizer to use, or null to pick one from the vocabulary size
     * @param hybrid    RWKV-X inference knobs (ignored by other architectures)
     * @param weights   {@link WeightPlacement#RESIDENT} or {@link WeightPlacement#IN_PLACE}
     * @param quantize  a quantized type to quantize the weights to on load, or null to keep them
     * @param maxBatch  the most calls of concurrent sessions evaluated together, &gt;= 1
     * @throws IllegalArgumentException as the canonical constructor
     */
    public ModelOptions(
            BackendKind backend,
            int threads,
            Tokenizer tokenizer,
            HybridConfig hybrid,
            WeightPlacement weights,
            DType quantize,
            int maxBatch) {
        this(
                backend,
                threads,
                tokenizer,
                hybrid,
                weights,
                quantize,
                maxBatch,
                DEFAULT_PREFILL_CHUNK,
                DEFAULT_ROUND_PREFILL_TOKENS);
    }

    /**
     * Options with the default batching ({@link #DEFAULT_MAX_BATCH}, default prefill chunks).
     *
     * @param backend   which backend runs it
     * @param threads   compute threads (0 = all processors)
     * @param tokenizer the tokenizer to use, or null to pick one from the vocabulary size
     * @param hybrid    RWKV-X inference knobs (ignored by other architectures)
     * @param weights   {@link WeightPlacement#RESIDENT} or {@link WeightPlacement#IN_PLACE}
     * @param quantize  a quantized type to quantize the weights to on load, or null to keep them
     * @throws IllegalArgumentException as the canonical constructor
     */
    public ModelOptions(
            BackendKind backend,
            int threads,
            Tokenizer tokenizer,
            HybridConfig hybrid,
            WeightPlacement weights,
            DType quantize) {
        this(backend, threads, tokenizer, hybrid, weights, quantize, DEFAULT_MAX_BATCH);
    }

    /**
     * Options that keep the weights as stored, with the default batching.
     *
     * @param backend   which backend runs it
     * @param threads   compute threads (0 = all processors)
     * @param tokenizer the tokenizer to use, or null to pick one from the vocabulary size
     * @param hybrid    RWKV-X inference knobs (ignored by other architectures)
     * @param weights   {@link WeightPlacement#RESIDENT} or {@link WeightPlacement#IN_PLACE}
     * @throws IllegalArgumentException as the canonical constructor
     */
    public ModelOptions(
            BackendKind backend, int threads, Tokenizer tokenizer, HybridConfig hybrid, WeightPlacement weights) {
        this(backend, threads, tokenizer, hybrid, weights, null);
    }

    /**
     * Options with {@link WeightPlacement#RESIDENT} weights as stored, with the default batching.
     *
     * @param backend   which backend runs it
     * @param threads   compute threads (0 = all processors)
     * @param tokenizer the tokenizer to use, or null to pick one from the vocabulary size
     * @param hybrid    RWKV-X inference knobs (ignored by other architectures)
     * @throws IllegalArgumentException as the canonical constructor
     */
    public ModelOptions(BackendKind backend, int threads, Tokenizer tokenizer, HybridConfig hybrid) {
        this(backend, threads, tokenizer, hybrid, WeightPlacement.RESIDENT);
    }

    /**
     * Options with the default RWKV-X knobs, {@link WeightPlacement#RESIDENT} weights as stored and the default batching.
     *
     * @param backend   which backend runs it
     * @param threads   compute threads (0 = all processors)
     * @param tokenizer the tokenizer to use, or null to pick one from the vocabulary size
     * @throws IllegalArgumentException as the canonical constructor
     */
    public ModelOptions(BackendKind backend, int threads, Tokenizer tokenizer) {
        this(backend, threads, tokenizer, HybridConfig.defaults());
    }

    /**
     * Checks the options.
     *
     * @throws IllegalArgumentException if the backend, hybrid knobs or weight placement is null, a count is
     *                                  out of range, or {@code quantize} is a float type
     */
    public ModelOptions {
        if (backend == null) throw new IllegalArgumentException("backend is null");
        if (hybrid == null) throw new IllegalArgumentException("hybrid config is null");
        if (weights == null) throw new IllegalArgumentException("weight placement is null");
        if (threads < 0) throw new IllegalArgumentException("threads must be >= 0, got " + threads);
        if (maxBatch < 1) throw new IllegalArgumentException("maxBatch must be >= 1, got " + maxBatch);
        if (prefillChunk < 1) throw new IllegalArgumentException("prefillChunk must be >= 1, got " + prefillChunk);
        if (roundPrefillTokens < 1)
            throw new IllegalArgumentException("roundPrefillTokens must be >= 1, got " + roundPrefillTokens);
        if (quantize != null && !quantize.isQuantized())
            throw new IllegalArgumentException(
                    "quantize must be one of " + DType.quantized() + " (or null), got " + quantize);
    }

    /**
     * The options {@link Rwkvx#load(java.nio.file.Path)} uses.
     *
     * @return {@link BackendKind#AUTO}, all processors, the tokenizer matching the vocabulary, default RWKV-X
     *         knobs, resident weights as stored, batches of {@link #DEFAULT_MAX_BATCH}, default prefill chunks
     */
    public static ModelOptions defaults() {
        return new ModelOptions(BackendKind.AUTO, 0, null);
    }

    /**
     * The same options with another backend.
     *
     * @param b the backend, not null
     * @return new options
     * @throws IllegalArgumentException if {@code b} is null
     */
    public ModelOptions withBackend(BackendKind b) {
        return new ModelOptions(
                b, threads, tokenizer, hybrid, weights, quantize, maxBatch, prefillChunk, roundPrefillTokens);
    }

    /**
     * The same options with another thread count.
     *
     * @param n compute threads, &gt;= 0 (0 = all processors)
     * @return new options
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public ModelOptions withThreads(int n) {
        return new ModelOptions(
                backend, n, tokenizer, hybrid, weights, quantize, maxBatch, prefillChunk, roundPrefillTokens);
    }

    /**
     * The same options with another tokenizer.
     *
     * @param t the tokenizer, or null to pick one from the vocabulary size
     * @return new options
     */
    public ModelOptions withTokenizer(Tokenizer t) {
        return new ModelOptions(
                backend, threads, t, hybrid, weights, quantize, maxBatch, prefillChunk, roundPrefillTokens);
    }

    /**
     * The same options with other RWKV-X knobs.
     *
     * @param h the RWKV-X knobs, not null
     * @return new options
     * @throws IllegalArgumentException if {@code h} is null
     */
    public ModelOptions withHybrid(HybridConfig h) {
        return new ModelOptions(
                backend, threads, tokenizer, h, weights, quantize, maxBatch, prefillChunk, roundPrefillTokens);
    }

    /**
     * The same options with another weight placement.
     *
     * @param w {@link WeightPlacement#RESIDENT} or {@link WeightPlacement#IN_PLACE}, not null
     * @return new options
     * @throws IllegalArgumentException if {@code w} is null
     */
    public ModelOptions withWeights(WeightPlacement w) {
        return new ModelOptions(
                backend, threads, tokenizer, hybrid, w, quantize, maxBatch, prefillChunk, roundPrefillTokens);
    }

    /**
     * The same options, quantizing the weights after reading them.
     *
     * @param type one of {@link DType#quantized()}, or null to keep the weights as stored
     * @return new options
     * @throws IllegalArgumentException if {@code type} is a float type
     */
    public ModelOptions withQuantization(DType type) {
        return new ModelOptions(
                backend, threads, tokenizer, hybrid, weights, type, maxBatch, prefillChunk, roundPrefillTokens);
    }

    /**
     * The same options with another batch size.
     *
     * @param n the most concurrent sessions' calls evaluated together, &gt;= 1 (1: each on its own)
     * @return new options
     * @throws IllegalArgumentException if {@code n} is below 1
     */
    public ModelOptions withMaxBatch(int n) {
        return new ModelOptions(
                backend, threads, tokenizer, hybrid, weights, quantize, n, prefillChunk, roundPrefillTokens);
    }

    /**
     * Batched rounds evaluate at most {@code chunk} tokens of one call, and at most {@code perRound} tokens of
     * such chunks together (see {@link #prefillChunk}, {@link #roundPrefillTokens}).
     *
     * @param chunk    the most tokens of one call per round, &gt;= 1
     * @param perRound the most tokens of multi-token chunks per round, &gt;= 1
     * @return new options
     * @throws IllegalArgumentException if either is below 1
     */
    public ModelOptions withPrefillChunks(int chunk, int perRound) {
        return new ModelOptions(backend, threads, tokenizer, hybrid, weights, quantize, maxBatch, chunk, perRound);
    }
}
