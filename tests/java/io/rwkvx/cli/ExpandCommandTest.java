package io.rwkvx.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code expand} and the other commands on its output (the tiny RWKV-7 with 4 attention blocks). */
class ExpandCommandTest {
    private static final String MODEL = Cli.FP32.toString();
    private static final String TOKENS = "34,105,110";

    @TempDir
    static Path shared;

    private static Path expanded;

    @BeforeAll
    static void expand() {
        expanded = shared.resolve("tiny-x4.safetensors");
        Cli r = Cli.run("expand", "--model", MODEL, "--attn-layers", "4", "--out", expanded.toString(), "--seed", "7");
        assertEquals(0, r.code(), r.dump());
        assertTrue(r.out().contains("4 attention layers"), r.out());
        assertEquals("", r.err());
    }

    private static float[] logits(Path model, Path out) throws IOException {
        Cli r = Cli.run("logits", "--model", model.toString(), "--tokens", TOKENS, "--out", out.toString());
        assertEquals(0, r.code(), r.dump());
        return LogitsCommandTest.readFloats(out);
    }

    private static int argmax(float[] x) {
        int best = 0;
        for (int i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
        return best;
    }

    @Test
    void expandedModelGivesTheOriginalLogits(@TempDir Path dir) throws IOException {
        float[] want = logits(Cli.FP32, dir.resolve("a.bin"));
        float[] got = logits(expanded, dir.resolve("b.bin"));
        assertEquals(want.length, got.length);
        for (int i = 0; i < want.length; i++)
            assertTrue(Math.abs(want[i] - got[i]) <= 1e-5, "logit " + i + ": " + want[i] + " vs " + got[i]);
        assertEquals(argmax(want), argmax(got));
    }

    @Test
    void infoShowsTheHybridLayout() {
        Cli r = Cli.run("info", "--model", expanded.toString());
        assertEquals(0, r.code(), r.dump());
        assertTrue(
                Pattern.compile("^architecture\\s+RWKV-X$", Pattern.MULTILINE)
                        .matcher(r.out())
                        .find(),
                r.out());
        assertTrue(
                Pattern.compile("^n_attn_layer\\s+4$", Pattern.MULTILINE)
                        .matcher(r.out())
                        .find(),
                r.out());
        assertTrue(
                Pattern.compile("^n_layer\\s+12$", Pattern.MULTILINE)
                        .matcher(r.out())
                        .find(),
                r.out());
        assertTrue(r.out().contains("after every 3 RWKV-7 layers"), r.out());
        for (String setting : new String[] {
            "attn-chunk 2048",
            "attn-top-k 3",
            "attn-scope head",
            "attn-prefill sparse",
            "attn-decode sparse",
            "attn-dense-below 6144",
            "kv-dtype f32",
            "kv-max-size 0 \\(no compression\\)",
            "kv-window 2000",
            "kv-min-size 16000"
        })
            assertTrue(
                    Pattern.compile("^" + setting.replace(" ", "\\s+") + "$", Pattern.MULTILINE)
                            .matcher(r.out())
                            .find(),
                    setting + " in\n" + r.out());
        assertTrue(r.out().contains("safetensors"), r.out());
        Cli plain = Cli.run("info", "--model", MODEL);
        assertFalse(plain.out().contains("n_attn_layer"), plain.out());
    }

    @Test
    void generateRunsOnTheExpandedModel() {
        String[] args = {
            "generate",
            "--model",
            expanded.toString(),
            "--prompt",
            "Hello",
            "--max-tokens",
            "20",
            "--seed",
            "1",
            "--threads",
            "2"
        };
        Cli a = Cli.run(args);
        assertEquals(0, a.code(), a.dump());
        assertEquals(a.out(), Cli.run(args).out(), "same seed, same text");
        // Zero-initialised blocks: the same text as the original model.
        args[2] = MODEL;
        assertEquals(Cli.run(args).out(), a.out());
    }

    @Test
    void perplexityRunsOnTheExpandedModel(@TempDir Path dir) throws IOException {
        Path text = Files.writeString(dir.resolve("t.txt"), "The quick brown fox jumps over the lazy dog.\n");
        Cli x = Cli.run("perplexity", "--model", expanded.toString(), "--file", text.toString(), "--context", "5");
        Cli base = Cli.run("perplexity", "--model", MODEL, "--file", text.toString());
        assertEquals(0, x.code(), x.dump());
        assertEquals(0, base.code(), base.dump());
        assertEquals(loss(base.out()), loss(x.out()), 1e-4);
    }

    private static double loss(String out) {
        Matcher m = Pattern.compile("^mean loss\\s+(\\S+) nats/token$", Pattern.MULTILINE)
                .matcher(out);
        assertTrue(m.find(), out);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void aCountThatDoesNotDivideTheLayersFails(@TempDir Path dir) {
        Path out = dir.resolve("x.safetensors");
        Cli r = Cli.run("expand", "--model", MODEL, "--attn-layers", "5", "--out", out.toString());
        assertEquals(1, r.code(), r.dump());
        assertTrue(r.err().startsWith("rwkvx: error: "), r.err());
        assertTrue(r.err().contains("--attn-layers 5 must divide the 12 RWKV-7 layers"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(Files.exists(out), "nothing written");
    }

    @Test
    void aHybridModelCannotBeExpandedAgain(@TempDir Path dir) {
        Cli r = Cli.run(
                "expand",
                "--model",
                expanded.toString(),
                "--attn-layers",
                "2",
                "--out",
                dir.resolve("y.safetensors").toString());
        assertEquals(1, r.code(), r.dump());
        assertTrue(r.err().contains("needs an RWKV-7 model, found RWKV-X"), r.err());
    }

    @Test
    void anUnwritableOutputFails(@TempDir Path dir) {
        Cli r = Cli.run(
                "expand",
                "--model",
                MODEL,
                "--attn-layers",
                "4",
                "--out",
                dir.resolve("no/such/dir/x.safetensors").toString());
        assertEquals(1, r.code(), r.dump());
        assertTrue(r.err().startsWith("rwkvx: error: ") && r.err().contains("x.safetensors"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void theInputIsNeverOverwritten(@TempDir Path dir) throws IOException {
        Path copy = Files.copy(expanded, dir.resolve("m.safetensors"));
        long size = Files.size(copy);
        Cli r = Cli.run("expand", "--model", copy.toString(), "--attn-layers", "4", "--out", copy.toString());
        assertEquals(1, r.code(), r.dump());
        assertEquals(size, Files.size(copy));
    }

    @Test
    void usageErrors() {
        Cli noOut = Cli.run("expand", "--model", MODEL, "--attn-layers", "4");
        assertEquals(2, noOut.code(), noOut.dump());
        assertTrue(noOut.err().contains("missing required option --out"), noOut.err());
        assertTrue(noOut.err().contains("Usage: rwkvx expand"), noOut.err());
        Cli noCount = Cli.run("expand", "--model", MODEL, "--out", "x.safetensors");
        assertEquals(2, noCount.code(), noCount.dump());
        assertTrue(noCount.err().contains("missing required option --attn-layers"), noCount.err());
        Cli zero = Cli.run("expand", "--model", MODEL, "--attn-layers", "0", "--out", "x.safetensors");
        assertEquals(2, zero.code(), zero.dump());
        Cli word = Cli.run("expand", "--model", MODEL, "--attn-layers", "four", "--out", "x.safetensors");
        assertEquals(2, word.code(), word.dump());
        Cli unknown =
                Cli.run("expand", "--model", MODEL, "--attn-layers", "4", "--out", "x.safetensors", "--threads", "2");
        assertEquals(2, unknown.code(), unknown.dump());
        assertFalse(Files.exists(Path.of("x.safetensors")));
    }

    @Test
    void helpListsExpand() {
        Cli help = Cli.run("help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("\n  expand "), help.out());
        Cli one = Cli.run("expand", "--help");
        assertEquals(0, one.code());
        assertTrue(one.out().contains("--attn-layers N"), one.out());
    }
}
