package io.rwkvx.cli;

import io.rwkvx.Model;
import io.rwkvx.common.RwkvxException;
import io.rwkvx.Session;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/** {@code rwkvx perplexity}: mean next-token loss of a model over a text file. */
final class PerplexityCommand implements Command {
    @Override
    public String name() {
        return "perplexity";
    }

    @Override
    public OptionSpec options() {
        return new OptionSpec().model().value("--file", "--context");
    }

    @Override
    public int run(Options o, Streams io) throws UsageException, IOException {
        ModelChoice choice = ModelChoice.from(o, true);
        Path file = o.requirePath("--file");
        // Chunk length: evalAll holds chunk x n_vocab floats twice, 128 MiB at 256 tokens of a World model.
        int context = o.intValue("--context", 256, 1);

        byte[] text = Files.readAllBytes(file);
        double lossSum = 0;
        int n;
        try (Model model = choice.open(); Session session = model.newSession()) {
            int[] tokens = model.tokenizer().encodeBytes(text);
            n = tokens.length;
            if (n < 2) throw new RwkvxException(file + ": " + n + " token(s); perplexity needs at least 2");
            ProgressBar bar = new ProgressBar(io.err(), io.interactive(), n - 1, "tokens");
            // The last token predicts nothing, so it is never evaluated.
            for (int start = 0; start < n - 1; start += context) {
                int end = Math.min(start + context, n - 1);
                float[][] rows = session.evalAll(Arrays.copyOfRange(tokens, start, end));
                for (int i = 0; i < rows.length; i++) lossSum += negativeLogLikelihood(rows[i], tokens[start + i + 1]);
                bar.update(end);
            }
            bar.finish();
        }
        double meanLoss = lossSum / (n - 1);
        io.out().printf(Locale.ROOT, "tokens      %d (%d predicted)%n", n, n - 1);
        io.out().printf(Locale.ROOT, "mean loss   %.6f nats/token%n", meanLoss);
        io.out().printf(Locale.ROOT, "perplexity  %.4f%n", Math.exp(meanLoss));
        return 0;
    }

    /** -log softmax(logits)[target], via log-sum-exp in double precision. */
    static double negativeLogLikelihood(float[] logits, int target) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) max = Math.max(max, l);
        double sum = 0;
        for (float l : logits) sum += Math.exp(l - max);
        return max + Math.log(sum) - logits[target];
    }
}
