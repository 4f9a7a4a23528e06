package io.rwkvx.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The CLI on the tiny RWKV-5.2 and RWKV-6 models: info names the version; generate runs. */
class Rwkv56CliTest {
    @ParameterizedTest
    @CsvSource({"tests/data/tiny-rwkv-5v2-730K-FP32.bin, RWKV-5.2", "tests/data/tiny-rwkv-6v0-1m-FP32.bin, RWKV-6"})
    void infoTellsTheVersionAndGenerateRuns(String model, String version) {
        Cli r = Cli.run("info", "--model", model);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains(version), r.out());
        // 12 layers · (2·64 + 8 heads · 8 · 8) floats.
        assertTrue(r.out().contains("7,680 floats"), r.out());
        Cli g = Cli.run(
                "generate", "--model", model, "--prompt", "\"in", "--max-tokens", "5", "--seed", "1", "--quiet");
        assertEquals(0, g.code(), g.err());
    }
}
