package io.rwkvx;

/**
 * What the continuous batching of one model's sessions has done so far ({@link Model#batchingStats()}): a
 * snapshot, for metrics.
 *
 * @param queued        session calls waiting for a round now (those in the round in progress not included)
 * @param maxBatch      the most calls one round takes ({@link ModelOptions#maxBatch()})
 * @param lastBatchSize calls in the last round (0 before the first)
 * @param rounds        rounds run: compute calls, each over a batch of calls (with {@code maxBatch} 1, every call)
 * @param items         calls evaluated in the rounds, a chunked prefill once per chunk
 * @param tokens        tokens evaluated
 */
public record BatchingStats(int queued, int maxBatch, int lastBatchSize, long rounds, long items, long tokens) {
    /**
     * The mean batch size.
     *
     * @return calls per round on average, {@code items / rounds} (0 before the first round)
     */
    public double averageBatchSize() {
        return rounds == 0 ? 0 : (double) items / rounds;
    }
}
