package io.rwkvx.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The CLI on the tiny RWKV-4 model: info names the architecture, and --tokenizer overrides the model's. */
class Rwkv4CliTest {
    private static final String V4 = "tests/data/tiny-rwkv-4v0-660K-FP32.bin";

    @Test
    void infoTellsTheArchitectureAndStateSize() {
        Cli r = Cli.run("info", "--model", V4);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("RWKV-4"), r.out());
        // 4 layers · 5 · C=128 floats.
        assertTrue(r.out().contains("2,560 floats"), r.out());
    }

    @Test
    void generateAndLogitsRunOnRwkv4() {
        Cli r = Cli.run("generate", "--model", V4, "--prompt", "\"in", "--max-tokens", "5", "--seed", "1", "--quiet");
        assertEquals(0, r.code(), r.err());
    }

    @Test
    void tokenizerOptionOverridesTheModelsTokenizer() {
        Cli bytes = Cli.run("tokenize", "--model", V4, "--text", "Hello world");
        assertEquals(0, bytes.code(), bytes.err());
        assertEquals("72,101,108,108,111,32,119,111,114,108,100", bytes.out().trim());
        Cli neox = Cli.run("tokenize", "--model", V4, "--tokenizer", "neox", "--text", "Hello world");
        assertEquals(0, neox.code(), neox.err());
        assertEquals("12092,1533", neox.out().trim());
        Cli bad = Cli.run("tokenize", "--tokenizer", "klingon", "--text", "x");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--tokenizer must be world, neox or bytes"), bad.err());
        // A model opened with a tokenizer whose ids exceed its vocabulary is refused with a reason.
        Cli tooBig = Cli.run("generate", "--model", V4, "--tokenizer", "neox", "--prompt", "a", "--max-tokens", "1");
        assertEquals(1, tooBig.code());
        assertTrue(tooBig.err().contains("50277"), tooBig.err());
    }
}
