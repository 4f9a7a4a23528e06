package io.rwkvx.bench.jmh;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The 0.1B-shaped synthetic RWKV-7 of the serving benchmark, the same file: bench/serving/ServingBench.java draws
 * it (as bench/native/bench_rwkv7.cpp does, seed 1234) into target/bench-serving, and either benchmark reuses the
 * other's. bench/jmh/run.sh compiles ServingBench beside these classes and runs this class when the file is
 * missing; ServingBench is in the unnamed package, so it is reached by reflection.
 */
public final class SyntheticModelFile {
    /** Relative to the repository root, where run.sh starts the benchmarks. */
    public static final Path PATH = Path.of("target/bench-serving/rwkv7-0.1b-synthetic-f16.safetensors");

    private static final long SERVING_SEED = 1234;

    private SyntheticModelFile() {}

    public static void main(String[] args) throws Exception {
        if (Files.exists(PATH)) return;
        Files.createDirectories(PATH.getParent());
        Method write = Class.forName("ServingBench").getDeclaredMethod("writeSynthetic", Path.class, long.class);
        write.setAccessible(true);
        // Written beside, then renamed: a benchmark never sees half a file.
        Path partial = PATH.resolveSibling(PATH.getFileName() + ".partial");
        long t0 = System.nanoTime();
        try {
            write.invoke(null, partial, SERVING_SEED);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
        Files.move(partial, PATH, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        System.err.printf("wrote %s in %.1f s%n", PATH, (System.nanoTime() - t0) / 1e9);
    }
}
