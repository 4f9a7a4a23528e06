package io.rwkvx.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rwkvx.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;

/**
 * The HTTP side: authentication, routing, body limits, and every refusal as OpenAI's error body. Handlers block
 * (the generation runs on the request's thread), which Jetty allows for a handler of the default invocation type.
 */
final class ApiHandler extends Handler.Abstract {
    private static final String JSON = "application/json";

    private final ServerConfig config;
    private final Tokenizer tokenizer;
    private final Completions completions;
    private final Metrics metrics;
    private final byte[] apiKey;

    ApiHandler(ServerConfig config, Tokenizer tokenizer, Completions completions, Metrics metrics) {
        this.config = config;
        this.tokenizer = tokenizer;
        this.completions = completions;
        this.metrics = metrics;
        this.apiKey = config.apiKey() == null ? null : config.apiKey().getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        try {
            route(request, response);
            callback.succeeded();
        } catch (ApiError e) {
            if (e.status == 429) metrics.rejected.incrementAndGet();
            else if (isGeneration(request)) metrics.failed.incrementAndGet();
            answerError(request, response, callback, e);
        } catch (IOException e) { // the client went away: nothing more to say to it
            callback.failed(e);
        } catch (RuntimeException | Error e) {
            metrics.failed.incrementAndGet();
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            answerError(
                    request,
                    response,
                    callback,
                    new ApiError(500, "server_error", null, null, "internal error: " + message));
        }
        return true;
    }

    private void route(Request request, Response response) throws ApiError, IOException {
        String path = Request.getPathInContext(request);
        String method = request.getMethod();
        if (path.equals("/health")) {
            requireMethod(method, "GET");
            ObjectNode body = Json.object();
            body.put("status", "ok");
            body.put("model", config.modelId());
            sendJson(response, 200, body);
            return;
        }
        authenticate(request, response);
        switch (path) {
            case "/metrics" -> {
                requireMethod(method, "GET");
                Fields query = Request.extractQueryParameters(request);
                if ("json".equals(query.getValue("format"))) sendJson(response, 200, metrics.json());
                else send(response, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.prometheus());
            }
            case "/v1/models" -> {
                requireMethod(method, "GET");
                ObjectNode body = Json.object();
                body.put("object", "list");
                body.putArray("data").add(modelObject());
                sendJson(response, 200, body);
            }
            case "/v1/completions", "/v1/chat/completions" -> {
                requireMethod(method, "POST");
                metrics.requests.incrementAndGet();
                generate(request, response, path.equals("/v1/chat/completions"));
            }
            default -> {
                if (path.startsWith("/v1/models/")) {
                    requireMethod(method, "GET");
                    String id = path.substring("/v1/models/".length());
                    if (!id.equals(config.modelId()))
                        throw new ApiError(
                                404,
                                "invalid_request_error",
                                "model",
                                "model_not_found",
                                "no model '" + id + "'; this server serves '" + config.modelId() + "'");
                    sendJson(response, 200, modelObject());
                } else
                    throw new ApiError(
                            404,
                            "invalid_request_error",
                            null,
                            "not_found",
                            "no endpoint " + method + " " + path + "; see GET /v1/models, POST /v1/completions,"
                                    + " POST /v1/chat/completions, GET /health, GET /metrics");
            }
        }
    }

    private void generate(Request request, Response response, boolean chat) throws ApiError, IOException {
        ObjectNode body = Json.parseObject(readBody(request));
        CompletionRequest r = CompletionRequest.parse(body, chat, config, tokenizer);
        AtomicBoolean gone = new AtomicBoolean();
        request.addFailureListener(failure -> gone.set(true));
        completions.run(r, new HttpOutput(response), gone::get);
    }

