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

    /**
     * Loads a model file with {@link ModelOptions#defaults()}.
     *
     * @param file an rwkv.cpp {@code .bin}, a safetensors file or a torch.save {@code .pth} checkpoint
     * @return the open model; the caller closes it
     * @throws RwkvxException if the file is missing, unreadable or not a model this library runs; the message
     *                        names the file
     */
    public static Model load(Path file) {
        return load(file, ModelOptions.defaults());
    }

    /**
     * Loads a model file.
     *
     * @param file    an rwkv.cpp {@code .bin}, a safetensors file or a torch.save {@code .pth} checkpoint
     * @param options the backend, threads, tokenizer and the other settings of {@link ModelOptions}
     * @return the open model; the caller closes it
     * @throws RwkvxException if the file is missing, unreadable or not a model this library runs, the tokenizer
     *                        has more ids than the model, or the backend cannot load it; the message names the
     *                        file
     */
    public static Model load(Path file, ModelOptions options) {
        return Model.open(file, options);
    }

    /**
     * Loads the bundled default model ({@link #DEFAULT_MODEL_RESOURCE}).
     *
     * @param options the settings of {@link ModelOptions}
     * @return the open model; the caller closes it
     * @throws RwkvxException if the model is missing from the classpath or cannot be loaded
     */
    public static Model loadDefault(ModelOptions options) {
        return load(defaultModelPath(), options);
    }

    /**
     * Loads the bundled default model with {@link ModelOptions#defaults()}.
     *
     * @return the open model; the caller closes it
     * @throws RwkvxException if the model is missing from the classpath or cannot be loaded
     */
    public static Model loadDefault() {
        return loadDefault(ModelOptions.defaults());
    }

    /**
     * Quantizes a model file to {@code type} as rwkv.cpp's quantizer does and writes an rwkv.cpp file (format
     * version 101); see {@link Quantizer#quantizeFile}, which also takes a type for {@code head.weight}.
     *
     * @param in   an FP32/FP16 rwkv.cpp {@code .bin}, a safetensors file or a {@code .pth} checkpoint
     * @param out  the file to write; not {@code in}
     * @param type one of {@link io.rwkvx.tensor.DType#quantized()}
     * @return how many tensors were quantized, and the files' sizes
     * @throws IllegalArgumentException if {@code type} is not a quantized type
     * @throws RwkvxException           as {@link Quantizer#quantizeFile}
     */
    public static Quantizer.Summary quantize(Path in, Path out, io.rwkvx.tensor.DType type) {
        return Quantizer.quantizeFile(in, out, type, null);
    }

    /**
     * The bundled default model as a file (extracted once from the jar when needed).
     *
     * @return the model's path: in the classes folder, or a temporary file deleted when the JVM exits
     * @throws RwkvxException        if the model is missing from the classpath
     * @throws UncheckedIOException  if it cannot be extracted
     */
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
     *
     * @return the count of live native handles
     */
    public static long liveNativeHandles() {
        return NativeLibrary.isAvailable() ? rwkvx_h.rwkvx_live_handles() : 0;
    }

    /**
     * Versions, for logs and {@code rwkvx info}.
     *
     * @return the Java layer's version ("dev" outside a jar) and the native library's, or why it is unavailable
     */
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
