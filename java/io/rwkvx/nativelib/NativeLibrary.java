package io.rwkvx.nativelib;

import io.rwkvx.common.RwkvxException;
import io.rwkvx.ffi.rwkvx_h;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.MemorySegment;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Loads librwkvx into the JVM for the jextract-generated bindings ({@link rwkvx_h}), which look their
 * symbols up with {@code SymbolLookup.loaderLookup()} and so need the library loaded, by this class
 * loader, before the first native call. Call {@link #load()} before using {@link rwkvx_h}.
 *
 * <p>Where the library comes from, in order:
 * <ol>
 *   <li>the system property {@value #PATH_PROPERTY}: the shared library itself, or a directory holding
 *       {@code librwkvx.so};</li>
 *   <li>the classpath resource {@value #RESOURCE} (the jar built by Maven carries it; CMake writes it to
 *       {@code target/classes/META-INF/native/linux-x86_64/}). A {@code file:} resource (classes in a
 *       directory, an unpacked jar) is loaded where it is; from a jar, which may lie on a read-only file system,
 *       it is copied into a new private directory under {@code java.io.tmpdir}, deleted when the JVM exits.</li>
 * </ol>
 * Every failure names the file, where it came from, the operating system's error and what to change
 * (docs/versioning.md, "Loading the native library").
 * After loading, the library's {@code rwkvx_abi_version()} must equal the {@code RWKVX_ABI_VERSION} the
 * bindings were generated from, so a stale library fails here with both versions named rather than later
 * with a crash.
 *
 * <p>All methods are thread-safe. Loading is attempted once per JVM; a failure is remembered and
 * reported again by every later call.
 */
public final class NativeLibrary {

    /** System property naming the shared library to load instead of the bundled one. */
    public static final String PATH_PROPERTY = "rwkvx.library.path";

    /** File name of the library, inside a directory given with {@value #PATH_PROPERTY} and inside the jar. */
    public static final String LIBRARY_FILE = "librwkvx.so";

    /** Classpath resource of the bundled library. */
    public static final String RESOURCE = "/META-INF/native/linux-x86_64/" + LIBRARY_FILE;

    private static final Object LOCK = new Object();
    private static volatile boolean loaded;
    private static volatile RwkvxException failure; // set once, when loading failed
    private static volatile String loadedFrom;

    private NativeLibrary() {}

    /**
     * Loads the library if it is not loaded yet. Idempotent and thread-safe.
     *
     * @throws RwkvxException when the library cannot be found, loaded, or has another ABI version; the
     *                        message names the path and the operating system's error
     */
    public static void load() {
        if (loaded) {
            return;
        }
        synchronized (LOCK) {
            if (loaded) {
                return;
            }
            if (failure == null) {
                try {
                    loadedFrom = doLoad();
                    loaded = true;
                    return;
                } catch (RwkvxException e) {
                    failure = e;
                }
            }
            throw new RwkvxException(failure.getMessage(), failure);
        }
    }

    /** Whether the library is (or can now be) loaded; tries to load it the first time. */
    public static boolean isAvailable() {
        try {
            load();
            return true;
        } catch (RwkvxException e) {
            return false;
        }
    }

    /** Why the library cannot be used, or {@code null} when it can; tries to load it the first time. */
    public static String unavailableReason() {
        try {
            load();
            return null;
        } catch (RwkvxException e) {
            return e.getMessage();
        }
    }

    /** The file the library was loaded from, or {@code null} while it is not loaded. */
    public static String loadedFrom() {
        return loaded ? loadedFrom : null;
    }

    /**
     * An exception for a failed call, e.g. {@code "model_create failed: RWKVX_ERROR_SHAPE: tensor 'x' ..."}.
     * Must be called on the thread that made the failed call, before any other rwkvx call on it: the
     * library keeps the message per thread and only until that thread's next call.
     *
     * @param what   the operation, as the message should name it
     * @param status the rwkvx_status the call returned
     */
    public static RwkvxException error(String what, int status) {
        load();
        // Read the message first: it is only valid until the next rwkvx call on this thread.
        String detail = string(rwkvx_h.rwkvx_last_error());
        String name = string(rwkvx_h.rwkvx_status_name(status));
        if (name.isEmpty()) {
            name = "rwkvx status " + status;
        }
        return new RwkvxException(what + " failed: " + name + (detail.isEmpty() ? "" : ": " + detail));
    }

    /**
     * Throws {@link #error(String, int)} when {@code status} is not {@code RWKVX_OK}.
     *
     * @param what   the operation, as the message should name it
     * @param status the rwkvx_status the call returned
     */
    public static void check(String what, int status) {
        if (status != rwkvx_h.RWKVX_OK()) {
            throw error(what, status);
        }
    }

    private static String string(MemorySegment cString) {
        return cString.equals(MemorySegment.NULL) ? "" : cString.getString(0);
    }

    private static String doLoad() {
        Located located = locate();
        Path path = located.path();
        try {
            System.load(path.toString());
        } catch (UnsatisfiedLinkError e) {
            throw new RwkvxException(
                    "cannot load the rwkvx native library " + path + " (" + located.origin() + "): " + osError(e, path)
                            + located.loadHint(),
                    e);
        } catch (SecurityException e) {
            throw new RwkvxException("not allowed to load the rwkvx native library " + path + ": " + e.getMessage(), e);
        }
        int libraryAbi;
        try {
            libraryAbi = rwkvx_h.rwkvx_abi_version();
        } catch (LinkageError e) {
            // ExceptionInInitializerError/UnsatisfiedLinkError from the binding's symbol lookup
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new RwkvxException(
                    path + " (" + located.origin() + ") is not a usable rwkvx library: " + cause.getMessage(), e);
        }
        int bindingsAbi = rwkvx_h.RWKVX_ABI_VERSION();
        if (libraryAbi != bindingsAbi) {
            throw new RwkvxException("rwkvx native library " + path + " (" + located.origin() + ") has ABI version "
                    + libraryAbi + " but the Java bindings were generated for ABI version " + bindingsAbi
                    + " (RWKVX_ABI_VERSION in include/rwkvx.h): use the library built from the same sources as"
                    + " the jar (docs/versioning.md)");
        }
        return path.toString();
    }

    /** The loader's message without the leading copies of the path that the JDK and dlerror() put there. */
    private static String osError(UnsatisfiedLinkError e, Path path) {
        String message = String.valueOf(e.getMessage());
        String prefix = path + ": ";
        while (message.startsWith(prefix) && message.length() > prefix.length()) {
            message = message.substring(prefix.length());
        }
        return message;
    }

    /**
     * The file to load and where it came from, for the messages.
     *
     * @param origin   e.g. "from -Drwkvx.library.path" or "bundled, copied from jar:file:/app/rwkvx.jar!/..."
     * @param loadHint what to try when loading the file fails (empty when there is nothing to add)
     */
    private record Located(Path path, String origin, String loadHint) {}

    private static Located locate() {
        String property = System.getProperty(PATH_PROPERTY);
        if (property != null && !property.isBlank()) {
            return userSupplied(property);
        }
        String os = System.getProperty("os.name", "?");
        String arch = System.getProperty("os.arch", "?");
        String osLower = os.toLowerCase(Locale.ROOT);
        if (!osLower.startsWith("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            throw new RwkvxException("rwkvx bundles its native library for linux-x86_64 only, and this is " + os + "/"
                    + arch + " (unsupported): build librwkvx for this platform and pass its path with -D"
                    + PATH_PROPERTY + "=...");
        }
        URL url = NativeLibrary.class.getResource(RESOURCE);
        if (url == null) {
            throw new RwkvxException("cannot load the rwkvx native library: classpath resource " + RESOURCE
                    + " is missing (build it with Maven, which runs CMake, or pass -D" + PATH_PROPERTY + "=...)");
        }
        if ("file".equals(url.getProtocol())) {
            // Classes in a directory (an unpacked jar, target/classes): the library is loaded where it lies.
            try {
                return new Located(
                        Path.of(url.toURI()),
                        "bundled, in the unpacked class path",
                        "; the file may be damaged or built for another platform: rebuild it, or pass -D"
                                + PATH_PROPERTY + "=...");
            } catch (URISyntaxException | IllegalArgumentException e) {
                // fall through and copy it like a jar entry
            }
        }
        // In a jar (possibly on a read-only file system): nothing is written beside the jar; the library is copied
        // to a private temporary directory and deleted when the JVM exits.
        return new Located(
                extract(url),
                "bundled, copied from " + url,
                "; if " + System.getProperty("java.io.tmpdir") + " (java.io.tmpdir) is mounted noexec, point"
                        + " -Djava.io.tmpdir at a directory that allows executables, or install librwkvx.so and"
                        + " pass -D" + PATH_PROPERTY + "=...");
    }

    /** {@code -Drwkvx.library.path}: the library file itself, or a directory that holds {@code librwkvx.so}. */
    private static Located userSupplied(String property) {
        Path given = Path.of(property).toAbsolutePath();
        String origin = "from -D" + PATH_PROPERTY + "=" + property;
        if (Files.isDirectory(given)) {
            Path file = given.resolve(LIBRARY_FILE);
            if (!Files.isRegularFile(file)) {
                throw new RwkvxException("cannot load the rwkvx native library: directory " + given + " (" + origin
                        + ") holds no " + LIBRARY_FILE);
            }
            return new Located(file, origin, "");
        }
        if (!Files.exists(given)) {
            throw new RwkvxException(
                    "cannot load the rwkvx native library " + given + " (" + origin + "): no such file");
        }
        if (!Files.isRegularFile(given)) {
            throw new RwkvxException("cannot load the rwkvx native library " + given + " (" + origin
                    + "): not a regular file or directory");
        }
        return new Located(given, origin, "");
    }

    private static Path extract(URL url) {
        String tmp = System.getProperty("java.io.tmpdir");
        Path dir = null;
        try {
            dir = Files.createTempDirectory("rwkvx-");
            Path file = dir.resolve(LIBRARY_FILE);
            try (InputStream in = url.openStream()) {
                Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            }
            // deleteOnExit runs in reverse registration order: the file first, then its directory.
            dir.toFile().deleteOnExit();
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException | SecurityException e) {
            if (dir != null) deleteQuietly(dir);
            throw new RwkvxException(
                    "cannot load the rwkvx native library bundled in " + url + ": copying it to a temporary directory"
                            + " under " + tmp + " (java.io.tmpdir) failed: " + e
                            + "; point -Djava.io.tmpdir at a writable directory, or install librwkvx.so and pass -D"
                            + PATH_PROPERTY + "=...",
                    e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            Files.deleteIfExists(dir.resolve(LIBRARY_FILE));
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // best effort: the directory is under java.io.tmpdir
        }
    }
}
