package io.rwkvx;

import io.rwkvx.sampling.Sampler;
import io.rwkvx.sampling.StopStrings;
import io.rwkvx.tokenizer.Tokenizer;
import io.rwkvx.tokenizer.Utf8StreamDecoder;
import java.util.ArrayDeque;
import java.util.NoSuchElementException;

/** The token loop behind {@link Session#generate}: sample, decode bytes to text, watch stop strings. */
final class Generation {
    private final Session session;
    private final GenerationOptions options;
    private final Tokenizer tokenizer;
    private final Sampler sampler;
    private final StopStrings stops;
    private final Utf8StreamDecoder decoder = new Utf8StreamDecoder();
    private final ArrayDeque<String> pending = new ArrayDeque<>();
    private final StringBuilder text = new StringBuilder();
    private final int[] generated;
    private final int promptTokens;
    private final long prefillNanos;
    private int count;
    private long decodeNanos;
    private GenerationResult.StopReason reason;
    private float[] logits;

    Generation(Session session, String prompt, GenerationOptions options) {
        this.session = session;
        this.options = options;
        this.tokenizer = session.model().tokenizer();
        this.sampler = new Sampler(options.sampler(), session.model().config().nVocab());
        this.stops = new StopStrings(options.stopStrings());
        this.generated = new int[options.maxTokens()];
        long t0 = System.nanoTime();
        int[] ids = prompt.isEmpty() ? new int[0] : tokenizer.encode(prompt);
        if (ids.length > 0) logits = session.prefill(ids);
        else if (session.hasLogits()) logits = session.logits();
        else throw new IllegalArgumentException("empty prompt and no previous tokens: nothing to continue from");
        promptTokens = ids.length;
        prefillNanos = System.nanoTime() - t0;
    }

    boolean hasNext() {
        while (pending.isEmpty() && reason == null) step();
        return !pending.isEmpty();
    }

    String next() {
        if (!hasNext()) throw new NoSuchElementException();
        return pending.poll();
    }

    GenerationResult result() {
        return new GenerationResult(text.toString(), java.util.Arrays.copyOf(generated, count),
                reason == null ? GenerationResult.StopReason.MAX_TOKENS : reason, promptTokens, prefillNanos, decodeNanos);
    }

    private void step() {
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
        generated[count++] = token;
        String piece = decoder.feed(tokenizer.decodeBytes(new int[] {token}));
        StopStrings.Result r = stops.feed(piece);
        emit(r.text());
        if (r.stopped()) {
            decodeNanos += System.nanoTime() - t0;
            reason = GenerationResult.StopReason.STOP_STRING;
            return;
        }
        // Fed even after the last token, so the session can continue from where the text ends.
        logits = session.prefill(token);
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
