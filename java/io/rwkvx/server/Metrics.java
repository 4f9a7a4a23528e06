package io.rwkvx.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * What {@code GET /metrics} reports: counters since start, the queue and batch gauges (from {@link Admission}),
 * and generated tokens per second over the last {@value #WINDOW_SECONDS} whole seconds.
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
    /** Tokens generated in each of the last seconds, by second modulo the window (one extra: the current). */
    private final long[] bucketTokens = new long[WINDOW_SECONDS + 1];

    private final long[] bucketSecond = new long[WINDOW_SECONDS + 1];

    Metrics(Admission admission, int maxBatch, LongSupplier nanoClock) {
        this.admission = admission;
        this.maxBatch = maxBatch;
        this.nanoClock = nanoClock;
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
