package io.rwkvx;

import static io.rwkvx.common.FuzzSupport.parsesOrRefuses;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.rwkvx.common.FuzzSupport;
import io.rwkvx.common.RwkvxException;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Fuzz target for {@link State#load}: any file is loaded or refused with an {@link RwkvxException}. Each input
 * is tried as it is and with its trailing CRC-32C made right, so the fuzzer also reaches the code past the
 * checksum. Seeds: tests/corpus/io/rwkvx/StateFuzzTestInputs/stateLoad/.
 */
class StateFuzzTest {
    private static final Path FILE = FuzzSupport.scratchFile("state");

    @FuzzTest
    void stateLoad(byte[] data) throws Throwable {
        load(data);
        if (data.length >= 4) {
            CRC32C crc = new CRC32C();
            crc.update(data, 0, data.length - 4);
            load(FuzzSupport.withTrailingU32(data, (int) crc.getValue()));
        }
    }

    private static void load(byte[] data) throws Throwable {
        FuzzSupport.write(FILE, data);
        parsesOrRefuses(
                () -> {
                    State s = State.load(FILE);
                    s.recurrent();
                    s.logits();
                },
                RwkvxException.class);
    }
}
