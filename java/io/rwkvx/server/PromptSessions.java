package io.rwkvx.server;

import io.rwkvx.Model;
import io.rwkvx.Session;
import io.rwkvx.common.RwkvxException;
import java.nio.file.Path;

/**
 * Where every generation starts: a session of the model positioned after a prompt, from the initial state or
 * from a named one. This is the one place a prefix-state cache would be consulted.
 */
final class PromptSessions {
    private final Model model;
    private final NamedStates states;

    PromptSessions(Model model, NamedStates states) {
        this.model = model;
        this.states = states;
    }

    /**
     * A new session that has read {@code promptTokens}, after the state named {@code stateName} when not null;
     * the caller closes it. With no tokens, the named state's own logits are where generation starts.
     */
    Session open(String stateName, int[] promptTokens) throws ApiError {
        Path stateFile = stateName == null ? null : states.resolve(stateName);
        if (stateFile == null && promptTokens.length == 0)
            throw ApiError.invalid("prompt", "the prompt is empty: there is nothing to continue from");
        Session session = model.newSession();
        try {
            if (stateFile != null) {
                try {
                    session.loadState(stateFile);
                } catch (RwkvxException | java.io.UncheckedIOException e) {
                    throw ApiError.invalid("state", "state '" + stateName + "' cannot be used: " + e.getMessage());
                }
                if (promptTokens.length == 0 && !session.hasLogits())
                    throw ApiError.invalid(
                            "prompt", "the prompt is empty and state '" + stateName + "' has no logits to start from");
            }
            if (promptTokens.length > 0) session.prefill(promptTokens);
            return session;
        } catch (ApiError | RuntimeException | Error e) {
            session.close();
            throw e;
        }
    }
}
