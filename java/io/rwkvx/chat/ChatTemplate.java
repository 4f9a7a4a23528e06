package io.rwkvx.chat;

import java.util.List;

/**
 * How chat messages become a prompt. Each message is its role's pattern with {@code {content}} replaced by the
 * message's text; {@link #assistantStart} follows the last one, and the reply ends at any of {@link #stops}.
 * The default is RWKV World's: {@code System: …\n\nUser: …\n\nAssistant:}, stopping at the next
 * {@code \n\nUser:}. The server reads other templates from JSON files (docs/server.md); the LangChain4j provider
 * takes one in its builder.
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
    /** The placeholder a pattern's message text replaces. */
    public static final String CONTENT = "{content}";

    /** RWKV World's chat format. */
    public static final ChatTemplate WORLD = new ChatTemplate(
            "System: {content}\n\n",
            "User: {content}\n\n",
            "Assistant: {content}\n\n",
            "Assistant:",
            List.of("\n\nUser:"),
            true,
            true);

    /** Checks that every pattern holds {@link #CONTENT} and that no stop text is empty. */
    public ChatTemplate {
        for (String p : List.of(system, user, assistant))
            if (!p.contains(CONTENT)) throw new IllegalArgumentException("pattern '" + p + "' has no " + CONTENT);
        stops = List.copyOf(stops);
        for (String s : stops) if (s.isEmpty()) throw new IllegalArgumentException("an empty stop text");
    }

    /**
     * One message of a conversation.
     *
     * @param role    {@code system}, {@code developer}, {@code user} or {@code assistant}
     * @param content its text
     */
    public record Message(String role, String content) {}

    /**
     * The prompt of a conversation: its messages, then {@link #assistantStart}.
     *
     * @param messages the conversation
     * @return the prompt
     * @throws IllegalArgumentException for an unknown role (see {@link #renderMessages})
     */
    public String render(List<Message> messages) {
        return renderMessages(messages) + assistantStart;
    }

    /**
     * The messages alone, without the start of the reply.
     *
     * @param messages the conversation
     * @return the text of the messages
     * @throws IllegalArgumentException for a role other than {@code system}, {@code developer}, {@code user} and
     *     {@code assistant}
     */
    public String renderMessages(List<Message> messages) {
        StringBuilder sb = new StringBuilder();
        for (Message m : messages) {
            String pattern = switch (m.role()) {
                case "system", "developer" -> system;
                case "user" -> user;
                case "assistant" -> assistant;
                default ->
                    throw new IllegalArgumentException("unknown role '" + m.role()
                            + "': a chat template knows system, developer, user and assistant");
            };
            sb.append(pattern.replace(CONTENT, normalise(m.content())));
        }
        return sb.toString();
    }

    private String normalise(String content) {
        String s = content.replace("\r\n", "\n").strip();
        return collapseBlankLines ? s.replaceAll("\n(\\s*\n)+", "\n") : s;
    }
}
