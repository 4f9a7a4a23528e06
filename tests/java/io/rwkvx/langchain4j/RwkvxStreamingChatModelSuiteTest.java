package io.rwkvx.langchain4j;

import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.common.AbstractStreamingChatModelIT;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import io.rwkvx.Model;
import io.rwkvx.Rwkvx;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * LangChain4j's own test suite for every {@link ChatModel} ({@code AbstractStreamingChatModelIT}), run on the bundled tiny
 * byte-level RWKV-7 with greedy sampling.
 *
 * <p>Run: the refusals of what the provider does not support, each asserting LangChain4j's
 * {@code UnsupportedFeatureException} and its message (modelName, tools, ToolChoice.REQUIRED, JSON response format
 * with and without a schema, images as base64 and as URLs), and maxOutputTokens in the request, in the default
 * parameters and in rwkvx's own {@link RwkvxChatRequestParameters} (reply not blank, output tokens equal to the
 * limit, finish reason LENGTH, token totals).
 *
 * <p>Switched off through the suite's hooks ({@code supportsXxx()} false): the tests of tools, tool choice, JSON
 * response formats, images and a custom model name; their "should fail if not supported" counterparts run
 * instead. Overridden as {@link Disabled}: the tests that assert what the answer says ("Berlin", "liebe", "green",
 * "Hello" before a stop sequence), which only a model that answers questions can pass, and (through
 * {@link SuiteSwitches}, since they are package-private) the three tests of exceptions thrown by the handler,
 * which assert "Berlin" too; the provider's own tests
 * ({@link RwkvxChatModelTest}) check the same paths against the engine's output instead.
 */
@ExtendWith(SuiteSwitches.class)
class RwkvxStreamingChatModelSuiteTest extends AbstractStreamingChatModelIT {
    static final String ANSWERS = "asserts what the answer says; the tiny byte-level model writes byte soup"
            + " (RwkvxStreamingChatModelTest checks the same path against Session.generate)";

    private final Model model = Rwkvx.loadDefault();

    @AfterAll
    void closeModel() {
        model.close();
    }

    static ChatRequestParameters greedy() {
        return RwkvxChatRequestParameters.builder().temperature(0.0).build();
    }

    @Override
    protected List<StreamingChatModel> models() {
        return List.of(RwkvxStreamingChatModel.builder()
                .model(model)
                .defaultRequestParameters(greedy())
                .build());
    }

    @Override
    public StreamingChatModel createModelWith(ChatRequestParameters parameters) {
        return RwkvxStreamingChatModel.builder()
                .model(model)
                .defaultRequestParameters(greedy().overrideWith(parameters))
                .build();
    }

    @Override
    public StreamingChatModel createModelWith(ChatModelListener listener) {
        return RwkvxStreamingChatModel.builder()
                .model(model)
                .defaultRequestParameters(greedy())
                .listeners(List.of(listener))
                .build();
    }

    @Override
    protected ChatRequestParameters createIntegrationSpecificParameters(int maxOutputTokens) {
        return RwkvxChatRequestParameters.builder()
                .maxOutputTokens(maxOutputTokens)
                .seed(1L)
                .build();
    }

    @Override
    protected boolean supportsModelNameParameter() {
        return false;
    }

    @Override
    protected boolean supportsTools() {
        return false;
    }

    @Override
    protected boolean supportsToolChoiceRequired() {
        return false;
    }

    @Override
    protected boolean supportsJsonResponseFormat() {
        return false;
    }

    @Override
    protected boolean supportsJsonResponseFormatWithSchema() {
        return false;
    }

    @Override
    protected boolean supportsJsonResponseFormatWithRawSchema() {
        return false;
    }

    @Override
    protected boolean supportsSingleImageInputAsBase64EncodedString() {
        return false;
    }

    @Override
    protected boolean supportsSingleImageInputAsPublicURL() {
        return false;
    }

    @Override
    @ParameterizedTest
    @MethodSource("models")
    @Disabled(ANSWERS)
    protected void should_respect_user_message(StreamingChatModel model) {}

    @Override
    @ParameterizedTest
    @MethodSource("models")
    @Disabled(ANSWERS)
    protected void should_respect_system_message(StreamingChatModel model) {}

    @Override
    @ParameterizedTest
    @MethodSource("models")
    @Disabled(ANSWERS)
    protected void should_respect_multiple_messages(StreamingChatModel model) {}

    @Override
    @ParameterizedTest
    @MethodSource("models")
    @Disabled(ANSWERS)
    protected void should_respect_stopSequences_in_chat_request(StreamingChatModel model) {}

    @Override
    @org.junit.jupiter.api.Test
    @Disabled(ANSWERS)
    protected void should_respect_stopSequences_in_default_model_parameters() {}
}
