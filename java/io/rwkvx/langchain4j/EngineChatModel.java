package io.rwkvx.langchain4j;

import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import io.rwkvx.PrefixStateCache;
import java.util.List;
import java.util.Set;

/**
 * What both chat models answer alike: their defaults, listeners, capabilities and prefix cache, all from the
 * builder's settings. (Their LangChain4j interfaces share no type, so the two classes share this one.)
 */
abstract class EngineChatModel {
    final ChatEngine engine;
    final List<ChatModelListener> listeners;

    EngineChatModel(ChatModelBuilder<?> settings) {
        this.engine = settings.engine();
        this.listeners = settings.listenersCopy();
    }

    /**
     * The parameters every request starts from: the builder's, over the model's name, temperature 1, top-p 1 and
     * at most 512 output tokens.
     *
     * @return the defaults, a {@link RwkvxChatRequestParameters}
     */
    public RwkvxChatRequestParameters defaultRequestParameters() {
        return engine.defaults();
    }

    /**
     * The builder's listeners.
     *
     * @return the listeners
     */
    public List<ChatModelListener> listeners() {
        return listeners;
    }

    /**
     * None of LangChain4j's optional capabilities: no JSON schema response format.
     *
     * @return an empty set
     */
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
}
