package io.rwkvx.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code rwkvx quantize}, {@code --quantize} on the commands that load a model, and {@code info}'s tensor list. */
class QuantizeCommandTest {
    private static final Path Q5_1 = Path.of("tests/data/tiny-rwkv-7v0-834K-Q5_1.bin");

    @TempDir
    Path dir;

    @Test
    void quantizeWritesRwkvCppsFile() throws IOException {
        Path out = dir.resolve("q.bin");
        Cli r = Cli.run("quantize", "--model", Cli.FP32.toString(), "--out", out.toString(), "--type", "Q5_1");
        assertEquals(0, r.code(), r.dump());
        assertTrue(r.out().startsWith("wrote " + out + ": 72 tensors quantized to Q5_1, 267 kept;"), r.out());
        assertEquals(-1, Files.mismatch(Q5_1, out), "rwkv.cpp's own Q5_1 file");
    }

    @Test
    void headOption() {
        Path out = dir.resolve("q.bin");
        Cli r = Cli.run(
                "quantize",
                "--model",
                Cli.FP32.toString(),
                "--out",
                out.toString(),
                "--type",
                "Q4_0",
                "--head",
                "Q8_0");
        assertEquals(0, r.code(), r.dump());
        assertTrue(r.out().contains("73 tensors quantized to Q4_0 (head.weight to Q8_0), 266 kept; "), r.out());
        Cli info = Cli.run("info", "--model", out.toString());
        assertEquals(0, info.code(), info.dump());
        assertTrue(tensorLine(info.out(), "head.weight", "Q8_0", "[256, 64]"), info.out());
        assertTrue(tensorLine(info.out(), "blocks.11.ffn.key.weight", "Q4_0", "[256, 64]"), info.out());
    }

    private static boolean tensorLine(String out, String name, String type, String shape) {
        return Pattern.compile("(?m)^  " + Pattern.quote(name) + " +" + type + " +" + Pattern.quote(shape) + "$")
                .matcher(out)
                .find();
    }

    @Test
    void infoListsEveryTensorsTypeAndCountsThem() {
        Cli r = Cli.run("info", "--model", Q5_1.toString());
        assertEquals(0, r.code(), r.dump());
        assertTrue(r.out().contains("\nweight dtypes    F32 (327 tensors), Q5_1 (72 tensors)\n"), r.out());
        assertTrue(r.out().contains("\ntensors          399 (name, type, shape):\n"), r.out());
        assertTrue(tensorLine(r.out(), "blocks.0.att.key.weight", "Q5_1", "[64, 64]"), r.out());
        assertTrue(tensorLine(r.out(), "blocks.0.att.w1", "F32", "[32, 64]"), r.out());
        assertTrue(tensorLine(r.out(), "blocks.0.att.x_r", "F32", "[64]"), r.out());
        assertTrue(r.out().contains("rwkv.cpp (file version 101)"), r.out());
        assertEquals(399, r.out().lines().filter(l -> l.startsWith("  ")).count(), r.out());
    }

    @Test
    void quantizeOnLoad() {
        Cli r = Cli.run("info", "--model", Cli.FP16.toString(), "--quantize", "Q8_0");
        assertEquals(0, r.code(), r.dump());
        // The FP16 file's 72 projections become Q8_0; emb, head and the 94 LoRA matrices stay F16.
        assertTrue(
                r.out().contains("\nweight dtypes    F32 (231 tensors), F16 (96 tensors), Q8_0 (72 tensors)\n"),
                r.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"generate", "logits", "perplexity", "info", "bench"})
    void everyCommandThatLoadsAModelTakesQuantize(String command) throws IOException {
        Path text = Files.writeString(dir.resolve("t.txt"), "The quick brown fox.");
        String[] args = switch (command) {
            case "generate" -> new String[] {"--prompt", "in", "--max-tokens", "3", "--quiet"};
            case "logits" ->
                new String[] {
                    "--tokens", "34,105", "--out", dir.resolve("l.bin").toString()
                };
            case "perplexity" -> new String[] {"--file", text.toString()};
            case "bench" -> new String[] {"--prompt-tokens", "4", "--gen-tokens", "2", "--repeat", "1"};
            default -> new String[0];
        };
        String[] all = new String[args.length + 5];
        all[0] = command;
        all[1] = "--model";
        all[2] = Cli.FP32.toString();
        all[3] = "--quantize";
        all[4] = "Q4_1";
        System.arraycopy(args, 0, all, 5, args.length);
        Cli r = Cli.run(all);
        assertEquals(0, r.code(), r.dump());
    }

    @Test
    void aQuantizedModelIsAOneLineError() {
        Cli r = Cli.run(
                "quantize",
                "--model",
                Q5_1.toString(),
                "--out",
                dir.resolve("q.bin").toString(),
                "--type",
                "Q8_0");
        assertEquals(1, r.code(), r.dump());
        assertTrue(r.err().startsWith("rwkvx: error: "), r.dump());
        assertTrue(r.err().contains("is already Q5_1"), r.dump());
        assertEquals(1, r.err().lines().count(), r.dump());
        assertFalse(Files.exists(dir.resolve("q.bin")));
    }

    @Test
    void expandRefusesAQuantizedModelInOneLine() {
        Path out = dir.resolve("x.safetensors");
        Cli r = Cli.run("expand", "--model", Q5_1.toString(), "--attn-layers", "2", "--out", out.toString());
        assertEquals(1, r.code(), r.dump());
        assertTrue(r.err().contains("safetensors files hold no ggml blocks"), r.dump());
        assertEquals(1, r.err().lines().count(), r.dump());
    }

    @Test
    void usageErrors() {
        String m = Cli.FP32.toString(), out = dir.resolve("q.bin").toString();
        assertUsage(Cli.run("quantize", "--model", m, "--out", out), "missing required option --type");
        assertUsage(Cli.run("quantize", "--model", m, "--type", "Q5_0"), "missing required option --out");
        assertUsage(
                Cli.run("quantize", "--model", m, "--out", out, "--type", "Q4_K"),
                "option --type must be Q8_0, Q5_1, Q5_0, Q4_1 or Q4_0, got 'Q4_K'");
        assertUsage(
                Cli.run("quantize", "--model", m, "--out", out, "--type", "Q5_0", "--head", "F16"),
                "option --head must be");
        assertUsage(Cli.run("info", "--model", m, "--quantize", "q8_0"), "option --quantize must be");
    }

    private static void assertUsage(Cli r, String problem) {
        assertEquals(2, r.code(), r.dump());
        assertTrue(r.err().contains(problem), r.dump());
    }
}
