package io.rwkvx.chat;

import io.rwkvx.PrefixStateCache;
import io.rwkvx.Session;
import io.rwkvx.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Prompts read through a {@link PrefixStateCache}: the longest saved prefix of a prompt is restored instead of
 * evaluated, and the state after the prompt is saved for the requests that follow (a repeated prompt, a longer
 * prompt that starts with it, the next turn of a chat). For chats, {@link #cacheBoundaries} names the shorter
 * prefixes worth saving too. The HTTP server and the LangChain4j provider both open their prompts here.
 */
public final class CachedPrompts {
    /** What {@link #cacheBoundaries} appends as the stand-in next turn: a short reply ... */
    static final String NEXT_TURN_REPLY = "Sure.";
    /** ... and a short user message. */
    static final String NEXT_TURN_MESSAGE = "Thanks.";

    private CachedPrompts() {}

    /**
     * A session positioned after a prompt; the caller closes it.
     *
     * @param session      the session, with the prompt's logits
     * @param cachedTokens how many of the prompt's tokens were restored from the cache rather than evaluated
     */
    public record Prompted(Session session, int cachedTokens) implements AutoCloseable {
        /** Closes the session. */
        @Override
        public void close() {
            session.close();
        }
    }

    /**
     * A new session that has read {@code promptTokens} from {@code initial}, restoring the longest prefix the
     * cache holds and saving the state after the prompt, and after each of {@code boundaries}, on the way. An
     * empty prompt starts from {@code initial}'s own logits (see {@link PrefixStateCache#open}).
     *
     * @param cache        the cache to restore from and save to
     * @param initial      the state the prompt starts from (the namespace of its entries)
     * @param promptTokens the prompt
     * @param boundaries shorter prompt lengths (in tokens) whose states are saved as well, where later requests
     *                   are expected to agree with this one only up to there (see {@link #cacheBoundaries});
     *                   those the cache already covers, and any outside (0, prompt length], are skipped
     * @return the session after the prompt, and how many of its tokens came from the cache
     */
    public static Prompted open(
            PrefixStateCache cache, PrefixStateCache.Initial initial, int[] promptTokens, int[] boundaries) {
        int saved = cache.cachedPrefixLength(initial, promptTokens);
        int[] cuts = IntStream.concat(Arrays.stream(boundaries), IntStream.of(promptTokens.length))
                .filter(b -> b > saved && b <= promptTokens.length)
                .sorted()
                .distinct()
                .toArray();
        // The first piece restores what the cache holds; each later piece is evaluated and saved in turn.
        int[] first = cuts.length == 0 ? promptTokens : Arrays.copyOf(promptTokens, cuts[0]);
        PrefixStateCache.Opened opened = cache.open(initial, first);
        Session session = opened.session();
        try {
            if (opened.reusedTokens() < first.length) cache.put(initial, first, session);
            for (int i = 1; i < cuts.length; i++) {
                session.prefill(Arrays.copyOfRange(promptTokens, cuts[i - 1], cuts[i]));
                cache.put(initial, Arrays.copyOf(promptTokens, cuts[i]), session);
            }
            return new Prompted(session, opened.reusedTokens());
        } catch (RuntimeException | Error e) {
            session.close();
            throw e;
        }
    }

    /**
     * The prompt lengths, besides the whole prompt, where later chats agree in tokens with this one, so worth a
     * saved state: the end of the leading system (and developer) messages, which other conversations share; and
     * the end of the messages before the reply's start when the next turn of this chat (these messages, a reply,
     * a new message) would not begin with the whole prompt's tokens (a template whose reply start the tokenizer
     * merges with the reply, e.g. one ending in a space). A length counts only where the tokens of the text up
     * to there begin the prompt's (and the next turn's). The next turn is stood in for by a short reply and
     * message.
     *
     * @param template  the chat template
     * @param messages  the conversation
     * @param prompt    the tokens of {@code template.render(messages)}
     * @param tokenizer the model's tokenizer
     * @return the lengths, in tokens, ascending; empty when only the whole prompt is worth saving
     */
    public static int[] cacheBoundaries(
            ChatTemplate template, List<ChatTemplate.Message> messages, int[] prompt, Tokenizer tokenizer) {
        List<Integer> out = new ArrayList<>();
        int system = 0;
        while (system < messages.size()
                && List.of("system", "developer").contains(messages.get(system).role())) system++;
        if (system > 0 && system < messages.size()) {
            int[] head = tokenizer.encode(template.renderMessages(messages.subList(0, system)));
            if (head.length > 0 && head.length < prompt.length && startsWith(prompt, head)) out.add(head.length);
        }
        List<ChatTemplate.Message> next = new ArrayList<>(messages);
        next.add(new ChatTemplate.Message("assistant", NEXT_TURN_REPLY));
        next.add(new ChatTemplate.Message("user", NEXT_TURN_MESSAGE));
        int[] nextTurn = tokenizer.encode(template.render(next));
        if (!startsWith(nextTurn, prompt)) {
            int[] history = tokenizer.encode(template.renderMessages(messages));
            if (history.length > 0 && startsWith(prompt, history) && startsWith(nextTurn, history))
                out.add(history.length);
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static boolean startsWith(int[] tokens, int[] prefix) {
        return tokens.length >= prefix.length && Arrays.equals(tokens, 0, prefix.length, prefix, 0, prefix.length);
    }
}
