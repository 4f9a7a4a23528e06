package io.rwkvx.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.completions.CompletionUsage;
import io.rwkvx.Model;
import io.rwkvx.PrefixStateCache;
import io.rwkvx.Rwkvx;
import io.rwkvx.Session;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The prefix cache behind the server: every answer of the caching server equals the same request's answer from
 * a server without a cache (same model, same named states), and {@code usage.prompt_tokens_details.cached_tokens}
 * says how many prompt tokens came from the cache. The bundled tiny model reads bytes, so a prompt's tokens are
 * its UTF-8 bytes and every count below is exact.
 */
class PrefixCacheServerTest {
    @TempDir
    static Path states;

    static Model model;
    static OpenAiServer cached, uncached;
    static OpenAIClient cachedClient, uncachedClient;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        model = Rwkvx.loadDefault();
        saveState("alpha", "The first state reads this. ");
        saveState("beta", "A second state, another text: ");
        ServerConfig config =
                ServerConfig.defaults("tiny", 4).withPort(0).withMaxTokens(1000).withStatesDir(states);
        cached = OpenAiServer.start(model, config);
        uncached = OpenAiServer.start(model, config.withPrefixCacheBytes(0));
        cachedClient = client(cached);
        uncachedClient = client(uncached);
    }

    @AfterAll
    static void stop() throws Exception {
        for (OpenAIClient c : new OpenAIClient[] {cachedClient, uncachedClient}) if (c != null) c.close();
        for (AutoCloseable c : new AutoCloseable[] {cached, uncached, model}) if (c != null) c.close();
    }

    static void saveState(String name, String text) {
        try (Session s = model.newSession()) {
            s.prefill(text);
            s.saveState(states.resolve(name + NamedStates.SUFFIX));
        }
    }

    static OpenAIClient client(OpenAiServer server) {
        return OpenAIOkHttpClient.builder()
                .baseUrl(server.url() + "/v1")
                .apiKey("unused")
                .maxRetries(0)
                .timeout(Duration.ofMinutes(2))
                .build();
    }

    static CompletionCreateParams completion(String prompt, String state) {
        CompletionCreateParams.Builder b = CompletionCreateParams.builder()
                .model("tiny")
                .prompt(prompt)
                .maxTokens(24)
                .temperature(0.8)
                .seed(7);
        if (state != null) b.putAdditionalBodyProperty("state", JsonValue.from(state));
        return b.build();
    }

    static long cachedTokens(CompletionUsage usage) {
        return usage.promptTokensDetails().orElseThrow().cachedTokens().orElseThrow();
    }

    /** Runs the request on both servers: the same text; returns the caching server's cached_tokens. */
    static long completeOnBoth(String prompt, String state) {
        Completion expected = uncachedClient.completions().create(completion(prompt, state));
        Completion c = cachedClient.completions().create(completion(prompt, state));
        assertEquals(
                expected.choices().getFirst().text(), c.choices().getFirst().text(), prompt);
        assertEquals(0, cachedTokens(expected.usage().orElseThrow()), "the uncached server reuses nothing");
        assertEquals(
                expected.usage().orElseThrow().promptTokens(),
                c.usage().orElseThrow().promptTokens());
        return cachedTokens(c.usage().orElseThrow());
    }

    static int tokens(String text) {
        return model.tokenizer().encode(text).length;
    }

    @Test
    void aRepeatedAndAnExtendedPromptReuseTheSavedStateWithTheSameText() {
        String prompt = "Caching test one: a prompt that is sent again, ";
        assertEquals(0, completeOnBoth(prompt, null), "first time: nothing saved");
        assertEquals(tokens(prompt), completeOnBoth(prompt, null), "the same prompt again: all of it");
        String longer = prompt + "and then once more with more words after it.";
        assertEquals(tokens(prompt), completeOnBoth(longer, null), "a longer prompt: the first one's tokens");
        assertEquals(tokens(longer), completeOnBoth(longer + " More", null), "the longer prompt's state was saved");
    }

    @Test
    void theNextTurnOfAChatRestoresThePreviousTurnsPrompt() throws Exception {
        ChatCompletionCreateParams turn1 = ChatCompletionCreateParams.builder()
                .model("tiny")
                .addSystemMessage("Caching test two: be brief.")
                .addUserMessage("Hello, how are you?")
                .maxCompletionTokens(16)
                .temperature(0)
                .build();
        ChatCompletion first = cachedClient.chat().completions().create(turn1);
        ChatCompletion firstUncached = uncachedClient.chat().completions().create(turn1);
        String reply = first.choices().getFirst().message().content().orElseThrow();
        assertEquals(firstUncached.choices().getFirst().message().content().orElseThrow(), reply);
        assertEquals(0, cachedTokens(first.usage().orElseThrow()));
        long turn1Tokens = first.usage().orElseThrow().promptTokens();

        ChatCompletionCreateParams turn2 = turn1.toBuilder()
                .addAssistantMessage(reply)
                .addUserMessage("And what did I ask?")
                .streamOptions(
                        ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .build();
        String expected = streamedText(uncachedClient, turn2, new long[1]);
        long[] cachedOfTurn2 = {-1};
        assertEquals(expected, streamedText(cachedClient, turn2, cachedOfTurn2));
        assertEquals(turn1Tokens, cachedOfTurn2[0], "turn 2 restores all of turn 1's prompt");
    }

    @Test
    void conversationsWithTheSameSystemMessageShareIt() {
        String system = "Caching test six: a long system message that every conversation of this app starts with.";
        long[] cachedOf = new long[2];
        for (int i = 0; i < 2; i++) {
            ChatCompletionCreateParams chat = ChatCompletionCreateParams.builder()
                    .model("tiny")
                    .addSystemMessage(system)
                    .addUserMessage(i == 0 ? "First user." : "Another user entirely.")
                    .maxCompletionTokens(8)
                    .temperature(0)
                    .build();
            ChatCompletion c = cachedClient.chat().completions().create(chat);
            ChatCompletion expected = uncachedClient.chat().completions().create(chat);
            assertEquals(
                    expected.choices().getFirst().message().content(),
                    c.choices().getFirst().message().content());
            cachedOf[i] = cachedTokens(c.usage().orElseThrow());
        }
        assertEquals(0, cachedOf[0]);
        assertEquals(tokens("System: " + system + "\n\n"), cachedOf[1], "the system message's state");
    }

    /** The text of a streamed chat; {@code cached[0]} gets the last event's cached_tokens. */
    static String streamedText(OpenAIClient client, ChatCompletionCreateParams params, long[] cached) {
        StringBuilder text = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> stream =
                client.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> {
                for (var choice : chunk.choices()) choice.delta().content().ifPresent(text::append);
                chunk.usage().ifPresent(u -> cached[0] = cachedTokens(u));
            });
        }
        return text.toString();
    }

    @Test
    void namedStatesKeepTheirOwnEntries() throws Exception {
        String prompt = "Caching test three: the same words after each state.";
        assertEquals(0, completeOnBoth(prompt, "alpha"));
        assertEquals(0, completeOnBoth(prompt, "beta"), "another state: another namespace");
        assertEquals(0, completeOnBoth(prompt, null), "the blank state: another namespace");
        assertEquals(tokens(prompt), completeOnBoth(prompt, "alpha"));
        assertEquals(tokens(prompt), completeOnBoth(prompt, "beta"));

        // A state file rewritten with other content is read again, and its old entries no longer match.
        String before = cachedClient
                .completions()
                .create(completion(prompt, "alpha"))
                .choices()
                .getFirst()
                .text();
        saveState("alpha", "The rewritten first state says something else entirely. ");
        assertEquals(0, completeOnBoth(prompt, "alpha"), "a rewritten state starts a new namespace");
        String after = cachedClient
                .completions()
                .create(completion(prompt, "alpha"))
                .choices()
                .getFirst()
                .text();
        assertNotEquals(before, after, "the new state's text");
    }

    @Test
    void metricsReportTheCacheAndTheModelsRounds() throws Exception {
        String prompt = "Caching test four: metrics.";
        completeOnBoth(prompt, null);
        completeOnBoth(prompt, null);
        JsonNode m = metricsJson(cached);
        assertTrue(m.at("/prefix_cache/hits").asLong() >= 1, m.toString());
        assertTrue(m.at("/prefix_cache/misses").asLong() >= 1, m.toString());
        assertTrue(m.at("/prefix_cache/reused_tokens").asLong() >= tokens(prompt), m.toString());
        assertTrue(m.at("/prefix_cache/entries").asInt() >= 1, m.toString());
        assertTrue(m.at("/prefix_cache/bytes").asLong() > 0, m.toString());
        assertEquals(
                ServerConfig.DEFAULT_PREFIX_CACHE_BYTES,
                m.at("/prefix_cache/max_bytes").asLong());
        assertTrue(m.at("/model_batching/rounds").asLong() >= 1, m.toString());
        assertTrue(m.at("/model_batching/round_size_average").asDouble() >= 1, m.toString());
        assertTrue(m.at("/model_batching/tokens").asLong() >= tokens(prompt), m.toString());

        String text = get(cached, "/metrics");
        for (String line : List.of(
                "rwkvx_prefix_cache_hits_total ",
                "rwkvx_prefix_cache_misses_total ",
                "rwkvx_prefix_cache_reused_tokens_total ",
                "rwkvx_prefix_cache_entries ",
                "rwkvx_prefix_cache_bytes ",
                "rwkvx_model_rounds_total ",
                "rwkvx_model_round_size_average ",
                "rwkvx_model_round_size_last ",
                "rwkvx_model_calls_queued "))
            assertTrue(text.lines().anyMatch(l -> l.startsWith(line)), "no " + line + "in\n" + text);
        // Nothing ran in between: the text figures are the JSON ones.
        JsonNode again = metricsJson(cached);
        assertEquals(again.at("/prefix_cache/hits").asLong(), value(text, "rwkvx_prefix_cache_hits_total"));
        assertEquals(again.at("/prefix_cache/bytes").asLong(), value(text, "rwkvx_prefix_cache_bytes"));
        assertEquals(again.at("/model_batching/rounds").asLong(), value(text, "rwkvx_model_rounds_total"));
    }

    static long value(String prometheus, String name) {
        return prometheus
                .lines()
                .filter(l -> l.startsWith(name + " "))
                .map(l -> Long.parseLong(l.substring(name.length() + 1)))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void withTheCacheOffNothingIsReusedOrReported() throws Exception {
        String prompt = "Caching test five: no cache.";
        for (int i = 0; i < 2; i++) {
            Completion c = uncachedClient.completions().create(completion(prompt, null));
            assertEquals(0, cachedTokens(c.usage().orElseThrow()));
        }
        assertTrue(metricsJson(uncached).get("prefix_cache").isNull());
        assertFalse(get(uncached, "/metrics").contains("rwkvx_prefix_cache"));
        assertTrue(get(uncached, "/metrics").contains("rwkvx_model_rounds_total"));
    }

    static String get(OpenAiServer server, String path) throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(server.url() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    static JsonNode metricsJson(OpenAiServer server) throws Exception {
        return Json.MAPPER.readTree(get(server, "/metrics?format=json"));
    }

    /** Reading a state once: the cache's namespace object is kept per name while the file is unchanged. */
    @Test
    void aNamedStateIsReadOnceWhileItsFileIsUnchanged() throws Exception {
        saveState("gamma", "Gamma. ");
        NamedStates named = new NamedStates(states);
        NamedStates.Loaded first = named.load("gamma", model.fingerprint());
        assertTrue(first == named.load("gamma", model.fingerprint()), "kept");
        saveState("gamma", "Gamma, rewritten. ");
        NamedStates.Loaded again = named.load("gamma", model.fingerprint());
        assertFalse(first == again, "read again after the file changed");
        assertNotEquals(first.initial(), again.initial());
        assertTrue(first.initial().equals(PrefixStateCache.Initial.of("other name", first.state())));
        ApiError wrongModel = org.junit.jupiter.api.Assertions.assertThrows(
                ApiError.class, () -> named.load("gamma", model.fingerprint() + 1));
        assertTrue(wrongModel.getMessage().contains("another model"), wrongModel.getMessage());
    }
}
