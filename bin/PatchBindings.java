/*
 * Hand-written (not generated): the post-processing step of bin/regenerate-bindings.
 *
 *   java bin/PatchBindings.java [java/io/rwkvx/ffi]
 *
 * A single-file program (runs on any JDK 17+ with no build) that rewrites the jextract output in place:
 *
 *  1. Linker.Option.critical(false) on the downcall handles of exactly the functions in
 *     CRITICAL_FUNCTIONS, and on no other. Critical calls skip the Java-to-native thread-state
 *     transition, so they are only for calls that are short, never block, never call back into Java
 *     and start no threads. jextract has no option for this, hence the patch. This list is the one
 *     place that decides which functions are critical; BindingsSyncTest reads it from this file and
 *     checks the bindings against it.
 *
 *  2. The indexed accessors of array fields in struct classes (e.g. rwkvx_tensor.shape(seg, i)).
 *     jextract 22 derives their VarHandle from the field's own sequence layout but then applies it at
 *     base offset 0L of the struct, so shape(seg, 0) would read the struct's first field. Where the
 *     output has that form, the base offset becomes the field's offset (FIELD$OFFSET). Output of a
 *     jextract that derives the handle from the struct layout is left alone.
 *
 * The folder holds only generated files (the hand-written library loader is io.rwkvx.nativelib.NativeLibrary,
 * outside it). The program is idempotent and exits non-zero, changing nothing, when the input is not in the
 * form it expects (for instance a listed function that no longer exists in the header, or a file without
 * jextract's '// Generated' first line).
 */

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

public class PatchBindings {

    /** Short, non-blocking functions whose downcalls get Linker.Option.critical(false). */
    static final List<String> CRITICAL_FUNCTIONS = List.of(
            "rwkvx_last_error",
            "rwkvx_live_handles",
            "rwkvx_status_name",
            "rwkvx_version",
            "rwkvx_abi_version",
            "rwkvx_cpu_features",
            "rwkvx_dtype_bytes",
            "rwkvx_context_describe",
            "rwkvx_context_threads",
            "rwkvx_context_backend",
            "rwkvx_model_get_info",
            "rwkvx_state_size",
            "rwkvx_kv_cache_length");

    static final String HEADER_CLASS = "rwkvx_h.java";
    static final String CRITICAL = "Linker.Option.critical(false)";

    /** jextract's per-function holder class: DESC, ADDR and HANDLE. */
    static final Pattern HOLDER = Pattern.compile("(?s)private static class (\\w+) \\{(.*?)\\n    \\}");

    static final Pattern HANDLE_INIT = Pattern.compile(
            "Linker\\.nativeLinker\\(\\)\\.downcallHandle\\(ADDR, DESC(?:, Linker\\.Option\\.critical\\((?:true|false)\\))?\\);");
    static final Pattern FIELD_ELEM_HANDLE =
            Pattern.compile("private static final VarHandle (\\w+)\\$ELEM_HANDLE = \\1\\$LAYOUT\\.varHandle\\(");

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "java/io/rwkvx/ffi");
        Path headerClass = dir.resolve(HEADER_CLASS);
        if (!Files.isRegularFile(headerClass)) {
            fail(headerClass + " does not exist: run jextract first (bin/regenerate-bindings does)");
        }
        Map<Path, String> patched = new LinkedHashMap<>();
        String header = Files.readString(headerClass, StandardCharsets.UTF_8);
        String newHeader = patchCritical(header);
        if (!newHeader.equals(header)) {
            patched.put(headerClass, newHeader);
        }
        List<Path> sources;
        try (Stream<Path> files = Files.list(dir)) {
            sources = files.filter(p -> p.getFileName().toString().endsWith(".java"))
                    .sorted()
                    .toList();
        }
        for (Path source : sources) {
            if (!Files.readString(source, StandardCharsets.UTF_8).startsWith("// Generated")) {
                fail(source + " has no '// Generated' first line: " + dir + " holds only jextract output"
                        + " (hand-written code belongs in another package)");
            }
        }
        for (Path source : sources) {
            String text = patched.getOrDefault(source, Files.readString(source, StandardCharsets.UTF_8));
            String fixed = fixIndexedAccessors(text, source);
            if (!fixed.equals(text)) {
                patched.put(source, fixed);
            }
        }
        for (Map.Entry<Path, String> e : patched.entrySet()) {
            Files.writeString(e.getKey(), e.getValue(), StandardCharsets.UTF_8);
            System.out.println("patched " + e.getKey());
        }
        if (patched.isEmpty()) {
            System.out.println("bindings in " + dir + " already patched");
        }
    }

    /** Puts critical(false) on the listed holders' handles and removes any critical option elsewhere. */
    static String patchCritical(String source) {
        Set<String> wanted = new LinkedHashSet<>(CRITICAL_FUNCTIONS);
        Set<String> seen = new LinkedHashSet<>();
        List<String> errors = new ArrayList<>();
        Matcher holder = HOLDER.matcher(source);
        StringBuilder out = new StringBuilder();
        while (holder.find()) {
            String name = holder.group(1);
            String body = holder.group(2);
            Matcher init = HANDLE_INIT.matcher(body);
            if (!init.find()) {
                errors.add("holder class " + name + " has no downcallHandle(ADDR, DESC[, option]) initializer");
                continue;
            }
            boolean critical = wanted.contains(name);
            if (critical) {
                seen.add(name);
            }
            String replacement = critical
                    ? "Linker.nativeLinker().downcallHandle(ADDR, DESC, " + CRITICAL + ");"
                    : "Linker.nativeLinker().downcallHandle(ADDR, DESC);";
            String newBody = body.substring(0, init.start()) + replacement + body.substring(init.end());
            holder.appendReplacement(
                    out, Matcher.quoteReplacement("private static class " + name + " {" + newBody + "\n    }"));
        }
        holder.appendTail(out);
        Set<String> missing = new LinkedHashSet<>(wanted);
        missing.removeAll(seen);
        if (!missing.isEmpty()) {
            errors.add("CRITICAL_FUNCTIONS names functions that have no binding in " + HEADER_CLASS + ": " + missing
                    + " (renamed or removed from include/rwkvx.h? update the list in bin/PatchBindings.java)");
        }
        if (!errors.isEmpty()) {
            fail(String.join("\n", errors));
        }
        return out.toString();
    }

    /** Makes indexed array-field accessors apply the field's offset (see the class comment, point 2). */
    static String fixIndexedAccessors(String source, Path file) {
        Matcher m = FIELD_ELEM_HANDLE.matcher(source);
        String result = source;
        while (m.find()) {
            String field = Pattern.quote(m.group(1));
            String name = Matcher.quoteReplacement(m.group(1));
            String replacement = name + "\\$ELEM_HANDLE.$1($2, " + name + "\\$OFFSET, index0";
            String before = result;
            result = result.replaceAll(field + "\\$ELEM_HANDLE\\.(get|set)\\((\\w+), 0L, index0", replacement);
            if (before.equals(result)
                    && !result.contains(m.group(1) + "$ELEM_HANDLE.get(struct, " + m.group(1) + "$OFFSET")) {
                fail(file + ": indexed accessors of field " + m.group(1) + " are in a form this patch does not know");
            }
        }
        return result;
    }

    static void fail(String message) {
        System.err.println("PatchBindings: " + message);
        System.exit(1);
    }
}
