package io.rwkvx;

import io.rwkvx.model.Architecture;
import java.nio.file.Path;

/** RWKV-5.2 (5v2-730K) end to end; the cases are in {@link Rwkv56ModelTestBase}. */
class Rwkv5ModelTest extends Rwkv56ModelTestBase {
    @Override
    Path model() {
        return Path.of("tests/data/tiny-rwkv-5v2-730K-FP32.bin");
    }

    @Override
    Path golden() {
        return Path.of("tests/data/expected-logits-5v2-730K.bin");
    }

    @Override
    Architecture arch() {
        return Architecture.RWKV5;
    }

    @Override
    int goldenArgmax() {
        return 112;
    }
}
