package io.rwkvx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.rwkvx.nativelib.NativeLibrary;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The JPMS descriptor ({@code java/module-info.java}) exports the public API and nothing else, and the API is
 * closed: no public or protected signature of an exported package names a type of a package the module keeps to
 * itself, which a user on the module path could not name. docs/versioning.md lists the same packages: the API
 * that its compatibility promise covers.
 */
class ModuleDescriptorTest {
    /** The public API (docs/versioning.md, "The Java API"). */
    private static final Set<String> EXPORTED = Set.of(
            "io.rwkvx",
            "io.rwkvx.backend",
            "io.rwkvx.chat",
            "io.rwkvx.common",
            "io.rwkvx.langchain4j",
            "io.rwkvx.model",
            "io.rwkvx.sampling",
            "io.rwkvx.tensor",
            "io.rwkvx.tokenizer");

    /** Packages of optional dependencies that an exported signature may name (the provider's interfaces). */
    private static final List<String> OPTIONAL_API = List.of("dev.langchain4j.");

    private static Path classes() throws Exception {
        return Path.of(NativeLibrary.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
    }

    private static ModuleDescriptor descriptor() throws Exception {
        try (InputStream in = Files.newInputStream(classes().resolve("module-info.class"))) {
            return ModuleDescriptor.read(in);
        }
    }

    @Test
    void exportsExactlyThePublicApiUnqualified() throws Exception {
        ModuleDescriptor d = descriptor();
        assertEquals("io.rwkvx", d.name());
        Set<String> exported = new TreeSet<>();
        for (ModuleDescriptor.Exports e : d.exports()) {
            assertEquals(Set.of(), e.targets(), e.source() + " is exported to everyone or not at all");
            exported.add(e.source());
        }
        assertEquals(new TreeSet<>(EXPORTED), exported);
        assertEquals(Set.of(), d.opens(), "nothing is opened for reflection");
        // Every package of classes is either exported or internal on purpose: a new package must be decided.
        Set<String> internal = classPackages();
        internal.removeAll(exported);
        assertEquals(
                new TreeSet<>(Set.of(
                        "io.rwkvx.backend.nativelib",
                        "io.rwkvx.backend.reference",
                        "io.rwkvx.cli",
                        "io.rwkvx.ffi",
                        "io.rwkvx.format",
                        "io.rwkvx.nativelib",
                        "io.rwkvx.server")),
                internal);
    }

    /** The packages that hold classes (javac writes no package list into module-info.class; jar does). */
    private static Set<String> classPackages() throws Exception {
        Path root = classes();
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> p.toString().endsWith(".class"))
                    .map(p -> root.relativize(p.getParent()).toString().replace('/', '.'))
                    .filter(p -> !p.isEmpty())
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    @Test
    void noExportedSignatureNamesAnInternalType() throws Exception {
        Path root = classes();
        List<String> leaks = new ArrayList<>();
        for (String pkg : EXPORTED) {
            Path dir = root.resolve(pkg.replace('.', '/'));
            List<String> names;
            try (Stream<Path> s = Files.list(dir)) {
                names = s.map(p -> p.getFileName().toString())
                        .filter(n -> n.endsWith(".class"))
                        .map(n -> pkg + "." + n.substring(0, n.length() - ".class".length()))
                        .sorted()
                        .toList();
            }
            for (String name : names) {
                Class<?> c = Class.forName(name, false, getClass().getClassLoader());
                if (visible(c)) check(c, leaks);
            }
        }
        assertEquals(List.of(), leaks, "exported signatures that name types a module-path user cannot see");
    }

    /** Whether a class is part of the API: public, and every class enclosing it public too. */
    private static boolean visible(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getDeclaringClass())
            if (!Modifier.isPublic(k.getModifiers())) return false;
        return !c.isSynthetic() && !c.isAnonymousClass() && !c.isLocalClass();
    }

    private static void check(Class<?> c, List<String> leaks) {
        String where = c.getName();
        if (c.getGenericSuperclass() != null) types(c.getGenericSuperclass(), where + " extends", leaks);
        for (Type t : c.getGenericInterfaces()) types(t, where + " implements", leaks);
        boolean subclassable = !Modifier.isFinal(c.getModifiers()) && !c.isRecord() && !c.isEnum();
        for (Field f : c.getDeclaredFields())
            if (api(f.getModifiers(), subclassable)) types(f.getGenericType(), where + "." + f.getName(), leaks);
        for (Constructor<?> k : c.getDeclaredConstructors())
            if (api(k.getModifiers(), subclassable)) executable(k, where + ".<init>", leaks);
        for (Method m : c.getDeclaredMethods())
            if (!m.isSynthetic() && !m.isBridge() && api(m.getModifiers(), subclassable)) {
                executable(m, where + "." + m.getName(), leaks);
                types(m.getGenericReturnType(), where + "." + m.getName() + " returns", leaks);
            }
    }

    private static boolean api(int modifiers, boolean subclassable) {
        return Modifier.isPublic(modifiers) || subclassable && Modifier.isProtected(modifiers);
    }

    private static void executable(Executable e, String where, List<String> leaks) {
        for (Type t : e.getGenericParameterTypes()) types(t, where + " parameter", leaks);
        for (Type t : e.getGenericExceptionTypes()) types(t, where + " throws", leaks);
        for (TypeVariable<?> v : e.getTypeParameters())
            for (Type b : v.getBounds()) types(b, where + " <" + v.getName() + ">", leaks);
    }

    private static void types(Type t, String where, List<String> leaks) {
        if (t instanceof Class<?> c) {
            if (c.isArray()) types(c.getComponentType(), where, leaks);
            else if (!allowed(c)) leaks.add(where + ": " + c.getName());
        } else if (t instanceof ParameterizedType p) {
            types(p.getRawType(), where, leaks);
            for (Type a : p.getActualTypeArguments()) types(a, where, leaks);
        } else if (t instanceof GenericArrayType g) {
            types(g.getGenericComponentType(), where, leaks);
        } else if (t instanceof WildcardType w) {
            for (Type b : w.getUpperBounds()) types(b, where, leaks);
            for (Type b : w.getLowerBounds()) types(b, where, leaks);
        }
        // type variables: their bounds are checked where they are declared
    }

    private static boolean allowed(Class<?> c) {
        if (c.isPrimitive()) return true;
        String pkg = c.getPackageName();
        if (pkg.startsWith("java.")) return true;
        if (EXPORTED.contains(pkg)) return true;
        return OPTIONAL_API.stream().anyMatch(pkg::startsWith);
    }
}
