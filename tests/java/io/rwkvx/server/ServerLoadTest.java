package io.rwkvx.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.RateLimitException;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import io.rwkvx.Model;
import io.rwkvx.Rwkvx;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The bounded queue (429 with Retry-After) and cancellation on disconnect, on a server with one place to
 * generate and one to wait. Requests are held inside their generation by the server's piece observer, so
 * the test knows exactly what runs, never by timing.
 */
class ServerLoadTest {
    static final long WAIT_SECONDS = 60;

    Model model;
    OpenAiServer server;
    OpenAIClient client;

    @BeforeEach
    void start() throws Exception {
        model = Rwkvx.loadDefault();
        server = OpenAiServer.start(
                model,
                ServerConfig.defaults("tiny", 1).withPort(0).withMaxQueue(1).withMaxTokens(1_000_000));
        client = OpenAIOkHttpClient.builder()
                .baseUrl(server.url() + "/v1")
                .apiKey("unused")
                .maxRetries(0)
                .timeout(Duration.ofMinutes(2))
                .build();
    }

    @AfterEach
    void stop() throws Exception {
        clients.shutdownNow();
        client.close();
        server.close();
        model.close();
    }

    /** Waits (bounded) until {@code condition} holds: the server's own gauges say when a request has queued. */
    static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting until " + what);
            Thread.sleep(2);
        }
    }

    /** A thread per request (the common pool may have one thread: a held request would block the next). */
    final ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();

    CompletableFuture<Completion> completeAsync(int maxTokens) {
        return CompletableFuture.supplyAsync(
                () -> client.completions()
                        .create(CompletionCreateParams.builder()
                                .model("tiny")
                                .prompt("Hello")
                                .maxTokens(maxTokens)
                                .temperature(0)
                                .build()),
                clients);
    }

    @Test
    void aFullQueueAnswers429WithRetryAfter() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        server.observe(() -> {
            running.countDown();
            release.await();
        });
        CompletableFuture<Completion> first = completeAsync(5); // generates, held at its first piece
        assertTrue(running.await(WAIT_SECONDS, TimeUnit.SECONDS));
        CompletableFuture<Completion> second = completeAsync(5); // waits for the one place
        awaitTrue(() -> server.metrics().json().path("queue_length").asInt() == 1, "the second request queues");

        RateLimitException e = assertThrows(
                RateLimitException.class,
                () -> client.completions()
                        .create(CompletionCreateParams.builder()
                                .model("tiny")
                                .prompt("Hello")
                                .maxTokens(5)
                                .build()));
        assertEquals(429, e.statusCode());
        assertEquals("1", e.headers().values("Retry-After").getFirst());
        assertEquals("queue_full", e.code().orElseThrow());
        assertEquals(1, server.metrics().rejected.get());

        release.countDown();
        Completion a = first.get(WAIT_SECONDS, TimeUnit.SECONDS);
        Completion b = second.get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertEquals(a.choices().getFirst().text(), b.choices().getFirst().text()); // both greedy on one prompt
        assertEquals(2, server.metrics().completed.get());
        // The place is freed just after the response is written.
        awaitTrue(
                () -> server.metrics().json().path("batch_size").asInt() == 0
                        && server.metrics().json().path("queue_length").asInt() == 0,
                "both places are free again");
    }

    @Test
    void aClientThatDisconnectsCancelsItsGeneration() throws Exception {
        CountDownLatch firstPiece = new CountDownLatch(1);
        CountDownLatch clientClosed = new CountDownLatch(1);
        AtomicInteger piecesAfterClose = new AtomicInteger();
        server.observe(() -> {
            if (firstPiece.getCount() > 0) {
                firstPiece.countDown();
                clientClosed.await();
            } else piecesAfterClose.incrementAndGet();
        });
        String body = "{\"prompt\":\"Hello\",\"max_tokens\":1000000,\"stream\":true}";
        try (Socket socket = new Socket(server.url().getHost(), server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                            + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in =
                    new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("HTTP/1.1 200 OK", in.readLine());
            String line;
            do line = in.readLine();
            while (line != null && !line.startsWith("data: "));
            assertTrue(line != null, "no event before the end of the stream");
            assertTrue(firstPiece.await(WAIT_SECONDS, TimeUnit.SECONDS));
        } // closes the connection mid-stream
        clientClosed.countDown();
        awaitTrue(() -> server.metrics().cancelled.get() == 1, "the generation is cancelled");
        assertEquals(0, server.metrics().completed.get());
        // The operating system takes one more write before it reports the closed peer: at most two pieces.
        assertTrue(piecesAfterClose.get() <= 2, piecesAfterClose.get() + " pieces after the disconnect");
        assertTrue(server.metrics().completionTokens.get() < 1000, "tokens: " + server.metrics().completionTokens);
        awaitTrue(() -> server.metrics().json().path("batch_size").asInt() == 0, "the place is free again");
    }
}
