package io.rwkvx.cli;

import io.rwkvx.Model;
import io.rwkvx.ModelOptions;
import io.rwkvx.Rwkvx;
import io.rwkvx.chat.ChatTemplate;
import io.rwkvx.server.OpenAiServer;
import io.rwkvx.server.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** {@code rwkvx serve}: the OpenAI-compatible HTTP server (package {@code io.rwkvx.server}, docs/server.md). */
final class ServeCommand implements Command {
    /** Where the key may come from instead of the command line, where other users of the machine can read it. */
    static final String API_KEY_VARIABLE = "RWKVX_API_KEY";
    /** SLF4J Simple's level, read when Jetty first logs. */
    private static final String LOG_LEVEL = "org.slf4j.simpleLogger.defaultLogLevel";

    private static final Option HOST = Option.value(
            "--host", "ADDR", "address to listen on (default " + ServerConfig.DEFAULT_HOST + ": this machine only)");
    private static final Option PORT =
            Option.value("--port", "N", "TCP port, 0 = any free one (default " + ServerConfig.DEFAULT_PORT + ")");
    private static final Option API_KEY = Option.value(
            "--api-key",
            "KEY",
            "requests must send 'Authorization: Bearer KEY', others get 401 (default: $" + API_KEY_VARIABLE
                    + " if set, else no key)");
    private static final Option MAX_BATCH = Option.value(
            "--max-batch",
            "N",
            "requests generating at once, evaluated together by the model (default " + ModelOptions.DEFAULT_MAX_BATCH
                    + ")");
    private static final Option MAX_QUEUE = Option.value(
            "--max-queue",
            "N",
            "requests waiting for a place beyond those; more get 429 (default " + ServerConfig.DEFAULT_MAX_QUEUE + ")");
    private static final Option MAX_BODY = Option.value(
            "--max-body-bytes",
            "N",
            "largest request body; larger get 413 (default " + ServerConfig.DEFAULT_MAX_BODY_BYTES + ")");
    private static final Option MAX_PROMPT = Option.value(
            "--max-prompt-tokens",
            "N",
            "longest prompt; longer get 400 (default " + ServerConfig.DEFAULT_MAX_PROMPT_TOKENS + ")");
    private static final Option MAX_TOKENS = Option.value(
            "--max-tokens",
            "N",
            "most tokens a request may generate, and its max_tokens when it gives none (default "
                    + ServerConfig.DEFAULT_MAX_TOKENS + ")");
    private static final Option STATES = Option.value(
            "--states", "DIR", "folder of named initial states: \"state\": \"NAME\" starts from DIR/NAME.state");
    private static final Option CHAT_TEMPLATE = Option.value(
            "--chat-template",
            "FILE",
            "chat template, a JSON file as docs/server.md describes (default: RWKV World's User:/Assistant:)");
    private static final Option PREFIX_CACHE = Option.value(
            "--prefix-cache-mb",
            "N",
            "MiB of prompt states kept so that a prompt beginning with an earlier one (a chat's history, a shared"
                    + " system prompt) restores it instead of evaluating it again; 0 = off (default "
                    + (ServerConfig.DEFAULT_PREFIX_CACHE_BYTES >> 20) + ")");
    private static final Option MODEL_NAME =
            Option.value("--model-name", "NAME", "the model's id in /v1/models and responses (default: the file name)");

    @Override
    public String name() {
        return "serve";
    }

    @Override
    public String summary() {
        return "serve a model over an OpenAI-compatible HTTP API";
    }

    @Override
    public String description() {
        return """
                Serves GET /v1/models, POST /v1/completions and POST /v1/chat/completions (stream: true
                gives server-sent events), GET /health and GET /metrics; prints the URL, and stops on
                Ctrl-C. docs/server.md lists the fields, limits and defaults.
                """;
    }

    @Override
    public OptionSpec options() {
        return ModelChoice.spec(
                ModelChoice.MODEL_OR_BUNDLED,
                HOST,
                PORT,
                API_KEY,
                MAX_BATCH,
                MAX_QUEUE,
                MAX_BODY,
                MAX_PROMPT,
                MAX_TOKENS,
                STATES,
                CHAT_TEMPLATE,
                PREFIX_CACHE,
                MODEL_NAME);
    }

