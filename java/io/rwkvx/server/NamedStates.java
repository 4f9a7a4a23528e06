package io.rwkvx.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * The named initial states a request may start from ({@code "state": "NAME"}): the files {@code NAME.state}
 * (written by {@code Session.saveState}) in one folder. A name is letters, digits, {@code .}, {@code _} and
 * {@code -}, not starting with a dot, so it never leaves the folder.
 */
final class NamedStates {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}");
    static final String SUFFIX = ".state";

    private final Path dir;

    /** @param dir the folder, or null when the server has none */
    NamedStates(Path dir) {
        this.dir = dir == null ? null : dir.toAbsolutePath().normalize();
    }

    /** The file of state {@code name}; 400 for a name that is not one, 404 for one that does not exist. */
    Path resolve(String name) throws ApiError {
        if (dir == null)
            throw ApiError.invalid("state", "this server has no named states (start it with --states DIR)");
        if (!NAME.matcher(name).matches() || name.contains(".."))
            throw ApiError.invalid(
                    "state",
                    "invalid state name '" + name + "': use letters, digits, '.', '_' and '-' (not starting with"
                            + " '.'), at most 128");
        Path file = dir.resolve(name + SUFFIX).normalize();
        if (!file.getParent().equals(dir)) throw ApiError.invalid("state", "invalid state name '" + name + "'");
        if (!Files.isRegularFile(file))
            throw new ApiError(
                    404,
                    "invalid_request_error",
                    "state",
                    "state_not_found",
                    "no state named '" + name + "' (the server reads named states from " + SUFFIX
                            + " files in its --states folder)");
        return file;
    }
}
