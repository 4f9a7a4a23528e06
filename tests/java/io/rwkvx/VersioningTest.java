package io.rwkvx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rwkvx.ffi.rwkvx_h;
import io.rwkvx.nativelib.NativeLibrary;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * One version number (docs/versioning.md §1): the Maven artifact's, the CMake project's, the native library's
 * {@code rwkvx_version()} and the module descriptor's agree; and the C ABI version the bindings were generated
 * from is the library's.
 */
class VersioningTest {
    private static String match(Path file, String regex) throws Exception {
        Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(Files.readString(file));
        assertTrue(m.find(), file + " has no match for " + regex);
        return m.group(1);
    }

    @Test
    void everyPlaceCarriesTheSameVersion() throws Exception {
        // The project's own <version>: the first one indented by two spaces (dependencies' are deeper).
        String maven = match(Path.of("pom.xml"), "^  <version>([^<]+)</version>");
        assertEquals(maven, match(Path.of("CMakeLists.txt"), "^project\\(rwkvx VERSION (\\S+)"), "CMakeLists.txt");
        NativeLibrary.load();
        assertEquals(maven, rwkvx_h.rwkvx_version().reinterpret(64).getString(0), "rwkvx_version()");
        Path classes = Path.of(NativeLibrary.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        try (InputStream in = Files.newInputStream(classes.resolve("module-info.class"))) {
            assertEquals(maven, ModuleDescriptor.read(in).rawVersion().orElse("none"), "module io.rwkvx's version");
        }
        for (String consumer : new String[] {"consumer", "consumer-langchain4j"}) {
            Path pom = Path.of("tests/release", consumer, "pom.xml");
            assertEquals(maven, match(pom, "<rwkvx.version>([^<]+)</rwkvx.version>"), pom.toString());
        }
        assertEquals(
                match(Path.of("pom.xml"), "<langchain4j.version>([^<]+)</langchain4j.version>"),
                match(Path.of("tests/release/consumer-langchain4j/pom.xml"), "<langchain4j.version>([^<]+)<"),
                "the provider's consumer uses the langchain4j-core the provider is built against");
    }

    @Test
    void theBindingsAndTheLibraryShareTheAbiVersion() throws Exception {
        NativeLibrary.load();
        assertEquals(rwkvx_h.RWKVX_ABI_VERSION(), rwkvx_h.rwkvx_abi_version());
        assertEquals(
                String.valueOf(rwkvx_h.RWKVX_ABI_VERSION()),
                match(Path.of("include/rwkvx.h"), "^#define RWKVX_ABI_VERSION (\\d+)"));
    }
}