    @Override
    public int run(Options o, Streams io) throws Exception {
        // Before any class of io.rwkvx.server loads: they need these libraries.
        if (!serverLibrariesPresent())
            throw new IllegalStateException("serve needs the server's libraries (Jetty, Jackson), which `mvn package`"
                    + " copies to target/lib beside the jar; run it, or put them on the class path");
        ModelChoice choice = ModelChoice.from(o);
        int maxBatch = o.intValue(MAX_BATCH.name(), ModelOptions.DEFAULT_MAX_BATCH, 1, 1024);
        String host = o.get(HOST.name()) == null ? ServerConfig.DEFAULT_HOST : o.get(HOST.name());
        if (host.isBlank()) throw o.usage("option --host needs an address");
        String apiKey = o.get(API_KEY.name());
        if (apiKey == null) apiKey = System.getenv(API_KEY_VARIABLE);
        if (apiKey != null && apiKey.isBlank()) throw o.usage("option --api-key needs a non-empty key");
        Path states = o.path(STATES.name());
        if (states != null && !Files.isDirectory(states))
            throw o.usage("option --states: " + states + " is not a folder");
        Path template = o.path(CHAT_TEMPLATE.name());
        String modelName = o.get(MODEL_NAME.name());
        if (modelName != null && modelName.isBlank()) throw o.usage("option --model-name needs a name");
        ServerConfig config = new ServerConfig(
                host,
                o.intValue(PORT.name(), ServerConfig.DEFAULT_PORT, 0, 65535),
                apiKey,
                maxBatch,
                o.intValue(MAX_QUEUE.name(), ServerConfig.DEFAULT_MAX_QUEUE, 0, 1 << 20),
                o.longValue(MAX_BODY.name(), ServerConfig.DEFAULT_MAX_BODY_BYTES, 1, Integer.MAX_VALUE - 8),
                o.intValue(MAX_PROMPT.name(), ServerConfig.DEFAULT_MAX_PROMPT_TOKENS, 1),
                o.intValue(MAX_TOKENS.name(), ServerConfig.DEFAULT_MAX_TOKENS, 1),
                states,
                ChatTemplate.WORLD,
                modelName == null ? "rwkvx" : modelName,
                o.longValue(PREFIX_CACHE.name(), ServerConfig.DEFAULT_PREFIX_CACHE_BYTES >> 20, 0, Long.MAX_VALUE >> 20)
                        << 20);
        try {
            config = config.withChatTemplateFile(template);
        } catch (IOException e) {
            throw o.usage("option --chat-template: " + e.getMessage());
        }

        ModelChoice batched = new ModelChoice(
                choice.file(),
                choice.options().withMaxBatch(maxBatch),
                choice.tokenizer(),
                choice.command(),
                choice.hybridOptions());
        // Jetty's start-up chatter off; warnings still reach stderr (RWKVX_JAVA_OPTS=-D... overrides).
        if (System.getProperty(LOG_LEVEL) == null) System.setProperty(LOG_LEVEL, "warn");
        Model model = batched.open(io);
        if (modelName == null) config = withModelId(config, choice.file());
        OpenAiServer server;
        try {
            server = OpenAiServer.start(model, config);
        } catch (Exception e) {
            model.close();
            throw new IOException("cannot listen on " + host + ":" + config.port() + ": " + Main.describe(e), e);
        }
        // Ctrl-C (SIGINT) and SIGTERM run the shutdown hooks: stop serving, then free the model.
        Thread stopper = new Thread(
                () -> {
                    try {
                        server.close();
                    } catch (Exception e) {
                        io.err().println("rwkvx serve: error while stopping: " + Main.describe(e));
                    } finally {
                        model.close();
                        io.err().println("rwkvx serve: stopped");
                        io.err().flush();
                    }
                },
                "rwkvx-serve-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        io.out()
                .println("rwkvx serve: listening on " + server.url() + " (model " + config.modelId() + ", "
                        + model.backendDescription() + ")");
        io.out().flush();
        server.join();
        return 0;
    }

    /** The model's id: its file name without the extension ({@code tiny-rwkv-7v0-834K-FP32} for the bundled one). */
    private static ServerConfig withModelId(ServerConfig c, Path file) {
        String name = file == null
                ? Rwkvx.DEFAULT_MODEL_RESOURCE.substring(Rwkvx.DEFAULT_MODEL_RESOURCE.lastIndexOf('/') + 1)
                : file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String id = dot > 0 ? name.substring(0, dot) : name;
        return new ServerConfig(
                c.host(),
                c.port(),
                c.apiKey(),
                c.maxBatch(),
                c.maxQueue(),
                c.maxBodyBytes(),
                c.maxPromptTokens(),
                c.maxTokens(),
                c.statesDir(),
                c.chatTemplate(),
                id,
                c.prefixCacheBytes());
    }

    private static boolean serverLibrariesPresent() {
        try {
            Class.forName("org.eclipse.jetty.server.Server", false, ServeCommand.class.getClassLoader());
            Class.forName("com.fasterxml.jackson.databind.ObjectMapper", false, ServeCommand.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
