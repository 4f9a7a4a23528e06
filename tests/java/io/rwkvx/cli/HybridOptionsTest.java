package io.rwkvx.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rwkvx.RandomHybridModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The RWKV-X options of the commands that load a model, on a random RWKV-X model (C = 128, 4 RWKV-7
 * layers, 2 attention blocks with non-zero weights, so attention changes the logits) and 100 tokens.
 */
class HybridOptionsTest {
    /** Every RWKV-X option, each set to a value other than its default. */
    private static final String[] EVERY = {
        "--attn-chunk",
        "16",
        "--attn-top-k",
        "1",
        "--attn-scope",
        "all",
        "--attn-prefill",
        "full",
        "--attn-decode",
        "full",
        "--attn-dense-below",
        "8",
        "--kv-dtype",
        "bf16",
        "--kv-max-size",
        "64",
        "--kv-window",
        "8",
        "--kv-min-size",
        "32"
    };

    private static final int T = 100;
    private static final String TOKENS = IntStream.range(0, T)
            .mapToObj(i -> Integer.toString(32 + i * 37 % 95))
            .collect(Collectors.joining(","));
    /** Sparse attention that selects: dense only up to 0 tokens, chunks of 16, one past chunk. */
    private static final String[] SPARSE = {"--attn-dense-below", "0", "--attn-chunk", "16", "--attn-top-k", "1"};

    @TempDir
    static Path shared;

    private static String model;

    @BeforeAll
    static void writeModel() {
        model = new RandomHybridModel(new Random(20240607), 128, 4, 2, 256)
                .write(shared.resolve("x.safetensors"))
                .toString();
    }

    private static Cli run(String command, String... extra) {
        List<String> args = new ArrayList<>(List.of(command, "--model", model, "--threads", "2"));
        args.addAll(List.of(extra));
        return Cli.run(args.toArray(String[]::new));
    }

    private static void assertLine(String out, String key, String value) {
        assertTrue(
                Pattern.compile("^" + Pattern.quote(key) + "\\s+" + Pattern.quote(value) + "$", Pattern.MULTILINE)
                        .matcher(out)
                        .find(),
                key + " " + value + " in\n" + out);
    }

    private static float[] logits(Path dir, String... extra) throws IOException {
        Path out = Files.createTempFile(dir, "logits", ".bin");
        List<String> args = new ArrayList<>(List.of("--tokens", TOKENS, "--out", out.toString()));
        args.addAll(List.of(extra));
        Cli r = run("logits", args.toArray(String[]::new));
        assertEquals(0, r.code(), r.dump());
        assertEquals("", r.err(), r.dump());
        return LogitsCommandTest.readFloats(out);
    }

