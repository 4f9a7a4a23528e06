package io.rwkvx.cli;

import io.rwkvx.Model;
import io.rwkvx.Session;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * {@code rwkvx bench}: prefill and decode speed, measured like llama-bench (random ids from a fixed
 * seed, an untimed warm-up run, median of the timed runs).
 */
final class BenchCommand implements Command {
    private static final long SEED = 1234;

    /** Most tokens of a prefill or decode run: the prompt is held whole, for one prefill call. */
    static final int MAX_TOKENS = 1 << 20;
    /** Most timed runs: one rate of each is kept for the median. */
    static final int MAX_REPEAT = 10_000;

    private static final Option PROMPT_TOKENS =
            Option.value("--prompt-tokens", "N", "prefill length (default 128, at most " + MAX_TOKENS + ")");
    private static final Option GEN_TOKENS =
            Option.value("--gen-tokens", "N", "decode length (default 64, at most " + MAX_TOKENS + ")");
    private static final Option REPEAT =
            Option.value("--repeat", "R", "timed runs (default 5, at most " + MAX_REPEAT + ")");

    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String summary() {
        return "measure prefill and decode speed";
    }

    @Override
    public String description() {
        return """
                Measures prefill (one call over N tokens) and decode (one token per call) speed like
                llama-bench: random token ids from a fixed seed, one warm-up run, median of R runs.
                """;
    }

    @Override
    public OptionSpec options() {
        return ModelChoice.spec(ModelChoice.MODEL, PROMPT_TOKENS, GEN_TOKENS, REPEAT);
    }

    @Override
    public int run(Options o, Streams io) throws UsageException {
        ModelChoice choice = ModelChoice.from(o);
        int promptTokens = o.intValue(PROMPT_TOKENS.name(), 128, 1, MAX_TOKENS);
        int genTokens = o.intValue(GEN_TOKENS.name(), 64, 1, MAX_TOKENS);
        int repeat = o.intValue(REPEAT.name(), 5, 1, MAX_REPEAT);

        double[] prefill = new double[repeat];
        double[] decode = new double[repeat];
        String description;
        try (Model model = choice.open(io);
                Session session = model.newSession()) {
            description = model.describe();
            // Ids from 1: id 0 is end-of-text in World vocabularies; speed does not depend on the ids.
            SplittableRandom random = new SplittableRandom(SEED);
            int vocab = model.tokenizer().vocabSize();
            int[] prompt = random.ints(promptTokens, 1, vocab).toArray();
            int[] gen = random.ints(genTokens, 1, vocab).toArray();
            for (int r = -1; r < repeat; r++) { // run -1 warms up JIT, caches and threads
                session.reset();
                long t0 = System.nanoTime();
                session.prefill(prompt);
                long t1 = System.nanoTime();
                session.reset();
                long t2 = System.nanoTime();
                for (int t : gen) session.prefill(t);
                long t3 = System.nanoTime();
                if (r < 0) continue;
                prefill[r] = promptTokens * 1e9 / Math.max(1, t1 - t0);
                decode[r] = genTokens * 1e9 / Math.max(1, t3 - t2);
            }
        }
        io.out().println("model    " + description);
        io.out()
                .printf(
                        Locale.ROOT,
                        "%-8s %8s %14s %s%n",
                        "test",
                        "tokens",
                        "tokens/s",
                        "(median of " + repeat + ", min .. max)");
        row(io, "prefill", promptTokens, prefill);
        row(io, "decode", genTokens, decode);
        return 0;
    }

    private static void row(Streams io, String test, int tokens, double[] rates) {
        double[] s = rates.clone();
        Arrays.sort(s);
        int n = s.length;
        double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
        io.out().printf(Locale.ROOT, "%-8s %8d %14.2f (%.2f .. %.2f)%n", test, tokens, median, s[0], s[n - 1]);
    }
}
