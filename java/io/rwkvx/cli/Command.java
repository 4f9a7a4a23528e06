package io.rwkvx.cli;

/**
 * One subcommand. {@link #run} reads all its options first (throwing {@link UsageException} for wrong
 * ones) and only then does the work, so a usage error never leaves partial output behind.
 */
interface Command {
    /** The word that selects it, e.g. {@code generate}. */
    String name();

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
