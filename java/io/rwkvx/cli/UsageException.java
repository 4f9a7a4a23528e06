package io.rwkvx.cli;

/**
 * Wrong command-line arguments: {@link Main} prints the message and the usage of {@link #command()}
 * to stderr and exits with code 2.
 */
final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String command;

    /** @param command the subcommand whose usage applies, or null for the general usage */
    UsageException(String command, String message) {
        super(message);
        this.command = command;
    }

    String command() {
        return command;
    }
}
