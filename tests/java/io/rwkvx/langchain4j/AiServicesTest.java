package io.rwkvx.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.memory.chat.MessageWindowChatMemory;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.service.AiServices;
import dev.langchain4j.service.TokenStream;
import io.rwkvx.Model;
import io.rwkvx.PrefixStateCache;
import io.rwkvx.Rwkvx;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The provider under LangChain4j's {@link AiServices}: a streaming assistant returning a {@link TokenStream}, and a
 * blocking one with a chat memory over two turns, whose second turn restores the first turn's prompt from the
 * prefix cache. Replies are compared with the chat model called directly (greedy sampling).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AiServicesTest {
    interface StreamingAssistant {
        TokenStream chat(String message);
    }

    interface Assistant {
        String chat(String message);
    }

    private final Model model = Rwkvx.loadDefault();

    @AfterAll
    void closeModel() {
        model.close();
    }

    static final ChatRequestParameters GREEDY =
            ChatRequestParameters.builder().temperature(0.0).maxOutputTokens(32).build();

    @Test
    void aTokenStreamDeliversThePiecesThenTheResponse() throws Exception {
        StreamingAssistant assistant = AiServices.builder(StreamingAssistant.class)
                .streamingChatModel(RwkvxStreamingChatModel.builder()
                        .model(model)
                        .defaultRequestParameters(GREEDY)
                        .build())
                .build();
        StringBuffer pieces = new StringBuffer();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        assistant
                .chat("Hello!")
                .onPartialResponse(pieces::append)
                .onCompleteResponse(done::complete)
                .onError(done::completeExceptionally)
                .start();
        ChatResponse response = done.get(60, TimeUnit.SECONDS);
        assertThat(pieces.toString()).isEqualTo(response.aiMessage().text());

        ChatResponse direct = RwkvxChatModel.builder()
                .model(model)
                .defaultRequestParameters(GREEDY)
                .build()
                .chat(UserMessage.from("Hello!"));
        assertThat(response.aiMessage().text()).isEqualTo(direct.aiMessage().text());
        assertThat(response.tokenUsage()).isEqualTo(direct.tokenUsage());
    }

    @Test
    void aChatMemoryCarriesTheFirstTurnIntoTheSecondThroughTheCache() {
        PrefixStateCache cache = new PrefixStateCache(model, 1L << 26);
        RwkvxChatModel chat = RwkvxChatModel.builder()
                .model(model)
                .prefixCache(cache)
                .defaultRequestParameters(GREEDY)
                .build();
        MessageWindowChatMemory memory = MessageWindowChatMemory.withMaxMessages(10);
        Assistant assistant = AiServices.builder(Assistant.class)
                .chatModel(chat)
                .chatMemory(memory)
                .build();

        String first = assistant.chat("My name is Ada.");
        String second = assistant.chat("What is my name?");
        assertThat(cache.stats().hits()).isEqualTo(1);
        assertThat(cache.stats().reusedTokens()).isPositive();

        List<ChatMessage> history = memory.messages();
        assertThat(history).hasSize(4);
        assertThat(((AiMessage) history.get(1)).text()).isEqualTo(first);
        assertThat(((AiMessage) history.get(3)).text()).isEqualTo(second);
        // The second turn's reply is the model's reply to the whole conversation, evaluated without the cache.
        String direct = RwkvxChatModel.builder()
                .model(model)
                .prefixCache(null)
                .defaultRequestParameters(GREEDY)
                .build()
                .chat(history.subList(0, 3))
                .aiMessage()
                .text();
        assertThat(second).isEqualTo(direct);
    }
}
