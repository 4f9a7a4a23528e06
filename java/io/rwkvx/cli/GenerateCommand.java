package io.rwkvx.cli;

import io.rwkvx.GenerationOptions;
import io.rwkvx.GenerationResult;
import io.rwkvx.Model;
import io.rwkvx.Session;
import io.rwkvx.sampling.SamplerConfig;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/** {@code rwkvx generate}: streams sampled text after a prompt. */
final class GenerateCommand implements Command {
    private static final Option PROMPT =
            Option.value("--prompt", "TEXT", "text to continue").asRequired();
    private static final Option MAX_TOKENS = Option.value("--max-tokens", "N", "most tokens to generate (default 200)");
    private static final Option TEMPERATURE = Option.value("--temperature", "T", "0 = greedy (default 1)");
    private static final Option TOP_P = Option.value("--top-p", "P", "nucleus sampling, in (0, 1] (default 1 = off)");
    private static final Option TOP_K = Option.value("--top-k", "K", "keep the K most likely tokens (default 0 = off)");
    private static final Option MIN_P =
            Option.value("--min-p", "P", "drop tokens below P times the top probability, in [0, 1) (default 0 = off)");
    private static final Option REPETITION_PENALTY =
            Option.value("--repetition-penalty", "R", "divides positive logits of seen tokens (default 1 = off)");
    private static final Option PRESENCE_PENALTY =
            Option.value("--presence-penalty", "P", "subtracted once from the logits of seen tokens (default 0)");
    private static final Option FREQUENCY_PENALTY =
            Option.value("--frequency-penalty", "F", "subtracted per occurrence of seen tokens (default 0)");
    private static final Option SEED =
            Option.value("--seed", "S", "random seed: the same seed gives the same text (default: random)");
    private static final Option STOP =
            Option.repeatable("--stop", "STR", "stop before this text, which is not printed (repeatable)");
    private static final Option QUIET = Option.flag("--quiet", "no summary on stderr");

    @Override
    public String name() {
        return "generate";
    }

    @Override
    public String summary() {
        return "generate text after a prompt (default: the bundled tiny model)";
    }

    @Override
    public String description() {
        return """
                Streams the generated text (not the prompt) to stdout, then a newline; a summary line
                (tokens, tokens/s, stop reason, seed) goes to stderr unless --quiet.
                """;
    }

    @Override
    public OptionSpec options() {
        return ModelChoice.spec(
                ModelChoice.MODEL_OR_BUNDLED,
                PROMPT,
                MAX_TOKENS,
                TEMPERATURE,
                TOP_P,
                TOP_K,
                MIN_P,
                REPETITION_PENALTY,
                PRESENCE_PENALTY,
                FREQUENCY_PENALTY,
                SEED,
                STOP,
                QUIET);
    }

    @Override
    public int run(Options o, Streams io) throws UsageException {
        ModelChoice choice = ModelChoice.from(o);
        String prompt = o.require(PROMPT.name());
        if (prompt.isEmpty()) throw o.usage("option --prompt needs a non-empty text");
        int maxTokens = o.intValue(MAX_TOKENS.name(), 200, 0);
        Long seedOption = o.longValue(SEED.name());
        // Without --seed every run differs; the summary prints the seed so a run can be repeated.
        long seed =
                seedOption != null ? seedOption : ThreadLocalRandom.current().nextLong();
        SamplerConfig d = SamplerConfig.defaults();
        SamplerConfig sampler;
        try {
            sampler = new SamplerConfig(
                    o.doubleValue(TEMPERATURE.name(), d.temperature()),
                    o.intValue(TOP_K.name(), d.topK(), 0),
                    o.doubleValue(TOP_P.name(), d.topP()),
                    o.doubleValue(MIN_P.name(), d.minP()),
                    o.doubleValue(REPETITION_PENALTY.name(), d.repetitionPenalty()),
                    o.doubleValue(PRESENCE_PENALTY.name(), d.presencePenalty()),
                    o.doubleValue(FREQUENCY_PENALTY.name(), d.frequencyPenalty()),
                    d.penaltyWindow(),
                    seed);
        } catch (IllegalArgumentException e) {
            throw o.usage(optionNames(e.getMessage()));
        }
        for (String s : o.all(STOP.name())) if (s.isEmpty()) throw o.usage("option --stop needs a non-empty text");
        GenerationOptions options = GenerationOptions.defaults()
                .withMaxTokens(maxTokens)
                .withSampler(sampler)
                .withStopStrings(o.all(STOP.name()));
        boolean quiet = o.flag(QUIET.name());

        GenerationResult r;
        try (Model model = choice.open(io);
                Session session = model.newSession()) {
            Session.TextStream stream = session.stream(prompt, options);
            while (stream.hasNext()) {
                io.out().print(stream.next());
                io.out().flush();
                // The reader went away (e.g. `| head`): stop quietly instead of generating for nobody.
                if (io.out().checkError()) return 0;
            }
            r = stream.result();
        }
        io.out().println();
        io.out().flush();
        if (!quiet) io.err().println(summary(r, seed));
        return 0;
    }

    /** SamplerConfig names its fields ("SamplerConfig.topP must be ..."); the user typed options. */
    private static String optionNames(String message) {
        Map<String, Option> fields = Map.of(
                "temperature",
                TEMPERATURE,
                "topK",
                TOP_K,
                "topP",
                TOP_P,
                "minP",
                MIN_P,
                "repetitionPenalty",
                REPETITION_PENALTY,
                "presencePenalty",
                PRESENCE_PENALTY,
                "frequencyPenalty",
                FREQUENCY_PENALTY);
        for (Map.Entry<String, Option> f : fields.entrySet())
            if (message.startsWith("SamplerConfig." + f.getKey() + " "))
                return "option " + f.getValue().name() + message.substring(("SamplerConfig." + f.getKey()).length());
        return message;
    }

    private static String summary(GenerationResult r, long seed) {
        String reason = switch (r.stopReason()) {
            case MAX_TOKENS -> "max tokens";
            case END_OF_TEXT -> "end of text";
            case STOP_STRING -> "stop string";
            case CANCELLED -> "cancelled";
        };
        return String.format(
                Locale.ROOT,
                "%d tokens, %.1f tokens/s (prompt %d tokens, %.1f tokens/s), stop: %s, seed %d",
                r.tokens().length,
                r.decodeTokensPerSecond(),
                r.promptTokens(),
                r.prefillTokensPerSecond(),
                reason,
                seed);
    }
}
