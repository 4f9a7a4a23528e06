package io.rwkvx.langchain4j;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.common.AbstractChatModelIT;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import io.rwkvx.Model;
import io.rwkvx.Rwkvx;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * LangChain4j's own test suite for every {@link ChatModel} ({@code AbstractChatModelIT}), run on the bundled tiny
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
 * "Hello" before a stop sequence), which only a model that answers questions can pass; the provider's own tests
 * ({@link RwkvxChatModelTest}) check the same paths against the engine's output instead.
 */
class RwkvxChatModelSuiteTest extends AbstractChatModelIT {
    static final String ANSWERS = "asserts what the answer says; the tiny byte-level model writes byte soup"
            + " (RwkvxChatModelTest checks the same path against Session.generate)";

    private final Model model = Rwkvx.loadDefault();

    @AfterAll
    void closeModel() {
        model.close();
    }

    static ChatRequestParameters greedy() {
        return RwkvxChatRequestParameters.builder().temperature(0.0).build();
    }

    @Override
    protected List<ChatModel> models() {
        return List.of(RwkvxChatModel.builder()
                .model(model)
                .defaultRequestParameters(greedy())
                .build());
    }

    @Override
    protected ChatModel createModelWith(ChatRequestParameters parameters) {
        return RwkvxChatModel.builder()
                .model(model)
                .defaultRequestParameters(greedy().overrideWith(parameters))
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
    protected void should_respect_user_message(ChatModel model) {}

    @Override
    @ParameterizedTest
    @MethodSource("models")
    @Disabled(ANSWERS)
    protected void should_respect_system_message(ChatModel model) {}

    @Override
    @ParameterizedTest
    @MethodSource("models")
    @Disabled(ANSWERS)
    protected void should_respect_multiple_messages(ChatModel model) {}

    @Override
    @ParameterizedTest
    @MethodSource("models")
    @Disabled(ANSWERS)
    protected void should_respect_stopSequences_in_chat_request(ChatModel model) {}

    @Override
    @org.junit.jupiter.api.Test
    @Disabled(ANSWERS)
    protected void should_respect_stopSequences_in_default_model_parameters() {}
}
