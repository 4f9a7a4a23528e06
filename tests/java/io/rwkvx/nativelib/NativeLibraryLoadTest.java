package io.rwkvx.nativelib;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the native library comes from, each way in a JVM of its own ({@link LoadProbe}): classes in a directory
 * (an unpacked jar), a jar in a read-only directory, and {@code -Drwkvx.library.path} (a file or a directory);
 * and the message of each way's failure, which must say what was wrong and what to change.
 */
class NativeLibraryLoadTest {
    /** The classes of the library (target/classes, with the bundled librwkvx.so) and of the probe. */
    private static Path classes;

    private static Path testClasses;
    /** The library file this test JVM uses (the sanitizer build under tests/sanitize.sh). */
    private static Path library;

    @TempDir
    static Path work;

    @BeforeAll
    static void locate() throws Exception {
        classes = Path.of(NativeLibrary.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        testClasses = Path.of(LoadProbe.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        NativeLibrary.load();
        library = Path.of(NativeLibrary.loadedFrom());
    }

    private record Probe(int exit, String line, String all) {}

    private static Probe probe(String classPath, String... properties) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp", classPath));
        cmd.addAll(List.of(properties));
        cmd.add(LoadProbe.class.getName());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        // tests/sanitize.sh passes its library through JAVA_TOOL_OPTIONS; each probe chooses its own.
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the probe JVM did not finish");
        String line = out.lines()
                .filter(l -> l.startsWith("LOADED ") || l.startsWith("FAILED "))
                .findFirst()
                .orElse("");
        return new Probe(p.exitValue(), line, String.join(" ", cmd) + "\n" + out);
    }

    private static String classPath(Path... entries) {
        return String.join(
                java.io.File.pathSeparator,
                Stream.of(entries).map(Path::toString).toList());
    }

    /** A jar of the library's classes and resources, as Maven packages it, in a new read-only directory. */
    private static Path readOnlyJar() throws IOException {
        Path dir = Files.createTempDirectory(work, "ro-");
        Path jar = dir.resolve("rwkvx.jar");
        try (OutputStream file = Files.newOutputStream(jar);
                JarOutputStream out = new JarOutputStream(file);
                Stream<Path> tree = Files.walk(classes)) {
            for (Path f : (Iterable<Path>) tree.filter(Files::isRegularFile)::iterator) {
                out.putNextEntry(new JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, out);
                out.closeEntry();
            }
        }
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("r--r--r--"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-xr-xr-x"));
        return jar;
    }

    private static List<String> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void classesInADirectoryLoadTheLibraryWhereItLies() throws Exception {
        Probe p = probe(classPath(classes, testClasses));
        assertEquals(0, p.exit(), p.all());
        assertEquals("LOADED " + classes.resolve(NativeLibrary.RESOURCE.substring(1)), p.line(), p.all());
    }

    @Test
    void aJarInAReadOnlyDirectoryIsCopiedToAPrivateTemporaryDirectoryAndCleanedUp() throws Exception {
        Path jar = readOnlyJar();
        List<String> beside = list(jar.getParent());
        Path tmp = Files.createTempDirectory(work, "tmp-");
        Probe p = probe(classPath(jar, testClasses), "-Djava.io.tmpdir=" + tmp);
        assertEquals(0, p.exit(), p.all());
        assertTrue(p.line().startsWith("LOADED " + tmp.resolve("rwkvx-")), p.all());
        assertTrue(p.line().endsWith("/" + NativeLibrary.LIBRARY_FILE), p.all());
        assertEquals(beside, list(jar.getParent()), "nothing is written beside the jar");
        assertEquals(List.of(), list(tmp), "the copy and its directory are deleted when the JVM exits");
    }

    @Test
    void anUnwritableTemporaryDirectorySaysWhatToChange() throws Exception {
        Path jar = readOnlyJar();
        Path notADirectory = Files.writeString(work.resolve("plain-file"), "x");
        Path tmp = notADirectory.resolve("tmp");
        Probe p = probe(classPath(jar, testClasses), "-Djava.io.tmpdir=" + tmp);
        assertEquals(3, p.exit(), p.all());
        assertTrue(
                p.line().startsWith("FAILED cannot load the rwkvx native library bundled in jar:file:" + jar), p.all());
        assertTrue(p.line().contains("under " + tmp + " (java.io.tmpdir) failed"), p.all());
        assertTrue(p.line().contains("point -Djava.io.tmpdir at a writable directory"), p.all());
        assertTrue(p.line().contains("-D" + NativeLibrary.PATH_PROPERTY + "="), p.all());
    }

    @Test
    void aUserSuppliedFileIsLoadedInsteadOfTheBundledOne() throws Exception {
        Path tmp = Files.createTempDirectory(work, "tmp-");
        Probe p = probe(
                classPath(readOnlyJar(), testClasses),
                "-D" + NativeLibrary.PATH_PROPERTY + "=" + library,
                "-Djava.io.tmpdir=" + tmp);
        assertEquals(0, p.exit(), p.all());
        assertEquals("LOADED " + library, p.line(), p.all());
        assertEquals(List.of(), list(tmp), "the bundled library is not extracted");
    }

    @Test
    void aUserSuppliedDirectoryIsSearchedForTheLibraryFile() throws Exception {
        Path dir = Files.createTempDirectory(work, "lib-");
        Files.copy(library, dir.resolve(NativeLibrary.LIBRARY_FILE));
        Probe p = probe(classPath(classes, testClasses), "-D" + NativeLibrary.PATH_PROPERTY + "=" + dir);
        assertEquals(0, p.exit(), p.all());
        assertEquals("LOADED " + dir.resolve(NativeLibrary.LIBRARY_FILE), p.line(), p.all());
    }

    @Test
    void userSuppliedPathsThatCannotWorkAreNamed() throws Exception {
        String cp = classPath(classes, testClasses);
        String property = "-D" + NativeLibrary.PATH_PROPERTY + "=";

        Path missing = work.resolve("no-such-lib.so");
        Probe p = probe(cp, property + missing);
        assertEquals(3, p.exit(), p.all());
        assertEquals(
                "FAILED cannot load the rwkvx native library " + missing + " (from " + property + missing
                        + "): no such file",
                p.line(),
                p.all());

        Path empty = Files.createTempDirectory(work, "empty-");
        p = probe(cp, property + empty);
        assertEquals(3, p.exit(), p.all());
        assertEquals(
                "FAILED cannot load the rwkvx native library: directory " + empty + " (from " + property + empty
                        + ") holds no " + NativeLibrary.LIBRARY_FILE,
                p.line(),
                p.all());

        Path text = Files.writeString(work.resolve("librwkvx-text.so"), "not a shared library\n");
        p = probe(cp, property + text);
        assertEquals(3, p.exit(), p.all());
        assertTrue(
                p.line()
                        .startsWith("FAILED cannot load the rwkvx native library " + text + " (from " + property + text
                                + "): "),
                p.all());
        assertTrue(p.line().contains("invalid ELF header") || p.line().contains("too short"), p.all());
    }

    @Test
    void aSharedLibraryThatIsNotRwkvxIsRefusedByName() throws Exception {
        // Any ELF shared library without rwkvx's symbols: the C runtime's math library is on every Linux system.
        Path other = Stream.of(
                        "/lib/x86_64-linux-gnu/libm.so.6", "/usr/lib/x86_64-linux-gnu/libm.so.6", "/lib64/libm.so.6")
                .map(Path::of)
                .filter(Files::isRegularFile)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no libm.so.6 in the usual places"));
        Probe p = probe(classPath(classes, testClasses), "-D" + NativeLibrary.PATH_PROPERTY + "=" + other);
        assertEquals(3, p.exit(), p.all());
        assertTrue(p.line().startsWith("FAILED " + other + " (from -D" + NativeLibrary.PATH_PROPERTY), p.all());
        assertTrue(p.line().contains("is not a usable rwkvx library"), p.all());
    }
}