    private static double maxDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }

    @Test
    void infoShowsEverySettingInEffect() {
        Cli r = run("info", EVERY);
        assertEquals(0, r.code(), r.dump());
        assertEquals("", r.err(), r.dump());
        for (int i = 0; i < EVERY.length; i += 2) assertLine(r.out(), EVERY[i].substring(2), EVERY[i + 1]);
        // BF16 caches: 2 blocks x (K + V) x 128 channels x 2 bytes per token.
        assertTrue(
                r.out().contains("with empty KV caches, which hold 512 BF16 values (1,024 bytes) per token"), r.out());

        Cli defaults = run("info");
        assertEquals(0, defaults.code(), defaults.dump());
        assertLine(defaults.out(), "attn-chunk", "2048");
        assertLine(defaults.out(), "kv-max-size", "0 (no compression)");
        assertTrue(defaults.out().contains("which hold 512 F32 values (2,048 bytes) per token"), defaults.out());
        // Without --attn-dense-below the threshold follows the chunks (HybridConfig.withChunk): chunk x top-k.
        Cli chunks = run("info", "--attn-chunk", "16", "--attn-top-k", "1");
        assertLine(chunks.out(), "attn-dense-below", "16");
    }

    @Test
    void sparseAttentionChangesTheLogitsOnlyAboveTheDenseThreshold(@TempDir Path dir) throws IOException {
        // 100 tokens are below the default threshold (6144): sparse prefill runs as full attention.
        float[] defaults = logits(dir);
        assertArrayEquals(defaults, logits(dir, "--attn-prefill", "full", "--attn-decode", "full"));
        // Small chunks, but a threshold that covers the 100 tokens: still full attention.
        assertArrayEquals(
                defaults, logits(dir, "--attn-chunk", "64", "--attn-top-k", "1", "--attn-dense-below", "100"));
        float[] sparse = logits(dir, SPARSE);
        double diff = maxDiff(defaults, sparse);
        assertTrue(diff > 1e-3, "sparse attention over 16-token chunks changes the logits, by " + diff);
        // The same chunk settings with full prefill: full attention again.
        List<String> full = new ArrayList<>(List.of(SPARSE));
        full.addAll(List.of("--attn-prefill", "full"));
        assertTrue(maxDiff(defaults, logits(dir, full.toArray(String[]::new))) < 1e-5);
        // One selection over all heads instead of one per head: other chunks, other logits.
        List<String> allHeads = new ArrayList<>(List.of(SPARSE));
        allHeads.addAll(List.of("--attn-scope", "all"));
        assertTrue(maxDiff(sparse, logits(dir, allHeads.toArray(String[]::new))) > 1e-4, "scope changes the selection");
    }

    @Test
    void kvDtypeRoundsTheCaches(@TempDir Path dir) throws IOException {
        // Full attention: a rounded key could change a sparse chunk selection.
        float[] f32 = logits(dir, "--attn-prefill", "full");
        double f16 = maxDiff(f32, logits(dir, "--attn-prefill", "full", "--kv-dtype", "f16"));
        double bf16 = maxDiff(f32, logits(dir, "--attn-prefill", "full", "--kv-dtype", "bf16"));
        assertTrue(f16 > 0 && f16 < 0.01, "f16 caches: logits off by " + f16);
        assertTrue(
                bf16 > f16 && bf16 < 0.1, "bf16 caches (8-bit mantissas): logits off by " + bf16 + ", f16 by " + f16);
        assertArrayEquals(f32, logits(dir, "--attn-prefill", "full", "--kv-dtype", "f32"));
    }

    @Test
    void kvCompressionShortensTheCacheBeforeADecodeStep(@TempDir Path dir) throws IOException {
        Path prefilled = dir.resolve("prefilled.state"),
                kept = dir.resolve("kept.state"),
                compressed = dir.resolve("c.state");
        logits(dir, "--state-out", prefilled.toString());
        // One token after the 100: a decode step, which compresses caches longer than --kv-max-size.
        Path out = dir.resolve("next.bin");
        for (Path state : new Path[] {kept, compressed}) {
            List<String> args = new ArrayList<>(List.of(
                    "--tokens",
                    "65",
                    "--out",
                    out.toString(),
                    "--state-in",
                    prefilled.toString(),
                    "--state-out",
                    state.toString()));
            if (state == compressed)
                args.addAll(List.of("--kv-max-size", "64", "--kv-window", "8", "--kv-min-size", "32"));
            Cli r = run("logits", args.toArray(String[]::new));
            assertEquals(0, r.code(), r.dump());
        }
        // 101 cached tokens against 32 + 1, at 2 blocks x (K + V) x 128 float32 channels per token.
        assertEquals(Files.size(kept) - Files.size(compressed), (101L - 33) * 2 * 2 * 128 * 4);
    }

    @ParameterizedTest
    @ValueSource(strings = {"generate", "logits", "perplexity", "info", "bench"})
    void everyCommandThatLoadsAModelTakesThem(String command, @TempDir Path dir) throws IOException {
        Path text = Files.writeString(dir.resolve("t.txt"), "Some text to measure.");
        List<String> args = new ArrayList<>(List.of(EVERY));
        args.addAll(
                switch (command) {
                    case "generate" -> List.of("--prompt", "Hi", "--max-tokens", "3", "--quiet");
                    case "logits" ->
                        List.of("--tokens", "1,2", "--out", dir.resolve("l.bin").toString());
                    case "perplexity" -> List.of("--file", text.toString());
                    case "bench" -> List.of("--prompt-tokens", "4", "--gen-tokens", "2", "--repeat", "1");
                    default -> List.of();
                });
        Cli r = run(command, args.toArray(String[]::new));
        assertEquals(0, r.code(), r.dump());
        assertEquals("", r.err(), r.dump());
        Cli help = Cli.run("help", command);
        for (int i = 0; i < EVERY.length; i += 2) {
            String option = EVERY[i];
            assertTrue(
                    help.out().lines().anyMatch(l -> l.strip().startsWith(option + " ")),
                    option + " in\n" + help.out());
        }
    }

    @ParameterizedTest
    @CsvSource(
            delimiterString = " => ",
            value = {
                "--attn-chunk 0 => option --attn-chunk must be at least 1, got 0",
                "--attn-chunk many => option --attn-chunk needs an integer, got 'many'",
                "--attn-top-k 65 => option --attn-top-k must be at most 64, got 65",
                "--attn-scope group => option --attn-scope must be head or all, got 'group'",
                "--attn-prefill dense => option --attn-prefill must be sparse or full, got 'dense'",
                "--attn-decode Sparse => option --attn-decode must be sparse or full, got 'Sparse'",
                "--attn-dense-below -1 => option --attn-dense-below must be at least 0, got -1",
                "--kv-dtype f8 => option --kv-dtype must be f32, f16 or bf16, got 'f8'",
                "--kv-max-size -5 => option --kv-max-size must be at least 0, got -5",
                "--kv-window 1.5 => option --kv-window needs an integer, got '1.5'",
                "--kv-min-size 0 => option --kv-min-size must be at least 1, got 0",
                "--attn-chunk 16 --attn-top-k 1 --attn-dense-below 32 => "
                        + "option --attn-dense-below must be below --attn-chunk x (--attn-top-k + 1) = 32, got 32",
                "--attn-dense-below 6144 --attn-top-k 2 => "
                        + "option --attn-dense-below must be below --attn-chunk x (--attn-top-k + 1) = 6144, got 6144",
                "--kv-max-size 100 => "
                        + "with --kv-max-size above 0, --kv-window < --kv-min-size <= --kv-max-size must hold; got 2000, 16000, 100",
                "--kv-max-size 64 --kv-window 32 --kv-min-size 32 => "
                        + "with --kv-max-size above 0, --kv-window < --kv-min-size <= --kv-max-size must hold; got 32, 32, 64",
            })
    void wrongValuesAreUsageErrors(String options, String message) {
        for (String command : new String[] {"info", "generate"}) {
            List<String> args = new ArrayList<>(List.of(options.split(" ")));
            if (command.equals("generate")) args.addAll(List.of("--prompt", "Hi"));
            Cli r = run(command, args.toArray(String[]::new));
            assertEquals(2, r.code(), r.dump());
            assertEquals("", r.out(), r.dump());
            assertEquals(
                    "rwkvx " + command + ": " + message,
                    r.err().lines().findFirst().orElseThrow(),
                    r.dump());
            assertTrue(r.err().contains("Usage: rwkvx " + command), r.dump());
        }
    }

    @Test
    void otherArchitecturesIgnoreThemWithAWarning() {
        Cli r = Cli.run("info", "--model", Cli.FP32.toString(), "--attn-chunk", "16", "--kv-dtype", "f16");
        assertEquals(0, r.code(), r.dump());
        assertEquals(
                "rwkvx info: warning: --attn-chunk, --kv-dtype only apply to RWKV-X models; this RWKV-7 model "
                        + "ignores them\n",
                r.err());
        assertFalse(r.out().contains("attn-chunk"), r.out());
        Cli one = Cli.run("generate", "--prompt", "Hi", "--max-tokens", "2", "--quiet", "--attn-decode", "full");
        assertEquals(0, one.code(), one.dump());
        assertEquals(
                "rwkvx generate: warning: --attn-decode only applies to RWKV-X models; this RWKV-7 model ignores it\n",
                one.err());
    }
}
