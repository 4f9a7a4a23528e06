package io.rwkvx.langchain4j;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import io.rwkvx.GenerationOptions;
import io.rwkvx.GenerationResult;
import io.rwkvx.Model;
import io.rwkvx.PrefixStateCache;
import io.rwkvx.Session;
import io.rwkvx.chat.CachedPrompts;
import io.rwkvx.chat.ChatTemplate;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The work behind both chat models: a request checked and rendered by the chat template, its prompt opened
 * through the prefix-state cache (so the next turn of a conversation restores this one's prompt instead of
 * reading it again), the reply generated on a session of its own and summed up as a {@link ChatResponse}.
 * Thread-safe: every call opens its own session, and the model batches concurrent sessions.
 */
final class ChatEngine {
    /** The reply's length when the parameters set no {@code maxOutputTokens}. */
    static final int DEFAULT_MAX_OUTPUT_TOKENS = 512;

    /** The prefix cache a builder makes when given none: 256 MiB, as {@code rwkvx serve}'s default. */
    static final long DEFAULT_PREFIX_CACHE_BYTES = 256L << 20;

    /** A checked request, ready to run. */
    record Prepared(int[] promptTokens, int[] cacheBoundaries, GenerationOptions options) {}

    private final Model model;
    private final ChatTemplate template;
    /** Null: every prompt is evaluated whole. */
    private final PrefixStateCache cache;

    private final String modelName;
    private final RwkvxChatRequestParameters defaults;

    /**
     * @param cache    the prefix cache, or null for none
     * @param defaults the builder's parameters, or null; checked here
     */
    ChatEngine(
            Model model,
            ChatTemplate template,
            PrefixStateCache cache,
            String modelName,
            ChatRequestParameters defaults) {
        this.model = Objects.requireNonNull(model, "model");
        this.template = Objects.requireNonNull(template, "chatTemplate");
        this.cache = cache;
        this.modelName = modelName != null ? modelName : nameOf(model);
        RwkvxChatRequestParameters base = RwkvxChatRequestParameters.builder()
                .modelName(this.modelName)
                .temperature(1.0)
                .topP(1.0)
                .maxOutputTokens(DEFAULT_MAX_OUTPUT_TOKENS)
                .build();
        if (defaults != null) ChatRequests.check(defaults, this.modelName);
        this.defaults = defaults == null ? base : base.overrideWith(defaults);
    }

    /** The model's file name without its extension. */
    private static String nameOf(Model model) {
        String file = model.source().getFileName().toString();
        int dot = file.lastIndexOf('.');
        return dot > 0 ? file.substring(0, dot) : file;
    }

    RwkvxChatRequestParameters defaults() {
        return defaults;
    }

    PrefixStateCache cache() {
        return cache;
    }

    /** Checks and renders a request; throws what {@link ChatRequests} throws. */
    Prepared prepare(ChatRequest request) {
        RwkvxChatRequestParameters p = defaults.overrideWith(request.parameters());
        ChatRequests.check(p, modelName);
        List<ChatTemplate.Message> messages = ChatRequests.messages(request.messages());
        int[] prompt = model.tokenizer().encode(template.render(messages));
        int[] boundaries = cache == null
                ? new int[0]
                : CachedPrompts.cacheBoundaries(template, messages, prompt, model.tokenizer());
        return new Prepared(prompt, boundaries, ChatRequests.options(p, template, DEFAULT_MAX_OUTPUT_TOKENS));
    }

    /**
     * Generates the reply, handing each piece of text to {@code onPiece} as it comes (the template's leading
     * whitespace dropped, when it asks for that); the pieces concatenate to the reply's text.
     *
     * @param cancel null, or the handle whose cancellation stops the generation (within the token in progress)
     * @return the response, or null when {@code cancel} was cancelled
     */
    ChatResponse run(Prepared prepared, Consumer<String> onPiece, CancellableStream cancel) {
        if (cancel != null && cancel.isCancelled()) return null;
        try (CachedPrompts.Prompted prompted = open(prepared)) {
            Session.TextStream stream = prompted.session().stream("", prepared.options());
            if (cancel != null) cancel.attach(stream);
            StringBuilder text = new StringBuilder();
            boolean started = !template.trimReply(); // past the reply's leading whitespace
            while (stream.hasNext()) {
                String piece = stream.next();
                if (cancel != null && cancel.isCancelled()) return null;
                if (!started) {
                    piece = piece.stripLeading();
                    started = !piece.isEmpty();
                }
                if (piece.isEmpty()) continue;
                text.append(piece);
                onPiece.accept(piece);
            }
            if (cancel != null && cancel.isCancelled()) return null;
            GenerationResult result = stream.result();
            return ChatResponse.builder()
                    .aiMessage(AiMessage.from(text.toString()))
                    .id("rwkvx-" + UUID.randomUUID())
                    .modelName(modelName)
                    .tokenUsage(new TokenUsage(prepared.promptTokens().length, result.tokens().length))
                    .finishReason(
                            result.stopReason() == GenerationResult.StopReason.MAX_TOKENS
                                    ? FinishReason.LENGTH
                                    : FinishReason.STOP)
                    .build();
        }
    }

    /** A session after the prompt: through the cache when there is one, else the prompt evaluated whole. */
    private CachedPrompts.Prompted open(Prepared prepared) {
        if (cache != null)
            return CachedPrompts.open(
                    cache, PrefixStateCache.Initial.blank(), prepared.promptTokens(), prepared.cacheBoundaries());
        Session session = model.newSession();
        try {
            session.prefill(prepared.promptTokens());
            return new CachedPrompts.Prompted(session, 0);
        } catch (RuntimeException | Error e) {
            session.close();
            throw e;
        }
    }
}
