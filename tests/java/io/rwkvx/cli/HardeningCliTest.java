package io.rwkvx.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression tests of the issue "Hardening" on the command line: huge counts and JVM errors end in one line
 * and an exit code, not a stack trace; every message about a file names it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HardeningCliTest {
    @TempDir
    Path dir;

    private static void assertOneLineError(Cli r, String... mentions) {
        assertEquals(1, r.code(), r.dump());
        assertTrue(r.err().startsWith("rwkvx: error: "), r.dump());
        assertEquals(1, r.err().lines().count(), "one line, no stack trace\n" + r.dump());
        for (String m : mentions) assertTrue(r.err().contains(m), "stderr should mention '" + m + "'\n" + r.dump());
    }

    private static void assertUsageError(Cli r, String message) {
        assertEquals(2, r.code(), r.dump());
        assertTrue(r.err().lines().findFirst().orElse("").contains(message), r.dump());
        assertTrue(!r.err().contains("OutOfMemoryError") && !r.err().contains("\tat "), r.dump());
    }

    /** Case 5: generate --max-tokens 2147483647 allocated an int[2147483647] up front. */
    @Test
    void generateWithAHugeMaxTokensRunsUntilItStops() {
        Cli r = Cli.run(
                "generate",
                "--model",
                Cli.FP32.toString(),
                "--prompt",
                "Once upon a time",
                "--max-tokens",
                "2147483647",
                "--seed",
                "1",
                "--stop",
                "e",
                "--stop",
                " ");
        assertEquals(0, r.code(), r.dump());
        assertTrue(r.err().matches("(?s).*stop: (stop string|end of text).*"), r.dump());
    }

    /** Case 5: bench --repeat 2147483647 and --prompt-tokens 2147483647 ended in OutOfMemoryError. */
    @Test
    void benchRefusesHugeCounts() {
        String model = Cli.FP32.toString();
        assertUsageError(
                Cli.run("bench", "--model", model, "--repeat", "2147483647"),
                "option --repeat must be at most 10000, got 2147483647");
        assertUsageError(
                Cli.run("bench", "--model", model, "--prompt-tokens", "2147483647"),
                "option --prompt-tokens must be at most 1048576, got 2147483647");
        assertUsageError(
                Cli.run("bench", "--model", model, "--gen-tokens", "2147483647"),
                "option --gen-tokens must be at most 1048576, got 2147483647");
        Cli ok = Cli.run("bench", "--model", model, "--prompt-tokens", "8", "--gen-tokens", "4", "--repeat", "2");
        assertEquals(0, ok.code(), ok.dump());
    }

    /** Case 5: perplexity's chunk is bounded by memory, not by --context: a huge one gives the same result. */
    @Test
    void perplexityWithAHugeContextGivesTheSameResult() throws IOException {
        Path text = Files.writeString(dir.resolve("t.txt"), "The quick brown fox jumps over the lazy dog. ".repeat(8));
        Cli base = Cli.run("perplexity", "--model", Cli.FP32.toString(), "--file", text.toString());
        Cli huge = Cli.run(
                "perplexity", "--model", Cli.FP32.toString(), "--file", text.toString(), "--context", "2147483647");
        assertEquals(0, huge.code(), huge.dump());
        assertEquals(base.out(), huge.out());
    }

    /** Case 5: any Error of the JVM (here OutOfMemoryError in a small heap) is one line and exit code 1. */
    @Test
    void anOutOfMemoryErrorIsOneLine() throws Exception {
        Path big = dir.resolve("big.txt");
        Files.write(big, new byte[48 << 20]); // more than the whole heap below
        String[] args = {"perplexity", "--model", Cli.FP32.toString(), "--file", big.toString()};
        Cli r = runJvm(args, "-Xmx24m", null);
        assertOneLineError(r, "OutOfMemoryError");
        Cli debug = runJvm(args, "-Xmx24m", "1");
        assertEquals(1, debug.code(), debug.dump());
        assertTrue(debug.err().contains("\tat "), "RWKVX_DEBUG=1 prints the stack trace\n" + debug.dump());
        assertEquals("OutOfMemoryError: Java heap space", Main.describe(new OutOfMemoryError("Java heap space")));
        assertEquals("StackOverflowError", Main.describe(new StackOverflowError()));
    }

    /** Runs Main in a JVM of its own (a small heap, and its exit code). */
    private static Cli runJvm(String[] args, String heap, String debug) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(
                java, heap, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path")));
        // The library this JVM uses (e.g. the sanitizer build), passed on directly: JAVA_TOOL_OPTIONS would
        // make the child print a "Picked up" line of its own on stderr.
        String library = System.getProperty("rwkvx.library.path");
        if (library != null) cmd.add("-Drwkvx.library.path=" + library);
        cmd.add(Main.class.getName());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().remove("RWKVX_DEBUG");
        if (debug != null) pb.environment().put("RWKVX_DEBUG", debug);
        Process p = pb.start();
        p.getOutputStream().close();
        // Both streams are small: read them one after the other.
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Cli(p.exitValue(), out, err);
    }

    /** Case 8: perplexity --file DIR printed only "Is a directory". */
    @Test
    void perplexityOnADirectoryNamesIt() {
        assertOneLineError(
                Cli.run("perplexity", "--model", Cli.FP32.toString(), "--file", dir.toString()),
                "cannot read text file " + dir);
    }

    /** Case 8: attn --q DIR printed only "Is a directory". */
    @Test
    void attnOnADirectoryNamesIt() {
        Path out = dir.resolve("o.npy");
        String d = dir.toString();
        assertOneLineError(
                Cli.run("attn", "--mode", "full", "--q", d, "--k", d, "--v", d, "--out", out.toString()), d + ": ");
    }

    /** Case 8: a .npy whose shape overflows printed only "integer overflow". */
    @Test
    void anOverflowingNpyShapeNamesTheFileAndTheShape() throws IOException {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 64), }";
        String header = dict + " ".repeat((64 - (10 + dict.length() + 1) % 64) % 64) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length()).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length());
        b.put(header.getBytes(StandardCharsets.ISO_8859_1));
        Path q = Files.write(dir.resolve("q.npy"), b.array());
        assertOneLineError(
                Cli.run(
                        "attn",
                        "--mode",
                        "full",
                        "--q",
                        q.toString(),
                        "--k",
                        q.toString(),
                        "--v",
                        q.toString(),
                        "--out",
                        dir.resolve("o.npy").toString()),
                q.toString(),
                "(4294967296, 4294967296, 64)");
    }
}
