package io.rwkvx.server;

import io.rwkvx.PrefixStateCache;
import io.rwkvx.State;
import io.rwkvx.common.RwkvxException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The named initial states a request may start from ({@code "state": "NAME"}): the files {@code NAME.state}
 * (written by {@code Session.saveState}) in one folder. A name is letters, digits, {@code .}, {@code _} and
 * {@code -}, not starting with a dot, so it never leaves the folder.
 *
 * <p>A state is read once and kept, keyed by name; a request reads the file again only when its modification
 * time, size or file identity (a file replaced by a rename) has changed since: a state rewritten is picked
 * up by the next request.
 */
final class NamedStates {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}");
    static final String SUFFIX = ".state";

    /** A state as read from its file, with what identified the file's version then. */
    record Loaded(
            String name,
            State state,
            PrefixStateCache.Initial initial,
            boolean hasLogits,
            FileTime modified,
            long size,
            Object fileKey) {
        boolean isOf(BasicFileAttributes file) {
            return modified.equals(file.lastModifiedTime())
                    && size == file.size()
                    && java.util.Objects.equals(fileKey, file.fileKey());
        }
    }

    private final Path dir;
    private final ConcurrentHashMap<String, Loaded> loaded = new ConcurrentHashMap<>();

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
        if (!Files.isRegularFile(file)) throw notFound(name);
        return file;
    }

    /**
     * State {@code name}, read from its file unless the copy kept from an earlier request is of the file as it is
     * now; 400 for a file that is not a state of this model ({@code fingerprint}), 404 for a missing one.
     */
    Loaded load(String name, long fingerprint) throws ApiError {
        Path file = resolve(name);
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (IOException e) {
            throw notFound(name);
        }
        Loaded kept = loaded.get(name);
        if (kept != null && kept.isOf(attributes)) return checkModel(kept, file, fingerprint);
        State state;
        try {
            state = State.load(file);
        } catch (RwkvxException | UncheckedIOException e) {
            loaded.remove(name);
            throw ApiError.invalid("state", "state '" + name + "' cannot be used: " + e.getMessage());
        }
        Loaded fresh = new Loaded(
                name,
                state,
                PrefixStateCache.Initial.of(name, state),
                state.logits() != null,
                attributes.lastModifiedTime(),
                attributes.size(),
                attributes.fileKey());
        loaded.put(name, fresh);
        return checkModel(fresh, file, fingerprint);
    }

    private static Loaded checkModel(Loaded l, Path file, long fingerprint) throws ApiError {
        if (l.state().modelFingerprint() != fingerprint)
            throw ApiError.invalid(
                    "state",
                    "state '" + l.name() + "' cannot be used: " + file + " belongs to another model (fingerprint "
                            + Long.toHexString(l.state().modelFingerprint()) + ", this model's "
                            + Long.toHexString(fingerprint) + ")");
        return l;
    }

    private static ApiError notFound(String name) {
        return new ApiError(
                404,
                "invalid_request_error",
                "state",
                "state_not_found",
                "no state named '" + name + "' (the server reads named states from " + SUFFIX
                        + " files in its --states folder)");
    }
}
