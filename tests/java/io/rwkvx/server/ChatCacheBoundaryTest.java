package io.rwkvx.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rwkvx.Model;
import io.rwkvx.PrefixStateCache;
import io.rwkvx.Rwkvx;
import io.rwkvx.Session;
import io.rwkvx.chat.CachedPrompts;
import io.rwkvx.chat.ChatTemplate;
import io.rwkvx.tokenizer.Tokenizer;
import io.rwkvx.tokenizer.Tokenizers;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Where a chat's next turn agrees in tokens with this turn's prompt, with the World tokenizer (greedy longest
 * match over its 65,536 tokens), and the prompt split at that boundary when the whole prompt would not serve.
 */
class ChatCacheBoundaryTest {
    static final Tokenizer WORLD = Tokenizers.forVocabSize(65536);

    static final List<ChatTemplate.Message> TURN1 = List.of(
            new ChatTemplate.Message("system", "You answer in one sentence."),
            new ChatTemplate.Message("user", "What is the capital of France?"));

    /** Replies that start with letters, punctuation, digits and quotes, each followed by a new user turn. */
    static final List<String> REPLIES =
            List.of("Paris.", "It is Paris.", "1. Paris", ":) Paris", "\"Paris\"", "Paris!\n\nYes");

    static List<ChatTemplate.Message> nextTurn(String reply) {
        List<ChatTemplate.Message> m = new ArrayList<>(TURN1);
        m.add(new ChatTemplate.Message("assistant", reply));
        m.add(new ChatTemplate.Message("user", "And of Germany?"));
        return m;
    }

    static boolean startsWith(int[] tokens, int[] prefix, int n) {
        return tokens.length >= n && Arrays.equals(tokens, 0, n, prefix, 0, n);
    }

    /** The tokens of the system message alone: other conversations with the same system message share them. */
    static int systemTokens(ChatTemplate template) {
        return WORLD.encode(template.renderMessages(TURN1.subList(0, 1))).length;
    }

    @Test
    void withTheWorldTemplateTheNextTurnBeginsWithTheWholePrompt() {
        int[] prompt = WORLD.encode(ChatTemplate.WORLD.render(TURN1));
        // Only the system message's end: the whole prompt serves the next turn.
        assertArrayEquals(
                new int[] {systemTokens(ChatTemplate.WORLD)},
                CachedPrompts.cacheBoundaries(ChatTemplate.WORLD, TURN1, prompt, WORLD));
        int[] otherConversation = WORLD.encode(
                ChatTemplate.WORLD.render(List.of(TURN1.getFirst(), new ChatTemplate.Message("user", "Who are you?"))));
        assertTrue(startsWith(otherConversation, prompt, systemTokens(ChatTemplate.WORLD)));
        assertFalse(
                CachedPrompts.cacheBoundaries(ChatTemplate.WORLD, TURN1.subList(1, 2), prompt, WORLD).length > 0,
                "no system message, no boundary");
        for (String reply : REPLIES) {
            int[] next = WORLD.encode(ChatTemplate.WORLD.render(nextTurn(reply)));
            assertTrue(startsWith(next, prompt, prompt.length), reply);
        }
    }

    @Test
    void aTemplateEndingInASpaceSplitsBeforeTheReplysStart() {
        // "Assistant: " then the reply: the tokenizer reads the space with the reply's first word.
        ChatTemplate spaced = new ChatTemplate(
                "System: {content}\n\n",
                "User: {content}\n\n",
                "Assistant: {content}\n\n",
                "Assistant: ",
                List.of("\n\nUser:"),
                true,
                true);
        int[] prompt = WORLD.encode(spaced.render(TURN1));
        int[] boundaries = CachedPrompts.cacheBoundaries(spaced, TURN1, prompt, WORLD);
        int[] history = WORLD.encode(spaced.renderMessages(TURN1));
        assertArrayEquals(new int[] {systemTokens(spaced), history.length}, boundaries);
        int boundary = boundaries[1];
        assertTrue(boundary > 0 && boundary < prompt.length);
        assertTrue(startsWith(prompt, history, boundary));
        for (String reply : REPLIES) {
            int[] next = WORLD.encode(spaced.render(nextTurn(reply)));
            assertFalse(startsWith(next, prompt, prompt.length), "the whole prompt misses: " + reply);
            assertTrue(startsWith(next, prompt, boundary), "the boundary holds: " + reply);
        }
    }

    @Test
    void aSplitPromptSavesBothStatesWithTheLogitsOfTheTwoPieces() throws Exception {
        try (Model model = Rwkvx.loadDefault()) {
            int[] prompt = model.tokenizer().encode("User: hello\n\nAssistant: ");
            int boundary = model.tokenizer().encode("User: hello\n\n").length;
            PrefixStateCache cache = new PrefixStateCache(model, 1L << 26);
            PromptSessions sessions = new PromptSessions(model, new NamedStates(null), cache);
            float[] logits;
            try (PromptSessions.Prompted p = sessions.open(null, prompt, new int[] {boundary})) {
                assertEquals(0, p.cachedTokens());
                logits = p.session().logits();
            }
            float[] expected;
            try (Session s = model.newSession()) {
                s.prefill(Arrays.copyOf(prompt, boundary));
                expected = s.prefill(Arrays.copyOfRange(prompt, boundary, prompt.length));
            }
            assertArrayEquals(expected, logits);
            assertEquals(2, cache.stats().entries());

            // A next turn that agrees with this prompt only up to the boundary (as when the tokenizer reads the
            // space with the reply; the tiny model reads bytes, so here the space is left out): it restores the
            // history before the reply.
            int[] next = model.tokenizer().encode("User: hello\n\nAssistant:hi\n\nUser: more\n\nAssistant: ");
            try (PromptSessions.Prompted p = sessions.open(null, next, new int[0])) {
                assertEquals(boundary, p.cachedTokens());
            }
            // Asking what the cache holds counts nothing.
            long hits = cache.stats().hits();
            assertEquals(prompt.length, cache.cachedPrefixLength(PrefixStateCache.Initial.blank(), prompt));
            assertEquals(next.length, cache.cachedPrefixLength(PrefixStateCache.Initial.blank(), next));
            assertEquals(hits, cache.stats().hits());
            // A request for the whole prompt again restores all of it.
            try (PromptSessions.Prompted p = sessions.open(null, prompt, new int[0])) {
                assertEquals(prompt.length, p.cachedTokens());
                assertArrayEquals(expected, p.session().logits());
            }
        }
    }
}
