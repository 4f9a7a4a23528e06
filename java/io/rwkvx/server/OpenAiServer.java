package io.rwkvx.server;

import io.rwkvx.Model;
import io.rwkvx.PrefixStateCache;
import java.net.URI;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * An OpenAI-compatible HTTP server over one {@link Model}: {@code GET /v1/models}, {@code POST /v1/completions},
 * {@code POST /v1/chat/completions} (with {@code stream: true} as server-sent events), {@code GET /health} and
 * {@code GET /metrics}. docs/server.md describes the fields, limits and defaults.
 *
 * <p>The server does not own the model: close the server first, then the model.
 */
public final class OpenAiServer implements AutoCloseable {
    /** How long a connection may stay silent (a long generation without {@code stream} is silent throughout). */
    static final long IDLE_TIMEOUT_MS = 10 * 60_000L;
    /** How long {@link #close()} lets requests in flight finish before closing their connections. */
    static final long STOP_TIMEOUT_MS = 2_000L;

    private final Server jetty;
    private final ServerConnector connector;
    private final Completions completions;
    private final Metrics metrics;

    private OpenAiServer(Model model, ServerConfig config) {
        Admission admission = new Admission(config.maxBatch(), config.maxQueue());
        PrefixStateCache cache =
                config.prefixCacheBytes() == 0 ? null : new PrefixStateCache(model, config.prefixCacheBytes());
        this.metrics = new Metrics(
                admission,
                config.maxBatch(),
                System::nanoTime,
                model::batchingStats,
                cache == null ? null : cache::stats);
        this.completions = new Completions(
                admission,
                new PromptSessions(model, new NamedStates(config.statesDir()), cache),
                metrics,
                config.modelId(),
                config.chatTemplate().trimReply());
        // One thread per request in flight (generations block theirs), plus Jetty's acceptor and selectors.
        QueuedThreadPool threads = new QueuedThreadPool(config.maxBatch() + config.maxQueue() + 32, 4);
        threads.setName("rwkvx-http");
        jetty = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        connector = new ServerConnector(jetty, 1, 1, new HttpConnectionFactory(http));
        connector.setHost(config.host());
        connector.setPort(config.port());
        connector.setIdleTimeout(IDLE_TIMEOUT_MS);
        jetty.addConnector(connector);
        jetty.setHandler(new ApiHandler(config, model.tokenizer(), completions, metrics));
        jetty.setStopTimeout(STOP_TIMEOUT_MS);
    }

    /** Binds and starts serving; fails (e.g. the port is taken) with the cause. */
    public static OpenAiServer start(Model model, ServerConfig config) throws Exception {
        OpenAiServer server = new OpenAiServer(model, config);
        try {
            server.jetty.start();
        } catch (Exception e) {
            server.jetty.stop();
            throw e;
        }
        return server;
    }

    /** The bound port (the one picked when the config said 0). */
    public int port() {
        return connector.getLocalPort();
    }

    /** {@code http://HOST:PORT}. */
    public URI url() {
        String host = connector.getHost();
        if (host.contains(":")) host = "[" + host + "]"; // IPv6 literal
        return URI.create("http://" + host + ":" + port());
    }

    /** Waits until the server has stopped. */
    public void join() throws InterruptedException {
        jetty.join();
    }

    /** Tests: called after each generated piece of text, on the request's thread. */
    void observe(Completions.PieceObserver observer) {
        completions.observe(observer);
    }

    Metrics metrics() {
        return metrics;
    }

    /** Stops accepting, gives requests in flight {@link #STOP_TIMEOUT_MS} to end, then closes their connections. */
    @Override
    public void close() throws Exception {
        jetty.stop();
    }
}
