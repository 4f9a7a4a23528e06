package io.rwkvx.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Runs {@link Main#run} with captured streams; paths are relative to the working directory (the repo root). */
record Cli(int code, String out, String err) {
    static final Path FP32 = Path.of("models/tiny-rwkv-7v0-834K-FP32.bin");
    static final Path FP16 = Path.of("tests/data/tiny-rwkv-7v0-834K-FP16.bin");
    static final Path GOLDEN = Path.of("tests/data/expected-logits-7v0-834K.bin");

    static Cli run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            code = Main.run(args, o, e);
        }
        return new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** For assertion messages. */
    String dump() {
        return "exit " + code + "\n--- stdout ---\n" + out + "\n--- stderr ---\n" + err;
    }
}
