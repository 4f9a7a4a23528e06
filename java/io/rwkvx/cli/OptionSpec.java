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

    /** The value options of every command that opens a model ({@link ModelChoice}). */
    private static final String[] MODEL_OPTIONS = {"--model", "--threads", "--backend", "--tokenizer"};
    /** The flag of every command that opens a model: use the weights in place, zero-copy. */
    static final String MMAP = "--mmap";

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

    /** Adds the options of every command that opens a model: {@link #MODEL_OPTIONS} and {@link #MMAP}. */
    OptionSpec model() {
        return value(MODEL_OPTIONS).flag(MMAP);
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
