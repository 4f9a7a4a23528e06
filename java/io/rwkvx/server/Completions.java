package io.rwkvx.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rwkvx.GenerationOptions;
import io.rwkvx.GenerationResult;
import io.rwkvx.Session;
import java.io.IOException;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;

/**
 * Runs one completion or chat completion: waits for a place ({@link Admission}), gets a session positioned after
 * the prompt ({@link PromptSessions}, which may restore part of it from the prefix cache), generates, and answers with one JSON body or, with {@code stream}, with
 * server-sent events ending in {@code data: [DONE]}. The generation stops as soon as the client is gone: at the
 * first event that cannot be written, or when the connection reports a failure ({@code clientGone}).
 */
final class Completions {
    /** Where the response goes: one JSON body, or events. */
    interface Output {
        void json(ObjectNode body) throws IOException;

        /** Starts the event stream (status 200, {@code text/event-stream}) with its first event. */
        void event(ObjectNode data) throws IOException;

        /** The last event, {@code data: [DONE]}. */
        void done() throws IOException;
    }

    /** Called after each piece of text is generated (and, when streaming, written); tests hold requests here. */
    interface PieceObserver {
        void onPiece() throws InterruptedException;
    }

    private final Admission admission;
    private final PromptSessions sessions;
    private final Metrics metrics;
    private final String modelId;
    /** Whether chat replies drop their leading whitespace (the chat template's choice). */
    private final boolean trimReply;

    private volatile PieceObserver observer = () -> {};

    Completions(Admission admission, PromptSessions sessions, Metrics metrics, String modelId, boolean trimReply) {
        this.admission = admission;
        this.trimReply = trimReply;
        this.sessions = sessions;
        this.metrics = metrics;
        this.modelId = modelId;
    }

    void observe(PieceObserver o) {
        observer = o;
    }

    void run(CompletionRequest r, Output out, BooleanSupplier clientGone) throws ApiError, IOException {
        try (Admission.Ticket ticket = admission.enter()) {
            try {
                ticket.awaitPlace();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ApiError(503, "server_error", null, "shutting_down", "the server is stopping");
            }
            if (clientGone.getAsBoolean()) {
                metrics.cancelled.incrementAndGet();
                return;
            }
            try (PromptSessions.Prompted prompted = sessions.open(r.state(), r.promptTokens(), r.cacheBoundaries())) {
                metrics.promptTokens.addAndGet(r.promptTokens().length);
                generate(r, prompted.session(), prompted.cachedTokens(), out, clientGone);
            }
        }
    }

    private void generate(
            CompletionRequest r, Session session, int cachedTokens, Output out, BooleanSupplier clientGone)
            throws IOException {
        GenerationOptions options = GenerationOptions.defaults()
                .withMaxTokens(r.maxTokens())
                .withSampler(r.sampler())
                .withStopStrings(r.stops());
        String id = (r.chat() ? "chatcmpl-" : "cmpl-")
                + HexFormat.of().formatHex(longBytes(ThreadLocalRandom.current().nextLong()));
        long created = System.currentTimeMillis() / 1000;
        boolean trim = r.chat() && trimReply;
        Session.TextStream stream = session.stream("", options);
        long counted = session.position();
        StringBuilder text = new StringBuilder();
        boolean started = !trim; // after the reply's leading whitespace
        if (r.stream() && r.chat()) out.event(chunk(id, created, r, roleDelta(), null));
        try {
            while (stream.hasNext()) {
                String piece = stream.next();
                long position = session.position();
                metrics.generated(position - counted);
                counted = position;
                if (!started) {
                    piece = piece.stripLeading();
                    started = !piece.isEmpty();
                }
                if (!piece.isEmpty()) {
                    if (r.stream()) out.event(chunk(id, created, r, piece, null));
                    else text.append(piece);
                }
                if (clientGone.getAsBoolean()) throw new IOException("the client closed the connection");
                observer.onPiece();
            }
        } catch (IOException e) {
            metrics.cancelled.incrementAndGet();
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            metrics.cancelled.incrementAndGet();
            throw new IOException("interrupted", e);
        }
        GenerationResult result = stream.result();
        String finish = result.stopReason() == GenerationResult.StopReason.MAX_TOKENS ? "length" : "stop";
        ObjectNode usage = usage(r.promptTokens().length, cachedTokens, result.tokens().length);
        metrics.completed.incrementAndGet();
        if (r.stream()) {
            out.event(chunk(id, created, r, null, finish));
            if (r.includeUsage()) {
                ObjectNode last = head(id, created, r);
                last.putArray("choices");
                last.set("usage", usage);
                out.event(last);
            }
            out.done();
        } else {
            ObjectNode body = head(id, created, r);
            ObjectNode choice = body.putArray("choices").addObject();
            choice.put("index", 0);
            if (r.chat()) {
                ObjectNode message = choice.putObject("message");
                message.put("role", "assistant");
                message.put("content", text.toString());
                message.putNull("refusal");
            } else choice.put("text", text.toString());
            choice.putNull("logprobs");
            choice.put("finish_reason", finish);
            body.set("usage", usage);
            out.json(body);
        }
    }

    private ObjectNode head(String id, long created, CompletionRequest r) {
        ObjectNode o = Json.object();
        o.put("id", id);
        o.put("object", r.chat() ? (r.stream() ? "chat.completion.chunk" : "chat.completion") : "text_completion");
        o.put("created", created);
        o.put("model", modelId);
        return o;
    }

    /** One streamed event: a piece of text ({@code content}), the role ({@code roleDelta}) or the finish reason. */
    private ObjectNode chunk(String id, long created, CompletionRequest r, Object content, String finish) {
        ObjectNode o = head(id, created, r);
        ArrayNode choices = o.putArray("choices");
        ObjectNode choice = choices.addObject();
        choice.put("index", 0);
        if (r.chat()) {
            ObjectNode delta = choice.putObject("delta");
            if (content instanceof ObjectNode d) delta.setAll(d);
            else if (content != null) delta.put("content", (String) content);
        } else choice.put("text", content == null ? "" : (String) content);
        choice.putNull("logprobs");
        choice.put("finish_reason", finish);
        return o;
    }

    private static ObjectNode roleDelta() {
        ObjectNode d = Json.object();
        d.put("role", "assistant");
        d.put("content", "");
        return d;
    }

    /** OpenAI's usage object; {@code cached} prompt tokens came from the prefix cache. */
    private static ObjectNode usage(int prompt, int cached, int completion) {
        ObjectNode u = Json.object();
        u.put("prompt_tokens", prompt);
        u.put("completion_tokens", completion);
        u.put("total_tokens", prompt + completion);
        u.putObject("prompt_tokens_details").put("cached_tokens", cached);
        return u;
    }

    private static byte[] longBytes(long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) b[i] = (byte) (v >>> (8 * i));
        return b;
    }
}
