package io.rwkvx.langchain4j;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import io.rwkvx.Model;

/**
 * A LangChain4j {@link ChatModel} over an rwkvx {@link Model}, in process. Each call renders the conversation with
 * the chat template (RWKV World's by default), opens a session of its own after the prompt (through the prefix
 * cache: the next turn of a conversation restores this turn's prompt instead of reading it again) and generates
 * on the calling thread. Thread-safe: concurrent calls run on sessions that the model batches.
 *
 * <p>The response carries the reply, token usage (input: the prompt's tokens, cached ones included; output: the
 * generated tokens) and the finish reason: {@code LENGTH} at {@code maxOutputTokens}, {@code STOP} at a stop
 * sequence or the end of text. Tools, JSON response formats, non-text content and another {@code modelName}
 * are refused with LangChain4j's {@link dev.langchain4j.exception.UnsupportedFeatureException}; parameters out
 * of range with an {@link IllegalArgumentException} naming them. The model stays the caller's to close.
 */
public final class RwkvxChatModel extends EngineChatModel implements ChatModel {

    private RwkvxChatModel(Builder b) {
        super(b);
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
     * Generates the reply to a request that {@link #chat(ChatRequest)} has merged with the defaults.
     *
     * @param request the request
     * @return the reply, its token usage and finish reason
     */
    @Override
    public ChatResponse doChat(ChatRequest request) {
        ChatEngine.Prepared prepared = engine.prepare(request);
        return engine.run(prepared, piece -> {}, null);
    }

    /** Builds a {@link RwkvxChatModel}; the settings are {@link ChatModelBuilder}'s. */
    public static final class Builder extends ChatModelBuilder<Builder> {
        private Builder() {}

        /**
         * The chat model.
         *
         * @return a new chat model
         * @throws NullPointerException                                    without a model
         * @throws dev.langchain4j.exception.UnsupportedFeatureException when the defaults ask for what it cannot do
         * @throws IllegalArgumentException                                for a default parameter out of range
         */
        public RwkvxChatModel build() {
            return new RwkvxChatModel(this);
        }
    }
}
