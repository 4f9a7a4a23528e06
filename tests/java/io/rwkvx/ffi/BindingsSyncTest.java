package io.rwkvx.ffi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.rwkvx.nativelib.NativeLibrary;
import java.io.IOException;
import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.SequenceLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.jar.JarFile;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Fails when include/rwkvx.h and the jextract-form bindings in {@code io.rwkvx.ffi} disagree.
 *
 * <p>The header is parsed here (prototypes, struct definitions, enum constants, integer #defines) and
 * compared with the bindings through reflection and their layouts: one wrapper per C function with the
 * right Java types, {@code $descriptor()}s with the right value layouts, struct layouts with the C
 * member names, sizes and offsets (computed here with the x86-64 LP64 C rules), the constant values,
 * and {@code Linker.Option.critical(false)} on exactly the functions listed in bin/PatchBindings.java.
 * The self-tests at the end feed the checker altered copies of the header and of the bindings source
 * and assert that it reports every alteration, so this test provably can fail.
 *
 * <p>Paths: system property {@code rwkvx.header} (default {@code include/rwkvx.h}, relative to the
 * working directory, which is the repository root under Maven); the bindings' sources and
 * bin/PatchBindings.java are found relative to the header's repository, or with the properties
 * {@code rwkvx.bindings.dir} and {@code rwkvx.patch.program}.
 */
class BindingsSyncTest {

    private static final String PACKAGE = "io.rwkvx.ffi";
    private static final Class<?> HEADER_CLASS = rwkvx_h.class;
    private static final String FIX_HINT =
            "\nRegenerate the bindings with bin/regenerate-bindings (or edit them in jextract's form), or fix the header.";

    // ---------------------------------------------------------------------------------------------
    // The tests proper

    @Test
    void headerIsFullyUnderstood() {
        assertNoProblems("include/rwkvx.h has declarations this checker cannot compare", header().problems());
    }

    @Test
    void everyFunctionHasOneWrapperWithMatchingJavaTypesAndNoWrapperLacksAPrototype() {
        Checker checker = new Checker();
        checker.functions(header(), HEADER_CLASS);
        assertNoProblems("functions", checker.problems);
    }

    @Test
    void functionDescriptorsMatchThePrototypes() {
        String reason = NativeLibrary.unavailableReason();
        if (reason != null) {
            fail("BindingsSyncTest needs the native library to compare the $descriptor()s: in jextract's form a"
                    + " function's descriptor lives in the holder class that also looks the symbol up. Build the"
                    + " library first (Maven runs CMake before the tests) or pass -Drwkvx.library.path=...\n"
                    + "Loading it failed: " + reason);
        }
        Checker checker = new Checker();
        checker.descriptors(header(), HEADER_CLASS);
        assertNoProblems("function descriptors", checker.problems);
    }

    @Test
    void structLayoutsMatchTheDefinitions() {
        Checker checker = new Checker();
        checker.structs(header(), BindingsSyncTest::bindingClass, bindingStructClasses());
        assertNoProblems("structs", checker.problems);
    }

    @Test
    void fieldAccessorsReadAndWriteTheFieldsOwnBytes() {
        Checker checker = new Checker();
        checker.fieldAccessors(header(), BindingsSyncTest::bindingClass);
        assertNoProblems("struct field accessors", checker.problems);
    }

    @Test
    void constantsHaveTheHeadersValues() {
        Checker checker = new Checker();
        checker.constants(header(), HEADER_CLASS);
        assertNoProblems("constants", checker.problems);
    }

    @Test
    void criticalOptionIsOnExactlyTheListedFunctions() {
        List<String> critical = criticalList();
        assertFalse(critical.isEmpty(), "no CRITICAL_FUNCTIONS in " + patchProgram());
        Checker checker = new Checker();
        checker.critical(header(), headerClassSource(), critical);
        assertNoProblems("Linker.Option.critical", checker.problems);
    }

    // ---------------------------------------------------------------------------------------------
    // Self-tests: the checker must report every disagreement

    @Test
    void selfTestCheckerReportsAChangedParameterType() {
        String text = headerText();
        Matcher m = Pattern.compile("(RWKVX_API\\s[^;(]*?\\b(\\w+)\\s*\\([^;)]*?)\\bint32_t(\\s+\\w+\\s*[,)])")
                .matcher(text);
        assertTrue(m.find(), "self-test: no prototype with an int32_t parameter left to alter");
        String function = m.group(2);
        String altered = text.substring(0, m.start()) + m.group(1) + "int64_t" + m.group(3) + text.substring(m.end());
        assertReported(altered, function + ": parameter");
    }

    @Test
    void selfTestCheckerReportsARemovedFunction() {
        String text = headerText();
        Matcher m =
                Pattern.compile("RWKVX_API\\s[^;(]*?\\b(\\w+)\\s*\\([^;]*\\);").matcher(text);
        MatchResult last = null;
        while (m.find()) {
            last = m.toMatchResult();
        }
        assertTrue(last != null, "self-test: no prototype to remove");
        String altered = text.substring(0, last.start()) + text.substring(last.end());
        assertReported(altered, "binding " + last.group(1) + " has no C prototype");
    }

    @Test
    void selfTestCheckerReportsAnAddedFunction() {
        String text = headerText();
        int at = text.lastIndexOf("RWKVX_API");
        at = text.indexOf(';', at) + 1;
        String altered = text.substring(0, at)
                + "\nRWKVX_API int32_t rwkvx_selftest_added(const rwkvx_model *m, float x);" + text.substring(at);
        assertReported(altered, "rwkvx_selftest_added has no wrapper");
    }

    @Test
    void selfTestCheckerReportsChangedConstantValues() {
        String text = headerText();
        Matcher define =
                Pattern.compile("(#define[ \\t]+(\\w+)[ \\t]+)(\\d+)\\b").matcher(text);
        assertTrue(define.find(), "self-test: no integer #define to alter");
        String altered = text.substring(0, define.start())
                + define.group(1)
                + (Long.parseLong(define.group(3)) + 40)
                + text.substring(define.end());
        assertReported(altered, "constant " + define.group(2) + " ");

        Matcher enumerator = Pattern.compile("(enum\\s+\\w*\\s*\\{[^}]*?\\b(\\w+)\\s*=\\s*)(\\d+)")
                .matcher(text);
        assertTrue(enumerator.find(), "self-test: no enum constant to alter");
        altered = text.substring(0, enumerator.start())
                + enumerator.group(1)
                + (Long.parseLong(enumerator.group(3)) + 40)
                + text.substring(enumerator.end());
        assertReported(altered, "constant " + enumerator.group(2) + " ");
    }

    @Test
    void selfTestCheckerReportsAChangedStructField() {
        String text = headerText();
        Matcher m = Pattern.compile("(typedef\\s+struct\\s+(\\w+)\\s*\\{[^}]*?)\\bint32_t(\\s+(\\w+)\\s*;)")
                .matcher(text);
        assertTrue(m.find(), "self-test: no int32_t struct field to alter");
        String altered = text.substring(0, m.start()) + m.group(1) + "int64_t" + m.group(3) + text.substring(m.end());
        String expected = "struct " + m.group(2) + ": field " + m.group(4);
        Checker baseline = new Checker();
        baseline.structs(header(), BindingsSyncTest::bindingClass, bindingStructClasses());
        assertNotReported(baseline.problems, expected);
        Checker checker = new Checker();
        checker.structs(parse(altered), BindingsSyncTest::bindingClass, bindingStructClasses());
        assertContains(checker.problems, expected);
    }

    @Test
    void selfTestCheckerReportsDescriptorMismatches() {
        CHeader header = parse("""
                #define RWKVX_API
                RWKVX_API const char *f(int32_t status, float x);
                RWKVX_API void g(void);
                """);
        Checker right = new Checker();
        right.compareDescriptor(
                header.functions().get("f"), FunctionDescriptor.of(rwkvx_h.C_POINTER, rwkvx_h.C_INT, rwkvx_h.C_FLOAT));
        right.compareDescriptor(header.functions().get("g"), FunctionDescriptor.ofVoid());
        assertEquals(List.of(), right.problems);

        Checker wrong = new Checker();
        wrong.compareDescriptor(
                header.functions().get("f"), FunctionDescriptor.of(rwkvx_h.C_INT, rwkvx_h.C_LONG, rwkvx_h.C_FLOAT));
        wrong.compareDescriptor(header.functions().get("g"), FunctionDescriptor.of(rwkvx_h.C_INT, rwkvx_h.C_INT));
        assertContains(wrong.problems, "f$descriptor(): result");
        assertContains(wrong.problems, "f$descriptor(): parameter 0 'status'");
        assertContains(wrong.problems, "g$descriptor(): result");
        assertContains(wrong.problems, "g$descriptor(): 1 parameters");
    }

    @Test
    void selfTestCheckerReportsAMisplacedCriticalOption() {
        List<String> critical = criticalList();
        // start from a source that is right whatever state the real one is in, and make sure it passes
        String source = withCriticalOption(headerClassSource(), critical);
        Checker baseline = new Checker();
        baseline.critical(header(), source, critical);
        String listed = critical.get(0);
        String unlisted = header().functions().keySet().stream()
                .filter(f -> !critical.contains(f))
                .findFirst()
                .orElseThrow();
        String withCritical = "downcallHandle(ADDR, DESC, Linker.Option.critical(false));";
        String without = "downcallHandle(ADDR, DESC);";
        String altered = replaceInHolder(source, listed, withCritical, without);
        altered = replaceInHolder(altered, unlisted, without, withCritical);
        Checker checker = new Checker();
        checker.critical(header(), altered, critical);
        for (String expected : List.of(
                listed + " is in CRITICAL_FUNCTIONS but its downcall handle",
                unlisted + " has Linker.Option.critical")) {
            assertNotReported(baseline.problems, expected);
            assertContains(checker.problems, expected);
        }

        Checker unknown = new Checker();
        List<String> withUnknown = new ArrayList<>(critical);
        withUnknown.add("rwkvx_no_such_function");
        unknown.critical(header(), source, withUnknown);
        assertNotReported(baseline.problems, "rwkvx_no_such_function");
        assertContains(unknown.problems, "CRITICAL_FUNCTIONS names rwkvx_no_such_function");
    }

    /** The source with critical(false) on the listed functions' handles and no option on the others. */
    private static String withCriticalOption(String source, List<String> critical) {
        Matcher holder = Pattern.compile("(?s)private static class (\\w+) \\{.*?\\n    \\}")
                .matcher(source);
        StringBuilder out = new StringBuilder();
        while (holder.find()) {
            String handle = critical.contains(holder.group(1))
                    ? "downcallHandle(ADDR, DESC, Linker.Option.critical(false));"
                    : "downcallHandle(ADDR, DESC);";
            holder.appendReplacement(
                    out,
                    Matcher.quoteReplacement(holder.group()
                            .replaceAll("downcallHandle\\(ADDR, DESC[^;]*;", Matcher.quoteReplacement(handle))));
        }
        holder.appendTail(out);
        return out.toString();
    }

    private static String replaceInHolder(String source, String function, String from, String to) {
        Matcher holder = Pattern.compile("(?s)private static class " + Pattern.quote(function) + " \\{.*?\\n    \\}")
                .matcher(source);
        assertTrue(holder.find(), "self-test: no holder class for " + function + " in rwkvx_h.java");
        String body = holder.group();
        assertTrue(body.contains(from), "self-test: holder of " + function + " does not contain " + from);
        return source.substring(0, holder.start()) + body.replace(from, to) + source.substring(holder.end());
    }

    /**
     * Runs the library-free checks on the real header and on {@code alteredHeader}: the expected problem must be
     * reported for the altered one only (so the self-tests do not depend on the bindings being in sync).
     */
    private static void assertReported(String alteredHeader, String expectedProblem) {
        Checker baseline = new Checker();
        baseline.all(header(), false);
        assertNotReported(baseline.problems, expectedProblem);
        Checker checker = new Checker();
        checker.all(parse(alteredHeader), false);
        assertContains(checker.problems, expectedProblem);
    }

    private static void assertNotReported(List<String> problems, String unexpected) {
        assertTrue(
                problems.stream().noneMatch(p -> p.contains(unexpected)),
                "self-test: '" + unexpected + "' is reported for the unaltered header already:\n - "
                        + String.join("\n - ", problems));
    }

    private static void assertContains(List<String> problems, String expected) {
        assertTrue(
                problems.stream().anyMatch(p -> p.contains(expected)),
                "the checker did not report '" + expected + "'; it reported:\n - " + String.join("\n - ", problems));
    }

    private static void assertNoProblems(String what, List<String> problems) {
        if (!problems.isEmpty()) {
            fail(problems.size() + " disagreement(s) between " + headerPath() + " and " + PACKAGE + " (" + what
                    + "):\n - " + String.join("\n - ", problems) + FIX_HINT);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Locations

    static Path headerPath() {
        return Path.of(System.getProperty("rwkvx.header", "include/rwkvx.h"))
                .toAbsolutePath()
                .normalize();
    }

    static Path repoRoot() {
        Path parent = headerPath().getParent();
        return parent.getParent() != null ? parent.getParent() : parent;
    }

    static Path bindingsDir() {
        String dir = System.getProperty("rwkvx.bindings.dir");
        return dir != null ? Path.of(dir) : repoRoot().resolve("java/io/rwkvx/ffi");
    }

    static Path patchProgram() {
        String file = System.getProperty("rwkvx.patch.program");
        return file != null ? Path.of(file) : repoRoot().resolve("bin/PatchBindings.java");
    }

    static String headerText() {
        return read(headerPath(), "the C header (set -Drwkvx.header=... when not running from the repository root)");
    }

    static CHeader header() {
        return parse(headerText());
    }

    static String headerClassSource() {
        return read(bindingsDir().resolve("rwkvx_h.java"), "the source of the bindings (-Drwkvx.bindings.dir=...)");
    }

    /** CRITICAL_FUNCTIONS of bin/PatchBindings.java, the one place that list lives. */
    static List<String> criticalList() {
        String source = read(patchProgram(), "the post-processing program of bin/regenerate-bindings");
        Matcher m = Pattern.compile("(?s)CRITICAL_FUNCTIONS\\s*=\\s*List\\.of\\((.*?)\\);")
                .matcher(source);
        if (!m.find()) {
            fail("no 'CRITICAL_FUNCTIONS = List.of(...);' in " + patchProgram());
        }
        List<String> names = new ArrayList<>();
        Matcher name = Pattern.compile("\"(\\w+)\"").matcher(m.group(1));
        while (name.find()) {
            names.add(name.group(1));
        }
        return names;
    }

    private static String read(Path file, String what) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError("cannot read " + what + " at " + file + ": " + e, e);
        }
    }

    static Class<?> bindingClass(String simpleName) {
        try {
            return Class.forName(PACKAGE + "." + simpleName, false, HEADER_CLASS.getClassLoader());
        } catch (ClassNotFoundException e) {
            return null;
        }
    }

    /** Top-level classes of the package with a static layout() returning a GroupLayout. */
    static Set<String> bindingStructClasses() {
        Set<String> result = new TreeSet<>();
        for (String name : classesInPackage()) {
            Class<?> c = bindingClass(name);
            if (c == null) {
                continue;
            }
            try {
                Method layout = c.getMethod("layout");
                if (Modifier.isStatic(layout.getModifiers())
                        && GroupLayout.class.isAssignableFrom(layout.getReturnType())) {
                    result.add(name);
                }
            } catch (NoSuchMethodException e) {
                // not a struct class
            }
        }
        return result;
    }

    private static Set<String> classesInPackage() {
        URL url = HEADER_CLASS.getResource(HEADER_CLASS.getSimpleName() + ".class");
        Set<String> names = new TreeSet<>();
        try {
            if ("file".equals(url.getProtocol())) {
                try (Stream<Path> files = Files.list(Path.of(url.toURI()).getParent())) {
                    files.map(p -> p.getFileName().toString())
                            .filter(n -> n.endsWith(".class") && !n.contains("$"))
                            .forEach(n -> names.add(n.substring(0, n.length() - ".class".length())));
                }
            } else if ("jar".equals(url.getProtocol())) {
                String prefix = PACKAGE.replace('.', '/') + "/";
                try (JarFile jar = ((JarURLConnection) url.openConnection()).getJarFile()) {
                    jar.stream()
                            .map(e -> e.getName())
                            .filter(n -> n.startsWith(prefix) && n.endsWith(".class"))
                            .map(n -> n.substring(prefix.length(), n.length() - ".class".length()))
                            .filter(n -> !n.contains("/") && !n.contains("$"))
                            .forEach(names::add);
                }
            } else {
                fail("cannot list the classes of " + PACKAGE + " from " + url);
            }
        } catch (Exception e) {
            throw new AssertionError("cannot list the classes of " + PACKAGE + " from " + url + ": " + e, e);
        }
        return names;
    }

    // ---------------------------------------------------------------------------------------------
    // A model of the header, and its parser

    enum Kind {
        VOID,
        BOOL,
        BYTE,
        SHORT,
        INT,
        LONG,
        FLOAT,
        DOUBLE,
        POINTER,
        STRUCT,
        UNKNOWN
    }

    record CType(String spelling, Kind kind, String struct) {
        @Override
        public String toString() {
            return spelling;
        }
    }

    record Param(String name, CType type) {}

    record CFunction(String name, CType result, List<Param> params) {}

    /** {@code count} is the array length, 0 for a field that is not an array. */
    record CField(String name, CType type, long count) {
        String declaration() {
            return type.spelling() + " " + name + (count > 0 ? "[" + count + "]" : "");
        }
    }

    record CStruct(String name, List<CField> fields) {}

    record CHeader(
            Map<String, CFunction> functions,
            Map<String, CStruct> structs,
            Map<String, Long> constants,
            List<String> problems) {}

    private static final Pattern DEFINE = Pattern.compile("#\\s*define\\s+(\\w+)\\s+(.*)");
    private static final Pattern INTEGER = Pattern.compile("\\(?\\s*(-?)\\s*(0[xX][0-9a-fA-F]+|\\d+)[uUlL]*\\s*\\)?");
    private static final Pattern ENUM = Pattern.compile("(typedef\\s+)?enum\\s*(\\w+)?\\s*\\{(.*)\\}\\s*(\\w+)?");
    private static final Pattern STRUCT = Pattern.compile("(typedef\\s+)?struct\\s*(\\w+)?\\s*\\{(.*)\\}\\s*(\\w+)?");
    private static final Pattern TYPEDEF_TAG = Pattern.compile("typedef\\s+(struct|enum|union)\\s+(\\w+)\\s+(\\w+)");
    private static final Pattern TYPEDEF = Pattern.compile("typedef\\s+([^()\\[\\]]+?)\\s*\\b(\\w+)");
    private static final Pattern FUNCTION = Pattern.compile("RWKVX_API\\s+(.*?)\\b(\\w+)\\s*\\((.*)\\)");
    private static final Pattern DECLARATOR = Pattern.compile("(.*?)\\b(\\w+)\\s*(?:\\[\\s*(\\w*)\\s*\\])?");

    static CHeader parse(String text) {
        return new Parser().parse(text);
    }

    private static final class Parser {
        static final int NORMAL = 0;
        static final int CPP_ONLY = 1;
        static final int C_ONLY = 2;
        final Map<String, CFunction> functions = new LinkedHashMap<>();
        final Map<String, CStruct> structs = new LinkedHashMap<>();
        final Map<String, Long> constants = new LinkedHashMap<>();
        final List<String> problems = new ArrayList<>();
        final Set<String> enumTypes = new HashSet<>();
        final Map<String, String> structAliases = new LinkedHashMap<>(); // tag or typedef name -> struct name
        final Map<String, String> typedefs = new LinkedHashMap<>(); // name -> aliased type spelling

        CHeader parse(String text) {
            String code = stripComments(text).replace("\\\r\n", " ").replace("\\\n", " ");
            StringBuilder declarations = new StringBuilder();
            // Every branch of an #if is read (the header's conditionals only choose RWKVX_API's spelling),
            // except the C++-only branches of #if(n)def __cplusplus (extern "C" { and its closing brace).
            Deque<Integer> conditionals = new ArrayDeque<>(); // NORMAL, CPP_ONLY (skipped) or C_ONLY
            for (String line : code.split("\\R")) {
                String trimmed = line.strip();
                if (trimmed.startsWith("#")) {
                    String directive = trimmed.substring(1).strip();
                    boolean cplusplus = directive.contains("__cplusplus");
                    if (directive.startsWith("if")) {
                        conditionals.push(
                                !cplusplus
                                        ? NORMAL
                                        : directive.startsWith("ifndef") || directive.contains("!")
                                                ? C_ONLY
                                                : CPP_ONLY);
                    } else if (directive.startsWith("else") || directive.startsWith("elif")) {
                        if (!conditionals.isEmpty()) {
                            int top = conditionals.pop();
                            conditionals.push(top == CPP_ONLY ? C_ONLY : top == C_ONLY ? CPP_ONLY : NORMAL);
                        }
                    } else if (directive.startsWith("endif")) {
                        if (!conditionals.isEmpty()) {
                            conditionals.pop();
                        }
                    } else if (!conditionals.contains(CPP_ONLY)) {
                        define(trimmed);
                    }
                    continue;
                }
                if (!conditionals.contains(CPP_ONLY)) {
                    declarations.append(line).append('\n');
                }
            }
            for (String statement : statements(declarations.toString())) {
                declaration(statement);
            }
            for (CFunction f : functions.values()) {
                for (CType t : typesOf(f)) {
                    if (t.kind() == Kind.UNKNOWN) {
                        problems.add(f.name() + ": C type '" + t.spelling() + "' has no known layout");
                    }
                }
            }
            for (CStruct s : structs.values()) {
                for (CField field : s.fields()) {
                    if (field.type().kind() == Kind.UNKNOWN || field.type().kind() == Kind.VOID) {
                        problems.add("struct " + s.name() + ": field " + field.name() + " has C type '"
                                + field.type().spelling() + "' with no known layout");
                    }
                }
            }
            return new CHeader(functions, structs, constants, problems);
        }

        private void define(String line) {
            Matcher d = DEFINE.matcher(line);
            if (d.matches()) {
                Matcher value = INTEGER.matcher(d.group(2).strip());
                if (value.matches()) {
                    long v = Long.decode(value.group(2));
                    constants.put(d.group(1), value.group(1).isEmpty() ? v : -v);
                }
            }
        }

        private void declaration(String statement) {
            Matcher m;
            if ((m = ENUM.matcher(statement)).matches()) {
                enumeration(m);
            } else if ((m = STRUCT.matcher(statement)).matches()) {
                structure(m);
            } else if ((m = TYPEDEF_TAG.matcher(statement)).matches()) {
                if (m.group(1).equals("enum")) {
                    enumTypes.add(m.group(3));
                } else if (m.group(1).equals("struct")) {
                    structAliases.put(m.group(3), m.group(2));
                }
            } else if ((m = FUNCTION.matcher(statement)).matches()) {
                function(m);
            } else if ((m = TYPEDEF.matcher(statement)).matches()) {
                typedefs.put(m.group(2), m.group(1).strip());
            } else {
                problems.add("declaration not understood: " + statement);
            }
        }

        private void enumeration(Matcher m) {
            String tag = m.group(2) != null ? m.group(2) : "";
            if (!tag.isEmpty()) {
                enumTypes.add(tag);
            }
            if (m.group(4) != null) {
                enumTypes.add(m.group(4));
            }
            long next = 0;
            for (String item : m.group(3).split(",")) {
                item = item.strip();
                if (item.isEmpty()) {
                    continue;
                }
                String name = item;
                long value = next;
                int eq = item.indexOf('=');
                if (eq >= 0) {
                    name = item.substring(0, eq).strip();
                    String expr = item.substring(eq + 1).strip();
                    Matcher integer = INTEGER.matcher(expr);
                    if (integer.matches()) {
                        long v = Long.decode(integer.group(2));
                        value = integer.group(1).isEmpty() ? v : -v;
                    } else if (constants.containsKey(expr)) {
                        value = constants.get(expr);
                    } else {
                        problems.add("enum " + tag + ": value of " + name + " not understood: " + expr);
                        continue;
                    }
                }
                constants.put(name, value);
                next = value + 1;
            }
        }

        private void structure(Matcher m) {
            String tag = m.group(2);
            String name = m.group(4) != null ? m.group(4) : tag;
            if (name == null) {
                problems.add("anonymous struct without a typedef name: " + m.group());
                return;
            }
            String body = m.group(3);
            if (body.contains("{")) {
                problems.add("struct " + name + ": nested struct/union definitions are not supported by this checker");
                return;
            }
            List<CField> fields = new ArrayList<>();
            for (String decl : body.split(";")) {
                decl = decl.strip();
                if (decl.isEmpty()) {
                    continue;
                }
                if (decl.contains(",") || decl.contains(":") || decl.contains("(")) {
                    problems.add("struct " + name + ": field declaration not supported by this checker: " + decl);
                    continue;
                }
                Matcher d = DECLARATOR.matcher(decl);
                if (!d.matches() || d.group(1).isBlank()) {
                    problems.add("struct " + name + ": field declaration not understood: " + decl);
                    continue;
                }
                long count = 0;
                if (d.group(3) != null) {
                    String n = d.group(3);
                    if (n.matches("\\d+")) {
                        count = Long.parseLong(n);
                    } else if (constants.containsKey(n)) {
                        count = constants.get(n);
                    } else {
                        problems.add("struct " + name + ": array length of " + d.group(2) + " not understood: " + n);
                        continue;
                    }
                }
                fields.add(new CField(d.group(2), type(d.group(1)), count));
            }
            structs.put(name, new CStruct(name, fields));
            structAliases.put(name, name);
            if (tag != null) {
                structAliases.put(tag, name);
            }
        }

        private void function(Matcher m) {
            String name = m.group(2);
            String list = m.group(3).strip();
            List<Param> params = new ArrayList<>();
            if (!list.equals("void") && !list.isEmpty()) {
                int index = 0;
                for (String p : splitTopLevel(list)) {
                    p = p.strip();
                    if (p.equals("...")) {
                        problems.add(name + ": variadic functions are not supported by this checker");
                        continue;
                    }
                    Matcher d = DECLARATOR.matcher(p);
                    String typeText;
                    String paramName;
                    if (p.contains("(")) {
                        typeText = p;
                        paramName = "x" + index;
                    } else if (d.matches() && !d.group(1).replace("const", "").isBlank()) {
                        typeText = d.group(1) + (d.group(3) != null ? "*" : ""); // arrays decay to pointers
                        paramName = d.group(2);
                    } else {
                        typeText = p;
                        paramName = "x" + index;
                    }
                    params.add(new Param(paramName, type(typeText)));
                    index++;
                }
            }
            if (functions.containsKey(name)) {
                problems.add(name + " is declared twice");
            }
            functions.put(name, new CFunction(name, type(m.group(1)), params));
        }

        CType type(String text) {
            String spelling = text.strip()
                    .replaceAll("\\s+", " ")
                    .replaceAll("\\s*\\*", " *")
                    .replace("* *", "**");
            if (spelling.contains("(")) {
                return new CType(spelling, Kind.UNKNOWN, null);
            }
            String base = spelling.replaceAll("\\b(const|volatile|restrict)\\b", " ");
            long stars = base.chars().filter(c -> c == '*').count();
            base = base.replace("*", " ").replaceAll("\\s+", " ").strip().replaceAll("^(struct|enum|union) ", "");
            if (stars > 0) {
                return new CType(spelling, Kind.POINTER, null);
            }
            return resolve(spelling, base, 0);
        }

        private CType resolve(String spelling, String base, int depth) {
            Kind kind = switch (base) {
                case "void" -> Kind.VOID;
                case "bool", "_Bool" -> Kind.BOOL;
                case "char", "signed char", "unsigned char", "int8_t", "uint8_t" -> Kind.BYTE;
                case "short", "unsigned short", "int16_t", "uint16_t" -> Kind.SHORT;
                case "int", "unsigned", "unsigned int", "signed", "int32_t", "uint32_t" -> Kind.INT;
                case "long",
                        "unsigned long",
                        "long long",
                        "unsigned long long",
                        "int64_t",
                        "uint64_t",
                        "size_t",
                        "ptrdiff_t",
                        "intptr_t",
                        "uintptr_t" -> Kind.LONG; // LP64 (linux-x86_64)
                case "float" -> Kind.FLOAT;
                case "double" -> Kind.DOUBLE;
                default -> null;
            };
            if (kind != null) {
                return new CType(spelling, kind, null);
            }
            if (enumTypes.contains(base)) {
                return new CType(spelling, Kind.INT, null);
            }
            if (structAliases.containsKey(base) && structs.containsKey(structAliases.get(base))) {
                return new CType(spelling, Kind.STRUCT, structAliases.get(base));
            }
            if (typedefs.containsKey(base) && depth < 16) {
                CType aliased = type(typedefs.get(base));
                return new CType(spelling, aliased.kind(), aliased.struct());
            }
            return new CType(spelling, Kind.UNKNOWN, null);
        }
    }

    private static List<CType> typesOf(CFunction f) {
        List<CType> types = new ArrayList<>();
        types.add(f.result());
        f.params().forEach(p -> types.add(p.type()));
        return types;
    }

    static String stripComments(String text) {
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            if (text.startsWith("/*", i)) {
                int end = text.indexOf("*/", i + 2);
                String comment = text.substring(i, end < 0 ? text.length() : end + 2);
                comment.chars().filter(c -> c == '\n').forEach(c -> out.append('\n')); // keep line structure
                out.append(' ');
                i = end < 0 ? text.length() : end + 2;
            } else if (text.startsWith("//", i)) {
                int end = text.indexOf('\n', i);
                i = end < 0 ? text.length() : end;
            } else {
                out.append(text.charAt(i++));
            }
        }
        return out.toString();
    }

    /** Top-level statements, each without its ';' and with whitespace collapsed. */
    static List<String> statements(String code) {
        List<String> result = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int depth = 0;
        for (char c : code.toCharArray()) {
            if (c == '{') {
                depth++;
            } else if (c == '}') {
                depth--;
            }
            if (c == ';' && depth == 0) {
                String s = current.toString().replaceAll("\\s+", " ").strip();
                if (!s.isEmpty()) {
                    result.add(s);
                }
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        String rest = current.toString().replaceAll("\\s+", " ").strip();
        if (!rest.isEmpty()) {
            result.add(rest); // reported as not understood
        }
        return result;
    }

    private static List<String> splitTopLevel(String list) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < list.length(); i++) {
            char c = list.charAt(i);
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                parts.add(list.substring(start, i));
                start = i + 1;
            }
        }
        parts.add(list.substring(start));
        return parts;
    }

    // ---------------------------------------------------------------------------------------------
    // C layout rules (x86-64 System V, LP64) and the expected Java side of each C type

    static long sizeOf(CType t, Map<String, CStruct> structs) {
        return switch (t.kind()) {
            case BOOL, BYTE -> 1;
            case SHORT -> 2;
            case INT, FLOAT -> 4;
            case LONG, DOUBLE, POINTER -> 8;
            case STRUCT -> structLayout(structs.get(t.struct()), structs).size();
            case VOID, UNKNOWN -> -1;
        };
    }

    static long alignOf(CType t, Map<String, CStruct> structs) {
        return t.kind() == Kind.STRUCT
                ? structLayout(structs.get(t.struct()), structs).align()
                : sizeOf(t, structs);
    }

    record FieldPlacement(CField field, long offset, long size) {}

    record CLayout(List<FieldPlacement> fields, long size, long align) {}

    /** Offsets by the C rules: each member at the next multiple of its alignment, the size padded to the largest. */
    static CLayout structLayout(CStruct s, Map<String, CStruct> structs) {
        List<FieldPlacement> placements = new ArrayList<>();
        long offset = 0;
        long align = 1;
        for (CField f : s.fields()) {
            long a = Math.max(1, alignOf(f.type(), structs));
            long size = sizeOf(f.type(), structs) * (f.count() > 0 ? f.count() : 1);
            offset = (offset + a - 1) / a * a;
            placements.add(new FieldPlacement(f, offset, size));
            offset += size;
            align = Math.max(align, a);
        }
        return new CLayout(placements, (offset + align - 1) / align * align, align);
    }

    static Class<?> javaType(CType t) {
        return switch (t.kind()) {
            case VOID -> void.class;
            case BOOL -> boolean.class;
            case BYTE -> byte.class;
            case SHORT -> short.class;
            case INT -> int.class;
            case LONG -> long.class;
            case FLOAT -> float.class;
            case DOUBLE -> double.class;
            case POINTER, STRUCT -> MemorySegment.class;
            case UNKNOWN -> null;
        };
    }

    static ValueLayout valueLayout(CType t) {
        return switch (t.kind()) {
            case BOOL -> ValueLayout.JAVA_BOOLEAN;
            case BYTE -> ValueLayout.JAVA_BYTE;
            case SHORT -> ValueLayout.JAVA_SHORT;
            case INT -> ValueLayout.JAVA_INT;
            case LONG -> ValueLayout.JAVA_LONG;
            case FLOAT -> ValueLayout.JAVA_FLOAT;
            case DOUBLE -> ValueLayout.JAVA_DOUBLE;
            case POINTER -> ValueLayout.ADDRESS;
            default -> null;
        };
    }

    // ---------------------------------------------------------------------------------------------
    // The checker

    static final class Checker {
        final List<String> problems = new ArrayList<>();

        /** Everything but the descriptors (which need the library) and the critical option (which needs sources). */
        void all(CHeader header, boolean descriptors) {
            problems.addAll(header.problems());
            functions(header, HEADER_CLASS);
            if (descriptors) {
                descriptors(header, HEADER_CLASS);
            }
            structs(header, BindingsSyncTest::bindingClass, bindingStructClasses());
            constants(header, HEADER_CLASS);
        }

        void functions(CHeader header, Class<?> bindings) {
            Map<String, List<Method>> methods = publicStaticMethods(bindings);
            for (CFunction f : header.functions().values()) {
                if (typesOf(f).stream().anyMatch(t -> javaType(t) == null)) {
                    problems.add(f.name() + ": has a C type with no known Java mapping");
                    continue;
                }
                List<Method> wrappers = methods.getOrDefault(f.name(), List.of());
                if (wrappers.isEmpty()) {
                    problems.add("C function " + f.name() + " has no wrapper " + bindings.getSimpleName() + "."
                            + f.name() + "(...)");
                    continue;
                }
                if (wrappers.size() > 1) {
                    problems.add(f.name() + ": " + wrappers.size() + " wrappers in " + bindings.getSimpleName()
                            + ", expected exactly one");
                    continue;
                }
                Method w = wrappers.get(0);
                Class<?>[] actual = w.getParameterTypes();
                if (actual.length != f.params().size()) {
                    problems.add(f.name() + ": the C function has " + f.params().size() + " parameters, the wrapper "
                            + actual.length + " " + Arrays.toString(actual));
                } else {
                    for (int i = 0; i < actual.length; i++) {
                        Param p = f.params().get(i);
                        if (actual[i] != javaType(p.type())) {
                            problems.add(f.name() + ": parameter " + i + " '" + p.name() + "' is " + p.type()
                                    + " in C, so " + javaType(p.type()).getSimpleName()
                                    + " in Java, but the wrapper takes "
                                    + actual[i].getSimpleName());
                        }
                    }
                }
                if (w.getReturnType() != javaType(f.result())) {
                    problems.add(f.name() + ": returns " + f.result() + " in C, so "
                            + javaType(f.result()).getSimpleName() + " in Java, but the wrapper returns "
                            + w.getReturnType().getSimpleName());
                }
                accessor(methods, f.name() + "$descriptor", FunctionDescriptor.class);
                accessor(methods, f.name() + "$handle", MethodHandle.class);
                accessor(methods, f.name() + "$address", MemorySegment.class);
            }
            Set<String> reported = new HashSet<>();
            for (String name : methods.keySet()) {
                if (Character.isUpperCase(name.charAt(0))) {
                    continue; // constants: checked by constants()
                }
                String base = name.contains("$") ? name.substring(0, name.indexOf('$')) : name;
                if (!header.functions().containsKey(base) && reported.add(base)) {
                    problems.add("binding " + base + " has no C prototype in the header (" + bindings.getSimpleName()
                            + "." + name + ")");
                }
            }
        }

        private void accessor(Map<String, List<Method>> methods, String name, Class<?> type) {
            List<Method> found = methods.getOrDefault(name, List.of());
            if (found.stream().noneMatch(m -> m.getParameterCount() == 0 && m.getReturnType() == type)) {
                problems.add("missing accessor " + type.getSimpleName() + " " + name + "()");
            }
        }

        /** Reads every $descriptor(); needs the native library, since the holder class looks the symbol up. */
        void descriptors(CHeader header, Class<?> bindings) {
            for (CFunction f : header.functions().values()) {
                if (typesOf(f).stream().anyMatch(t -> t.kind() == Kind.UNKNOWN)) {
                    continue; // reported by the parser
                }
                Method m;
                try {
                    m = bindings.getMethod(f.name() + "$descriptor");
                } catch (NoSuchMethodException e) {
                    problems.add("missing accessor " + f.name() + "$descriptor()");
                    continue;
                }
                FunctionDescriptor descriptor;
                try {
                    descriptor = (FunctionDescriptor) m.invoke(null);
                } catch (InvocationTargetException e) {
                    Throwable cause = e.getCause();
                    while (cause.getCause() != null) {
                        cause = cause.getCause();
                    }
                    problems.add(
                            f.name() + "$descriptor() failed (does the library export " + f.name() + "?): " + cause);
                    continue;
                } catch (ReflectiveOperationException e) {
                    problems.add(f.name() + "$descriptor() failed: " + e);
                    continue;
                }
                compareDescriptor(f, descriptor);
            }
        }

        void compareDescriptor(CFunction f, FunctionDescriptor descriptor) {
            String where = f.name() + "$descriptor(): ";
            if (f.result().kind() == Kind.VOID) {
                descriptor
                        .returnLayout()
                        .ifPresent(l ->
                                problems.add(where + "result is " + describe(l) + " but the C function returns void"));
            } else if (descriptor.returnLayout().isEmpty()) {
                problems.add(where + "result is void but the C function returns " + f.result());
            } else if (!matches(descriptor.returnLayout().get(), f.result())) {
                problems.add(where + "result is "
                        + describe(descriptor.returnLayout().get()) + " but the C function returns " + f.result());
            }
            List<MemoryLayout> args = descriptor.argumentLayouts();
            if (args.size() != f.params().size()) {
                problems.add(where + args.size() + " parameters but the C function has "
                        + f.params().size());
                return;
            }
            for (int i = 0; i < args.size(); i++) {
                Param p = f.params().get(i);
                if (!matches(args.get(i), p.type())) {
                    problems.add(where + "parameter " + i + " '" + p.name() + "' is " + describe(args.get(i)) + " but "
                            + p.type() + " in C");
                }
            }
        }

        private boolean matches(MemoryLayout layout, CType t) {
            if (t.kind() == Kind.POINTER) {
                return layout instanceof AddressLayout a && a.byteSize() == 8;
            }
            if (t.kind() == Kind.STRUCT) {
                return layout instanceof GroupLayout;
            }
            ValueLayout expected = valueLayout(t);
            return expected != null
                    && layout instanceof ValueLayout v
                    && !(v instanceof AddressLayout)
                    && v.carrier() == expected.carrier()
                    && v.byteSize() == expected.byteSize()
                    && v.order() == expected.order();
        }

        void structs(CHeader header, Function<String, Class<?>> classes, Set<String> structClasses) {
            Map<String, CStruct> structs = header.structs();
            for (CStruct s : structs.values()) {
                if (s.fields().stream()
                        .anyMatch(
                                f -> f.type().kind() == Kind.UNKNOWN || f.type().kind() == Kind.VOID)) {
                    continue; // reported by the parser
                }
                Class<?> c = classes.apply(s.name());
                if (c == null) {
                    problems.add("struct " + s.name() + " has no class " + PACKAGE + "." + s.name());
                    continue;
                }
                GroupLayout layout;
                try {
                    layout = (GroupLayout) c.getMethod("layout").invoke(null);
                } catch (ReflectiveOperationException | ClassCastException e) {
                    problems.add("struct " + s.name() + ": " + c.getSimpleName() + ".layout() failed: " + e);
                    continue;
                }
                structLayout(s, layout, c, structs);
            }
            for (String name : structClasses) {
                if (!structs.containsKey(name)) {
                    problems.add("binding struct class " + name + " has no struct definition in the header");
                }
            }
        }

        private void structLayout(CStruct s, GroupLayout layout, Class<?> c, Map<String, CStruct> structs) {
            String where = "struct " + s.name() + ": ";
            CLayout expected = BindingsSyncTest.structLayout(s, structs);
            if (!(layout instanceof StructLayout)) {
                problems.add(where + "layout() is not a struct layout: " + layout);
            }
            // members of the binding's layout, without padding, with their offsets
            Map<String, long[]> actual = new LinkedHashMap<>(); // name -> {offset, size}
            Map<String, MemoryLayout> actualLayouts = new LinkedHashMap<>();
            long offset = 0;
            for (MemoryLayout member : layout.memberLayouts()) {
                if (!(member instanceof PaddingLayout)) {
                    String name = member.name().orElse("<unnamed>");
                    actual.put(name, new long[] {offset, member.byteSize()});
                    actualLayouts.put(name, member);
                }
                if (layout instanceof StructLayout) {
                    offset += member.byteSize();
                }
            }
            List<String> expectedNames = s.fields().stream().map(CField::name).toList();
            if (!expectedNames.equals(new ArrayList<>(actual.keySet()))) {
                problems.add(where + "members are " + expectedNames + " in the header but " + actual.keySet() + " in "
                        + c.getSimpleName() + ".layout()");
            }
            for (FieldPlacement placement : expected.fields()) {
                CField f = placement.field();
                String field = where + "field " + f.name() + " (" + f.declaration() + ")";
                long[] found = actual.get(f.name());
                if (found == null) {
                    problems.add(field + " is missing from the layout");
                    continue;
                }
                if (found[0] != placement.offset()) {
                    problems.add(
                            field + " is at offset " + placement.offset() + " in C but " + found[0] + " in the layout");
                }
                if (found[1] != placement.size()) {
                    problems.add(field + " has " + placement.size() + " bytes in C but " + found[1] + " in the layout");
                }
                MemoryLayout member = actualLayouts.get(f.name());
                MemoryLayout element = member;
                if (f.count() > 0) {
                    if (!(member instanceof SequenceLayout seq) || seq.elementCount() != f.count()) {
                        problems.add(field + " is not a sequence of " + f.count() + " in the layout: " + member);
                        continue;
                    }
                    element = seq.elementLayout();
                }
                if (f.type().kind() == Kind.STRUCT) {
                    // jextract embeds the member struct's layout renamed to the field, so compare its members
                    CStruct nested = structs.get(f.type().struct());
                    List<String> nestedNames =
                            nested.fields().stream().map(CField::name).toList();
                    if (!(element instanceof StructLayout g)
                            || !nestedNames.equals(g.memberLayouts().stream()
                                    .filter(l -> !(l instanceof PaddingLayout))
                                    .map(l -> l.name().orElse("?"))
                                    .toList())) {
                        problems.add(field + " is not the layout of struct "
                                + f.type().struct() + ": " + element);
                    }
                } else if (!matches(element, f.type())) {
                    problems.add(field + " has layout " + describe(element) + " in the bindings");
                }
                fieldOffsetAccessor(c, f, placement.offset(), field);
            }
            if (layout.byteSize() != expected.size()) {
                problems.add(
                        where + "sizeof is " + expected.size() + " in C but " + layout.byteSize() + " in the layout");
            }
            if (layout.byteAlignment() != expected.align()) {
                problems.add(where + "alignment is " + expected.align() + " in C but " + layout.byteAlignment()
                        + " in the layout");
            }
            if (!layout.name().orElse("").equals(s.name())) {
                problems.add(where + "layout is named " + layout.name().orElse("(nothing)"));
            }
        }

        private void fieldOffsetAccessor(Class<?> c, CField f, long offset, String field) {
            try {
                Method m = c.getMethod(f.name() + "$offset");
                long value = (long) m.invoke(null);
                if (value != offset) {
                    problems.add(field + ": " + c.getSimpleName() + "." + f.name() + "$offset() is " + value + ", not "
                            + offset);
                }
            } catch (ReflectiveOperationException e) {
                problems.add(field + ": " + c.getSimpleName() + "." + f.name() + "$offset() missing or failing: " + e);
            }
        }

        /**
         * Writes every scalar field and array element through the generated setters and checks that exactly the
         * bytes C puts the field at changed, then reads them back through the getters.
         */
        void fieldAccessors(CHeader header, Function<String, Class<?>> classes) {
            Map<String, CStruct> structs = header.structs();
            for (CStruct s : structs.values()) {
                Class<?> c = classes.apply(s.name());
                if (c == null) {
                    problems.add("struct " + s.name() + " has no class " + PACKAGE + "." + s.name());
                    continue;
                }
                CLayout expected = BindingsSyncTest.structLayout(s, structs);
                for (FieldPlacement placement : expected.fields()) {
                    CField f = placement.field();
                    if (f.type().kind() == Kind.STRUCT || valueLayout(f.type()) == null) {
                        continue;
                    }
                    String where = "struct " + s.name() + ": field " + f.name() + " (" + f.declaration() + "): ";
                    try (Arena arena = Arena.ofConfined()) {
                        long elements = f.count() > 0 ? f.count() : 1;
                        for (long i = 0; i < elements; i++) {
                            MemorySegment struct = arena.allocate(expected.size(), expected.align());
                            Object value = sample(f.type(), i);
                            Method getter;
                            Method setter;
                            Class<?> java = javaType(f.type());
                            if (f.count() > 0) {
                                getter = c.getMethod(f.name(), MemorySegment.class, long.class);
                                setter = c.getMethod(f.name(), MemorySegment.class, long.class, java);
                                setter.invoke(null, struct, i, value);
                            } else {
                                getter = c.getMethod(f.name(), MemorySegment.class);
                                setter = c.getMethod(f.name(), MemorySegment.class, java);
                                setter.invoke(null, struct, value);
                            }
                            long at = placement.offset()
                                    + i * valueLayout(f.type()).byteSize();
                            MemorySegment expectedBytes = arena.allocate(expected.size(), expected.align());
                            write(expectedBytes, f.type(), at, value);
                            long mismatch = struct.mismatch(expectedBytes);
                            if (mismatch >= 0) {
                                problems.add(where + "the setter" + (f.count() > 0 ? " of element " + i : "")
                                        + " wrote byte " + mismatch + " instead of bytes " + at + ".."
                                        + (at + valueLayout(f.type()).byteSize() - 1));
                                break;
                            }
                            Object read = f.count() > 0 ? getter.invoke(null, struct, i) : getter.invoke(null, struct);
                            if (!same(read, value)) {
                                problems.add(where + "the getter" + (f.count() > 0 ? " of element " + i : "") + " read "
                                        + read + " after " + value + " was written");
                                break;
                            }
                        }
                        if (f.count() > 0) {
                            long[] dims = (long[])
                                    c.getMethod(f.name() + "$dimensions").invoke(null);
                            if (!Arrays.equals(dims, new long[] {f.count()})) {
                                problems.add(where + f.name() + "$dimensions() is " + Arrays.toString(dims));
                            }
                        }
                    } catch (ReflectiveOperationException e) {
                        problems.add(where + "accessor missing or failing: " + e);
                    }
                }
            }
        }

        private static Object sample(CType t, long i) {
            return switch (t.kind()) {
                case BOOL -> true;
                case BYTE -> (byte) (0x51 + i);
                case SHORT -> (short) (0x5152 + i);
                case INT -> (int) (0x51525354 + i);
                case LONG -> 0x5152535455565758L + i;
                case FLOAT -> 1.5f + i;
                case DOUBLE -> 2.5 + i;
                case POINTER -> MemorySegment.ofAddress(0x5152535455560000L + 8 * i);
                default -> throw new IllegalArgumentException(t.toString());
            };
        }

        private static void write(MemorySegment segment, CType t, long offset, Object value) {
            switch (t.kind()) {
                case BOOL -> segment.set(ValueLayout.JAVA_BOOLEAN, offset, (boolean) value);
                case BYTE -> segment.set(ValueLayout.JAVA_BYTE, offset, (byte) value);
                case SHORT -> segment.set(ValueLayout.JAVA_SHORT_UNALIGNED, offset, (short) value);
                case INT -> segment.set(ValueLayout.JAVA_INT_UNALIGNED, offset, (int) value);
                case LONG -> segment.set(ValueLayout.JAVA_LONG_UNALIGNED, offset, (long) value);
                case FLOAT -> segment.set(ValueLayout.JAVA_FLOAT_UNALIGNED, offset, (float) value);
                case DOUBLE -> segment.set(ValueLayout.JAVA_DOUBLE_UNALIGNED, offset, (double) value);
                case POINTER -> segment.set(ValueLayout.ADDRESS_UNALIGNED, offset, (MemorySegment) value);
                default -> throw new IllegalArgumentException(t.toString());
            }
        }

        private static boolean same(Object read, Object written) {
            if (read instanceof MemorySegment r && written instanceof MemorySegment w) {
                return r.address() == w.address();
            }
            return written.equals(read);
        }

        void constants(CHeader header, Class<?> bindings) {
            Map<String, List<Method>> methods = publicStaticMethods(bindings);
            for (Map.Entry<String, Long> c : header.constants().entrySet()) {
                Method getter = methods.getOrDefault(c.getKey(), List.of()).stream()
                        .filter(m -> m.getParameterCount() == 0)
                        .findFirst()
                        .orElse(null);
                if (getter == null) {
                    problems.add("constant " + c.getKey() + " = " + c.getValue() + " has no " + bindings.getSimpleName()
                            + "." + c.getKey() + "()");
                    continue;
                }
                try {
                    Object value = getter.invoke(null);
                    long v = value instanceof Number n ? n.longValue() : Long.MIN_VALUE;
                    if (!(value instanceof Integer || value instanceof Long) || v != c.getValue()) {
                        problems.add("constant " + c.getKey() + " is " + c.getValue() + " in the header but " + value
                                + " in " + bindings.getSimpleName() + "." + c.getKey() + "()");
                    }
                } catch (ReflectiveOperationException e) {
                    problems.add("constant " + c.getKey() + ": " + e);
                }
            }
            for (Map.Entry<String, List<Method>> e : methods.entrySet()) {
                String name = e.getKey();
                boolean constantLike = Character.isUpperCase(name.charAt(0))
                        && e.getValue().stream()
                                .anyMatch(m -> m.getParameterCount() == 0
                                        && (m.getReturnType() == int.class || m.getReturnType() == long.class));
                if (constantLike && !header.constants().containsKey(name)) {
                    problems.add("binding constant " + name + "() has no #define or enum constant in the header");
                }
            }
        }

        /**
         * Checks the source of the header class: {@code Linker.Option.critical(false)} in the holder classes of
         * exactly the listed functions, each listed function a C function, and a holder for every C function.
         */
        void critical(CHeader header, String headerClassSource, List<String> criticalList) {
            Map<String, String> holders = new TreeMap<>();
            Matcher m = Pattern.compile("(?s)private static class (\\w+) \\{(.*?)\\n    \\}")
                    .matcher(headerClassSource);
            while (m.find()) {
                holders.put(m.group(1), m.group(2));
            }
            Set<String> listed = new LinkedHashSet<>(criticalList);
            if (listed.size() != criticalList.size()) {
                problems.add("CRITICAL_FUNCTIONS lists a function twice: " + criticalList);
            }
            for (String name : listed) {
                if (!header.functions().containsKey(name)) {
                    problems.add("CRITICAL_FUNCTIONS names " + name + ", which is not a function of the header");
                }
            }
            for (String function : header.functions().keySet()) {
                if (!holders.containsKey(function)) {
                    problems.add(function + " has no holder class in the source of rwkvx_h");
                }
            }
            for (Map.Entry<String, String> holder : holders.entrySet()) {
                String name = holder.getKey();
                String body = holder.getValue();
                boolean critical = body.contains("downcallHandle(ADDR, DESC, Linker.Option.critical(false))");
                if (body.contains("critical(true)")) {
                    problems.add(
                            name + " uses Linker.Option.critical(true): heap access from native code is not wanted");
                }
                if (listed.contains(name) && !critical) {
                    problems.add(name
                            + " is in CRITICAL_FUNCTIONS but its downcall handle lacks Linker.Option.critical(false)"
                            + " (run java bin/PatchBindings.java)");
                } else if (!listed.contains(name) && body.contains("Linker.Option.critical")) {
                    problems.add(name
                            + " has Linker.Option.critical but is not in CRITICAL_FUNCTIONS of bin/PatchBindings.java");
                }
            }
        }
    }

    /** A layout in words: "pointer", "int (4 bytes)", ... */
    static String describe(MemoryLayout layout) {
        if (layout instanceof AddressLayout) {
            return "pointer";
        }
        if (layout instanceof ValueLayout v) {
            return v.carrier().getSimpleName() + " (" + v.byteSize() + " bytes)";
        }
        return layout.toString();
    }

    private static Map<String, List<Method>> publicStaticMethods(Class<?> c) {
        return Arrays.stream(c.getDeclaredMethods())
                .filter(m ->
                        Modifier.isPublic(m.getModifiers()) && Modifier.isStatic(m.getModifiers()) && !m.isSynthetic())
                .collect(Collectors.groupingBy(Method::getName, TreeMap::new, Collectors.toList()));
    }
}
