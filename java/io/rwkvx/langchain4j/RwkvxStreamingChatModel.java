package io.rwkvx.langchain4j;

import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import io.rwkvx.Model;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * A LangChain4j {@link StreamingChatModel} over an rwkvx {@link Model}, in process: as {@link RwkvxChatModel},
 * but the reply is generated on another thread (the builder's executor; by default a new daemon thread per call)
 * and handed to the handler piece by piece, every callback on that one thread. A request the provider cannot
 * serve is refused by {@link #chat} itself (the exception is thrown to the caller, as by {@link RwkvxChatModel});
 * a failure while generating goes to {@code onError}.
 *
 * <p>Each partial response's context holds a {@link dev.langchain4j.model.chat.response.StreamingHandle}: its
 * {@code cancel()}, from any thread, stops the generation within the token in progress; the session then closes
 * (the model's scheduler keeps no call of it) and the handler hears nothing more, neither pieces nor
 * {@code onCompleteResponse}. An exception thrown by {@code onPartialResponse} or {@code onCompleteResponse}
 * goes to {@code onError} and the generation goes on; one thrown by {@code onError} is dropped.
 */
public final class RwkvxStreamingChatModel extends EngineChatModel implements StreamingChatModel {
    private final Executor executor;

    private RwkvxStreamingChatModel(Builder b) {
        super(b);
        this.executor = b.executor != null
                ? b.executor
                : task -> Thread.ofPlatform().daemon().name("rwkvx-chat-stream").start(task);
    }

    /**
     * A builder; {@link Builder#model} is required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Checks the request (merged with the defaults by {@link #chat}) on the caller's thread, then generates the
     * reply on the executor's.
     *
     * @param request the request
     * @param handler receives the pieces, then the response or an error
     */
    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
        Objects.requireNonNull(handler, "handler");
        ChatEngine.Prepared prepared = engine.prepare(request);
        CancellableStream handle = new CancellableStream();
        executor.execute(() -> generate(prepared, handler, handle));
    }

    private void generate(
            ChatEngine.Prepared prepared, StreamingChatResponseHandler handler, CancellableStream handle) {
        ChatResponse response;
        try {
            response = engine.run(
                    prepared,
                    piece -> {
                        try {
                            handler.onPartialResponse(new PartialResponse(piece), new PartialResponseContext(handle));
                        } catch (Exception e) {
                            onError(handler, e);
                        }
                    },
                    handle);
        } catch (RuntimeException | Error e) {
            if (!handle.isCancelled()) onError(handler, e);
            return;
        }
        if (response == null) return; // cancelled: the handler hears nothing more
        try {
            handler.onCompleteResponse(response);
        } catch (Exception e) {
            onError(handler, e);
        }
    }

    /** Tells the handler of an error; what its {@code onError} throws has nowhere to go and is dropped. */
    private static void onError(StreamingChatResponseHandler handler, Throwable error) {
        try {
            handler.onError(error);
        } catch (Exception ignored) {
            // The handler's own failure: the caller of chat() has returned long ago.
        }
    }

    /** Builds a {@link RwkvxStreamingChatModel}; besides {@link ChatModelBuilder}'s settings, the executor. */
    public static final class Builder extends ChatModelBuilder<Builder> {
        private Executor executor;

        private Builder() {}

        /**
         * Where the replies are generated, one task per call; default a new daemon thread per call.
         *
         * @param executor the executor
         * @return this builder
         */
        public Builder executor(Executor executor) {
            this.executor = executor;
            return this;
        }

        /**
         * The streaming chat model.
         *
         * @return a new streaming chat model
         * @throws NullPointerException                                    without a model
         * @throws dev.langchain4j.exception.UnsupportedFeatureException when the defaults ask for what it cannot do
         * @throws IllegalArgumentException                                for a default parameter out of range
         */
        public RwkvxStreamingChatModel build() {
            return new RwkvxStreamingChatModel(this);
        }
    }
}
