package io.rwkvx.common;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Shared by the {@code @FuzzTest} targets (tests/fuzz.sh runs them; {@code mvn test} replays their corpora in
 * tests/corpus). The property every parser target checks: an input either parses, or is refused with one of the
 * exception types the parser documents, carrying a message. Any other throwable (IndexOutOfBounds,
 * NegativeArraySize, BufferUnderflow, ArithmeticException, NullPointerException, ClassCast, StackOverflowError,
 * OutOfMemoryError, ...) escapes unchanged so Jazzer reports it with its own stack trace.
 */
public final class FuzzSupport {
    /** Body of a fuzz target that may throw anything. */
    @FunctionalInterface
    public interface Body {
        void run() throws Throwable;
    }

    private FuzzSupport() {}

    /**
     * Runs {@code body}; a throwable of one of the {@code refusals} types (or a subclass) with a non-blank message
     * is the parser's clear "no" and is swallowed; anything else is rethrown.
     */
    @SafeVarargs
    public static void parsesOrRefuses(Body body, Class<? extends Throwable>... refusals) throws Throwable {
        try {
            body.run();
        } catch (Throwable t) {
            for (Class<? extends Throwable> refusal : refusals) {
                if (refusal.isInstance(t)) {
                    if (t.getMessage() == null || t.getMessage().isBlank()) {
                        throw new AssertionError("refused without a message: " + t, t);
                    }
                    return;
                }
            }
            throw t;
        }
    }

    /**
     * One scratch file per target, reused for every input (readers that take a {@link Path} map or read it);
     * deleted when the JVM exits. It lives in /dev/shm where there is one: rewriting a file on disk thousands of
     * times a second costs ten times more.
     */
    public static Path scratchFile(String target) {
        try {
            Path shm = Path.of("/dev/shm");
            String prefix = "rwkvx-fuzz-" + target + "-";
            Path file = Files.isDirectory(shm) && Files.isWritable(shm)
                    ? Files.createTempFile(shm, prefix, ".bin")
                    : Files.createTempFile(prefix, ".bin");
            file.toFile().deleteOnExit();
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Replaces the content of {@code file} with {@code data}. */
    public static Path write(Path file, byte[] data) {
        try {
            return Files.write(file, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code data} with its last four bytes replaced by {@code value}, little-endian (checksum fix-ups). */
    public static byte[] withTrailingU32(byte[] data, int value) {
        byte[] out = Arrays.copyOf(data, data.length);
        for (int i = 0; i < 4; i++) out[out.length - 4 + i] = (byte) (value >>> (8 * i));
        return out;
    }
}
