package io.rwkvx.tensor;

import static io.rwkvx.common.FuzzSupport.parsesOrRefuses;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.rwkvx.common.FuzzSupport;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Fuzz target for the {@code .npy} reader: any file is read or refused with the {@link IOException} that
 * {@link Npy#read} documents; an array that was read must be usable ({@link Npy.Array#toFloats()}). Seeds:
 * tests/corpus/io/rwkvx/tensor/NpyFuzzTestInputs/npy/.
 */
class NpyFuzzTest {
    private static final Path FILE = FuzzSupport.scratchFile("npy");

    @FuzzTest
    void npy(byte[] data) throws Throwable {
        FuzzSupport.write(FILE, data);
        parsesOrRefuses(
                () -> {
                    Npy.Array a = Npy.read(FILE);
                    if (a.toFloats().length != a.size()) throw new AssertionError("element count " + a.size());
                    a.shapeString();
                },
                IOException.class);
    }
}
