package io.rwkvx;

import io.rwkvx.model.Architecture;
import java.nio.file.Path;

/** RWKV-6 (6v0-1m; its golden predates rwkv.cpp's ggml regeneration but is met to ~3e-6 per element) end to end; the cases are in {@link Rwkv56ModelTestBase}. */
class Rwkv6ModelTest extends Rwkv56ModelTestBase {
    @Override
    Path model() {
        return Path.of("tests/data/tiny-rwkv-6v0-1m-FP32.bin");
    }

    @Override
    Path golden() {
        return Path.of("tests/data/expected-logits-6v0-1m.bin");
    }

    @Override
    Architecture arch() {
        return Architecture.RWKV6;
    }

    @Override
    int goldenArgmax() {
        return 0;
    }
}
