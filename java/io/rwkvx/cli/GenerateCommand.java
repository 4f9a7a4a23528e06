package io.rwkvx.cli;

import io.rwkvx.GenerationOptions;
import io.rwkvx.GenerationResult;
import io.rwkvx.Model;
import io.rwkvx.Session;
import io.rwkvx.sampling.SamplerConfig;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/** {@code rwkvx generate}: streams sampled text after a prompt. */
final class GenerateCommand implements Command {
    @Override
    public String name() {
        return "generate";
    }

    @Override
    public OptionSpec options() {
        return new OptionSpec().model()
                .value("--prompt", "--max-tokens", "--temperature", "--top-p", "--top-k", "--min-p",
                        "--repetition-penalty", "--presence-penalty", "--frequency-penalty", "--seed")
                .repeatable("--stop")
                .flag("--quiet");
    }

    @Override
    public int run(Options o, Streams io) throws UsageException {
        ModelChoice choice = ModelChoice.from(o, false);
        String prompt = o.require("--prompt");
        if (prompt.isEmpty()) throw o.usage("option --prompt needs a non-empty text");
        int maxTokens = o.intValue("--max-tokens", 200, 0);
        Long seedOption = o.longValue("--seed");
        // Without --seed every run differs; the summary prints the seed so a run can be repeated.
        long seed = seedOption != null ? seedOption : ThreadLocalRandom.current().nextLong();
        SamplerConfig d = SamplerConfig.defaults();
        SamplerConfig sampler;
        try {
            sampler = new SamplerConfig(
                    o.doubleValue("--temperature", d.temperature()),
                    o.intValue("--top-k", d.topK(), 0),
                    o.doubleValue("--top-p", d.topP()),
                    o.doubleValue("--min-p", d.minP()),
                    o.doubleValue("--repetition-penalty", d.repetitionPenalty()),
                    o.doubleValue("--presence-penalty", d.presencePenalty()),
                    o.doubleValue("--frequency-penalty", d.frequencyPenalty()),
                    d.penaltyWindow(),
                    seed);
        } catch (IllegalArgumentException e) {
            throw o.usage(optionNames(e.getMessage()));
        }
        for (String s : o.all("--stop"))
            if (s.isEmpty()) throw o.usage("option --stop needs a non-empty text");
        GenerationOptions options = GenerationOptions.defaults()
                .withMaxTokens(maxTokens).withSampler(sampler).withStopStrings(o.all("--stop"));
        boolean quiet = o.flag("--quiet");

        GenerationResult r;
        try (Model model = choice.open(); Session session = model.newSession()) {
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
        String[][] names = {{"temperature", "--temperature"}, {"topK", "--top-k"}, {"topP", "--top-p"},
            {"minP", "--min-p"}, {"repetitionPenalty", "--repetition-penalty"}, {"presencePenalty", "--presence-penalty"},
            {"frequencyPenalty", "--frequency-penalty"}};
        for (String[] n : names)
            if (message.startsWith("SamplerConfig." + n[0] + " "))
                return "option " + n[1] + message.substring(("SamplerConfig." + n[0]).length());
        return message;
    }

    private static String summary(GenerationResult r, long seed) {
        String reason = switch (r.stopReason()) {
            case MAX_TOKENS -> "max tokens";
            case END_OF_TEXT -> "end of text";
            case STOP_STRING -> "stop string";
        };
        return String.format(Locale.ROOT, "%d tokens, %.1f tokens/s (prompt %d tokens, %.1f tokens/s), stop: %s, seed %d",
                r.tokens().length, r.decodeTokensPerSecond(), r.promptTokens(), r.prefillTokensPerSecond(), reason, seed);
    }
}
