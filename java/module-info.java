/**
 * rwkvx: RWKV language models (RWKV-4, 5.2, 6, 7 and the hybrid RWKV-X) run by a native library through the
 * Foreign Function &amp; Memory API.
 *
 * <p>Start at {@link io.rwkvx.Rwkvx}: it loads a {@link io.rwkvx.Model}, whose {@link io.rwkvx.Session}s
 * generate, score, stream and save state. The module exports only its public API; the bindings, the native
 * library loader, the backends, the file readers, the command line and the HTTP server are internal.
 *
 * <p>On the module path the native library needs {@code --enable-native-access=io.rwkvx}. The LangChain4j
 * provider ({@code io.rwkvx.langchain4j}) and the HTTP server need their libraries at run time only when used;
 * they are optional dependencies ({@code requires static}).
 */
// langchain4j.core, below: an automatic module, whose types the provider's API shows.
@SuppressWarnings({"requires-automatic", "exports"})
module io.rwkvx {
    exports io.rwkvx;
    exports io.rwkvx.backend;
    exports io.rwkvx.chat;
    exports io.rwkvx.common;
    exports io.rwkvx.langchain4j;
    exports io.rwkvx.model;
    exports io.rwkvx.sampling;
    exports io.rwkvx.tensor;
    exports io.rwkvx.tokenizer;

    // The LangChain4j provider only (io.rwkvx.langchain4j). Not transitive: javac would then require the module
    // of every consumer's compilation, provider or not; a consumer of the provider requires it itself.
    // langchain4j-core publishes no module name (none up to 1.23.0): this is the automatic name of its jar,
    // langchain4j-core-VERSION.jar (docs/versioning.md §2).
    requires static langchain4j.core;

    // `rwkvx serve` only (io.rwkvx.server, not exported).
    requires static org.eclipse.jetty.server;
    requires static com.fasterxml.jackson.databind;
}
