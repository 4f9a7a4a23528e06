package io.rwkvx.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/** The options one subcommand accepts: names (with their leading {@code --}) and how each takes values. */
final class OptionSpec {
    /** How an option takes values. */
    enum Kind {
        /** Takes one value, at most once. */
        VALUE,
        /** Takes one value each time; may be given several times. */
        REPEATABLE,
        /** Takes no value. */
        FLAG
    }

    /** The options every command that opens a model accepts besides --model. */
    static final String[] MODEL_OPTIONS = {"--model", "--threads", "--backend", "--tokenizer"};

    private final Map<String, Kind> kinds = new LinkedHashMap<>();

    OptionSpec value(String... names) {
        return add(Kind.VALUE, names);
    }

    OptionSpec repeatable(String... names) {
        return add(Kind.REPEATABLE, names);
    }

    OptionSpec flag(String... names) {
        return add(Kind.FLAG, names);
    }

    /** The kind of {@code name}, or null when the command has no such option. */
    Kind kind(String name) {
        return kinds.get(name);
    }

    private OptionSpec add(Kind kind, String... names) {
        for (String n : names) {
            if (!n.startsWith("--")) throw new IllegalArgumentException("option names start with --: " + n);
            kinds.put(n, kind);
        }
        return this;
    }
}
