package io.rwkvx.cli;

/**
 * One subcommand. {@link #run} reads all its options first (throwing {@link UsageException} for wrong
 * ones) and only then does the work, so a usage error never leaves partial output behind. Its usage
 * text ({@link Usage}) and its row in README.md's command table are made from {@link #summary},
 * {@link #description} and {@link #options}.
 */
interface Command {
    /** The word that selects it, e.g. {@code generate}. */
    String name();

    /** What it does, in one short line (the overview of {@code rwkvx help}, the README's command table). */
    String summary();

    /** The paragraph of its usage text, between the usage line and the options; lines end with a newline. */
    String description();

    /** The options it accepts. */
    OptionSpec options();

    /**
     * Runs the command.
     *
     * @return the exit code (0 on success)
     * @throws UsageException for wrong arguments
     * @throws Exception      for failures at run time, reported by {@link Main} as one line
     */
    int run(Options options, Streams io) throws Exception;
}
