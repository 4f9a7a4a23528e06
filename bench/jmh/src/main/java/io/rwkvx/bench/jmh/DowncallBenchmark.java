package io.rwkvx.bench.jmh;

import io.rwkvx.ffi.rwkvx_h;
import io.rwkvx.nativelib.NativeLibrary;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.CompilerControl;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of one FFM downcall into librwkvx: {@code rwkvx_abi_version()} (no arguments) and
 * {@code rwkvx_context_threads(ctx)} (one pointer), each through a handle made here without and with
 * {@code Linker.Option.critical(false)} and through the bindings as production calls them (both functions are
 * critical there: bin/PatchBindings.java lists them), against a Java method that is never inlined.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@State(Scope.Benchmark)
public class DowncallBenchmark {
    private static final MethodHandle ABI_PLAIN;
    private static final MethodHandle ABI_CRITICAL;
    private static final MethodHandle THREADS_PLAIN;
    private static final MethodHandle THREADS_CRITICAL;

    static {
        NativeLibrary.load();
        Linker linker = Linker.nativeLinker();
        FunctionDescriptor abi = FunctionDescriptor.of(ValueLayout.JAVA_INT);
        FunctionDescriptor threads = FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS);
        ABI_PLAIN = linker.downcallHandle(rwkvx_h.rwkvx_abi_version$address(), abi);
        ABI_CRITICAL = linker.downcallHandle(rwkvx_h.rwkvx_abi_version$address(), abi, Linker.Option.critical(false));
        THREADS_PLAIN = linker.downcallHandle(rwkvx_h.rwkvx_context_threads$address(), threads);
        THREADS_CRITICAL =
                linker.downcallHandle(rwkvx_h.rwkvx_context_threads$address(), threads, Linker.Option.critical(false));
    }

    private Arena arena;
    private MemorySegment context;

    @Setup
    public void setUp() {
        arena = Arena.ofConfined();
        MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
        NativeLibrary.check(
                "rwkvx_context_create", rwkvx_h.rwkvx_context_create(rwkvx_h.RWKVX_BACKEND_CPU(), 1, 0, out));
        context = out.get(ValueLayout.ADDRESS, 0);
        if (rwkvx_h.rwkvx_abi_version() != rwkvx_h.RWKVX_ABI_VERSION() || rwkvx_h.rwkvx_context_threads(context) != 1)
            throw new IllegalStateException("the library answers unexpectedly: wrong build on the class path?");
    }

    @TearDown
    public void tearDown() {
        NativeLibrary.check("rwkvx_context_free", rwkvx_h.rwkvx_context_free(context));
        arena.close();
    }

    /** What the Java side of a call costs without any native transition: a call that is not inlined. */
    @Benchmark
    public int javaMethodBaseline() {
        return javaAbiVersion();
    }

    @Benchmark
    public int abiVersionPlainHandle() throws Throwable {
        return (int) ABI_PLAIN.invokeExact();
    }

    @Benchmark
    public int abiVersionCriticalHandle() throws Throwable {
        return (int) ABI_CRITICAL.invokeExact();
    }

    @Benchmark
    public int abiVersionBindings() {
        return rwkvx_h.rwkvx_abi_version();
    }

    @Benchmark
    public int contextThreadsPlainHandle() throws Throwable {
        return (int) THREADS_PLAIN.invokeExact(context);
    }

    @Benchmark
    public int contextThreadsCriticalHandle() throws Throwable {
        return (int) THREADS_CRITICAL.invokeExact(context);
    }

    @Benchmark
    public int contextThreadsBindings() {
        return rwkvx_h.rwkvx_context_threads(context);
    }

    @CompilerControl(CompilerControl.Mode.DONT_INLINE)
    private static int javaAbiVersion() {
        return 5;
    }
}
