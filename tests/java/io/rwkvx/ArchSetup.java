package io.rwkvx;

import io.rwkvx.backend.BackendKind;
import io.rwkvx.common.WeightPlacement;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;

/**
 * A native model of one architecture (the tiny RWKV-7 and RWKV-4 test models, a random RWKV-X) with its
 * weights resident or in place: the setups the lifecycle and concurrency tests run on.
 */
record ArchSetup(String arch, WeightPlacement weights) {
    static final Path RWKV4 = Path.of("tests/data/tiny-rwkv-4v0-660K-FP32.bin");

    private static Path hybrid;

    /** A random RWKV-X model (C 128, 4 RWKV-7 layers, 2 attention blocks, vocab 256), written once per run. */
    static synchronized Path hybridFile() {
        if (hybrid == null) {
            try {
                Path dir = Files.createTempDirectory("rwkvx-archsetup-");
                dir.toFile().deleteOnExit();
                hybrid =
                        new RandomHybridModel(new Random(20240607), 128, 4, 2, 256).write(dir.resolve("x.safetensors"));
                hybrid.toFile().deleteOnExit();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return hybrid;
    }

    Path file() {
        return switch (arch) {
            case "RWKV-7" -> TestModels.FP32;
            case "RWKV-4" -> RWKV4;
            case "RWKV-X" -> hybridFile();
            default -> throw new IllegalArgumentException(arch);
        };
    }

    Model open() {
        return TestModels.open(file(), BackendKind.NATIVE, weights);
    }

    /** Every architecture with resident and with in-place weights. */
    static Stream<ArchSetup> all() {
        return Stream.of("RWKV-7", "RWKV-4", "RWKV-X")
                .flatMap(a -> Stream.of(WeightPlacement.RESIDENT, WeightPlacement.IN_PLACE)
                        .map(w -> new ArchSetup(a, w)));
    }

    @Override
    public String toString() {
        return arch + " " + weights;
    }
}
