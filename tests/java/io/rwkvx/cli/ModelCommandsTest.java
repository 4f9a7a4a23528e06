package io.rwkvx.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code info}, {@code perplexity} and {@code bench} on the tiny test models; {@code --weights} on every model command. */
class ModelCommandsTest {
    private static final String MODEL = Cli.FP32.toString();

    private static double number(String text, String regex) {
        Matcher m = Pattern.compile(regex, Pattern.MULTILINE).matcher(text);
        assertTrue(m.find(), "no match for " + regex + " in\n" + text);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void infoDescribesTheModel() {
        Cli r = Cli.run("info", "--model", MODEL);
        assertEquals(0, r.code(), r.dump());
        assertEquals(12, number(r.out(), "^n_layer\\s+(\\d+)$"));
        assertEquals(64, number(r.out(), "^n_embd\\s+(\\d+)$"));
        assertEquals(256, number(r.out(), "^n_vocab\\s+(\\d+)$"));
        for (String key : new String[] {
            "architecture",
            "format",
            "n_head",
            "head_size",
            "ffn_size",
            "parameters",
            "weight bytes",
            "weight dtypes",
            "state size",
            "backend",
            "fingerprint"
        }) assertTrue(r.out().contains("\n" + key + " "), "info shows " + key + "\n" + r.out());
        assertTrue(r.out().contains("RWKV-7"), r.out());
        Cli half = Cli.run("info", "--model", Cli.FP16.toString());
        assertEquals(0, half.code(), half.dump());
        assertTrue(half.out().contains("F16"), half.out());
    }

    @Test
    void perplexityIsFiniteAndIndependentOfTheChunkSize(@TempDir Path dir) throws IOException {
        Path text = Files.writeString(
                dir.resolve("t.txt"), "The quick brown fox jumps over the lazy dog. In the beginning was the word.\n");
        Cli small = Cli.run("perplexity", "--model", MODEL, "--file", text.toString(), "--context", "7");
        Cli large = Cli.run("perplexity", "--model", MODEL, "--file", text.toString());
        assertEquals(0, small.code(), small.dump());
        assertEquals(0, large.code(), large.dump());
        assertEquals("", small.err(), "no progress bar when stderr is not a terminal");
        double ppl = number(small.out(), "^perplexity\\s+(\\S+)$");
        double loss = number(small.out(), "^mean loss\\s+(\\S+) nats/token$");
        assertTrue(Double.isFinite(ppl) && ppl > 1 && ppl < 256, small.out());
        assertEquals(Math.exp(loss), ppl, ppl * 1e-4);
        assertEquals(loss, number(large.out(), "^mean loss\\s+(\\S+) nats/token$"), 1e-4);
    }

    @Test
    void perplexityNeedsTwoTokens(@TempDir Path dir) throws IOException {
        Path text = Files.writeString(dir.resolve("one.txt"), "x");
        Cli r = Cli.run("perplexity", "--model", MODEL, "--file", text.toString());
        assertEquals(1, r.code(), r.dump());
        assertTrue(r.err().startsWith("rwkvx: error: "), r.dump());
    }

    @ParameterizedTest
    @ValueSource(strings = {"generate", "logits", "perplexity", "info", "bench"})
    void everyCommandThatLoadsAModelTakesWeights(String command, @TempDir Path dir) throws IOException {
        Path text = Files.writeString(dir.resolve("t.txt"), "Some text.");
        String[] args = switch (command) {
            case "generate" -> new String[] {"--prompt", "Hi", "--max-tokens", "3", "--quiet"};
            case "logits" ->
                new String[] {"--tokens", "1,2", "--out", dir.resolve("l.bin").toString()};
            case "perplexity" -> new String[] {"--file", text.toString()};
            case "bench" -> new String[] {"--prompt-tokens", "4", "--gen-tokens", "2", "--repeat", "1"};
            default -> new String[] {};
        };
        for (String weights : new String[] {"in-place", "resident"}) {
            List<String> line =
                    new ArrayList<>(List.of(command, "--model", MODEL, "--backend", "native", "--weights", weights));
            line.addAll(List.of(args));
            Cli r = Cli.run(line.toArray(String[]::new));
            assertEquals(0, r.code(), r.dump());
            assertEquals("", r.err(), r.dump());
        }
        Cli help = Cli.run("help", command);
        assertTrue(
                help.out().lines().anyMatch(l -> l.strip().startsWith("--weights resident|in-place ")),
                "usage documents --weights\n" + help.out());
    }

    @Test
    void infoAndBenchNameTheWeightPlacement() {
        String[] bench = {
            "bench",
            "--model",
            MODEL,
            "--backend",
            "native",
            "--prompt-tokens",
            "4",
            "--gen-tokens",
            "2",
            "--repeat",
            "1"
        };
        for (String[] args : new String[][] {{"info", "--model", MODEL, "--backend", "native"}, bench}) {
            Cli resident = Cli.run(args);
            List<String> mapped = new ArrayList<>(List.of(args));
            mapped.addAll(List.of("--weights", "in-place"));
            Cli inPlace = Cli.run(mapped.toArray(String[]::new));
            assertEquals(0, resident.code(), resident.dump());
            assertEquals(0, inPlace.code(), inPlace.dump());
            String line = args[0].equals("info") ? "^backend\\s+native .*" : "^model\\s+.* on native .*";
            assertTrue(
                    Pattern.compile(line + ", weights: resident\\)", Pattern.MULTILINE)
                            .matcher(resident.out())
                            .find(),
                    resident.out());
            assertTrue(
                    Pattern.compile(line + ", weights: in place\\)", Pattern.MULTILINE)
                            .matcher(inPlace.out())
                            .find(),
                    inPlace.out());
        }
    }

    @Test
    void benchPrintsBothRates() {
        Cli r = Cli.run("bench", "--model", MODEL, "--prompt-tokens", "8", "--gen-tokens", "4", "--repeat", "2");
        assertEquals(0, r.code(), r.dump());
        assertTrue(number(r.out(), "^prefill\\s+8\\s+(\\S+)") > 0, r.out());
        assertTrue(number(r.out(), "^decode\\s+4\\s+(\\S+)") > 0, r.out());
    }
}
