package io.rwkvx.langchain4j;

import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import io.rwkvx.Model;
import io.rwkvx.PrefixStateCache;
import io.rwkvx.chat.ChatTemplate;
import java.util.List;

/**
 * What the builders of both chat models take. Each setter returns the concrete builder, so that the streaming
 * model's builder keeps its own settings in the same chain.
 *
 * @param <B> the concrete builder
 */
abstract class ChatModelBuilder<B extends ChatModelBuilder<B>> {
    private Model model;
    private ChatTemplate chatTemplate = ChatTemplate.WORLD;
    private PrefixStateCache cache;
    private boolean cacheSet;
    private String modelName;
    private ChatRequestParameters parameters;
    private List<ChatModelListener> listeners = List.of();

    ChatModelBuilder() {}

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /**
     * The model to chat with (required); it stays the caller's to close, after the chat model's last call.
     *
     * @param model a loaded model
     * @return this builder
     */
    public B model(Model model) {
        this.model = model;
        return self();
    }

    /**
     * How messages become a prompt; default {@link ChatTemplate#WORLD}.
     *
     * @param chatTemplate the template
     * @return this builder
     */
    public B chatTemplate(ChatTemplate chatTemplate) {
        this.chatTemplate = chatTemplate;
        return self();
    }

    /**
     * The prefix cache the prompts go through, e.g. one shared by a {@link RwkvxChatModel} and a
     * {@link RwkvxStreamingChatModel} of the same model; null for none. Default: a cache of 256 MiB of the chat
     * model's own.
     *
     * @param cache a cache of the same model, or null
     * @return this builder
     */
    public B prefixCache(PrefixStateCache cache) {
        this.cache = cache;
        this.cacheSet = true;
        return self();
    }

    /**
     * The name responses carry and requests may name; default the model file's name without its extension.
     *
     * @param modelName the name
     * @return this builder
     */
    public B modelName(String modelName) {
        this.modelName = modelName;
        return self();
    }

    /**
     * Default parameters of every request (a request's own win); checked when the model is built.
     *
     * @param parameters LangChain4j's or {@link RwkvxChatRequestParameters}
     * @return this builder
     */
    public B defaultRequestParameters(ChatRequestParameters parameters) {
        this.parameters = parameters;
        return self();
    }

    /**
     * Listeners told of every request, response and error.
     *
     * @param listeners the listeners
     * @return this builder
     */
    public B listeners(List<ChatModelListener> listeners) {
        this.listeners = listeners == null ? List.of() : listeners;
        return self();
    }

    /** The engine these settings describe; checks them. */
    ChatEngine engine() {
        PrefixStateCache prefixes = cacheSet
                ? cache
                : model == null ? null : new PrefixStateCache(model, ChatEngine.DEFAULT_PREFIX_CACHE_BYTES);
        return new ChatEngine(model, chatTemplate, prefixes, modelName, parameters);
    }

    /** The listeners, copied. */
    List<ChatModelListener> listenersCopy() {
        return List.copyOf(listeners);
    }
}
