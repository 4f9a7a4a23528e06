package io.rwkvx.langchain4j;

import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import io.rwkvx.Model;
import io.rwkvx.PrefixStateCache;
import io.rwkvx.chat.ChatTemplate;
import java.util.List;
import java.util.Set;

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
public final class RwkvxChatModel implements ChatModel {
    private final ChatEngine engine;
    private final List<ChatModelListener> listeners;

    private RwkvxChatModel(Builder b) {
        this.engine = new ChatEngine(
                b.model, b.chatTemplate, b.cacheSet ? b.cache : defaultCache(b.model), b.modelName, b.parameters);
        this.listeners = List.copyOf(b.listeners);
    }

    static PrefixStateCache defaultCache(Model model) {
        return model == null ? null : new PrefixStateCache(model, ChatEngine.DEFAULT_PREFIX_CACHE_BYTES);
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

    /**
     * The parameters every request starts from: the builder's, over the model's name, temperature 1, top-p 1 and
     * at most 512 output tokens.
     *
     * @return the defaults, a {@link RwkvxChatRequestParameters}
     */
    @Override
    public RwkvxChatRequestParameters defaultRequestParameters() {
        return engine.defaults();
    }

    /**
     * The builder's listeners.
     *
     * @return the listeners
     */
    @Override
    public List<ChatModelListener> listeners() {
        return listeners;
    }

    /**
     * None of LangChain4j's optional capabilities: no JSON schema response format.
     *
     * @return an empty set
     */
    @Override
    public Set<Capability> supportedCapabilities() {
        return Set.of();
    }

    /**
     * The prefix cache the prompts go through, for its statistics.
     *
     * @return the cache, or null when the builder turned it off
     */
    public PrefixStateCache prefixCache() {
        return engine.cache();
    }

    /** Builds a {@link RwkvxChatModel}. */
    public static final class Builder {
        private Model model;
        private ChatTemplate chatTemplate = ChatTemplate.WORLD;
        private PrefixStateCache cache;
        private boolean cacheSet;
        private String modelName;
        private ChatRequestParameters parameters;
        private List<ChatModelListener> listeners = List.of();

        private Builder() {}

        /**
         * The model to chat with (required); it stays the caller's to close, after the chat model's last call.
         *
         * @param model a loaded model
         * @return this builder
         */
        public Builder model(Model model) {
            this.model = model;
            return this;
        }

        /**
         * How messages become a prompt; default {@link ChatTemplate#WORLD}.
         *
         * @param chatTemplate the template
         * @return this builder
         */
        public Builder chatTemplate(ChatTemplate chatTemplate) {
            this.chatTemplate = chatTemplate;
            return this;
        }

        /**
         * The prefix cache the prompts go through, e.g. one shared with a {@link RwkvxStreamingChatModel} of the
         * same model; null for none. Default: a cache of 256 MiB of this model's own.
         *
         * @param cache a cache of the same model, or null
         * @return this builder
         */
        public Builder prefixCache(PrefixStateCache cache) {
            this.cache = cache;
            this.cacheSet = true;
            return this;
        }

        /**
         * The name responses carry and requests may name; default the model file's name without its extension.
         *
         * @param modelName the name
         * @return this builder
         */
        public Builder modelName(String modelName) {
            this.modelName = modelName;
            return this;
        }

        /**
         * Default parameters of every request (a request's own win); checked when the model is built.
         *
         * @param parameters LangChain4j's or {@link RwkvxChatRequestParameters}
         * @return this builder
         */
        public Builder defaultRequestParameters(ChatRequestParameters parameters) {
            this.parameters = parameters;
            return this;
        }

        /**
         * Listeners told of every request, response and error.
         *
         * @param listeners the listeners
         * @return this builder
         */
        public Builder listeners(List<ChatModelListener> listeners) {
            this.listeners = listeners == null ? List.of() : listeners;
            return this;
        }

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
