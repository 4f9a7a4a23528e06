package io.rwkvx.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The strict JSON parser behind the safetensors reader. */
class JsonParserTest {
    @Test
    void parsesNestedValues() {
        Object v = JsonParser.parse(
                " {\"a\": [1, -2, 3.5, 1e3, true, false, null], \"b\": {\"c\": \"d\"}, \"e\": {}, \"f\": []}\n");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(List.of("a", "b", "e", "f"), List.copyOf(m.keySet()), "keys keep their order");
        List<?> a = (List<?>) m.get("a");
        assertEquals(1L, a.get(0));
        assertEquals(-2L, a.get(1));
        assertEquals(3.5, a.get(2));
        assertEquals(1000.0, a.get(3));
        assertEquals(Boolean.TRUE, a.get(4));
        assertEquals(Boolean.FALSE, a.get(5));
        assertSame(JsonParser.NULL, a.get(6));
        assertEquals(Map.of("c", "d"), m.get("b"));
    }

    @Test
    void largeIntegersStayExact() {
        assertEquals(9007199254740993L, JsonParser.parse("9007199254740993"));
        assertEquals(Long.MAX_VALUE, JsonParser.parse("9223372036854775807"));
    }

    @Test
    void decodesEscapes() {
        assertEquals(
                "a\"b\\c/d\b\f\n\r\t\u00e9\ud83d\ude00",
                JsonParser.parse("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00E9\\ud83d\\ude00\""));
        assertEquals("blocks.0.att.\u00fc", JsonParser.parse("\"blocks.0.att.\u00fc\""));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "trailing comma in object | {\"a\":1,}          | expected a string key at character 7",
                "trailing comma in array  | [1,]               | expected a value at character 3",
                "leading zero             | 012                | leading zero",
                "lone minus               | -                  | invalid number",
                "bare fraction            | 1.                 | digit expected after '.'",
                "bad exponent             | 1e                 | digit expected in the exponent",
                "too large                | 9223372036854775808 | out of range",
                "control character        | `\"a\tb\"`         | control character U+0009",
                "bad escape               | \"\\x\"             | invalid escape '\\x'",
                "short unicode escape     | \"\\u12\"           | truncated \\u escape",
                "bad unicode escape       | \"\\u12zz\"         | invalid \\u escape",
                "unterminated string      | \"abc              | unterminated string",
                "duplicate key            | {\"k\":1,\"k\":2}  | duplicate key \"k\" at character 7",
                "garbage after value      | {} x               | unexpected 'x' after the value at character 3",
                "two values               | 1 2                | after the value",
                "empty                    | ``                 | unexpected end of input",
                "comment                  | /* c */ {}         | unexpected '/'",
                "misspelt literal         | nul                | expected a value",
                "capitalised literal      | True               | expected a value",
                "missing colon            | {\"a\" 1}          | expected ':'",
                "non-string key           | {1:2}              | expected a string key",
            })
    void rejects(String what, String text, String fragment) {
        JsonParser.JsonSyntaxException e =
                assertThrows(JsonParser.JsonSyntaxException.class, () -> JsonParser.parse(text));
        assertTrue(e.getMessage().contains(fragment), what + ": " + e.getMessage());
    }

    @Test
    void limitsNesting() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        JsonParser.JsonSyntaxException e =
                assertThrows(JsonParser.JsonSyntaxException.class, () -> JsonParser.parse(deep));
        assertTrue(e.getMessage().contains("nesting deeper than 64"), e.getMessage());
        assertEquals(List.of(List.of(List.of())), JsonParser.parse("[[[]]]"));
    }
}
