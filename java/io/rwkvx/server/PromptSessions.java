package io.rwkvx.server;

import io.rwkvx.Model;
import io.rwkvx.PrefixStateCache;
import io.rwkvx.Session;
import io.rwkvx.chat.CachedPrompts;

/**
 * Where every generation starts: a session of the model positioned after a prompt, from the initial state or
 * from a named one. With a {@link PrefixStateCache}, the longest saved prefix of the prompt (in the namespace of
 * its initial state) is restored instead of evaluated, and the state after the prompt is saved for the requests
 * that follow: a repeated prompt, a longer prompt that starts with it, the next turn of a chat.
 */
final class PromptSessions {
    /** A session positioned after the prompt; {@code cachedTokens} of the prompt came from the cache. */
    record Prompted(Session session, int cachedTokens) implements AutoCloseable {
        @Override
        public void close() {
            session.close();
        }
    }

    private final Model model;
    private final NamedStates states;
    /** Null when the server caches no states. */
    private final PrefixStateCache cache;

    PromptSessions(Model model, NamedStates states, PrefixStateCache cache) {
        this.model = model;
        this.states = states;
        this.cache = cache;
    }

    /** The cache, or null. */
    PrefixStateCache cache() {
        return cache;
    }

    /**
     * A new session that has read {@code promptTokens}, after the state named {@code stateName} when not null;
     * the caller closes it. With no tokens, the named state's own logits are where generation starts.
     *
     * @param boundaries shorter prompt lengths (in tokens) whose states are saved as well, where later requests
     *                   are expected to agree with this one only up to there (see
     *                   {@link CachedPrompts#cacheBoundaries}); those the cache already covers are skipped
     */
    Prompted open(String stateName, int[] promptTokens, int[] boundaries) throws ApiError {
        NamedStates.Loaded named = stateName == null ? null : states.load(stateName, model.fingerprint());
        if (named == null && promptTokens.length == 0)
            throw ApiError.invalid("prompt", "the prompt is empty: there is nothing to continue from");
        if (named != null && promptTokens.length == 0 && !named.hasLogits())
            throw ApiError.invalid(
                    "prompt", "the prompt is empty and state '" + stateName + "' has no logits to start from");
        if (cache == null) return new Prompted(evaluate(named, promptTokens), 0);

        PrefixStateCache.Initial initial = named == null ? PrefixStateCache.Initial.blank() : named.initial();
        CachedPrompts.Prompted opened = CachedPrompts.open(cache, initial, promptTokens, boundaries);
        return new Prompted(opened.session(), opened.cachedTokens());
    }

    /** Without a cache: the named state restored, then the whole prompt evaluated. */
    private Session evaluate(NamedStates.Loaded named, int[] promptTokens) {
        Session session = model.newSession();
        try {
            if (named != null) session.restore(named.state());
            if (promptTokens.length > 0) session.prefill(promptTokens);
            return session;
        } catch (RuntimeException | Error e) {
            session.close();
            throw e;
        }
    }
}
