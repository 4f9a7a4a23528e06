package io.rwkvx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The repository explains itself: the README's layout table names every folder of the architecture and
 * nothing that is gone, and no file cites a document outside the repository (the design notes live in
 * {@code docs/}). Working directory = repository root.
 */
class RepositoryLayoutTest {
    private static final Path ROOT = Path.of("");
    /** Folders that hold no sources of their own layer (build output, VCS, IDE). */
    private static final Set<String> NOT_SOURCE = Set.of(".git", "target", ".idea", ".vscode");

    @Test
    void readmeLayoutTableMatchesTheTree() throws IOException {
        Set<String> listed = layoutTablePaths();
        List<String> missing = new ArrayList<>();
        for (String p : listed) if (!Files.exists(ROOT.resolve(p))) missing.add(p);
        assertEquals(List.of(), missing, "README.md's layout table names paths that do not exist");

        Set<String> unlisted = new TreeSet<>();
        for (String folder : architectureFolders())
            if (listed.stream().noneMatch(p -> p.equals(folder) || folder.startsWith(p + "/") && !isLayerParent(p)))
                unlisted.add(folder);
        assertEquals(Set.of(), unlisted, "folders missing from README.md's layout table (add a row for each)");
    }

    @Test
    void noFileCitesADocumentOutsideTheRepository() throws IOException {
        // The notes outside the repository: their spec and design files, by name or by folder.
        Pattern outside = Pattern.compile("shared/(spec|design|testdata)|(?<![\\w/-])(rwkvx|kernels)\\.md|spec §");
        // Outside docs/ a document is cited by its path inside the repository: docs/formats.md, not formats.md.
        Pattern bareDocs = Pattern.compile("(?<![\\w/.-])(formats|numerics|architecture|rwkv-x)\\.md");
        List<String> found = new ArrayList<>();
        try (Stream<Path> files = Files.walk(ROOT)) {
            for (Path f : (Iterable<Path>)
                    files.filter(Files::isRegularFile).filter(RepositoryLayoutTest::isSource)::iterator) {
                String rel = ROOT.relativize(f).toString().replace('\\', '/');
                if (rel.equals("tests/java/io/rwkvx/RepositoryLayoutTest.java")) continue; // names the patterns
                String text = read(f);
                if (text == null) continue;
                String[] lines = text.split("\n", -1);
                for (int i = 0; i < lines.length; i++) {
                    Matcher m = outside.matcher(lines[i]);
                    boolean bad = m.find();
                    if (!bad && !rel.startsWith("docs/"))
                        bad = bareDocs.matcher(lines[i]).find();
                    if (bad) found.add(rel + ":" + (i + 1) + ": " + lines[i].strip());
                }
            }
        }
        assertEquals(
                List.of(),
                found,
                "cite docs/formats.md, docs/rwkv-x.md, docs/numerics.md or docs/architecture.md instead");
    }

    /** Paths in the first column of README.md's "## Layout" table (back-quoted, several per cell allowed). */
    private static Set<String> layoutTablePaths() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        int start = readme.indexOf("\n## Layout");
        assertTrue(start >= 0, "README.md has no '## Layout' section");
        int end = readme.indexOf("\n## ", start + 1);
        String section = readme.substring(start, end < 0 ? readme.length() : end);
        Set<String> paths = new TreeSet<>();
        Pattern quoted = Pattern.compile("`([^`]+)`");
        for (String line : section.split("\n")) {
            if (!line.startsWith("|") || line.startsWith("|---") || line.startsWith("| path")) continue;
            String cell = line.substring(1, line.indexOf('|', 1));
            Matcher m = quoted.matcher(cell);
            while (m.find()) paths.add(m.group(1).replaceAll("/+$", ""));
        }
        assertTrue(paths.size() > 5, "README.md's layout table lists too few paths: " + paths);
        return paths;
    }

    /**
     * The folders the layout table must name: every top-level folder, and each folder one level below
     * native/, java/io/rwkvx/ and tests/ (the layers and packages).
     */
    private static Set<String> architectureFolders() throws IOException {
        Set<String> folders = new TreeSet<>();
        for (Path top : list(ROOT)) {
            String name = top.getFileName().toString();
            if (!Files.isDirectory(top) || name.startsWith(".") || NOT_SOURCE.contains(name)) continue;
            if (name.startsWith("build")) continue; // local CMake build folders
            folders.add(name);
        }
        for (String parent : List.of("native", "java/io/rwkvx", "tests"))
            for (Path sub : list(ROOT.resolve(parent)))
                if (Files.isDirectory(sub)) folders.add(parent + "/" + sub.getFileName());
        folders.removeAll(Set.of("java", "native", "tests")); // named through their subfolders
        folders.remove("tests/java"); // tests/java mirrors java/
        return folders;
    }

    /** A folder whose subfolders are layers of their own and need rows of their own. */
    private static boolean isLayerParent(String p) {
        return p.equals("native") || p.equals("java/io/rwkvx") || p.equals("java") || p.equals("tests");
    }

    private static List<Path> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    private static boolean isSource(Path f) {
        String rel = ROOT.relativize(f).toString().replace('\\', '/');
        String first = rel.contains("/") ? rel.substring(0, rel.indexOf('/')) : rel;
        if (NOT_SOURCE.contains(first) || first.startsWith("build") || first.equals("models")) return false;
        if (rel.startsWith("tests/data/")) return false;
        return rel.matches(".*\\.(java|h|cpp|cu|cuh|cmake|txt|md|sh|py|xml)$")
                || rel.startsWith("bin/")
                || rel.startsWith(".ci/")
                || rel.endsWith("CMakeLists.txt");
    }

    private static String read(Path f) {
        try {
            return Files.readString(f, StandardCharsets.UTF_8);
        } catch (MalformedInputException e) {
            return null; // not text
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
