package io.rwkvx.langchain4j;

import java.util.Map;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Switches off LangChain4j suite tests that a subclass cannot override (package-private in the suite) and that
 * only a model that answers questions can pass; they are reported as skipped, with the reason.
 */
final class SuiteSwitches implements ExecutionCondition {
    static final String ANSWERS = "asserts the answer's content ('Berlin'); the tiny byte-level model writes byte"
            + " soup, so RwkvxStreamingChatModelTest checks the same callbacks with the engine's own output";

    private static final Map<String, String> OFF = Map.of(
            "should_propagate_user_exceptions_thrown_from_onPartialResponse", ANSWERS,
            "should_propagate_user_exceptions_thrown_from_onCompleteResponse", ANSWERS,
            "should_ignore_user_exceptions_thrown_from_onError", ANSWERS);

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        return context.getTestMethod()
                .map(m -> OFF.get(m.getName()))
                .map(ConditionEvaluationResult::disabled)
                .orElse(ConditionEvaluationResult.enabled("not switched off"));
    }
}
