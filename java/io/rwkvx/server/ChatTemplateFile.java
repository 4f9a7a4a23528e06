package io.rwkvx.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.rwkvx.chat.ChatTemplate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Reads a {@link ChatTemplate} from the JSON file of {@code --chat-template} (docs/server.md). */
final class ChatTemplateFile {
    private ChatTemplateFile() {}

    /**
     * Reads a template file: a JSON object with the string fields {@code system}, {@code user}, {@code assistant},
     * {@code assistant_start}, the array {@code stop}, and the booleans {@code collapse_blank_lines} and
     * {@code trim_reply}; a field left out keeps {@link ChatTemplate#WORLD}'s value.
     */
    static ChatTemplate load(Path file) throws IOException {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(Files.readAllBytes(file));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) throw new IOException(file + ": a chat template is a JSON object");
        Set<String> known = new TreeSet<>(List.of(
                "system", "user", "assistant", "assistant_start", "stop", "collapse_blank_lines", "trim_reply"));
        for (var it = root.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!known.contains(name)) throw new IOException(file + ": unknown field '" + name + "'; known: " + known);
        }
        ChatTemplate world = ChatTemplate.WORLD;
        try {
            return new ChatTemplate(
                    text(root, "system", world.system(), file),
                    text(root, "user", world.user(), file),
                    text(root, "assistant", world.assistant(), file),
                    text(root, "assistant_start", world.assistantStart(), file),
                    texts(root, "stop", world.stops(), file),
                    flag(root, "collapse_blank_lines", world.collapseBlankLines(), file),
                    flag(root, "trim_reply", world.trimReply(), file));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    private static String text(JsonNode root, String name, String fallback, Path file) throws IOException {
        JsonNode n = root.get(name);
        if (n == null) return fallback;
        if (!n.isTextual()) throw new IOException(file + ": field '" + name + "' must be a string");
        return n.textValue();
    }

    private static List<String> texts(JsonNode root, String name, List<String> fallback, Path file) throws IOException {
        JsonNode n = root.get(name);
        if (n == null) return fallback;
        if (!n.isArray()) throw new IOException(file + ": field '" + name + "' must be an array of strings");
        List<String> out = new ArrayList<>();
        for (JsonNode e : n) {
            if (!e.isTextual()) throw new IOException(file + ": field '" + name + "' must be an array of strings");
            out.add(e.textValue());
        }
        return out;
    }

    private static boolean flag(JsonNode root, String name, boolean fallback, Path file) throws IOException {
        JsonNode n = root.get(name);
        if (n == null) return fallback;
        if (!n.isBoolean()) throw new IOException(file + ": field '" + name + "' must be true or false");
        return n.booleanValue();
    }
}
