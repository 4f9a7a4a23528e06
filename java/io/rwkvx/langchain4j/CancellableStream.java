package io.rwkvx.langchain4j;

import dev.langchain4j.model.chat.response.StreamingHandle;
import io.rwkvx.Session;

/**
 * LangChain4j's handle on one streaming reply: {@link #cancel()}, from any thread, stops the generation with
 * {@link Session.TextStream#cancel()} (the token in progress still completes, then the session closes and
 * nothing more reaches the handler: neither pieces nor a complete response). Cancelling before the generation
 * starts stops it before its first token; cancelling twice does nothing more.
 */
final class CancellableStream implements StreamingHandle {
    private volatile boolean cancelled;
    private volatile Session.TextStream stream;

    /** Called once the generation exists; a cancellation that came first reaches it here. */
    void attach(Session.TextStream s) {
        stream = s;
        if (cancelled) s.cancel();
    }

    @Override
    public void cancel() {
        cancelled = true;
        Session.TextStream s = stream;
        if (s != null) s.cancel();
    }

    @Override
    public boolean isCancelled() {
        return cancelled;
    }
}
