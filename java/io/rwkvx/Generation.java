package io.rwkvx;

import io.rwkvx.sampling.Sampler;
import io.rwkvx.sampling.StopStrings;
import io.rwkvx.tokenizer.Tokenizer;
import io.rwkvx.tokenizer.Utf8StreamDecoder;
import java.util.ArrayDeque;
import java.util.NoSuchElementException;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * The token loop behind {@link Session#generate}: sample, decode bytes to text, watch stop strings. It gets
 * everything it needs passed in (the tokenizer, the vocabulary size, where to start and the decode step)
 * and knows nothing of the session that runs it.
 */
final class Generation {
    /**
     * Where a generation starts.
     *
     * @param logits       the logits after the prompt (or after the session's last token when the prompt is
     *                     empty); the generation may modify the array
     * @param promptTokens tokens fed as the prompt
     * @param prefillNanos time spent on the prompt
     */
    record Start(float[] logits, int promptTokens, long prefillNanos) {}

    private final GenerationOptions options;
    private final Tokenizer tokenizer;
    private final IntFunction<float[]> decodeStep;
    private final Sampler sampler;
    private final StopStrings stops;
    private final Utf8StreamDecoder decoder = new Utf8StreamDecoder();
    private final ArrayDeque<String> pending = new ArrayDeque<>();
    private final StringBuilder text = new StringBuilder();
    /** The sampled tokens; grows as they come (maxTokens may be huge: a generation usually stops long before). */
    private int[] generated = new int[0];

    private final int promptTokens;
    private final long prefillNanos;
    private int count;
    private long decodeNanos;
    private GenerationResult.StopReason reason;
    private float[] logits;
    /** Set by {@link #cancel()}, from any thread. */
    private volatile boolean cancelled;

    /**
     * @param tokenizer  decodes the sampled tokens and knows the end-of-text id
     * @param vocabSize  length of the logits (the model's n_vocab, which may exceed the tokenizer's ids)
     * @param options    how to generate
     * @param start      feeds the prompt; called once, after the options have been checked, so invalid
     *                   options leave the sequence untouched
     * @param decodeStep the decode step: feeds one sampled token and returns the logits after it
     */
    Generation(
            Tokenizer tokenizer,
            int vocabSize,
            GenerationOptions options,
            Supplier<Start> start,
            IntFunction<float[]> decodeStep) {
        this.options = options;
        this.tokenizer = tokenizer;
        this.decodeStep = decodeStep;
        this.sampler = new Sampler(options.sampler(), vocabSize);
        this.stops = new StopStrings(options.stopStrings());
        Start first = start.get();
        this.logits = first.logits();
        this.promptTokens = first.promptTokens();
        this.prefillNanos = first.prefillNanos();
    }

    boolean hasNext() {
        while (pending.isEmpty() && reason == null) step();
        return !pending.isEmpty();
    }

    String next() {
        if (!hasNext()) throw new NoSuchElementException();
        return pending.poll();
    }

    /** Ends the generation before its next token (the one in progress, if any, still completes). */
    void cancel() {
        cancelled = true;
    }

    GenerationResult result() {
        return new GenerationResult(
                text.toString(),
                java.util.Arrays.copyOf(generated, count),
                reason == null ? GenerationResult.StopReason.MAX_TOKENS : reason,
                promptTokens,
                prefillNanos,
                decodeNanos);
    }

    private void step() {
        if (cancelled) {
            finish(GenerationResult.StopReason.CANCELLED);
            return;
        }
        if (count == options.maxTokens()) {
            finish(GenerationResult.StopReason.MAX_TOKENS);
            return;
        }
        long t0 = System.nanoTime();
        float[] l = logits;
        boolean endOfTextPossible = false;
        for (int id = 0; id < l.length && id < tokenizer.vocabSize(); id++)
            if (tokenizer.isEndOfText(id)) {
                endOfTextPossible = true;
                if (!options.stopAtEndOfText()) l[id] = Float.NEGATIVE_INFINITY;
                break;
            }
        // Ids the tokenizer cannot decode (padding rows of the head) are never sampled.
        for (int id = tokenizer.vocabSize(); id < l.length; id++) l[id] = Float.NEGATIVE_INFINITY;
        int token = sampler.sample(l);
        if (endOfTextPossible && tokenizer.isEndOfText(token)) {
            decodeNanos += System.nanoTime() - t0;
            finish(GenerationResult.StopReason.END_OF_TEXT);
            return;
        }
        sampler.accept(token);
        if (count == generated.length)
            generated = java.util.Arrays.copyOf(generated, (int)
                    Math.min(options.maxTokens(), Math.max(16L, 2L * generated.length)));
        generated[count++] = token;
        String piece = decoder.feed(tokenizer.decodeBytes(new int[] {token}));
        StopStrings.Result r = stops.feed(piece);
        emit(r.text());
        if (r.stopped()) {
            decodeNanos += System.nanoTime() - t0;
            reason = GenerationResult.StopReason.STOP_STRING;
            return;
        }
        // Fed even after the last token, so the sequence can continue from where the text ends.
        logits = decodeStep.apply(token);
        decodeNanos += System.nanoTime() - t0;
    }

    private void finish(GenerationResult.StopReason why) {
        StopStrings.Result r = stops.feed(decoder.flush());
        emit(r.text());
        if (r.stopped()) {
            reason = GenerationResult.StopReason.STOP_STRING;
            return;
        }
        emit(stops.flush());
        reason = why;
    }

    private void emit(String s) {
        if (s.isEmpty()) return;
        pending.add(s);
        text.append(s);
    }
}
