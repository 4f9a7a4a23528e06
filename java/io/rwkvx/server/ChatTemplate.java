package io.rwkvx.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * How chat messages become a prompt. Each message is its role's pattern with {@code {content}} replaced by the
 * message's text; {@link #assistantStart} follows the last one, and the reply ends at any of {@link #stops}.
 * The default is RWKV World's: {@code System: …\n\nUser: …\n\nAssistant:}, stopping at the next
 * {@code \n\nUser:}; a file in the same shape replaces it (docs/server.md).
 *
 * @param system             pattern of a {@code system} (and {@code developer}) message
 * @param user               pattern of a {@code user} message
 * @param assistant          pattern of an earlier {@code assistant} message
 * @param assistantStart     what the prompt ends with: the start of the reply
 * @param stops              texts that end the reply (not part of it); a request's own stops are added
 * @param collapseBlankLines replace blank lines inside a message by one newline (World models read
 *                           {@code \n\n} as the end of a turn), after trimming the message
 * @param trimReply          drop the whitespace the reply starts with (the space after {@code Assistant:})
 */
public record ChatTemplate(
        String system,
        String user,
        String assistant,
        String assistantStart,
        List<String> stops,
        boolean collapseBlankLines,
        boolean trimReply) {
    static final String CONTENT = "{content}";

    /** RWKV World's chat format. */
    public static final ChatTemplate WORLD = new ChatTemplate(
            "System: {content}\n\n",
            "User: {content}\n\n",
            "Assistant: {content}\n\n",
            "Assistant:",
            List.of("\n\nUser:"),
            true,
            true);

    public ChatTemplate {
        for (String p : List.of(system, user, assistant))
            if (!p.contains(CONTENT)) throw new IllegalArgumentException("pattern '" + p + "' has no " + CONTENT);
        stops = List.copyOf(stops);
        for (String s : stops) if (s.isEmpty()) throw new IllegalArgumentException("an empty stop text");
    }

    /** One message of a chat request. */
    public record Message(String role, String content) {}

    /** The prompt of a conversation: its messages, then {@link #assistantStart}. */
    String render(List<Message> messages) {
        return renderMessages(messages) + assistantStart;
    }

    /** The messages alone, without the start of the reply. */
    String renderMessages(List<Message> messages) {
        StringBuilder sb = new StringBuilder();
        for (Message m : messages) {
            String pattern = switch (m.role()) {
                case "system", "developer" -> system;
                case "user" -> user;
                case "assistant" -> assistant;
                default -> throw new IllegalArgumentException("role " + m.role());
            };
            sb.append(pattern.replace(CONTENT, normalise(m.content())));
        }
        return sb.toString();
    }

    private String normalise(String content) {
        String s = content.replace("\r\n", "\n").strip();
        return collapseBlankLines ? s.replaceAll("\n(\\s*\n)+", "\n") : s;
    }

    /**
     * Reads a template file: a JSON object with the string fields {@code system}, {@code user}, {@code assistant},
     * {@code assistant_start}, the array {@code stop}, and the booleans {@code collapse_blank_lines} and
     * {@code trim_reply}; a field left out keeps {@link #WORLD}'s value.
     */
    public static ChatTemplate load(Path file) throws IOException {
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
        try {
            return new ChatTemplate(
                    text(root, "system", WORLD.system, file),
                    text(root, "user", WORLD.user, file),
                    text(root, "assistant", WORLD.assistant, file),
                    text(root, "assistant_start", WORLD.assistantStart, file),
                    texts(root, "stop", WORLD.stops, file),
                    flag(root, "collapse_blank_lines", WORLD.collapseBlankLines, file),
                    flag(root, "trim_reply", WORLD.trimReply, file));
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
