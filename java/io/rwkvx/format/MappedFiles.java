package io.rwkvx.format;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Maps a whole model file read-only; the mapping lives as long as the caller's arena. */
final class MappedFiles {
    private MappedFiles() {}

    static MemorySegment map(Path file, Arena arena) {
        if (Files.isDirectory(file)) throw new ModelFormatException(file + ": is a directory, not a model file");
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            // The segment stays valid after the channel closes: the arena owns the mapping.
            return ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(file + ": no such file", e);
        } catch (IOException e) {
            throw new ModelFormatException(file + ": cannot read: " + e.getMessage(), e);
        }
    }
}