    private void authenticate(Request request, Response response) throws ApiError {
        if (apiKey == null) return;
        String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        byte[] given = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                ? header.substring(7).strip().getBytes(StandardCharsets.UTF_8)
                : null;
        if (given == null || !MessageDigest.isEqual(given, apiKey)) { // constant time: no timing hints
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
            throw new ApiError(
                    401,
                    "invalid_request_error",
                    null,
                    "invalid_api_key",
                    given == null
                            ? "no API key: send it as 'Authorization: Bearer KEY'"
                            : "incorrect API key provided");
        }
    }

    /** The most of a refused body read and dropped before the 413 goes out (see {@link #drain}). */
    private static final long DRAIN_BYTES = 16L << 20;

    /** The body, refused with 413 beyond the limit (by its declared length before reading, else while reading). */
    private byte[] readBody(Request request) throws ApiError, IOException {
        long declared = request.getLength();
        try (InputStream in = Content.Source.asInputStream(request)) {
            if (declared > config.maxBodyBytes()) {
                if (declared <= DRAIN_BYTES) drain(in);
                throw tooLarge(declared);
            }
            byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, config.maxBodyBytes() + 1));
            if (body.length > config.maxBodyBytes()) {
                drain(in);
                throw tooLarge(-1);
            }
            return body;
        }
    }

    /**
     * Reads and drops the rest of a refused body, up to {@link #DRAIN_BYTES}: a connection closed with unread
     * bytes is reset by TCP, and a client still sending would get the reset instead of the 413.
     */
    private static void drain(InputStream in) throws IOException {
        byte[] buf = new byte[8192];
        long left = DRAIN_BYTES;
        for (int n; left > 0 && (n = in.read(buf, 0, (int) Math.min(buf.length, left))) > 0; ) left -= n;
    }

    private ApiError tooLarge(long length) {
        return new ApiError(
                413,
                "invalid_request_error",
                null,
                "request_too_large",
                "the request body " + (length >= 0 ? "has " + length + " bytes" : "is larger than the limit")
                        + "; this server takes at most " + config.maxBodyBytes() + " bytes");
    }

    private static void requireMethod(String method, String allowed) throws ApiError {
        if (!method.equals(allowed))
            throw new ApiError(
                    405,
                    "invalid_request_error",
                    null,
                    "method_not_allowed",
                    "method " + method + " is not allowed here; use " + allowed);
    }

    private ObjectNode modelObject() {
        ObjectNode m = Json.object();
        m.put("id", config.modelId());
        m.put("object", "model");
        m.put("created", 0);
        m.put("owned_by", "rwkvx");
        return m;
    }

    private static boolean isGeneration(Request request) {
        return Request.getPathInContext(request).startsWith("/v1/")
                && request.getMethod().equals("POST");
    }

    private static void answerError(Request request, Response response, Callback callback, ApiError e) {
        if (response.isCommitted()) { // mid-stream: the status is gone; end the stream with the error event
            callback.failed(new IOException(e.getMessage()));
            return;
        }
        if (e.status == 429) response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
        try {
            sendJson(response, e.status, Json.error(e));
            callback.succeeded();
        } catch (IOException io) {
            callback.failed(io);
        }
    }

    static void sendJson(Response response, int status, ObjectNode body) throws IOException {
        send(response, status, JSON, Json.write(body));
    }

    private static void send(Response response, int status, String type, String text) throws IOException {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        Content.Sink.write(response, true, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** One response: a JSON body, or server-sent events each written and flushed at once. */
    private static final class HttpOutput implements Completions.Output {
        private final Response response;
        private boolean streaming;

        HttpOutput(Response response) {
            this.response = response;
        }

        @Override
        public void json(ObjectNode body) throws IOException {
            sendJson(response, 200, body);
        }

        @Override
        public void event(ObjectNode data) throws IOException {
            write(false, "data: " + Json.write(data) + "\n\n");
        }

        @Override
        public void done() throws IOException {
            write(true, "data: [DONE]\n\n");
        }

        private void write(boolean last, String text) throws IOException {
            if (!streaming) {
                streaming = true;
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
                response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
            }
            Content.Sink.write(response, last, ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
        }
    }
}
