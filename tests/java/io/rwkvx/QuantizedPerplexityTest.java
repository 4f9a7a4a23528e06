package io.rwkvx;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rwkvx.backend.BackendKind;
import io.rwkvx.tensor.DType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Perplexity of the tiny models on a fixed text, FP32 and FP16 against every quantized type (quantized on
 * load from the FP32 file, as rwkv.cpp's quantizer would from it), printed as the table in docs/numerics.md
 * §3.7. Not a benchmark; the assertion only guards against a broken type (the tiny models are toys, so the
 * increases say little about real models).
 */
class QuantizedPerplexityTest {
    /** A fixed English text: the tiny models are byte-level, one token per byte. */
    static final String TEXT = """
            The quick brown fox jumps over the lazy dog. In the beginning of the story, a young girl lived \
            with her mother in a small house near the forest. Every morning she walked to the river to fetch \
            water, and every evening she sat by the fire and listened to the old stories of the village. One \
            day a stranger came to the door and asked for bread. She gave him what she had, and he told her \
            about a city far away, where the streets were made of stone and the people spoke many languages.
            """;

    record Row(String model, String type, double perplexity) {}

    static double perplexity(Path file, ModelOptions options) {
        int[] tokens = TestModels.bytesOf(TEXT);
        try (Model m = Rwkvx.load(file, options);
                Session s = m.newSession()) {
            float[][] logits = s.evalAll(tokens);
            double loss = 0;
            for (int t = 0; t + 1 < tokens.length; t++) {
                float[] z = logits[t];
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (float v : z) max = Math.max(max, v);
                for (float v : z) sum += Math.exp(v - max);
                loss += Math.log(sum) + max - z[tokens[t + 1]];
            }
            return Math.exp(loss / (tokens.length - 1));
        }
    }

    @Test
    void everyTypeRaisesPerplexityLittleOnTheTinyModels() {
        ModelOptions native2 =
                ModelOptions.defaults().withBackend(BackendKind.NATIVE).withThreads(2);
        List<Row> rows = new ArrayList<>();
        StringBuilder table = new StringBuilder("| model | FP32 | FP16 |");
        for (DType t : DType.quantized()) table.append(' ').append(t).append(" |");
        table.append("\n|---|---|---|")
                .append("---|".repeat(DType.quantized().size()))
                .append('\n');
        for (String model : List.of("4v0-660K", "5v2-730K", "7v0-834K")) {
            Path fp32 =
                    model.equals("7v0-834K") ? TestModels.FP32 : Path.of("tests/data/tiny-rwkv-" + model + "-FP32.bin");
            Path fp16 = Path.of("tests/data/tiny-rwkv-" + model + "-FP16.bin");
            double base = perplexity(fp32, native2);
            table.append(String.format(Locale.ROOT, "| %s | %.4f |", model, base));
            if (java.nio.file.Files.exists(fp16)) {
                double half = perplexity(fp16, native2);
                table.append(String.format(Locale.ROOT, " %.4f (%+.2f%%) |", half, 100 * (half / base - 1)));
            } else {
                table.append(" — |");
            }
            for (DType t : DType.quantized()) {
                double q = perplexity(fp32, native2.withQuantization(t));
                rows.add(new Row(model, t.name(), q / base));
                table.append(String.format(Locale.ROOT, " %.4f (%+.2f%%) |", q, 100 * (q / base - 1)));
            }
            table.append('\n');
        }
        System.out.print("Perplexity on the fixed text (increase over FP32):\n" + table);
        for (Row r : rows) {
            assertTrue(
                    Double.isFinite(r.perplexity()) && r.perplexity() < 1.5,
                    r.model() + " " + r.type() + ": perplexity ratio " + r.perplexity() + " to FP32");
        }
    }
}
