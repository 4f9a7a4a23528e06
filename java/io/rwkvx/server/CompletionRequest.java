package io.rwkvx.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.rwkvx.chat.CachedPrompts;
import io.rwkvx.chat.ChatTemplate;
import io.rwkvx.sampling.SamplerConfig;
import io.rwkvx.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The fields of a {@code /v1/completions} or {@code /v1/chat/completions} request that the server honours,
 * checked: a wrong one is a 400 naming it ({@code param}). Fields it does not know are ignored, as OpenAI's
 * optional ones (e.g. {@code user}) should be; the ones it knows but cannot honour ({@code n} other than 1,
 * {@code logprobs}, {@code echo}, {@code best_of}, {@code tools}) are refused rather than ignored.
 *
 * @param chat         a chat request (the prompt made from {@code messages} by the chat template)
 * @param promptTokens the prompt's token ids
 * @param maxTokens    most tokens to generate
 * @param sampler      temperature, top-p, penalties and seed
 * @param stops        texts that end the generation: the request's, then the chat template's
 * @param stream       answer with server-sent events
 * @param includeUsage with {@code stream}: a last event with the token counts ({@code stream_options})
 * @param state        name of the initial state, or null
 * @param cacheBoundaries shorter prompt lengths whose states the prefix cache saves too (see
 *                        {@link CachedPrompts#cacheBoundaries}); empty for a completion
 */
record CompletionRequest(
        boolean chat,
        int[] promptTokens,
        int maxTokens,
        SamplerConfig sampler,
        List<String> stops,
        boolean stream,
        boolean includeUsage,
        String state,
        int[] cacheBoundaries) {
    /** OpenAI's limit on stop sequences. */
    static final int MAX_STOPS = 4;

    static CompletionRequest parse(ObjectNode body, boolean chat, ServerConfig config, Tokenizer tokenizer)
            throws ApiError {
        refuseUnsupported(body);
        JsonNode model = body.get("model");
        if (model != null && !model.isNull() && !model.isTextual())
            throw ApiError.invalid("model", "'model' must be a string");

        List<ChatTemplate.Message> messages = chat ? messages(body) : null;
        int[] prompt = chat ? tokenizer.encode(config.chatTemplate().render(messages)) : prompt(body, tokenizer);
        if (prompt.length > config.maxPromptTokens())
            throw ApiError.invalid(
                    chat ? "messages" : "prompt",
                    "context_length_exceeded",
                    "the prompt has " + prompt.length + " tokens; this server takes at most "
                            + config.maxPromptTokens());

        String tokensField = chat && body.hasNonNull("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
        long maxTokens = integer(body, tokensField, config.maxTokens(), 0, Integer.MAX_VALUE);
        if (maxTokens > config.maxTokens())
            throw ApiError.invalid(
                    tokensField,
                    "'" + tokensField + "' is " + maxTokens + "; this server generates at most " + config.maxTokens()
                            + " tokens per request");

        double temperature = number(body, "temperature", 1, 0, 2);
        double topP = number(body, "top_p", 1, 0, 1);
        if (topP == 0) throw ApiError.invalid("top_p", "'top_p' must be above 0 and at most 1, got 0");
        double presence = number(body, "presence_penalty", 0, -2, 2);
        double frequency = number(body, "frequency_penalty", 0, -2, 2);
        long seed = body.hasNonNull("seed")
                ? integer(body, "seed", 0, Long.MIN_VALUE, Long.MAX_VALUE)
                : ThreadLocalRandom.current().nextLong();
        SamplerConfig sampler = SamplerConfig.defaults()
                .withTemperature(temperature)
                .withTopP(topP)
                .withPresencePenalty(presence)
                .withFrequencyPenalty(frequency)
                .withSeed(seed);

        LinkedHashSet<String> stops = new LinkedHashSet<>(stops(body));
        if (chat) stops.addAll(config.chatTemplate().stops());

        boolean stream = bool(body, "stream", false);
        boolean includeUsage = false;
        JsonNode options = body.get("stream_options");
        if (options != null && !options.isNull()) {
            if (!options.isObject()) throw ApiError.invalid("stream_options", "'stream_options' must be an object");
            if (!stream) throw ApiError.invalid("stream_options", "'stream_options' needs 'stream': true");
            includeUsage = bool((ObjectNode) options, "include_usage", false);
        }

        String state = null;
        JsonNode s = body.get("state");
        if (s != null && !s.isNull()) {
            if (!s.isTextual()) throw ApiError.invalid("state", "'state' must be the name of a state");
            state = s.textValue();
        }
        int[] boundaries = chat && config.prefixCacheBytes() > 0
                ? CachedPrompts.cacheBoundaries(config.chatTemplate(), messages, prompt, tokenizer)
                : new int[0];
        return new CompletionRequest(
                chat, prompt, (int) maxTokens, sampler, List.copyOf(stops), stream, includeUsage, state, boundaries);
    }

    private static void refuseUnsupported(ObjectNode body) throws ApiError {
        JsonNode n = body.get("n");
        if (n != null && !n.isNull() && !(n.canConvertToExactIntegral() && n.asLong() == 1))
            throw ApiError.invalid("n", "only 'n': 1 is supported (one choice per request), got " + n);
        JsonNode bestOf = body.get("best_of");
        if (bestOf != null && !bestOf.isNull() && !(bestOf.canConvertToExactIntegral() && bestOf.asLong() == 1))
            throw ApiError.invalid("best_of", "only 'best_of': 1 is supported, got " + bestOf);
        for (String name : List.of("echo", "logprobs")) {
            JsonNode v = body.get(name);
            if (v != null && !v.isNull() && !(v.isBoolean() && !v.booleanValue()))
                throw ApiError.invalid(name, "'" + name + "' is not supported by this server");
        }
        JsonNode tools = body.get("tools");
        if (tools != null && !tools.isNull() && !(tools.isArray() && tools.isEmpty()))
            throw ApiError.invalid("tools", "'tools' are not supported by this server");
    }

    /** The prompt of a completion: a string, an array of one string, or an array of token ids. */
    private static int[] prompt(ObjectNode body, Tokenizer tokenizer) throws ApiError {
        JsonNode p = body.get("prompt");
        if (p == null || p.isNull()) throw ApiError.invalid("prompt", "'prompt' is required");
        if (p.isTextual()) return tokenizer.encode(p.textValue());
        if (p.isArray()) {
            if (p.size() == 1 && p.get(0).isTextual())
                return tokenizer.encode(p.get(0).textValue());
            if (p.size() > 1 && p.get(0).isTextual())
                throw ApiError.invalid("prompt", "one prompt per request: got an array of " + p.size() + " prompts");
            int[] ids = new int[p.size()];
            for (int i = 0; i < ids.length; i++) {
                JsonNode id = p.get(i);
                if (!id.canConvertToExactIntegral() || id.asLong() < 0 || id.asLong() >= tokenizer.vocabSize())
                    throw ApiError.invalid(
                            "prompt",
                            "'prompt' item " + i + " is " + id + "; a token id is an integer in [0, "
                                    + tokenizer.vocabSize() + ")");
                ids[i] = id.intValue();
            }
            return ids;
        }
        throw ApiError.invalid("prompt", "'prompt' must be a string, an array of one string, or an array of token ids");
    }

    private static List<ChatTemplate.Message> messages(ObjectNode body) throws ApiError {
        JsonNode list = body.get("messages");
        if (list == null || !list.isArray() || list.isEmpty())
            throw ApiError.invalid("messages", "'messages' must be a non-empty array");
        List<ChatTemplate.Message> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            String where = "messages[" + i + "]";
            JsonNode m = list.get(i);
            if (!m.isObject()) throw ApiError.invalid(where, where + " must be an object");
            JsonNode role = m.get("role");
            if (role == null || !role.isTextual())
                throw ApiError.invalid(where + ".role", where + ".role must be a string");
            String r = role.textValue();
            if (!List.of("system", "developer", "user", "assistant").contains(r))
                throw ApiError.invalid(
                        where + ".role",
                        where + ".role is '" + r + "'; this server takes system, developer, user and assistant");
            out.add(new ChatTemplate.Message(r, content(m.get("content"), where + ".content")));
        }
        return out;
    }

    /** A message's text: a string, or an array of {@code {"type":"text","text":...}} parts. */
    private static String content(JsonNode c, String where) throws ApiError {
        if (c == null || c.isNull()) return "";
        if (c.isTextual()) return c.textValue();
        if (c.isArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : c) {
                if (!part.isObject()
                        || !"text".equals(part.path("type").asText())
                        || !part.path("text").isTextual())
                    throw ApiError.invalid(
                            where, where + " may hold only text parts ({\"type\":\"text\",\"text\":...})");
                sb.append(part.get("text").textValue());
            }
            return sb.toString();
        }
        throw ApiError.invalid(where, where + " must be a string or an array of text parts");
    }

    private static List<String> stops(ObjectNode body) throws ApiError {
        JsonNode s = body.get("stop");
        if (s == null || s.isNull()) return List.of();
        List<String> out = new ArrayList<>();
        if (s.isTextual()) out.add(s.textValue());
        else if (s.isArray()) {
            for (JsonNode e : s) {
                if (!e.isTextual()) throw ApiError.invalid("stop", "'stop' must be a string or an array of strings");
                out.add(e.textValue());
            }
        } else throw ApiError.invalid("stop", "'stop' must be a string or an array of strings");
        if (out.size() > MAX_STOPS)
            throw ApiError.invalid("stop", "'stop' has " + out.size() + " sequences; at most " + MAX_STOPS);
        for (String t : out) if (t.isEmpty()) throw ApiError.invalid("stop", "'stop' holds an empty string");
        return out;
    }

    private static double number(ObjectNode body, String name, double fallback, double min, double max)
            throws ApiError {
        JsonNode n = body.get(name);
        if (n == null || n.isNull()) return fallback;
        if (!n.isNumber()) throw ApiError.invalid(name, "'" + name + "' must be a number");
        double v = n.doubleValue();
        if (!(v >= min && v <= max))
            throw ApiError.invalid(name, "'" + name + "' must be in [" + fmt(min) + ", " + fmt(max) + "], got " + n);
        return v;
    }

    private static long integer(ObjectNode body, String name, long fallback, long min, long max) throws ApiError {
        JsonNode n = body.get(name);
        if (n == null || n.isNull()) return fallback;
        if (!n.canConvertToExactIntegral() || !n.canConvertToLong())
            throw ApiError.invalid(name, "'" + name + "' must be an integer, got " + n);
        long v = n.asLong();
        if (v < min || v > max)
            throw ApiError.invalid(name, "'" + name + "' must be in [" + min + ", " + max + "], got " + v);
        return v;
    }

    private static boolean bool(ObjectNode body, String name, boolean fallback) throws ApiError {
        JsonNode n = body.get(name);
        if (n == null || n.isNull()) return fallback;
        if (!n.isBoolean()) throw ApiError.invalid(name, "'" + name + "' must be true or false");
        return n.booleanValue();
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }
}
