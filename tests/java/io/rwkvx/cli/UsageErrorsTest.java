package io.rwkvx.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Wrong arguments: exit code 2, the problem and the right usage text on stderr, nothing on stdout. */
class UsageErrorsTest {
    private static final String M = Cli.FP32.toString();

    private static void assertUsageError(Cli r, String usageOf, String problem) {
        assertEquals(2, r.code(), r.dump());
        assertEquals("", r.out(), r.dump());
        assertTrue(r.err().contains(problem), "stderr should mention '" + problem + "'\n" + r.dump());
        assertTrue(
                r.err().contains("Usage: rwkvx " + usageOf),
                "stderr should show the usage of " + usageOf + "\n" + r.dump());
    }

    @Test
    void noArgumentsShowTheOverview() {
        assertUsageError(Cli.run(), "<command>", "no command given");
    }

    @Test
    void unknownCommand() {
        assertUsageError(Cli.run("frobnicate", "--x"), "<command>", "unknown command 'frobnicate'");
    }

    @Test
    void unknownOption() {
        assertUsageError(Cli.run("generate", "--prompt", "hi", "--frob", "1"), "generate", "unknown option '--frob'");
    }

    @Test
    void missingValueAtTheEnd() {
        assertUsageError(Cli.run("generate", "--prompt"), "generate", "option --prompt needs a value");
    }

    @Test
    void missingValueBeforeAnotherOption() {
        assertUsageError(
                Cli.run("generate", "--prompt", "--max-tokens", "3"), "generate", "option --prompt needs a value");
    }

    @ParameterizedTest
    @CsvSource({"--max-tokens, ten", "--seed, 1.5", "--temperature, warm", "--top-k, -1", "--max-tokens, -2"})
    void badNumbers(String option, String value) {
        assertUsageError(Cli.run("generate", "--prompt", "hi", option, value), "generate", "option " + option);
    }

    @Test
    void samplerValueOutOfRange() {
        assertUsageError(
                Cli.run("generate", "--prompt", "hi", "--top-p", "2"), "generate", "option --top-p must be in (0, 1]");
        assertUsageError(
                Cli.run("generate", "--prompt", "hi", "--repetition-penalty", "0"),
                "generate",
                "option --repetition-penalty must be");
    }

    @Test
    void missingRequiredOption() {
        assertUsageError(
                Cli.run("logits", "--model", M, "--out", "x.bin"), "logits", "missing required option --tokens");
        assertUsageError(Cli.run("info"), "info", "missing required option --model");
        assertUsageError(Cli.run("generate"), "generate", "missing required option --prompt");
    }

    @Test
    void badTokenList() {
        assertUsageError(Cli.run("detokenize", "--tokens", "1,,3"), "detokenize", "item 2");
        assertUsageError(Cli.run("logits", "--model", M, "--tokens", "1,-2", "--out", "x"), "logits", "negative");
    }

    @Test
    void badChoices() {
        assertUsageError(Cli.run("info", "--model", M, "--backend", "gpu"), "info", "--backend must be");
        assertUsageError(Cli.run("tokenize", "--vocab", "klingon", "--text", "x"), "tokenize", "--vocab must be");
        assertUsageError(
                Cli.run("tokenize", "--vocab", "bytes", "--model", M, "--text", "x"),
                "tokenize",
                "cannot be used together");
    }

    @Test
    void weightsIsAnOptionOfTheModelCommandsOnly() {
        for (String wrong : new String[] {"mapped", "in_place", "RESIDENT", ""})
            assertUsageError(
                    Cli.run("logits", "--model", M, "--tokens", "1", "--out", "x.bin", "--weights=" + wrong),
                    "logits",
                    "option --weights must be resident or in-place, got '" + wrong + "'");
        assertUsageError(Cli.run("info", "--model", M, "--weights"), "info", "option --weights needs a value");
        assertUsageError(
                Cli.run("info", "--model", M, "--weights", "resident", "--weights", "in-place"),
                "info",
                "option --weights given more than once");
        assertUsageError(
                Cli.run("tokenize", "--model", M, "--text", "x", "--weights", "resident"),
                "tokenize",
                "unknown option '--weights'");
        assertUsageError(
                Cli.run("expand", "--model", M, "--attn-layers", "2", "--out", "x", "--weights", "in-place"),
                "expand",
                "unknown option '--weights'");
        assertUsageError(Cli.run("info", "--model", M, "--mmap"), "info", "unknown option '--mmap'");
    }

    @Test
    void repeatedSingleOptionAndStrayArgument() {
        assertUsageError(Cli.run("generate", "--prompt", "a", "--prompt", "b"), "generate", "more than once");
        assertUsageError(Cli.run("tokenize", "--text", "a", "extra"), "tokenize", "unexpected argument 'extra'");
        assertUsageError(Cli.run("version", "now"), "<command>", "version takes no arguments");
        assertUsageError(Cli.run("help", "frob"), "<command>", "unknown command 'frob'");
    }

    @Test
    void helpGoesToStdoutWithExitZero() {
        for (String[] args : new String[][] {{"help"}, {"--help"}, {"-h"}}) {
            Cli r = Cli.run(args);
            assertEquals(0, r.code(), r.dump());
            assertTrue(r.out().contains("Usage: rwkvx <command>"), r.dump());
            assertEquals("", r.err());
        }
        Cli r = Cli.run("help", "bench");
        assertEquals(0, r.code(), r.dump());
        assertTrue(r.out().startsWith("Usage: rwkvx bench"), r.dump());
        r = Cli.run("generate", "--max-tokens", "3", "--help");
        assertEquals(0, r.code(), r.dump());
        assertTrue(r.out().startsWith("Usage: rwkvx generate"), r.dump());
    }

    @Test
    void versionPrintsOneLine() {
        Cli r = Cli.run("version");
        assertEquals(0, r.code(), r.dump());
        assertTrue(r.out().matches("rwkvx \\S.*\\n"), r.dump());
    }
}
