package io.rwkvx;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Java packages form layers without cycles, read from the compiled main classes (bytecode, so imports,
 * fully qualified names and every other reference count alike; test classes are not imported):
 *
 * <pre>
 * cli -> server (HTTP, optional libraries) -> chat (templates, cached prompts) -> io.rwkvx (public API) -> backend (interfaces) <- backend.nativelib, backend.reference
 *        langchain4j (the LangChain4j provider, optional library) -> chat
 *                                 backend.nativelib -> nativelib (loader) -> ffi (generated bindings)
 *        io.rwkvx -> format, tokenizer, sampling -> model -> tensor -> common
 * </pre>
 *
 * Every package may use {@code common}; nothing may use a package above it. Only {@code server} (and {@code cli},
 * for {@code serve}) may use the server's optional libraries (Jetty, Jackson, SLF4J), and only {@code langchain4j} may use
 * LangChain4j: the core stays free of them. The provider that picks a
 * backend implementation lives in {@code io.rwkvx}, so {@code backend} holds only what its implementations
 * implement.
 */
@AnalyzeClasses(packages = "io.rwkvx", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    private static final String CLI = "io.rwkvx.cli..";
    private static final String SERVER = "io.rwkvx.server..";
    private static final String LANGCHAIN4J = "io.rwkvx.langchain4j..";
    private static final String CHAT = "io.rwkvx.chat..";
    private static final String API = "io.rwkvx"; // the root package only
    private static final String BACKEND = "io.rwkvx.backend..";
    private static final String NATIVELIB = "io.rwkvx.nativelib..";
    private static final String FFI = "io.rwkvx.ffi";
    private static final String FORMAT = "io.rwkvx.format..";
    private static final String TOKENIZER = "io.rwkvx.tokenizer..";
    private static final String SAMPLING = "io.rwkvx.sampling..";
    private static final String MODEL = "io.rwkvx.model..";
    private static final String TENSOR = "io.rwkvx.tensor..";
    private static final String COMMON = "io.rwkvx.common..";

    /** The generated bindings' sources, relative to the repository root (Maven's working directory). */
    private static final Path BINDINGS_DIR = Path.of(System.getProperty("rwkvx.bindings.dir", "java/io/rwkvx/ffi"));

    // ---------------------------------------------------------------------------------------------
    // No cycles

    /** Every subpackage is a slice. Note: {@code io.rwkvx.(**)} does not match the root package itself. */
    @ArchTest
    static final ArchRule subpackagesAreFreeOfCycles =
            slices().matching("io.rwkvx.(**)").should().beFreeOfCycles();

    /** The same with the root package {@code io.rwkvx} as a slice of its own (the rule above leaves it out). */
    @ArchTest
    static final ArchRule packagesIncludingTheRootAreFreeOfCycles =
            slices().matching("(io.rwkvx..)").namingSlices("$1").should().beFreeOfCycles();

    // ---------------------------------------------------------------------------------------------
    // The layers

    @ArchTest
    static final ArchRule layers = layeredArchitecture()
            .consideringOnlyDependenciesInLayers()
            .ensureAllClassesAreContainedInArchitecture()
            .layer("cli")
            .definedBy(CLI)
            .layer("langchain4j")
            .definedBy(LANGCHAIN4J)
            .layer("server")
            .definedBy(SERVER)
            .layer("chat")
            .definedBy(CHAT)
            .layer("api")
            .definedBy(API)
            .layer("backend")
            .definedBy(BACKEND)
            .layer("native access")
            .definedBy(NATIVELIB, FFI)
            .layer("model io")
            .definedBy(FORMAT, TOKENIZER, SAMPLING)
            .layer("model")
            .definedBy(MODEL)
            .layer("tensor")
            .definedBy(TENSOR)
            .layer("common")
            .definedBy(COMMON)
            .whereLayer("cli")
            .mayNotBeAccessedByAnyLayer()
            .whereLayer("langchain4j")
            .mayNotBeAccessedByAnyLayer()
            .whereLayer("server")
            .mayOnlyBeAccessedByLayers("cli")
            .whereLayer("chat")
            .mayOnlyBeAccessedByLayers("cli", "server", "langchain4j")
            .whereLayer("api")
            .mayOnlyBeAccessedByLayers("cli", "server", "chat", "langchain4j")
            .whereLayer("backend")
            .mayOnlyBeAccessedByLayers("api", "cli")
            .whereLayer("native access")
            .mayOnlyBeAccessedByLayers("backend", "api", "cli")
            .whereLayer("model io")
            .mayOnlyBeAccessedByLayers("api", "cli", "server", "chat", "langchain4j")
            .whereLayer("model")
            .mayOnlyBeAccessedByLayers("model io", "backend", "api", "cli", "server", "chat", "langchain4j")
            .whereLayer("tensor")
            .mayOnlyBeAccessedByLayers("model", "model io", "backend", "api", "cli", "server", "chat", "langchain4j");

    /** The server's libraries are optional dependencies: an embedder's class path lacks them. */
    private static final String[] SERVER_LIBRARIES = {"org.eclipse.jetty..", "com.fasterxml.jackson..", "org.slf4j.."};

    @ArchTest
    static final ArchRule noCorePackageUsesTheServerOrItsLibraries = noClasses()
            .that()
            .resideOutsideOfPackages(SERVER, CLI)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(concat(SERVER, SERVER_LIBRARIES))
            .because("the server's libraries are optional dependencies (pom.xml): a project that embeds rwkvx"
                    + " does not have them");

    @ArchTest
    static final ArchRule onlyTheProviderUsesLangChain4j = noClasses()
            .that()
            .resideOutsideOfPackage(LANGCHAIN4J)
            .should()
            .dependOnClassesThat()
            .resideInAPackage("dev.langchain4j..")
            .because("LangChain4j is an optional dependency (pom.xml): only io.rwkvx.langchain4j may use it, so an"
                    + " application that embeds the engine alone never needs it");

    @ArchTest
    static final ArchRule cliUsesTheServerLibrariesOnlyThroughTheServer = noClasses()
            .that()
            .resideInAPackage(CLI)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(SERVER_LIBRARIES)
            .because("ServeCommand checks that the libraries are present before any class that needs them loads");

    private static String[] concat(String first, String... rest) {
        String[] all = new String[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }

    @ArchTest
    static final ArchRule ffiHoldsOnlyGeneratedClasses = classes()
            .that()
            .resideInAPackage(FFI)
            .and()
            .areTopLevelClasses()
            .should(beGeneratedBindings())
            .because("io.rwkvx.ffi is bin/regenerate-bindings' output; hand-written code lives elsewhere"
                    + " (the library loader in io.rwkvx.nativelib)");

    @ArchTest
    static final ArchRule ffiDependsOnNothingOfRwkvxOutsideItself = noClasses()
            .that()
            .resideInAPackage(FFI)
            .should()
            .dependOnClassesThat(resideInAPackage("io.rwkvx..").and(not(resideInAPackage(FFI))));

    @ArchTest
    static final ArchRule nativelibUsesOnlyFfiAndCommon = noClasses()
            .that()
            .resideInAPackage(NATIVELIB)
            .should()
            .dependOnClassesThat(resideInAPackage("io.rwkvx..").and(not(resideInAnyPackage(NATIVELIB, FFI, COMMON))));

    @ArchTest
    static final ArchRule commonDependsOnNoOtherRwkvxPackage = noClasses()
            .that()
            .resideInAPackage(COMMON)
            .should()
            .dependOnClassesThat(resideInAPackage("io.rwkvx..").and(not(resideInAPackage(COMMON))));

    @ArchTest
    static final ArchRule lowerLayersDoNotUseTheApiBackendsNativeCodeOrCli = noClasses()
            .that()
            .resideInAnyPackage(MODEL, TENSOR, FORMAT, TOKENIZER, SAMPLING, COMMON)
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(API, BACKEND, CLI, NATIVELIB, FFI);

    @ArchTest
    static final ArchRule nothingButCliUsesCli = noClasses()
            .that()
            .resideOutsideOfPackage(CLI)
            .should()
            .dependOnClassesThat()
            .resideInAPackage(CLI);

    @ArchTest
    static final ArchRule formatTokenizerAndSamplingAreIndependent = CompositeArchRule.of(noClasses()
                    .that()
                    .resideInAPackage(FORMAT)
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage(TOKENIZER, SAMPLING))
            .and(noClasses()
                    .that()
                    .resideInAPackage(TOKENIZER)
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage(FORMAT, SAMPLING))
            .and(noClasses()
                    .that()
                    .resideInAPackage(SAMPLING)
                    .should()
                    .dependOnClassesThat()
                    .resideInAnyPackage(FORMAT, TOKENIZER));

    @ArchTest
    static final ArchRule backendInterfacesDoNotKnowTheirImplementations = noClasses()
            .that()
            .resideInAPackage("io.rwkvx.backend")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("io.rwkvx.backend.nativelib..", "io.rwkvx.backend.reference..");

    @ArchTest
    static final ArchRule backendImplementationsAreIndependent = CompositeArchRule.of(noClasses()
                    .that()
                    .resideInAPackage("io.rwkvx.backend.nativelib..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAPackage("io.rwkvx.backend.reference.."))
            .and(noClasses()
                    .that()
                    .resideInAPackage("io.rwkvx.backend.reference..")
                    .should()
                    .dependOnClassesThat()
                    .resideInAPackage("io.rwkvx.backend.nativelib.."));

    // ---------------------------------------------------------------------------------------------
    // Classes of the public API

    @ArchTest
    static final ArchRule generationDoesNotCallBackIntoSession = noClasses()
            .that()
            .haveNameMatching("io\\.rwkvx\\.Generation(\\$.*)?")
            .should()
            .dependOnClassesThat()
            .haveNameMatching("io\\.rwkvx\\.(Session|Model)(\\$.*)?")
            .because("Generation gets the tokenizer, the start and the decode step passed in");

    @ArchTest
    static final ArchRule sessionHoldsNoReferenceToItsModel = noClasses()
            .that()
            .haveNameMatching("io\\.rwkvx\\.Session(\\$.*)?")
            .should()
            .dependOnClassesThat()
            .haveNameMatching("io\\.rwkvx\\.Model(\\$.*)?")
            .because("a session gets what it needs from its model passed in (Session.Owner)");

    // ---------------------------------------------------------------------------------------------

    /**
     * A generated top-level class: named after a declaration of include/rwkvx.h ({@code rwkvx_...}) and
     * compiled from a source file whose first line is jextract's {@code // Generated ...} marker.
     */
    private static ArchCondition<JavaClass> beGeneratedBindings() {
        return new ArchCondition<>("be generated bindings (named rwkvx_..., source starting with '// Generated')") {
            @Override
            public void check(JavaClass c, ConditionEvents events) {
                String problem = generatedProblem(c);
                events.add(new SimpleConditionEvent(
                        c, problem == null, c.getName() + (problem == null ? " is generated" : " " + problem)));
            }
        };
    }

    private static String generatedProblem(JavaClass c) {
        if (!c.getSimpleName().startsWith("rwkvx_"))
            return "is not named after a C declaration (rwkvx_...), so it is not a generated binding";
        String fileName = c.getSource().flatMap(s -> s.getFileName()).orElse(null);
        if (fileName == null) return "has no source file name in its class file";
        Path source = BINDINGS_DIR.resolve(fileName);
        try (BufferedReader in = Files.newBufferedReader(source, StandardCharsets.UTF_8)) {
            String first = in.readLine();
            return first != null && first.startsWith("// Generated")
                    ? null
                    : "comes from " + source + ", whose first line is not '// Generated ...'";
        } catch (IOException e) {
            return "has no readable source " + source.toAbsolutePath() + " (" + e + ")";
        }
    }
}
