package io.rwkvx.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed options of one subcommand, with typed getters. Every problem (unknown option, missing or
 * repeated value, bad number, missing required option) is a {@link UsageException}, so commands read
 * all their options before doing any work. The parser checks the options a command declares required
 * ({@link Option#asRequired()}) unless help was asked for.
 *
 * <p>Syntax: {@code --name value} or {@code --name=value}; {@code --help} / {@code -h} anywhere an
 * option may stand asks for the command's usage. A value may start with {@code -} (negative numbers),
 * except that a following option of the same command counts as a missing value; write
 * {@code --name=--text} for such a value.
 */
final class Options {
    /** {@code --tokens} of the commands that take token ids, read with {@link #idList}. */
    static final Option TOKENS = Option.value("--tokens", "IDS", "comma-separated token ids, e.g. 1,2,3")
            .asRequired();

    private final String command;
    private final OptionSpec spec;
    private final Map<String, List<String>> values = new HashMap<>();
    private boolean help;

    private Options(String command, OptionSpec spec) {
        this.command = command;
        this.spec = spec;
    }

    static Options parse(String command, OptionSpec spec, List<String> args) throws UsageException {
        Options o = new Options(command, spec);
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--help") || arg.equals("-h")) {
                o.help = true;
                continue;
            }
            if (!arg.startsWith("-") || arg.equals("-") || arg.equals("--"))
                throw o.usage("unexpected argument '" + arg + "'");
            int eq = arg.indexOf('=');
            String name = eq < 0 ? arg : arg.substring(0, eq);
            Option option = spec.option(name);
            if (option == null) throw o.usage("unknown option '" + name + "'");
            String value;
            if (option.kind() == Option.Kind.FLAG) {
                if (eq >= 0) throw o.usage("option " + name + " takes no value");
                value = "";
            } else if (eq >= 0) {
                value = arg.substring(eq + 1);
            } else {
                if (i + 1 == args.size() || isOption(spec, args.get(i + 1)))
                    throw o.usage("option " + name + " needs a value");
                value = args.get(++i);
            }
            List<String> list = o.values.computeIfAbsent(name, k -> new ArrayList<>());
            if (!list.isEmpty() && option.kind() != Option.Kind.REPEATABLE)
                throw o.usage("option " + name + " given more than once");
            list.add(value);
        }
        if (!o.help)
            for (Option option : spec.all())
                if (option.required() && !o.has(option.name()))
                    throw o.usage("missing required option " + option.name());
        return o;
    }

    private static boolean isOption(OptionSpec spec, String arg) {
        if (arg.equals("--help") || arg.equals("-h")) return true;
        int eq = arg.indexOf('=');
        return arg.startsWith("--") && spec.option(eq < 0 ? arg : arg.substring(0, eq)) != null;
    }

    /** The subcommand these options are for. */
    String command() {
        return command;
    }

    /** Whether --help or -h was given. */
    boolean help() {
        return help;
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    boolean flag(String name) {
        return has(name);
    }

    /** The value of {@code name}, or null when it was not given. */
    String get(String name) {
        List<String> l = values.get(name);
        return l == null ? null : l.getFirst();
    }

    String require(String name) throws UsageException {
        String v = get(name);
        if (v == null) throw usage("missing required option " + name);
        return v;
    }

    /** Every value of a repeatable option, in order (empty when not given). */
    List<String> all(String name) {
        return List.copyOf(values.getOrDefault(name, List.of()));
    }

    Path path(String name) throws UsageException {
        String v = get(name);
        return v == null ? null : toPath(name, v);
    }

    Path requirePath(String name) throws UsageException {
        return toPath(name, require(name));
    }

    int intValue(String name, int fallback, int min) throws UsageException {
        return intValue(name, fallback, min, Integer.MAX_VALUE);
    }

    int intValue(String name, int fallback, int min, int max) throws UsageException {
        return (int) longValue(name, fallback, min, max);
    }

    /** A long in [min, max], or {@code fallback} when not given. */
    long longValue(String name, long fallback, long min, long max) throws UsageException {
        Long n = longValue(name);
        if (n == null) return fallback;
        if (n < min) throw usage("option " + name + " must be at least " + min + ", got " + n);
        if (n > max) throw usage("option " + name + " must be at most " + max + ", got " + n);
        return n;
    }

    /** A long, or null when not given. */
    Long longValue(String name) throws UsageException {
        String v = get(name);
        if (v == null) return null;
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            throw usage("option " + name + " needs an integer, got '" + v + "'");
        }
    }

    /** The value of an option declared with {@link Option#choice}: one of its choices, or {@code fallback} if absent. */
    String choice(String name, String fallback) throws UsageException {
        String v = get(name);
        if (v == null) return fallback;
        List<String> choices = spec.option(name).choices();
        if (choices.contains(v)) return v;
        String allowed = String.join(", ", choices.subList(0, choices.size() - 1)) + " or " + choices.getLast();
        throw usage("option " + name + " must be " + allowed + ", got '" + v + "'");
    }

    double doubleValue(String name, double fallback) throws UsageException {
        String v = get(name);
        if (v == null) return fallback;
        double d;
        try {
            d = Double.parseDouble(v.strip());
        } catch (NumberFormatException e) {
            throw usage("option " + name + " needs a number, got '" + v + "'");
        }
        // parseDouble accepts "NaN" and "Infinity"; no option here means either.
        if (!Double.isFinite(d)) throw usage("option " + name + " needs a finite number, got '" + v + "'");
        return d;
    }

    /** A comma-separated list of non-negative ids such as {@code 1,2,3}, or null when not given. */
    int[] idList(String name) throws UsageException {
        String v = get(name);
        if (v == null) return null;
        String[] parts = v.split(",", -1);
        int[] ids = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i].strip();
            try {
                ids[i] = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw usage("option " + name + " needs comma-separated token ids such as 1,2,3; item " + (i + 1)
                        + " is '" + p + "'");
            }
            if (ids[i] < 0) throw usage("option " + name + ": token id " + ids[i] + " is negative");
        }
        return ids;
    }

    /** Fails when both options were given. */
    void exclusive(String a, String b) throws UsageException {
        if (has(a) && has(b)) throw usage("options " + a + " and " + b + " cannot be used together");
    }

    UsageException usage(String message) {
        return new UsageException(command, message);
    }

    private Path toPath(String name, String v) throws UsageException {
        if (v.isEmpty()) throw usage("option " + name + " needs a file name");
        try {
            return Path.of(v);
        } catch (java.nio.file.InvalidPathException e) {
            throw usage("option " + name + ": invalid path '" + v + "'");
        }
    }
}
