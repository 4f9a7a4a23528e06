package io.rwkvx.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rwkvx.BatchingStats;
import io.rwkvx.PrefixStateCache;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What {@code GET /metrics} reports: counters since start, the queue and batch gauges (from {@link Admission}),
 * generated tokens per second over the last {@value #WINDOW_SECONDS} whole seconds, the model's batching rounds
 * ({@link BatchingStats}: how many session calls each native round evaluated together) and the prefix cache's
 * counters and size.
 */
final class Metrics {
    static final int WINDOW_SECONDS = 10;

    final AtomicLong requests = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong completed = new AtomicLong();
    final AtomicLong cancelled = new AtomicLong();
    final AtomicLong promptTokens = new AtomicLong();
    final AtomicLong completionTokens = new AtomicLong();

    private final Admission admission;
    private final int maxBatch;
    private final LongSupplier nanoClock;
    private final Supplier<BatchingStats> batching;
    /** Null when the server has no prefix cache. */
    private final Supplier<PrefixStateCache.Stats> cache;

    /** Tokens generated in each of the last seconds, by second modulo the window (one extra: the current). */
    private final long[] bucketTokens = new long[WINDOW_SECONDS + 1];

    private final long[] bucketSecond = new long[WINDOW_SECONDS + 1];

    Metrics(
            Admission admission,
            int maxBatch,
            LongSupplier nanoClock,
            Supplier<BatchingStats> batching,
            Supplier<PrefixStateCache.Stats> cache) {
        this.admission = admission;
        this.maxBatch = maxBatch;
        this.nanoClock = nanoClock;
        this.batching = batching;
        this.cache = cache;
    }

    /** Counts {@code n} generated tokens now. */
    void generated(long n) {
        if (n <= 0) return;
        completionTokens.addAndGet(n);
        long second = nanoClock.getAsLong() / 1_000_000_000L;
        synchronized (bucketTokens) {
            int i = (int) Math.floorMod(second, (long) bucketTokens.length);
            if (bucketSecond[i] != second) {
                bucketSecond[i] = second;
                bucketTokens[i] = 0;
            }
            bucketTokens[i] += n;
        }
    }

    /** Generated tokens per second over the last whole seconds (the current one left out). */
    double tokensPerSecond() {
        long now = nanoClock.getAsLong() / 1_000_000_000L;
        long sum = 0;
        synchronized (bucketTokens) {
            for (int i = 0; i < bucketTokens.length; i++) {
                long age = now - bucketSecond[i];
                if (age >= 1 && age <= WINDOW_SECONDS) sum += bucketTokens[i];
            }
        }
        return sum / (double) WINDOW_SECONDS;
    }

    /** Prometheus' text format. */
    String prometheus() {
        StringBuilder sb = new StringBuilder();
        counter(sb, "rwkvx_requests_total", "generation requests received", requests.get());
        counter(
                sb,
                "rwkvx_requests_rejected_total",
                "requests refused because the queue was full (429)",
                rejected.get());
        counter(sb, "rwkvx_requests_failed_total", "requests answered with an error other than 429", failed.get());
        counter(sb, "rwkvx_generations_completed_total", "generations that ran to their end", completed.get());
        counter(
                sb,
                "rwkvx_generations_cancelled_total",
                "generations stopped because the client went away",
                cancelled.get());
        counter(sb, "rwkvx_prompt_tokens_total", "prompt tokens read", promptTokens.get());
        counter(sb, "rwkvx_completion_tokens_total", "tokens generated", completionTokens.get());
        gauge(sb, "rwkvx_queue_length", "requests waiting for a place to generate", admission.waiting());
        gauge(sb, "rwkvx_batch_size", "requests generating now", admission.running());
        gauge(sb, "rwkvx_max_batch", "most requests generating at once", maxBatch);
        gauge(
                sb,
                "rwkvx_tokens_per_second",
                "tokens generated per second over the last " + WINDOW_SECONDS + " s",
                tokensPerSecond());
        BatchingStats b = batching.get();
        counter(
                sb,
                "rwkvx_model_rounds_total",
                "native compute rounds, each over a batch of session calls",
                b.rounds());
        counter(sb, "rwkvx_model_round_calls_total", "session calls evaluated in those rounds", b.items());
        counter(sb, "rwkvx_model_tokens_total", "tokens the model evaluated (prompts and generation)", b.tokens());
        gauge(sb, "rwkvx_model_round_size_average", "session calls per native round on average", b.averageBatchSize());
        gauge(sb, "rwkvx_model_round_size_last", "session calls in the last native round", b.lastBatchSize());
        gauge(sb, "rwkvx_model_calls_queued", "session calls waiting for the next native round", b.queued());
        if (cache != null) {
            PrefixStateCache.Stats c = cache.get();
            counter(sb, "rwkvx_prefix_cache_hits_total", "prompts that restored a saved prefix", c.hits());
            counter(sb, "rwkvx_prefix_cache_misses_total", "prompts with no saved prefix", c.misses());
            counter(
                    sb,
                    "rwkvx_prefix_cache_reused_tokens_total",
                    "prompt tokens restored instead of evaluated",
                    c.reusedTokens());
            counter(
                    sb,
                    "rwkvx_prefix_cache_evictions_total",
                    "saved states dropped to stay under the cap",
                    c.evictions());
            gauge(sb, "rwkvx_prefix_cache_entries", "saved states", c.entries());
            gauge(sb, "rwkvx_prefix_cache_bytes", "bytes of the saved states", c.bytes());
            gauge(sb, "rwkvx_prefix_cache_max_bytes", "cap on the saved states' bytes", c.maxBytes());
        }
        return sb.toString();
    }

    /** The same figures as JSON. */
    ObjectNode json() {
        ObjectNode o = Json.object();
        o.put("requests", requests.get());
        o.put("requests_rejected", rejected.get());
        o.put("requests_failed", failed.get());
        o.put("generations_completed", completed.get());
        o.put("generations_cancelled", cancelled.get());
        o.put("prompt_tokens", promptTokens.get());
        o.put("completion_tokens", completionTokens.get());
        o.put("queue_length", admission.waiting());
        o.put("batch_size", admission.running());
        o.put("max_batch", maxBatch);
        o.put("tokens_per_second", tokensPerSecond());
        BatchingStats b = batching.get();
        ObjectNode model = o.putObject("model_batching");
        model.put("rounds", b.rounds());
        model.put("round_calls", b.items());
        model.put("tokens", b.tokens());
        model.put("round_size_average", b.averageBatchSize());
        model.put("round_size_last", b.lastBatchSize());
        model.put("calls_queued", b.queued());
        if (cache == null) o.putNull("prefix_cache");
        else {
            PrefixStateCache.Stats c = cache.get();
            ObjectNode pc = o.putObject("prefix_cache");
            pc.put("hits", c.hits());
            pc.put("misses", c.misses());
            pc.put("reused_tokens", c.reusedTokens());
            pc.put("evictions", c.evictions());
            pc.put("entries", c.entries());
            pc.put("bytes", c.bytes());
            pc.put("max_bytes", c.maxBytes());
        }
        return o;
    }

    private static void counter(StringBuilder sb, String name, String help, long value) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(" counter\n");
        sb.append(name).append(' ').append(value).append('\n');
    }

    private static void gauge(StringBuilder sb, String name, String help, double value) {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(" gauge\n");
        sb.append(name)
                .append(' ')
                .append(String.format(Locale.ROOT, value == Math.rint(value) ? "%.0f" : "%.3f", value))
                .append('\n');
    }
}
