package io.rwkvx.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.AudioContent;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import io.rwkvx.GenerationOptions;
import io.rwkvx.GenerationResult;
import io.rwkvx.Model;
import io.rwkvx.PrefixStateCache;
import io.rwkvx.Rwkvx;
import io.rwkvx.Session;
import io.rwkvx.chat.ChatTemplate;
import io.rwkvx.sampling.SamplerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@link RwkvxChatModel} against the engine itself: a greedy reply equals {@link Session#generate} on the prompt
 * the chat template renders (text, token counts, finish reason), stop sequences and maxOutputTokens end it where
 * the engine's own output says, a chat's second turn restores the first turn's prompt from the prefix cache and
 * replies as without it, concurrent calls reply as a solo one, and bad requests are refused with what was wrong.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RwkvxChatModelTest {
    static final List<ChatMessage> CONVERSATION =
            List.of(SystemMessage.from("You are a test."), UserMessage.from("Say something."));

    private final Model model = Rwkvx.loadDefault();

    @AfterAll
    void closeModel() {
        model.close();
    }

    static ChatRequestParameters greedy(int maxOutputTokens) {
        return RwkvxChatRequestParameters.builder()
                .temperature(0.0)
                .maxOutputTokens(maxOutputTokens)
                .build();
    }

    /** What the engine generates, greedily, after the World template's prompt of {@code messages}. */
    static GenerationResult reference(
            Model model, List<ChatTemplate.Message> messages, int maxTokens, List<String> stops) {
        List<String> all = new ArrayList<>(stops);
        all.addAll(ChatTemplate.WORLD.stops());
        try (Session s = model.newSession()) {
            return s.generate(
                    ChatTemplate.WORLD.render(messages),
                    GenerationOptions.defaults()
                            .withMaxTokens(maxTokens)
                            .withSampler(SamplerConfig.greedy())
                            .withStopStrings(all),
                    piece -> {});
        }
    }

    static final List<ChatTemplate.Message> TEMPLATE_CONVERSATION = List.of(
            new ChatTemplate.Message("system", "You are a test."), new ChatTemplate.Message("user", "Say something."));

    @Test
    void aGreedyReplyEqualsTheEnginesOwnOutput() {
        RwkvxChatModel chat =
                RwkvxChatModel.builder().model(model).prefixCache(null).build();
        ChatResponse r = chat.chat(ChatRequest.builder()
                .messages(CONVERSATION)
                .parameters(greedy(40))
                .build());
        GenerationResult expected = reference(model, TEMPLATE_CONVERSATION, 40, List.of());
        assertThat(r.aiMessage().text()).isEqualTo(expected.text().stripLeading());
        assertThat(r.tokenUsage().inputTokenCount())
                .isEqualTo(model.tokenizer().encode(ChatTemplate.WORLD.render(TEMPLATE_CONVERSATION)).length);
        assertThat(r.tokenUsage().outputTokenCount()).isEqualTo(expected.tokens().length);
        assertThat(r.tokenUsage().totalTokenCount())
                .isEqualTo(r.tokenUsage().inputTokenCount() + expected.tokens().length);
        assertThat(r.finishReason())
                .isEqualTo(
                        expected.stopReason() == GenerationResult.StopReason.MAX_TOKENS
                                ? FinishReason.LENGTH
                                : FinishReason.STOP);
        assertThat(r.metadata().modelName())
                .isEqualTo(chat.defaultRequestParameters().modelName());
        assertThat(r.metadata().id()).startsWith("rwkvx-");
    }

    @Test
    void maxOutputTokensEndsWithLengthAndAStopSequenceWithStop() {
        RwkvxChatModel chat = RwkvxChatModel.builder().model(model).build();
        GenerationResult full = reference(model, TEMPLATE_CONVERSATION, 40, List.of());
        assertThat(full.tokens().length).as("the reference runs past 5 tokens").isGreaterThan(5);

        ChatResponse capped = chat.chat(ChatRequest.builder()
                .messages(CONVERSATION)
                .parameters(greedy(5))
                .build());
        assertThat(capped.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(capped.tokenUsage().outputTokenCount()).isEqualTo(5);
        assertThat(full.text().stripLeading()).startsWith(capped.aiMessage().text());

        // A stop sequence taken from the middle of the reference reply: the reply ends just before its first
        // occurrence.
        String text = full.text();
        int at = text.length() / 2;
        String stop = text.substring(at, at + 2);
        ChatResponse stopped = chat.chat(ChatRequest.builder()
                .messages(CONVERSATION)
                .parameters(RwkvxChatRequestParameters.builder()
                        .temperature(0.0)
                        .maxOutputTokens(40)
                        .stopSequences(stop)
                        .build())
                .build());
        assertThat(stopped.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(stopped.aiMessage().text())
                .isEqualTo(text.substring(0, text.indexOf(stop)).stripLeading());
        GenerationResult expected = reference(model, TEMPLATE_CONVERSATION, 40, List.of(stop));
        assertThat(stopped.tokenUsage().outputTokenCount()).isEqualTo(expected.tokens().length);
    }

    @Test
    void theSecondTurnRestoresTheFirstTurnsPromptAndRepliesAsWithoutTheCache() {
        PrefixStateCache cache = new PrefixStateCache(model, 1L << 26);
        RwkvxChatModel cached = RwkvxChatModel.builder()
                .model(model)
                .prefixCache(cache)
                .defaultRequestParameters(greedy(24))
                .build();
        RwkvxChatModel uncached = RwkvxChatModel.builder()
                .model(model)
                .prefixCache(null)
                .defaultRequestParameters(greedy(24))
                .build();
        List<ChatMessage> turn1 = List.of(UserMessage.from("Hello there."));
        String reply1 = cached.chat(turn1).aiMessage().text();
        assertThat(cache.stats().reusedTokens()).isZero();
        int firstPrompt = model.tokenizer().encode("User: Hello there.\n\nAssistant:").length;

        List<ChatMessage> turn2 = List.of(turn1.getFirst(), AiMessage.from(reply1), UserMessage.from("And then?"));
        ChatResponse withCache = cached.chat(turn2);
        assertThat(cache.stats().hits()).isEqualTo(1);
        assertThat(cache.stats().reusedTokens()).isEqualTo(firstPrompt);
        ChatResponse without = uncached.chat(turn2);
        assertThat(withCache.aiMessage().text()).isEqualTo(without.aiMessage().text());
        assertThat(withCache.tokenUsage()).isEqualTo(without.tokenUsage());
    }

    @Test
    void concurrentCallsReplyAsASoloCall() throws Exception {
        RwkvxChatModel chat = RwkvxChatModel.builder()
                .model(model)
                .defaultRequestParameters(greedy(24))
                .build();
        String solo = chat.chat(CONVERSATION).aiMessage().text();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> replies = new ArrayList<>();
            for (int i = 0; i < 4; i++)
                replies.add(
                        pool.submit(() -> chat.chat(CONVERSATION).aiMessage().text()));
            for (Future<String> f : replies) assertThat(f.get()).isEqualTo(solo);
        } finally {
            pool.shutdownNow();
        }
        assertThat(model.batchingStats().queued()).isZero();
    }

    @Test
    void parametersOutOfRangeAreRefusedByName() {
        RwkvxChatModel chat = RwkvxChatModel.builder().model(model).build();
        record Bad(String name, ChatRequestParameters parameters) {}
        List<Bad> bad = List.of(
                new Bad(
                        "temperature",
                        ChatRequestParameters.builder().temperature(-1.0).build()),
                new Bad("topP", ChatRequestParameters.builder().topP(0.0).build()),
                new Bad("topK", ChatRequestParameters.builder().topK(-1).build()),
                new Bad(
                        "presencePenalty",
                        ChatRequestParameters.builder()
                                .presencePenalty(Double.NaN)
                                .build()),
                new Bad(
                        "frequencyPenalty",
                        ChatRequestParameters.builder()
                                .frequencyPenalty(Double.POSITIVE_INFINITY)
                                .build()),
                new Bad(
                        "stopSequences[1]",
                        ChatRequestParameters.builder().stopSequences("x", "").build()),
                new Bad("minP", RwkvxChatRequestParameters.builder().minP(1.0).build()),
                new Bad(
                        "repetitionPenalty",
                        RwkvxChatRequestParameters.builder()
                                .repetitionPenalty(0.0)
                                .build()));
        for (Bad b : bad) {
            ChatRequest request = ChatRequest.builder()
                    .messages(CONVERSATION)
                    .parameters(b.parameters())
                    .build();
            assertThatThrownBy(() -> chat.chat(request))
                    .as(b.name())
                    .isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith(b.name() + " ");
            assertThatThrownBy(() -> RwkvxChatModel.builder()
                            .model(model)
                            .defaultRequestParameters(b.parameters())
                            .build())
                    .as(b.name() + " as a default")
                    .isExactlyInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith(b.name() + " ");
        }
        assertThat(model.batchingStats().queued()).isZero();
    }

    @Test
    void toolMessagesAndNonTextContentAreRefusedWithWhere() {
        RwkvxChatModel chat = RwkvxChatModel.builder().model(model).build();
        ToolExecutionRequest call = ToolExecutionRequest.builder()
                .id("1")
                .name("getWeather")
                .arguments("{}")
                .build();
        assertThatThrownBy(() -> chat.chat(UserMessage.from("Hi"), AiMessage.from(call)))
                .isExactlyInstanceOf(UnsupportedFeatureException.class)
                .hasMessageContaining("messages[1]")
                .hasMessageContaining("tools are not supported");
        assertThatThrownBy(() -> chat.chat(UserMessage.from("Hi"), ToolExecutionResultMessage.from(call, "sunny")))
                .isExactlyInstanceOf(UnsupportedFeatureException.class)
                .hasMessageContaining("messages[1]")
                .hasMessageContaining("tool execution result");
        assertThatThrownBy(() -> chat.chat(UserMessage.from(AudioContent.from("AAAA", "audio/wav"))))
                .isExactlyInstanceOf(UnsupportedFeatureException.class)
                .hasMessageContaining("messages[0] holds audio content, which is not supported");
    }

    @Test
    void theDefaultsAreTheBuildersOverTheModelsOwn() {
        RwkvxChatModel chat = RwkvxChatModel.builder()
                .model(model)
                .modelName("tiny")
                .defaultRequestParameters(
                        RwkvxChatRequestParameters.builder().seed(7L).topK(5).build())
                .build();
        RwkvxChatRequestParameters d = chat.defaultRequestParameters();
        assertThat(d.modelName()).isEqualTo("tiny");
        assertThat(d.temperature()).isEqualTo(1.0);
        assertThat(d.topP()).isEqualTo(1.0);
        assertThat(d.topK()).isEqualTo(5);
        assertThat(d.seed()).isEqualTo(7L);
        assertThat(d.maxOutputTokens()).isEqualTo(ChatEngine.DEFAULT_MAX_OUTPUT_TOKENS);
        assertThat(chat.supportedCapabilities()).isEmpty();
        // A fixed seed gives the same sampled reply twice.
        ChatRequest request = ChatRequest.builder()
                .messages(CONVERSATION)
                .parameters(ChatRequestParameters.builder().maxOutputTokens(16).build())
                .build();
        assertThat(chat.chat(request).aiMessage().text())
                .isEqualTo(chat.chat(request).aiMessage().text());
        assertThatThrownBy(() -> chat.chat(ChatRequest.builder()
                        .messages(CONVERSATION)
                        .parameters(ChatRequestParameters.builder()
                                .modelName("other")
                                .build())
                        .build()))
                .isExactlyInstanceOf(UnsupportedFeatureException.class)
                .hasMessageContaining("modelName 'other' is not supported: this model is 'tiny'");
    }
}
