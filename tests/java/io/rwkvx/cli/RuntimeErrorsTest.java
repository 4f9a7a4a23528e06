package io.rwkvx.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failures at run time: exit code 1 and exactly one line "rwkvx: error: ..." on stderr. */
class RuntimeErrorsTest {
    private static void assertOneLineError(Cli r, String... mentions) {
        assertEquals(1, r.code(), r.dump());
        assertTrue(r.err().startsWith("rwkvx: error: "), r.dump());
        assertTrue(r.err().endsWith("\n"), r.dump());
        assertEquals(1, r.err().lines().count(), "one line, no stack trace\n" + r.dump());
        for (String m : mentions) assertTrue(r.err().contains(m), "stderr should mention '" + m + "'\n" + r.dump());
    }

    @Test
    void missingModelFileIsNamed(@TempDir Path dir) {
        Path missing = dir.resolve("no-such-model.bin");
        for (String command : new String[] {"info", "bench", "tokenize"}) {
            String[] args = command.equals("tokenize")
                    ? new String[] {command, "--model", missing.toString(), "--text", "x"}
                    : new String[] {command, "--model", missing.toString()};
            assertOneLineError(Cli.run(args), missing.toString());
        }
        assertOneLineError(Cli.run("generate", "--model", missing.toString(), "--prompt", "hi"), missing.toString());
    }

    @Test
    void notAModelFile(@TempDir Path dir) throws IOException {
        Path junk = Files.writeString(dir.resolve("junk.bin"), "this is not a model at all");
        assertOneLineError(Cli.run("info", "--model", junk.toString()), junk.toString());
    }

    @Test
    void badStateFileAndTokenOutOfRange(@TempDir Path dir) throws IOException {
        Path out = dir.resolve("logits.bin");
        Path notState = Files.writeString(dir.resolve("state.bin"), "garbage garbage garbage garbage garbage garbage");
        assertOneLineError(
                Cli.run(
                        "logits",
                        "--model",
                        Cli.FP32.toString(),
                        "--tokens",
                        "1",
                        "--out",
                        out.toString(),
                        "--state-in",
                        notState.toString()),
                notState.toString());
        assertOneLineError(
                Cli.run("logits", "--model", Cli.FP32.toString(), "--tokens", "1,256", "--out", out.toString()), "256");
        assertFalse(Files.exists(out), "no output after a failure");
        assertOneLineError(Cli.run("detokenize", "--tokens", "70000"), "70000");
    }

    @Test
    void missingTextFile(@TempDir Path dir) {
        Path missing = dir.resolve("missing.txt");
        assertOneLineError(
                Cli.run("perplexity", "--model", Cli.FP32.toString(), "--file", missing.toString()),
                missing + ": no such file");
    }

    @Test
    void describeNamesAFileOnce() {
        var e = new UncheckedIOException("cannot read state file s.st", new NoSuchFileException("s.st"));
        assertEquals("cannot read state file s.st: no such file or directory", Main.describe(e));
        assertEquals("a b", Main.describe(new IllegalStateException("a\n  b")));
        assertEquals("NullPointerException", Main.describe(new NullPointerException()));
    }
}
