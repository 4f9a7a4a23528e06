package io.rwkvx;

import io.rwkvx.common.RwkvxException;
import io.rwkvx.ffi.rwkvx_h;
import io.rwkvx.nativelib.NativeLibrary;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Entry point: loads models.
 *
 * <pre>{@code
 * try (Model model = Rwkvx.load(Path.of("model.bin"));
 *      Session session = model.newSession()) {
 *     session.generate("Hello", GenerationOptions.defaults(), System.out::print);
 * }
 * }</pre>
 *
 * <h2>Threads</h2>
 *
 * Every method here is thread-safe. The objects it hands out follow one contract:
 *
 * <ul>
 *   <li>{@link Model}: thread-safe; its sessions run concurrently.
 *   <li>{@link Session}: one thread at a time; another thread's call meanwhile is refused with a
 *       {@link java.util.ConcurrentModificationException} naming the operation in progress.
 *   <li>{@link State}, {@link GenerationOptions}: immutable, shared freely.
 *   <li>Closing a model or a session is safe from any thread at any time: it waits for the native call in
 *       flight, then frees; calls under way or made later throw {@link IllegalStateException} ("... is
 *       closed"), never a crash.
 * </ul>
 */
public final class Rwkvx {
    /** Classpath location of the bundled default model (tiny byte-level RWKV-7 from rwkv.cpp's tests). */
    public static final String DEFAULT_MODEL_RESOURCE = "/io/rwkvx/models/tiny-rwkv-7v0-834K-FP32.bin";

    private Rwkvx() {}

    /** Loads a model file (rwkv.cpp format or safetensors) with default options. */
    public static Model load(Path file) {
        return load(file, ModelOptions.defaults());
    }

    public static Model load(Path file, ModelOptions options) {
        return Model.open(file, options);
    }

    /** Loads the bundled default model. */
    public static Model loadDefault(ModelOptions options) {
        return load(defaultModelPath(), options);
    }

    public static Model loadDefault() {
        return loadDefault(ModelOptions.defaults());
    }

    /**
     * Quantizes a model file to {@code type} as rwkv.cpp's quantizer does and writes an rwkv.cpp file (format
     * version 101); see {@link Quantizer#quantizeFile}, which also takes a type for {@code head.weight}.
     */
    public static Quantizer.Summary quantize(Path in, Path out, io.rwkvx.tensor.DType type) {
        return Quantizer.quantizeFile(in, out, type, null);
    }

    /** The bundled default model as a file (extracted once from the jar when needed). */
    public static synchronized Path defaultModelPath() {
        var url = Rwkvx.class.getResource(DEFAULT_MODEL_RESOURCE);
        if (url == null)
            throw new RwkvxException(
                    "the bundled default model " + DEFAULT_MODEL_RESOURCE + " is missing from the classpath");
        try {
            if ("file".equals(url.getProtocol())) return Path.of(url.toURI());
            Path tmp = Files.createTempFile("rwkvx-default-", ".bin");
            tmp.toFile().deleteOnExit();
            try (InputStream in = url.openStream()) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            return tmp;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract the default model", e);
        } catch (java.net.URISyntaxException e) {
            throw new RwkvxException("bad resource URL " + url, e);
        }
    }

    /**
     * Native handles (contexts, models, states, KV caches) alive in this process, or 0 when the native
     * library is not loaded. Stays flat across a long run when every model and session is closed.
     */
    public static long liveNativeHandles() {
        return NativeLibrary.isAvailable() ? rwkvx_h.rwkvx_live_handles() : 0;
    }

    /** Version of the Java layer and, when loaded, of the native library. */
    public static String version() {
        // On the module path the descriptor carries the version; on the class path the jar's manifest.
        String v = Rwkvx.class.getModule().isNamed()
                ? Rwkvx.class.getModule().getDescriptor().rawVersion().orElse(null)
                : Rwkvx.class.getPackage().getImplementationVersion();
        String java = v == null ? "dev" : v;
        if (!NativeLibrary.isAvailable()) return java + " (native library unavailable)";
        return java + " (native " + rwkvx_h.rwkvx_version().reinterpret(64).getString(0) + ")";
    }
}
