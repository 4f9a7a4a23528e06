package io.rwkvx.cli;

import io.rwkvx.Model;
import io.rwkvx.Session;
import io.rwkvx.common.RwkvxException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/** {@code rwkvx perplexity}: mean next-token loss of a model over a text file. */
final class PerplexityCommand implements Command {
    private static final Option FILE =
            Option.value("--file", "TEXT", "the text file").asRequired();
    /** Most bytes of logits of one evaluation call (held twice: the native buffer and the rows): bounds --context. */
    static final long LOGITS_BUDGET = 256L << 20;

    private static final Option CONTEXT = Option.value(
            "--context", "N", "tokens per evaluation call (default 256; fewer where their logits pass 256 MiB)");

    @Override
    public String name() {
        return "perplexity";
    }

    @Override
    public String summary() {
        return "mean loss and perplexity of a model on a text file";
    }

    @Override
    public String description() {
        return """
                Tokenizes the file (UTF-8) and prints the mean loss (nats per token) and perplexity of
                predicting tokens 2..n, each from all the text before it. The text is evaluated N tokens
                at a time with the state carried over, so N changes speed and memory, not the result.
                A progress bar shows on stderr when it is a terminal.
                """;
    }

    @Override
    public OptionSpec options() {
        return ModelChoice.spec(ModelChoice.MODEL, FILE, CONTEXT);
    }

    @Override
    public int run(Options o, Streams io) throws UsageException, IOException {
        ModelChoice choice = ModelChoice.from(o);
        Path file = o.requirePath(FILE.name());
        // Chunk length: evalAll holds chunk x n_vocab floats twice, 128 MiB at 256 tokens of a World model.
        int context = o.intValue(CONTEXT.name(), 256, 1);

        byte[] text;
        try {
            text = Files.readAllBytes(file);
        } catch (IOException e) { // some (a directory: "Is a directory") do not say which file
            throw new UncheckedIOException("cannot read text file " + file, e);
        }
        double lossSum = 0;
        int n;
        try (Model model = choice.open(io);
                Session session = model.newSession()) {
            int[] tokens = model.tokenizer().encodeBytes(text);
            n = tokens.length;
            if (n < 2) throw new RwkvxException(file + ": " + n + " token(s); perplexity needs at least 2");
            // The chunk's logits are held twice (native and Java rows): never more than the budget.
            int chunk = (int) Math.min(
                    context, Math.max(1, LOGITS_BUDGET / (4L * model.config().nVocab())));
            ProgressBar bar = new ProgressBar(io.err(), io.interactive(), n - 1, "tokens");
            // The last token predicts nothing, so it is never evaluated.
            for (int start = 0, end; start < n - 1; start = end) {
                end = (int) Math.min((long) start + chunk, n - 1);
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
