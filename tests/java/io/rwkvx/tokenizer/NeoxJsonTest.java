package io.rwkvx.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The strict JSON reader behind {@link NeoxTokenizer}. */
class NeoxJsonTest {

    private static Object parse(String json) {
        return NeoxJson.parse(json.getBytes(StandardCharsets.UTF_8), "t.json");
    }

    private static String rejected(String json) {
        return assertThrows(TokenizerFormatException.class, () -> parse(json)).getMessage();
    }

    @Test
    void parsesValues() {
        Map<?, ?> object = (Map<?, ?>) parse(" {\"a\": [1, -2, 3.5, 1e3, true, false, null, \"x\"], \"b\": {}} ");
        assertEquals(List.of(1L, -2L, 3.5, 1000.0, true, false, NeoxJson.NULL, "x"), object.get("a"));
        assertEquals(Map.of(), object.get("b"));
        assertSame(NeoxJson.NULL, parse("null"));
        assertEquals(List.of(), parse("[]"));
        assertEquals(12345678901234567890.0, parse("12345678901234567890"));
        assertEquals(-0L, parse("-0"));
    }

    @Test
    void decodesStringEscapes() {
        assertEquals("a\"b\\c/d\b\f\n\r\t\u00e9\u0120", parse("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\u0120\""));
        assertEquals("😀", parse("\"\\ud83d\\ude00\""));
        assertEquals("Ġ😀", parse("\"Ġ😀\""));
        assertEquals("x", parse("\uFEFF\"x\""));
    }

    @Test
    void rejectsWhatRfc8259Rejects() {
        assertTrue(rejected("[1,]").contains("expected a value"), rejected("[1,]"));
        assertTrue(rejected("{\"a\":1,}").contains("expected a string key"));
        assertTrue(rejected("{\"a\":1 \"b\":2}").contains("expected ',' or '}'"));
        assertTrue(rejected("{'a':1}").contains("expected a string key"));
        assertTrue(rejected("\"tab\there\"").contains("escaped control character"));
        assertTrue(rejected("\"\\x\"").contains("valid escape"));
        assertTrue(rejected("\"\\u12g4\"").contains("hex digit"));
        assertTrue(rejected("01").contains("after the top-level value"));
        assertTrue(rejected("1.").contains("digit after '.'"));
        assertTrue(rejected("1e").contains("exponent"));
        assertTrue(rejected("tru").contains("expected a value"));
        assertTrue(rejected("\"open").contains("closing"));
        assertTrue(rejected("{\"a\":1,\"a\":2}").contains("\"a\" repeats"));
        assertTrue(rejected("[".repeat(100) + "]".repeat(100)).contains("nesting"));
    }

    @Test
    void errorsNameSourceLineAndColumn() {
        String message = rejected("{\n  \"a\": 1,\n  \"b\": ?\n}");
        assertEquals("t.json: malformed JSON at line 3, column 8: expected a value, found '?'", message);
    }
}
