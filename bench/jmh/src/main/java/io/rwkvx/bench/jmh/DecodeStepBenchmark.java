package io.rwkvx.bench.jmh;

import io.rwkvx.Model;
import io.rwkvx.ModelOptions;
import io.rwkvx.Rwkvx;
import io.rwkvx.Session;
import io.rwkvx.backend.BackendKind;
import io.rwkvx.ffi.rwkvx_h;
import io.rwkvx.nativelib.NativeLibrary;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * What {@code Session.decodeStep} adds to a decode step: the step through the session (its gates, the batch
 * scheduler, the executor's checks, the token array, the logits copy into a new {@code float[]}) against
 * {@code rwkvx_model_eval} alone on the same native model and the same native state, one token, the last logits
 * written to a preallocated segment. {@code nativeEvalCopyLogits} adds only the logits copy to the native call.
 *
 * <p>On a shared machine the load moves between two benchmarks run one after the other by more than the 2 % to
 * be measured, so {@code pairedSession} also runs them in turns, a session step then a native step (or the other
 * way round, alternately), times each, and prints in its teardown (a {@code # paired} line per fork) the medians
 * over the measurement iterations of both and of their differences: the overhead under the same load.
 * {@code pairedCopyLogits} does the same for the logits copy alone ({@link PairedTimes}).
 *
 * <p>Models: {@code 0.1b-f16}, the synthetic RWKV-7 of the 0.1B World model's shape that the serving benchmark
 * writes ({@link SyntheticModelFile}; F16 matrices, L=12, C=768, V=65536), and {@code tiny}, the bundled
 * 834K-parameter RWKV-7 (V=256), where the native step is short and the Java layer's share is largest. Resident
 * weights (the default placement), {@code threads} compute threads.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 8, time = 2)
@Fork(
        value = 2,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx2g"})
@State(Scope.Benchmark)
public class DecodeStepBenchmark {
    @Param({"tiny", "0.1b-f16"})
    public String model;

    @Param({"2"})
    public int threads;

    private Model loaded;
    private Session session;
    private Arena arena;
    private MemorySegment nativeModel;
    private MemorySegment nativeState;
    private MemorySegment tokenSegment;
    private MemorySegment logits;
    private int[] tokens;
    private int next;

    // The paired benchmarks' step times in measurement iterations.
    private boolean measuring;
    private long pairCalls;
    private final PairedTimes sessionPairs = new PairedTimes("session step", "native eval");
    private final PairedTimes copyPairs = new PairedTimes("native eval + logits copy", "native eval");
    private final PairedTimes sessionIntoPairs =
            new PairedTimes("session step into a kept array", "native eval");
    private final PairedTimes copyIntoPairs =
            new PairedTimes("native eval + logits copy into a kept array", "native eval");
    private float[] kept;

    @Setup
    public void setUp() throws ReflectiveOperationException {
        ModelOptions options =
                ModelOptions.defaults().withBackend(BackendKind.NATIVE).withThreads(threads);
        loaded = switch (model) {
            case "tiny" -> Rwkvx.loadDefault(options);
            case "0.1b-f16" -> {
                Path file = SyntheticModelFile.PATH;
                if (!Files.exists(file))
                    throw new IllegalStateException(file + " is missing: bench/jmh/run.sh writes it first");
                yield Rwkvx.load(file, options);
            }
            default -> throw new IllegalArgumentException("model " + model + ": tiny or 0.1b-f16");
        };
        session = loaded.newSession();
        int vocab = loaded.config().nVocab();
        SplittableRandom random = new SplittableRandom(7);
        tokens = new int[4096];
        for (int i = 0; i < tokens.length; i++) tokens[i] = 1 + random.nextInt(vocab - 1); // never 0, end of text
        session.prefill(1, 2, 3, 4);

        // The session's own native handles (private fields: the benchmark runs on the class path).
        Object executor = field(loaded, "executor");
        nativeModel = (MemorySegment) field(field(executor, "model"), "segment");
        nativeState = (MemorySegment) field(field(field(session, "state"), "state"), "segment");
        arena = Arena.ofConfined();
        tokenSegment = arena.allocate(ValueLayout.JAVA_INT);
        logits = arena.allocate((long) vocab * Float.BYTES, 64);
        checkSameStep();
        System.out.println("\n# " + model + ": " + loaded.backendDescription());
    }

    /** The native call alone must compute the session's step: same model, same state, same logits. */
    private void checkSameStep() {
        io.rwkvx.State before = session.snapshot();
        float[] viaSession = session.decodeStep(tokens[0]);
        session.restore(before);
        tokenSegment.set(ValueLayout.JAVA_INT, 0, tokens[0]);
        int status = rwkvx_h.rwkvx_model_eval(
                nativeModel, nativeState, tokenSegment, 1, logits, rwkvx_h.RWKVX_LOGITS_LAST());
        if (status != 0) throw NativeLibrary.error("rwkvx_model_eval", status);
        if (!Arrays.equals(viaSession, logits.toArray(ValueLayout.JAVA_FLOAT)))
            throw new IllegalStateException("rwkvx_model_eval on the session's handles gives other logits than"
                    + " Session.decodeStep: the benchmark would compare different work");
        session.restore(before);
    }

    @Setup(Level.Iteration)
    public void startIteration(IterationParams iteration) {
        measuring = iteration.getType() == IterationType.MEASUREMENT;
    }

    @TearDown
    public void tearDown() {
        for (PairedTimes pairs : new PairedTimes[] {sessionPairs, sessionIntoPairs, copyPairs, copyIntoPairs})
            if (!pairs.isEmpty()) System.out.printf("%n%s%n", pairs.summary(model + ", " + threads + " threads"));
        session.close();
        loaded.close();
        arena.close();
    }

    @Benchmark
    public float[] sessionDecodeStep() {
        return session.decodeStep(nextToken());
    }

    @Benchmark
    public float nativeEval() {
        evalNative();
        return logits.get(ValueLayout.JAVA_FLOAT, 0);
    }

    @Benchmark
    public float[] nativeEvalCopyLogits() {
        evalNative();
        return logits.toArray(ValueLayout.JAVA_FLOAT);
    }

    /** A session step and a native step in turns; the first of the pair alternates. */
    @Benchmark
    public float pairedSession() {
        boolean variantFirst = (pairCalls++ & 1) == 0;
        long t0 = System.nanoTime();
        float first = variantFirst ? session.decodeStep(nextToken())[0] : nativeEval();
        long t1 = System.nanoTime();
        float second = variantFirst ? nativeEval() : session.decodeStep(nextToken())[0];
        long t2 = System.nanoTime();
        record(sessionPairs, variantFirst, t0, t1, t2);
        return first + second;
    }

    /** As {@link #pairedSession} with the native step plus the logits copy in place of the session step. */
    @Benchmark
    public float pairedCopyLogits() {
        boolean variantFirst = (pairCalls++ & 1) == 0;
        long t0 = System.nanoTime();
        float first = variantFirst ? nativeEvalCopyLogits()[0] : nativeEval();
        long t1 = System.nanoTime();
        float second = variantFirst ? nativeEval() : nativeEvalCopyLogits()[0];
        long t2 = System.nanoTime();
        record(copyPairs, variantFirst, t0, t1, t2);
        return first + second;
    }

    /**
     * As {@link #pairedSession} with {@code Session.decodeStep(token, logits)}, the form generation uses: the
     * logits go into one array kept across steps.
     */
    @Benchmark
    public float pairedSessionInto() {
        if (kept == null) kept = new float[(int) (logits.byteSize() / 4)];
        boolean variantFirst = (pairCalls++ & 1) == 0;
        long t0 = System.nanoTime();
        float first = variantFirst ? session.decodeStep(nextToken(), kept)[0] : nativeEval();
        long t1 = System.nanoTime();
        float second = variantFirst ? nativeEval() : session.decodeStep(nextToken(), kept)[0];
        long t2 = System.nanoTime();
        record(sessionIntoPairs, variantFirst, t0, t1, t2);
        return first + second;
    }

    /** As {@link #pairedCopyLogits}, copying into one array kept across calls instead of a new one. */
    @Benchmark
    public float pairedCopyInto() {
        if (kept == null) kept = new float[(int) (logits.byteSize() / 4)];
        boolean variantFirst = (pairCalls++ & 1) == 0;
        long t0 = System.nanoTime();
        float first = variantFirst ? nativeEvalCopyInto()[0] : nativeEval();
        long t1 = System.nanoTime();
        float second = variantFirst ? nativeEval() : nativeEvalCopyInto()[0];
        long t2 = System.nanoTime();
        record(copyIntoPairs, variantFirst, t0, t1, t2);
        return first + second;
    }

    private float[] nativeEvalCopyInto() {
        evalNative();
        MemorySegment.copy(logits, ValueLayout.JAVA_FLOAT, 0, kept, 0, kept.length);
        return kept;
    }

    private void record(PairedTimes pairs, boolean variantFirst, long t0, long t1, long t2) {
        if (!measuring) return;
        if (variantFirst) pairs.add(t1 - t0, t2 - t1);
        else pairs.add(t2 - t1, t1 - t0);
    }

    private void evalNative() {
        tokenSegment.set(ValueLayout.JAVA_INT, 0, nextToken());
        int status = rwkvx_h.rwkvx_model_eval(
                nativeModel, nativeState, tokenSegment, 1, logits, rwkvx_h.RWKVX_LOGITS_LAST());
        if (status != 0) throw NativeLibrary.error("rwkvx_model_eval", status);
    }

    private int nextToken() {
        int t = tokens[next];
        next = (next + 1) & (tokens.length - 1);
        return t;
    }

    private static Object field(Object owner, String name) throws ReflectiveOperationException {
        Field f = owner.getClass().getDeclaredField(name);
        f.setAccessible(true);
        return f.get(owner);
    }
}
