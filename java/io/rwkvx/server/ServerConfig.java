package io.rwkvx.server;

import io.rwkvx.chat.ChatTemplate;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Settings of an {@link OpenAiServer}.
 *
 * @param host            address to bind; loopback unless told otherwise
 * @param port            TCP port; 0 picks a free one ({@link OpenAiServer#port()} says which)
 * @param apiKey          the key requests must send as {@code Authorization: Bearer KEY}, or null for none
 * @param maxBatch        requests generating at once (each a session of the model, batched together by it)
 * @param maxQueue        requests waiting for one of the {@code maxBatch} places; more get 429
 * @param maxBodyBytes    largest request body; larger ones get 413
 * @param maxPromptTokens longest prompt, in tokens; longer ones get 400
 * @param maxTokens       most tokens a request may generate, and what it gets when it does not say
 * @param statesDir       folder of named initial states ({@code NAME.state}), or null for none
 * @param chatTemplate    how chat messages become a prompt
 * @param modelId         the model's name in {@code /v1/models} and in responses
 * @param prefixCacheBytes cap on the states the prefix cache keeps (prompts' states, reused by the requests whose
 *                        prompts begin with the same tokens); 0 turns the cache off
 */
public record ServerConfig(
        String host,
        int port,
        String apiKey,
        int maxBatch,
        int maxQueue,
        long maxBodyBytes,
        int maxPromptTokens,
        int maxTokens,
        Path statesDir,
        ChatTemplate chatTemplate,
        String modelId,
        long prefixCacheBytes) {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;
    public static final int DEFAULT_MAX_QUEUE = 64;
    public static final long DEFAULT_MAX_BODY_BYTES = 1 << 20;
    public static final int DEFAULT_MAX_PROMPT_TOKENS = 16384;
    public static final int DEFAULT_MAX_TOKENS = 512;
    public static final long DEFAULT_PREFIX_CACHE_BYTES = 256L << 20;

    public ServerConfig {
        if (host == null || host.isBlank()) throw new IllegalArgumentException("host is empty");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be in [0, 65535], got " + port);
        if (apiKey != null && apiKey.isBlank()) throw new IllegalArgumentException("the API key is empty");
        if (maxBatch < 1) throw new IllegalArgumentException("maxBatch must be >= 1, got " + maxBatch);
        if (maxQueue < 0) throw new IllegalArgumentException("maxQueue must be >= 0, got " + maxQueue);
        if (maxBodyBytes < 1) throw new IllegalArgumentException("maxBodyBytes must be >= 1, got " + maxBodyBytes);
        if (maxPromptTokens < 1)
            throw new IllegalArgumentException("maxPromptTokens must be >= 1, got " + maxPromptTokens);
        if (maxTokens < 1) throw new IllegalArgumentException("maxTokens must be >= 1, got " + maxTokens);
        if (chatTemplate == null) throw new IllegalArgumentException("chat template is null");
        if (modelId == null || modelId.isBlank()) throw new IllegalArgumentException("model id is empty");
        if (prefixCacheBytes < 0)
            throw new IllegalArgumentException("prefixCacheBytes must be >= 0 (0: no cache), got " + prefixCacheBytes);
    }

    /** Loopback, port 8080, no key, the model's batch size, the World chat template, a 256 MiB prefix cache. */
    public static ServerConfig defaults(String modelId, int maxBatch) {
        return new ServerConfig(
                DEFAULT_HOST,
                DEFAULT_PORT,
                null,
                maxBatch,
                DEFAULT_MAX_QUEUE,
                DEFAULT_MAX_BODY_BYTES,
                DEFAULT_MAX_PROMPT_TOKENS,
                DEFAULT_MAX_TOKENS,
                null,
                ChatTemplate.WORLD,
                modelId,
                DEFAULT_PREFIX_CACHE_BYTES);
    }

    public ServerConfig withHost(String h) {
        return with(s -> s.host = h);
    }

    public ServerConfig withPort(int p) {
        return with(s -> s.port = p);
    }

    public ServerConfig withApiKey(String k) {
        return with(s -> s.apiKey = k);
    }

    public ServerConfig withMaxQueue(int q) {
        return with(s -> s.maxQueue = q);
    }

    public ServerConfig withMaxBodyBytes(long b) {
        return with(s -> s.maxBodyBytes = b);
    }

    public ServerConfig withMaxPromptTokens(int n) {
        return with(s -> s.maxPromptTokens = n);
    }

    public ServerConfig withMaxTokens(int n) {
        return with(s -> s.maxTokens = n);
    }

    public ServerConfig withStatesDir(Path dir) {
        return with(s -> s.statesDir = dir);
    }

    /** The chat template of {@code file} (see docs/server.md), or the World one for null. */
    public ServerConfig withChatTemplateFile(Path file) throws java.io.IOException {
        ChatTemplate t = file == null ? ChatTemplate.WORLD : ChatTemplateFile.load(file);
        return with(s -> s.chatTemplate = t);
    }

    ServerConfig withChatTemplate(ChatTemplate t) {
        return with(s -> s.chatTemplate = t);
    }

    /** A prefix cache of at most {@code bytes} (0: none). */
    public ServerConfig withPrefixCacheBytes(long bytes) {
        return with(s -> s.prefixCacheBytes = bytes);
    }

    /** This config with one setting changed through a copy of all of them. */
    private ServerConfig with(Consumer<Settings> change) {
        Settings s = new Settings(this);
        change.accept(s);
        return s.build();
    }

    /** The settings of a {@link ServerConfig} as mutable fields, for its {@code with} methods. */
    private static final class Settings {
        String host;
        int port;
        String apiKey;
        int maxBatch;
        int maxQueue;
        long maxBodyBytes;
        int maxPromptTokens;
        int maxTokens;
        Path statesDir;
        ChatTemplate chatTemplate;
        String modelId;
        long prefixCacheBytes;

        Settings(ServerConfig c) {
            host = c.host;
            port = c.port;
            apiKey = c.apiKey;
            maxBatch = c.maxBatch;
            maxQueue = c.maxQueue;
            maxBodyBytes = c.maxBodyBytes;
            maxPromptTokens = c.maxPromptTokens;
            maxTokens = c.maxTokens;
            statesDir = c.statesDir;
            chatTemplate = c.chatTemplate;
            modelId = c.modelId;
            prefixCacheBytes = c.prefixCacheBytes;
        }

        ServerConfig build() {
            return new ServerConfig(
                    host,
                    port,
                    apiKey,
                    maxBatch,
                    maxQueue,
                    maxBodyBytes,
                    maxPromptTokens,
                    maxTokens,
                    statesDir,
                    chatTemplate,
                    modelId,
                    prefixCacheBytes);
        }
    }
}
