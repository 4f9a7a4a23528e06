package io.rwkvx.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The server's one JSON mapper, and the bodies every endpoint shares. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {}

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** OpenAI's error body. */
    static ObjectNode error(ApiError e) {
        ObjectNode error = object();
        error.put("message", e.getMessage());
        error.put("type", e.type);
        error.put("param", e.param);
        error.put("code", e.code);
        ObjectNode body = object();
        body.set("error", error);
        return body;
    }

    /** Parses a request body; malformed JSON, or anything but an object, is a 400 that says where. */
    static ObjectNode parseObject(byte[] body) throws ApiError {
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiError.invalid(
                    null,
                    "the request body is not valid JSON: " + e.getOriginalMessage()
                            + (e.getLocation() == null
                                    ? ""
                                    : " (line " + e.getLocation().getLineNr() + ", column "
                                            + e.getLocation().getColumnNr() + ")"));
        } catch (java.io.IOException e) {
            throw ApiError.invalid(null, "the request body cannot be read: " + e.getMessage());
        }
        if (!(node instanceof ObjectNode o)) throw ApiError.invalid(null, "the request body must be a JSON object");
        return o;
    }

    static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree that cannot be written", e);
        }
    }
}
