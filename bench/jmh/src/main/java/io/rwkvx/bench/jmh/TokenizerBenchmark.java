package io.rwkvx.bench.jmh;

import io.rwkvx.tokenizer.NeoxTokenizer;
import io.rwkvx.tokenizer.Tokenizer;
import io.rwkvx.tokenizer.WorldTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Tokenizer throughput on a fixed text, bench/jmh/corpus/mixed.txt (the project's prose and code with passages in
 * many scripts, emoji and symbols; corpus/make.sh). One operation is one byte of the text, so the score in ops/us
 * is MB/s (10^6 bytes per second): UTF-8 bytes read for {@code encode}, bytes written for {@code decode} (the same
 * count: the setup checks that decoding gives the text back). Tokenizers from the files in models/.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 2, jvmArgsAppend = "-Xmx2g")
@State(Scope.Benchmark)
public class TokenizerBenchmark {
    /** UTF-8 bytes of corpus/mixed.txt; checked in the setup, so a regenerated corpus asks to update it. */
    static final int CORPUS_BYTES = 324_221;

    @Param({"world", "neox"})
    public String tokenizer;

    private Tokenizer loaded;
    private byte[] text;
    private int[] ids;

    @Setup
    public void setUp() throws IOException {
        loaded = switch (tokenizer) {
            case "world" -> WorldTokenizer.load(Path.of("models/rwkv_vocab_v20230424.txt"));
            case "neox" -> NeoxTokenizer.load(Path.of("models/20B_tokenizer.json"));
            default -> throw new IllegalArgumentException("tokenizer " + tokenizer + ": world or neox");
        };
        try (InputStream in = TokenizerBenchmark.class.getResourceAsStream("mixed.txt")) {
            if (in == null) throw new IOException("resource mixed.txt is missing: build with bench/jmh/run.sh");
            text = in.readAllBytes();
        }
        if (text.length != CORPUS_BYTES)
            throw new IllegalStateException("corpus has " + text.length + " bytes, CORPUS_BYTES says " + CORPUS_BYTES
                    + ": set it to the new size (the ops/us figure is MB/s only when they agree)");
        ids = loaded.encodeBytes(text);
        if (!Arrays.equals(loaded.decodeBytes(ids), text))
            throw new IllegalStateException(tokenizer + ": decoding the encoded corpus does not give it back");
        System.out.printf(
                "%n# %s: %d bytes -> %d tokens (%.2f bytes/token)%n",
                tokenizer, text.length, ids.length, (double) text.length / ids.length);
    }

    @Benchmark
    @OperationsPerInvocation(CORPUS_BYTES)
    public int[] encode() {
        return loaded.encodeBytes(text);
    }

    @Benchmark
    @OperationsPerInvocation(CORPUS_BYTES)
    public byte[] decode() {
        return loaded.decodeBytes(ids);
    }
}
