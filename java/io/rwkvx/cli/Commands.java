package io.rwkvx.cli;

import java.util.List;

/** The subcommands, in the order the overview and README.md list them. */
final class Commands {
    static final List<Command> ALL = List.of(
            new GenerateCommand(),
            new LogitsCommand(),
            new TokenizeCommand(),
            new DetokenizeCommand(),
            new PerplexityCommand(),
            new InfoCommand(),
            new BenchCommand(),
            new AttnCommand(),
            new ExpandCommand(),
            new QuantizeCommand(),
            new ServeCommand());

    private Commands() {}

    /** The command called {@code name}, or null. */
    static Command named(String name) {
        for (Command c : ALL) if (c.name().equals(name)) return c;
        return null;
    }
}
