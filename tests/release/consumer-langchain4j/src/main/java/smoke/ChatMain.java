package smoke;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import io.rwkvx.Model;
import io.rwkvx.Rwkvx;
import io.rwkvx.langchain4j.RwkvxChatModel;

/** The README's LangChain4j lines: a greedy chat reply of at most 8 tokens from the bundled model. */
public class ChatMain {
    public static void main(String[] args) {
        try (Model model = Rwkvx.loadDefault()) {
            ChatModel chat = RwkvxChatModel.builder().model(model).build();
            ChatResponse r = chat.chat(ChatRequest.builder()
                    .messages(UserMessage.from(args.length > 0 ? args[0] : "Hello"))
                    .temperature(0.0)
                    .maxOutputTokens(8)
                    .build());
            System.out.println("finish=" + r.finishReason() + " output_tokens=" + r.tokenUsage().outputTokenCount()
                    + " text=" + java.util.HexFormat.of().formatHex(r.aiMessage().text().getBytes(
                            java.nio.charset.StandardCharsets.UTF_8)));
        }
    }
}
