package io.rwkvx.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import io.rwkvx.GenerationOptions;
import io.rwkvx.GenerationResult;
import io.rwkvx.Model;
import io.rwkvx.Rwkvx;
import io.rwkvx.Session;
import io.rwkvx.sampling.SamplerConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server against OpenAI's own Java client on loopback, with the bundled tiny model. Every generated text is
 * compared with the same generation run in-process through the Java API ({@link Session#generate}).
 */
class OpenAiServerTest {
    static final String KEY = "test-key-1";
    static final String MODEL_ID = "tiny";

    @TempDir
    static Path states;

    static Model model;
    static OpenAiServer server;
    static OpenAIClient client;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        model = Rwkvx.loadDefault();
        try (Session s = model.newSession()) {
            s.prefill("The named state's prefix: ");
            s.saveState(states.resolve("prefixed.state"));
        }
        ServerConfig config = ServerConfig.defaults(MODEL_ID, 4)
                .withPort(0)
                .withApiKey(KEY)
                .withMaxBodyBytes(16 * 1024)
                .withMaxPromptTokens(1000)
                .withMaxTokens(100_000)
                .withStatesDir(states);
        server = OpenAiServer.start(model, config);
        client = client(KEY);
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) client.close();
        if (server != null) server.close();
        if (model != null) model.close();
    }

    static OpenAIClient client(String key) {
        return OpenAIOkHttpClient.builder()
                .baseUrl(server.url() + "/v1")
                .apiKey(key)
                .maxRetries(0)
                .timeout(Duration.ofMinutes(2))
                .build();
    }

    /** The same generation in-process. */
    static GenerationResult local(String prompt, SamplerConfig sampler, int maxTokens, List<String> stops) {
        try (Session s = model.newSession()) {
            return s.generate(
                    prompt,
                    GenerationOptions.defaults()
                            .withMaxTokens(maxTokens)
                            .withSampler(sampler)
                            .withStopStrings(stops),
                    t -> {});
        }
    }

    static final SamplerConfig GREEDY = SamplerConfig.defaults().withTemperature(0);

    @Test
    void completionEqualsTheInProcessGenerationWithUsage() {
        String prompt = "In a shocking finding, ";
        GenerationResult expected = local(prompt, GREEDY, 24, List.of());
        Completion c = client.completions()
                .create(CompletionCreateParams.builder()
                        .model(MODEL_ID)
                        .prompt(prompt)
                        .maxTokens(24)
                        .temperature(0)
                        .build());
        assertEquals(expected.text(), c.choices().getFirst().text());
        assertEquals(MODEL_ID, c.model());
        assertEquals(
                expected.tokens().length == 24 ? "length" : "stop",
                c.choices().getFirst().finishReason().asString());
        var usage = c.usage().orElseThrow();
        assertEquals(model.tokenizer().encode(prompt).length, usage.promptTokens());
        assertEquals(expected.tokens().length, usage.completionTokens());
        assertEquals(usage.promptTokens() + usage.completionTokens(), usage.totalTokens());
    }

    @Test
    void seededSamplingAndPenaltiesMatchTheJavaApi() {
        String prompt = "Once upon a time";
        SamplerConfig sampler = SamplerConfig.defaults()
                .withTemperature(0.9)
                .withTopP(0.8)
                .withPresencePenalty(0.5)
                .withFrequencyPenalty(0.25)
                .withSeed(42);
        GenerationResult expected = local(prompt, sampler, 30, List.of());
        Completion c = client.completions()
                .create(CompletionCreateParams.builder()
                        .model(MODEL_ID)
                        .prompt(prompt)
                        .maxTokens(30)
                        .temperature(0.9)
                        .topP(0.8)
                        .presencePenalty(0.5)
                        .frequencyPenalty(0.25)
                        .seed(42)
                        .build());
        assertEquals(expected.text(), c.choices().getFirst().text());
    }

    @Test
    void maxTokensBoundsTheCompletion() {
        Completion c = client.completions()
                .create(CompletionCreateParams.builder()
                        .model(MODEL_ID)
                        .prompt("Hello")
                        .maxTokens(3)
                        .temperature(0)
                        .build());
        GenerationResult expected = local("Hello", GREEDY, 3, List.of());
        assertEquals(expected.tokens().length, c.usage().orElseThrow().completionTokens());
        assertTrue(c.usage().orElseThrow().completionTokens() <= 3);
        assertEquals(expected.text(), c.choices().getFirst().text());
    }

    @Test
    void stopEndsTheTextBeforeTheStopSequence() {
        String prompt = "In a shocking finding, ";
        String full = local(prompt, GREEDY, 40, List.of()).text();
        String stop = full.substring(12, 14);
        String expected = full.substring(0, full.indexOf(stop));
        Completion c = client.completions()
                .create(CompletionCreateParams.builder()
                        .model(MODEL_ID)
                        .prompt(prompt)
                        .maxTokens(40)
                        .temperature(0)
                        .stop(stop)
                        .build());
        assertEquals(expected, c.choices().getFirst().text());
        assertEquals("stop", c.choices().getFirst().finishReason().asString());
        assertEquals(expected, local(prompt, GREEDY, 40, List.of(stop)).text());
    }

    @Test
    void chatUsesTheWorldTemplateAndStopsAtTheNextUserTurn() {
        String prompt = "System: Be brief.\n\nUser: Hello there\n\nAssistant:";
        GenerationResult expected = local(prompt, GREEDY, 32, List.of("\n\nUser:"));
        ChatCompletion c = client.chat()
                .completions()
                .create(ChatCompletionCreateParams.builder()
                        .model(MODEL_ID)
                        .addSystemMessage("Be brief.")
                        .addUserMessage("Hello there")
                        .maxCompletionTokens(32)
                        .temperature(0)
                        .build());
        assertEquals(
                expected.text().stripLeading(),
                c.choices().getFirst().message().content().orElseThrow());
        var usage = c.usage().orElseThrow();
        assertEquals(model.tokenizer().encode(prompt).length, usage.promptTokens());
        assertEquals(expected.tokens().length, usage.completionTokens());
    }

    @Test
    void streamedChatEqualsTheWholeAnswerAndEndsWithUsage() {
        ChatCompletionCreateParams whole = ChatCompletionCreateParams.builder()
                .model(MODEL_ID)
                .addUserMessage("Tell me a story")
                .maxCompletionTokens(40)
                .temperature(0)
                .build();
        ChatCompletionCreateParams params = whole.toBuilder()
                .streamOptions(
                        ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .build();
        String wholeText = client.chat()
                .completions()
                .create(whole)
                .choices()
                .getFirst()
                .message()
                .content()
                .orElseThrow();
        StringBuilder streamed = new StringBuilder();
        List<String> finishReasons = new ArrayList<>();
        long[] completionTokens = {-1};
        try (StreamResponse<ChatCompletionChunk> stream =
                client.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> {
                for (var choice : chunk.choices()) {
                    choice.delta().content().ifPresent(streamed::append);
                    choice.finishReason().ifPresent(f -> finishReasons.add(f.asString()));
                }
                chunk.usage().ifPresent(u -> completionTokens[0] = u.completionTokens());
            });
        }
        assertEquals(wholeText, streamed.toString());
        assertEquals(1, finishReasons.size());
        GenerationResult expected = local("User: Tell me a story\n\nAssistant:", GREEDY, 40, List.of("\n\nUser:"));
        assertEquals(expected.tokens().length, completionTokens[0]);
    }

    @Test
    void streamedCompletionEndsWithDone() throws Exception {
        HttpResponse<String> r = post(
                "/v1/completions",
                "{\"model\":\"tiny\",\"prompt\":\"Hi\",\"max_tokens\":8,\"temperature\":0,\"stream\":true}",
                KEY);
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
        List<String> events =
                r.body().lines().filter(l -> l.startsWith("data: ")).toList();
        assertEquals("data: [DONE]", events.getLast());
        StringBuilder text = new StringBuilder();
        for (String e : events.subList(0, events.size() - 1))
            text.append(
                    Json.MAPPER.readTree(e.substring(6)).at("/choices/0/text").asText());
        assertEquals(local("Hi", GREEDY, 8, List.of()).text(), text.toString());
    }

    @Test
    void aWrongKeyGets401() throws Exception {
        OpenAIClient wrong = client("not-the-key");
        try {
            UnauthorizedException e = assertThrows(
                    UnauthorizedException.class, () -> wrong.models().list());
            assertEquals(401, e.statusCode());
            assertEquals("invalid_api_key", e.code().orElseThrow());
        } finally {
            wrong.close();
        }
        HttpResponse<String> none = http.send(
                HttpRequest.newBuilder(URI.create(server.url() + "/v1/models"))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, none.statusCode());
        assertErrorShape(none.body());
        // Health stays open for load balancers.
        HttpResponse<String> health = http.send(
                HttpRequest.newBuilder(URI.create(server.url() + "/health"))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode());
    }

    @Test
    void modelsListsTheServedModel() {
        var models = client.models().list().data();
        assertEquals(1, models.size());
        assertEquals(MODEL_ID, models.getFirst().id());
        assertEquals(MODEL_ID, client.models().retrieve(MODEL_ID).id());
        assertThrows(NotFoundException.class, () -> client.models().retrieve("other"));
    }

    @Test
    void moreThanOneChoiceIsRefused() throws Exception {
        BadRequestException e = assertThrows(
                BadRequestException.class,
                () -> client.completions()
                        .create(CompletionCreateParams.builder()
                                .model(MODEL_ID)
                                .prompt("Hi")
                                .n(2)
                                .build()));
        assertEquals(400, e.statusCode());
        assertEquals("n", e.param().orElseThrow());
        HttpResponse<String> raw = post("/v1/completions", "{\"prompt\":\"Hi\",\"n\":2}", KEY);
        assertEquals(400, raw.statusCode());
        assertEquals("n", assertErrorShape(raw.body()).path("param").asText());
    }

    @Test
    void errorsHaveOpenAisShape() throws Exception {
        HttpResponse<String> malformed = post("/v1/completions", "{\"prompt\": ", KEY);
        assertEquals(400, malformed.statusCode());
        assertTrue(assertErrorShape(malformed.body()).path("message").asText().contains("not valid JSON"));

        HttpResponse<String> temperature = post("/v1/completions", "{\"prompt\":\"a\",\"temperature\":5}", KEY);
        assertEquals(400, temperature.statusCode());
        assertEquals(
                "temperature",
                assertErrorShape(temperature.body()).path("param").asText());

        HttpResponse<String> unknown = post("/v1/nothing", "{}", KEY);
        assertEquals(404, unknown.statusCode());
        assertErrorShape(unknown.body());

        String longPrompt = "x".repeat(1001); // the tiny model's tokens are bytes: 1001 tokens > 1000
        HttpResponse<String> tooLong = post("/v1/completions", "{\"prompt\":\"" + longPrompt + "\"}", KEY);
        assertEquals(400, tooLong.statusCode());
        assertEquals(
                "context_length_exceeded",
                assertErrorShape(tooLong.body()).path("code").asText());
    }

    @Test
    void aBodyOverTheLimitGets413() throws Exception {
        String big = "{\"prompt\":\"" + "y".repeat(17 * 1024) + "\"}";
        HttpResponse<String> r = post("/v1/completions", big, KEY);
        assertEquals(413, r.statusCode());
        assertEquals(
                "request_too_large", assertErrorShape(r.body()).path("code").asText());
    }

    @Test
    void aNamedStateIsTheInitialState() throws Exception {
        SamplerConfig sampled = SamplerConfig.defaults().withSeed(3);
        GenerationResult expected;
        try (Session s = model.newSession()) {
            s.loadState(states.resolve("prefixed.state"));
            expected = s.generate(
                    "and then", GenerationOptions.defaults().withMaxTokens(20).withSampler(sampled), t -> {});
        }
        Completion c = client.completions()
                .create(CompletionCreateParams.builder()
                        .model(MODEL_ID)
                        .prompt("and then")
                        .maxTokens(20)
                        .seed(3)
                        .putAdditionalBodyProperty("state", JsonValue.from("prefixed"))
                        .build());
        assertEquals(expected.text(), c.choices().getFirst().text());
        // The byte-level model reads the state's prefix and the prompt as one text.
        assertEquals(
                local("The named state's prefix: and then", sampled, 20, List.of())
                        .text(),
                expected.text());
        // Without the state, the same prompt continues differently: the state mattered.
        assertFalse(
                expected.text().equals(local("and then", sampled, 20, List.of()).text()));

        HttpResponse<String> missing = post("/v1/completions", "{\"prompt\":\"a\",\"state\":\"nope\"}", KEY);
        assertEquals(404, missing.statusCode());
        assertEquals(
                "state_not_found", assertErrorShape(missing.body()).path("code").asText());
        for (String bad : List.of("../prefixed", "/etc/passwd", ".hidden", "a/b")) {
            HttpResponse<String> r = post(
                    "/v1/completions", "{\"prompt\":\"a\",\"state\":" + Json.MAPPER.writeValueAsString(bad) + "}", KEY);
            assertEquals(400, r.statusCode(), bad);
            assertEquals("state", assertErrorShape(r.body()).path("param").asText());
        }
    }

    static HttpResponse<String> post(String path, String body, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.url() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) b.header("Authorization", "Bearer " + key);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The body is {"error":{"message","type","param","code"}} with a message and a type; returns the error. */
    static JsonNode assertErrorShape(String body) throws Exception {
        JsonNode root = Json.MAPPER.readTree(body);
        JsonNode error = root.get("error");
        assertTrue(error != null && error.isObject(), body);
        for (String field : List.of("message", "type", "param", "code"))
            assertTrue(error.has(field), "no '" + field + "' in " + body);
        assertFalse(error.get("message").asText().isBlank(), body);
        assertFalse(error.get("type").asText().isBlank(), body);
        return error;
    }
}
