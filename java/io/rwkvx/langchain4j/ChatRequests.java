package io.rwkvx.langchain4j;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.ToolChoice;
import io.rwkvx.GenerationOptions;
import io.rwkvx.chat.ChatTemplate;
import io.rwkvx.sampling.SamplerConfig;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What a LangChain4j request becomes for the engine: its messages as the chat template's, its parameters as
 * {@link GenerationOptions}. Refuses what a local RWKV model cannot do with LangChain4j's
 * {@link UnsupportedFeatureException} (tools, JSON response formats, images and other non-text content, another
 * model's name) and a parameter out of range with an {@link IllegalArgumentException} naming it.
 */
final class ChatRequests {
    private ChatRequests() {}

    /** Refuses the features this provider lacks, and parameters out of range; {@code modelName} is the model's. */
    static void check(ChatRequestParameters p, String modelName) {
        if (p.modelName() != null && !p.modelName().equals(modelName))
            throw unsupported("modelName '" + p.modelName() + "' is not supported: this model is '" + modelName
                    + "', the one it was built with");
        if (p.toolChoice() == ToolChoice.REQUIRED)
            throw unsupported("ToolChoice.REQUIRED is not supported: an RWKV model run by rwkvx calls no tools");
        if (p.toolSpecifications() != null && !p.toolSpecifications().isEmpty())
            throw unsupported("tools are not supported: an RWKV model run by rwkvx calls no tools");
        ResponseFormat format = p.responseFormat();
        if (format != null && format.type() == ResponseFormatType.JSON)
            throw unsupported(
                    format.jsonSchema() == null
                            ? "JSON response format is not supported: rwkvx does not constrain the reply to JSON"
                            : "JSON response format with a schema is not supported: rwkvx does not constrain the"
                                    + " reply to a schema");
        double temperature = orElse(p.temperature(), 1.0);
        if (!(temperature >= 0) || Double.isInfinite(temperature))
            throw invalid("temperature", temperature, "finite and >= 0 (0 is greedy)");
        double topP = orElse(p.topP(), 1.0);
        if (!(topP > 0 && topP <= 1)) throw invalid("topP", topP, "in (0, 1] (1 is off)");
        if (p.topK() != null && p.topK() < 0) throw invalid("topK", p.topK(), ">= 0 (0 is off)");
        if (p.presencePenalty() != null && !Double.isFinite(p.presencePenalty()))
            throw invalid("presencePenalty", p.presencePenalty(), "finite");
        if (p.frequencyPenalty() != null && !Double.isFinite(p.frequencyPenalty()))
            throw invalid("frequencyPenalty", p.frequencyPenalty(), "finite");
        if (p.maxOutputTokens() != null && p.maxOutputTokens() < 1)
            throw invalid("maxOutputTokens", p.maxOutputTokens(), ">= 1");
        if (p.stopSequences() != null)
            for (int i = 0; i < p.stopSequences().size(); i++)
                if (p.stopSequences().get(i) == null || p.stopSequences().get(i).isEmpty())
                    throw new IllegalArgumentException("stopSequences[" + i + "] is empty: a stop sequence needs text");
        if (p instanceof RwkvxChatRequestParameters r) {
            if (r.minP() != null && !(r.minP() >= 0 && r.minP() < 1)) throw invalid("minP", r.minP(), "in [0, 1)");
            if (r.repetitionPenalty() != null
                    && (!(r.repetitionPenalty() > 0) || Double.isInfinite(r.repetitionPenalty())))
                throw invalid("repetitionPenalty", r.repetitionPenalty(), "finite and > 0 (1 is off)");
        }
    }

    /**
     * How to generate the reply: the sampler from the parameters (checked by {@link #check}), at most
     * {@code maxOutputTokens} tokens ({@code fallbackMaxTokens} when unset), stopping at the request's stop
     * sequences and the template's.
     */
    static GenerationOptions options(ChatRequestParameters p, ChatTemplate template, int fallbackMaxTokens) {
        SamplerConfig sampler = SamplerConfig.defaults()
                .withTemperature(orElse(p.temperature(), 1.0))
                .withTopP(orElse(p.topP(), 1.0))
                .withTopK(p.topK() == null ? 0 : p.topK())
                .withPresencePenalty(orElse(p.presencePenalty(), 0.0))
                .withFrequencyPenalty(orElse(p.frequencyPenalty(), 0.0));
        Long seed = null;
        if (p instanceof RwkvxChatRequestParameters r) {
            sampler = sampler.withMinP(orElse(r.minP(), 0.0)).withRepetitionPenalty(orElse(r.repetitionPenalty(), 1.0));
            seed = r.seed();
        }
        sampler = sampler.withSeed(
                seed != null ? seed : ThreadLocalRandom.current().nextLong());
        LinkedHashSet<String> stops = new LinkedHashSet<>();
        if (p.stopSequences() != null) stops.addAll(p.stopSequences());
        stops.addAll(template.stops());
        return GenerationOptions.defaults()
                .withMaxTokens(p.maxOutputTokens() == null ? fallbackMaxTokens : p.maxOutputTokens())
                .withSampler(sampler)
                .withStopStrings(List.copyOf(stops));
    }

    /**
     * The conversation as the chat template's messages: system, user (its text parts, concatenated) and earlier
     * AI messages. Tool calls and results, and content other than text, are refused.
     */
    static List<ChatTemplate.Message> messages(List<ChatMessage> messages) {
        List<ChatTemplate.Message> out = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            String where = "messages[" + i + "]";
            ChatTemplate.Message m = switch (messages.get(i)) {
                case SystemMessage s -> new ChatTemplate.Message("system", s.text());
                case UserMessage u -> new ChatTemplate.Message("user", text(u, where));
                case AiMessage a -> {
                    if (a.hasToolExecutionRequests())
                        throw unsupported(where + " holds tool execution requests; tools are not supported: an RWKV"
                                + " model run by rwkvx calls no tools");
                    yield new ChatTemplate.Message("assistant", a.text() == null ? "" : a.text());
                }
                case ToolExecutionResultMessage t ->
                    throw unsupported(where + " is a tool execution result; tools are not supported: an RWKV model"
                            + " run by rwkvx calls no tools");
                case ChatMessage other ->
                    throw unsupported(where + " is a " + other.type() + " message, which is not supported: rwkvx"
                            + " takes system, user and AI messages");
            };
            out.add(m);
        }
        return out;
    }

    private static String text(UserMessage u, String where) {
        StringBuilder sb = new StringBuilder();
        for (Content c : u.contents()) {
            if (!(c instanceof TextContent t))
                throw unsupported(where + " holds " + c.type().name().toLowerCase(Locale.ROOT)
                        + " content, which is not supported: an RWKV model reads text only");
            sb.append(t.text());
        }
        return sb.toString();
    }

    private static double orElse(Double v, double fallback) {
        return v == null ? fallback : v;
    }

    private static UnsupportedFeatureException unsupported(String message) {
        return new UnsupportedFeatureException(message);
    }

    private static IllegalArgumentException invalid(String name, Object value, String rule) {
        return new IllegalArgumentException(name + " must be " + rule + ", got " + value);
    }
}
