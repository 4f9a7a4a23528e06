package io.rwkvx.cli;

import java.util.List;

/**
 * One command-line option, declared once: the parser ({@link OptionSpec}, {@link Options}), the usage
 * texts ({@link Usage}) and README.md's command table are all made from these declarations.
 *
 * @param name     the option with its leading {@code --}
 * @param value    the placeholder of its value in usage texts ({@code N}, {@code PATH}), or null for a flag
 * @param kind     how it takes values
 * @param choices  the values it accepts ({@link Options#choice}), or empty for any value
 * @param required whether the command refuses to run without it (checked by the parser; usage says "(required)")
 * @param help     what it does, with its default, as one sentence; usage texts wrap it
 */
record Option(String name, String value, Kind kind, List<String> choices, boolean required, String help) {
    /** How an option takes values. */
    enum Kind {
        /** Takes one value, at most once. */
        VALUE,
        /** Takes one value each time; may be given several times. */
        REPEATABLE,
        /** Takes no value. */
        FLAG
    }

    Option {
        if (!name.startsWith("--")) throw new IllegalArgumentException("option names start with --: " + name);
        if ((value == null) != (kind == Kind.FLAG))
            throw new IllegalArgumentException(name + ": a flag, and only a flag, has no value placeholder");
        if (help == null || help.isBlank()) throw new IllegalArgumentException(name + ": no help text");
        choices = List.copyOf(choices);
    }

    /** An option that takes one value, at most once. */
    static Option value(String name, String value, String help) {
        return new Option(name, value, Kind.VALUE, List.of(), false, help);
    }

    /** An option that takes one value each time it is given. */
    static Option repeatable(String name, String value, String help) {
        return new Option(name, value, Kind.REPEATABLE, List.of(), false, help);
    }

    /** An option without a value. */
    static Option flag(String name, String help) {
        return new Option(name, null, Kind.FLAG, List.of(), false, help);
    }

    /** An option whose value is one of {@code choices}; its placeholder lists them, e.g. {@code full|sparse}. */
    static Option choice(String name, List<String> choices, String help) {
        return new Option(name, String.join("|", choices), Kind.VALUE, choices, false, help);
    }

    /** The same option, required. */
    Option asRequired() {
        return new Option(name, value, kind, choices, true, help);
    }

    /** How usage texts show it: {@code --name VALUE}, or {@code --name} for a flag. */
    String synopsis() {
        return value == null ? name : name + " " + value;
    }
}
