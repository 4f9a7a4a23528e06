package io.rwkvx.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import io.rwkvx.Model;
import io.rwkvx.Rwkvx;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@link RwkvxStreamingChatModel}: the pieces concatenate to the reply, which equals the blocking model's;
 * cancelling from another thread stops the generation within a token or two, leaves nothing queued in the model's
 * scheduler and no session open, and the model keeps serving; exceptions thrown by the handler go to its onError
 * while the generation goes on; refusals are thrown to the caller.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RwkvxStreamingChatModelTest {
    private final Model model = Rwkvx.loadDefault();

    @AfterAll
    void closeModel() {
        model.close();
    }

    static final ChatRequest REQUEST = ChatRequest.builder()
            .messages(UserMessage.from("Tell me a long story."))
            .parameters(RwkvxChatRequestParameters.builder()
                    .temperature(0.0)
                    .maxOutputTokens(48)
                    .build())
            .build();

    /** Collects pieces and the outcome. */
    static class Collector implements StreamingChatResponseHandler {
        final StringBuffer text = new StringBuffer();
        final AtomicInteger pieces = new AtomicInteger();
        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        final CompletableFuture<ChatResponse> done = new CompletableFuture<>();

        @Override
        public void onPartialResponse(String piece) {
            text.append(piece);
            pieces.incrementAndGet();
        }

        @Override
        public void onCompleteResponse(ChatResponse response) {
            done.complete(response);
        }

        @Override
        public void onError(Throwable error) {
            errors.add(error);
        }
    }

    @Test
    void thePiecesConcatenateToTheReplyOfTheBlockingModel() throws Exception {
        RwkvxStreamingChatModel streaming =
                RwkvxStreamingChatModel.builder().model(model).build();
        Collector c = new Collector();
        streaming.chat(REQUEST, c);
        ChatResponse r = c.done.get(60, TimeUnit.SECONDS);
        assertThat(c.errors).isEmpty();
        assertThat(c.pieces.get()).isGreaterThan(1);
        assertThat(c.text.toString()).isEqualTo(r.aiMessage().text());

        ChatResponse blocking = RwkvxChatModel.builder().model(model).build().chat(REQUEST);
        assertThat(r.aiMessage().text()).isEqualTo(blocking.aiMessage().text());
        assertThat(r.tokenUsage()).isEqualTo(blocking.tokenUsage());
        assertThat(r.finishReason()).isEqualTo(blocking.finishReason());
    }

    @Test
    void cancellingFromAnotherThreadStopsWithinATokenAndTheModelKeepsServing() throws Exception {
        try (Model own = Rwkvx.loadDefault()) {
            ExecutorService worker = Executors.newSingleThreadExecutor();
            RwkvxStreamingChatModel streaming = RwkvxStreamingChatModel.builder()
                    .model(own)
                    .prefixCache(null)
                    .executor(worker)
                    .build();
            long handlesBefore = Rwkvx.liveNativeHandles();
            AtomicReference<StreamingHandle> handle = new AtomicReference<>();
            CountDownLatch third = new CountDownLatch(3);
            AtomicInteger pieces = new AtomicInteger();
            Collector c = new Collector() {
                @Override
                public void onPartialResponse(PartialResponse piece, PartialResponseContext context) {
                    handle.set(context.streamingHandle());
                    pieces.incrementAndGet();
                    third.countDown();
                }
            };
            ChatRequest request = ChatRequest.builder()
                    .messages(REQUEST.messages())
                    .parameters(ChatRequestParameters.builder()
                            .temperature(0.0)
                            .maxOutputTokens(100_000)
                            .build())
                    .build();
            streaming.chat(request, c);
            assertThat(third.await(60, TimeUnit.SECONDS)).isTrue();
            long fedAtCancel = own.batchingStats().tokens();
            handle.get().cancel();
            assertThat(handle.get().isCancelled()).isTrue();
            worker.shutdown();
            assertThat(worker.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
            // The decode step in flight at the cancel completes; no step starts after it.
            assertThat(own.batchingStats().tokens() - fedAtCancel).isLessThanOrEqualTo(2);
            assertThat(own.batchingStats().queued()).isZero();
            assertThat(Rwkvx.liveNativeHandles()).isEqualTo(handlesBefore);
            assertThat(c.done).isNotDone();
            assertThat(c.errors).isEmpty();
            handle.get().cancel(); // twice: nothing more
            assertThat(handle.get().isCancelled()).isTrue();

            // The model serves the next chat as if nothing happened.
            ChatResponse next = RwkvxChatModel.builder()
                    .model(own)
                    .prefixCache(null)
                    .build()
                    .chat(REQUEST);
            ChatResponse solo = RwkvxChatModel.builder().model(model).build().chat(REQUEST);
            assertThat(next.aiMessage().text()).isEqualTo(solo.aiMessage().text());
        }
    }

    @Test
    void exceptionsOfTheHandlerGoToOnErrorAndTheGenerationGoesOn() throws Exception {
        RuntimeException boom = new RuntimeException("the handler failed");
        AtomicInteger listenerErrors = new AtomicInteger();
        ChatModelListener listener = new ChatModelListener() {
            @Override
            public void onRequest(ChatModelRequestContext context) {}

            @Override
            public void onError(dev.langchain4j.model.chat.listener.ChatModelErrorContext context) {
                listenerErrors.incrementAndGet();
            }
        };
        RwkvxStreamingChatModel streaming = RwkvxStreamingChatModel.builder()
                .model(model)
                .listeners(List.of(listener))
                .build();
        Collector c = new Collector() {
            @Override
            public void onPartialResponse(String piece) {
                super.onPartialResponse(piece);
                throw boom;
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                super.onCompleteResponse(response);
                throw boom;
            }

            @Override
            public void onError(Throwable error) {
                super.onError(error);
                throw new IllegalStateException("dropped");
            }
        };
        streaming.chat(REQUEST, c);
        ChatResponse r = c.done.get(60, TimeUnit.SECONDS);
        ChatResponse blocking = RwkvxChatModel.builder().model(model).build().chat(REQUEST);
        assertThat(r.aiMessage().text()).isEqualTo(blocking.aiMessage().text());
        // One error per piece, one for the complete response; onError's own exception is dropped.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (c.errors.size() < c.pieces.get() + 1 && System.nanoTime() < deadline) Thread.sleep(10);
        assertThat(c.errors).hasSize(c.pieces.get() + 1).allMatch(e -> e == boom);
        assertThat(listenerErrors.get()).isEqualTo(c.pieces.get() + 1);
    }

    @Test
    void aRefusedRequestIsThrownToTheCaller() {
        RwkvxStreamingChatModel streaming =
                RwkvxStreamingChatModel.builder().model(model).build();
        Collector c = new Collector();
        assertThatThrownBy(() -> streaming.chat(
                        ChatRequest.builder()
                                .messages(UserMessage.from("Hi"))
                                .parameters(ChatRequestParameters.builder()
                                        .temperature(-0.5)
                                        .build())
                                .build(),
                        c))
                .isExactlyInstanceOf(IllegalArgumentException.class)
                .hasMessage("temperature must be finite and >= 0 (0 is greedy), got -0.5");
        assertThatThrownBy(() -> RwkvxStreamingChatModel.builder()
                        .model(model)
                        .defaultRequestParameters(
                                ChatRequestParameters.builder().modelName("gpt").build())
                        .build())
                .isExactlyInstanceOf(UnsupportedFeatureException.class)
                .hasMessageContaining("modelName 'gpt' is not supported");
        assertThat(c.pieces.get()).isZero();
        assertThat(c.errors).isEmpty();
    }
}
