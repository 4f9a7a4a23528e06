package io.rwkvx.format;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rwkvx.model.ModelWeights;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.function.BiFunction;

/** Shared checks that a reader rejects a file with a message naming the file and the problem. */
final class FormatAssertions {
    private FormatAssertions() {}

    static ModelFormatException assertRejected(
            BiFunction<Path, Arena, ModelWeights> reader, Path file, String... fragments) {
        ModelFormatException e;
        try (Arena arena = Arena.ofConfined()) {
            e = assertThrows(ModelFormatException.class, () -> reader.apply(file, arena));
        }
        String m = e.getMessage();
        assertTrue(m.startsWith(file.toString()), "message should start with the file name: " + m);
        for (String f : fragments) assertTrue(m.contains(f), "message should contain \"" + f + "\": " + m);
        return e;
    }
}
