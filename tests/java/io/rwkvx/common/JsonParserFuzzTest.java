package io.rwkvx.common;

import static io.rwkvx.common.FuzzSupport.parsesOrRefuses;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;

/**
 * Fuzz target for {@link JsonParser}, under the safetensors and tokenizer readers: any text parses or is refused
 * with a {@link JsonParser.JsonSyntaxException}. Seeds: tests/corpus/io/rwkvx/common/JsonParserFuzzTestInputs/json/.
 */
class JsonParserFuzzTest {
    @FuzzTest
    void json(byte[] data) throws Throwable {
        String text = new String(data, StandardCharsets.UTF_8);
        parsesOrRefuses(() -> JsonParser.parse(text), JsonParser.JsonSyntaxException.class);
    }
}
