package io.rwkvx.bench.jmh;

import io.rwkvx.backend.nativelib.NativeTensors;
import io.rwkvx.ffi.rwkvx_h;
import io.rwkvx.nativelib.NativeLibrary;
import io.rwkvx.tensor.DType;
import io.rwkvx.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Zero-copy tensor hand-off against copying: {@code rwkvx_group_norm} (a LayerNorm over rows of {@value #C}
 * floats, y = norm(x) * weight + bias, an element-wise kernel whose own cost grows with the data like a copy's)
 * on x and y of {@code bytes} bytes each.
 * <ul>
 *   <li>{@code zeroCopy}: x and y are native {@code MemorySegment}s described once; the call reads and writes
 *       them in place.</li>
 *   <li>{@code copyIntoPreallocated}: x is a {@code float[]}, copied into a native buffer kept between calls,
 *       and y is copied back into a {@code float[]}.</li>
 *   <li>{@code copyIntoFreshArena}: as a {@code float[]} API without kept buffers would do it: a confined arena per
 *       call, x and y allocated and described there, x copied in and y copied out.</li>
 *   <li>{@code copiesOnly}: the two copies of {@code copyIntoPreallocated} without the call, what copying adds.</li>
 * </ul>
 * One compute thread (the context's), as the copies are one thread's.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
        value = 2,
        jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx2g"})
@State(Scope.Benchmark)
public class TensorHandoffBenchmark {
    static final int C = 1024;

    @Param({"4096", "262144", "16777216"})
    public int bytes;

    private Arena arena;
    private MemorySegment context;
    private int rows;
    private float[] xArray;
    private float[] yArray;
    private MemorySegment xSegment;
    private MemorySegment ySegment;
    private MemorySegment xTensor;
    private MemorySegment yTensor;
    private MemorySegment weightTensor;
    private MemorySegment biasTensor;

    @Setup
    public void setUp() {
        NativeLibrary.load();
        if (bytes % (C * Float.BYTES) != 0)
            throw new IllegalArgumentException("bytes " + bytes + " is not a whole number of rows of " + C + " floats");
        rows = bytes / (C * Float.BYTES);
        arena = Arena.ofShared();
        MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
        NativeLibrary.check(
                "rwkvx_context_create", rwkvx_h.rwkvx_context_create(rwkvx_h.RWKVX_BACKEND_CPU(), 1, 0, out));
        context = out.get(ValueLayout.ADDRESS, 0);

        SplittableRandom random = new SplittableRandom(11);
        xArray = new float[rows * C];
        for (int i = 0; i < xArray.length; i++) xArray[i] = (float) (2 * random.nextDouble() - 1);
        yArray = new float[xArray.length];
        float[] weight = new float[C];
        float[] bias = new float[C];
        for (int i = 0; i < C; i++) {
            weight[i] = (float) (1 + 0.1 * random.nextDouble());
            bias[i] = (float) (0.1 * random.nextDouble());
        }
        xSegment = arena.allocateFrom(ValueLayout.JAVA_FLOAT, xArray);
        ySegment = arena.allocate((long) bytes, 64);
        xTensor = matrix(arena, "x", xSegment, rows);
        yTensor = matrix(arena, "y", ySegment, rows);
        weightTensor = vector(arena, "weight", arena.allocateFrom(ValueLayout.JAVA_FLOAT, weight));
        biasTensor = vector(arena, "bias", arena.allocateFrom(ValueLayout.JAVA_FLOAT, bias));

        // The three ways must compute the same thing.
        zeroCopy();
        float[] inPlace = ySegment.toArray(ValueLayout.JAVA_FLOAT);
        float[] copied = copyIntoPreallocated().clone();
        float[] fresh = copyIntoFreshArena().clone();
        if (!Arrays.equals(inPlace, copied) || !Arrays.equals(inPlace, fresh))
            throw new IllegalStateException("the hand-offs disagree");
    }

    @TearDown
    public void tearDown() {
        NativeLibrary.check("rwkvx_context_free", rwkvx_h.rwkvx_context_free(context));
        arena.close();
    }

    @Benchmark
    public int zeroCopy() {
        return groupNorm(xTensor, yTensor);
    }

    @Benchmark
    public float[] copyIntoPreallocated() {
        MemorySegment.copy(xArray, 0, xSegment, ValueLayout.JAVA_FLOAT, 0, xArray.length);
        groupNorm(xTensor, yTensor);
        MemorySegment.copy(ySegment, ValueLayout.JAVA_FLOAT, 0, yArray, 0, yArray.length);
        return yArray;
    }

    @Benchmark
    public float[] copiesOnly() {
        MemorySegment.copy(xArray, 0, xSegment, ValueLayout.JAVA_FLOAT, 0, xArray.length);
        MemorySegment.copy(ySegment, ValueLayout.JAVA_FLOAT, 0, yArray, 0, yArray.length);
        return yArray;
    }

    @Benchmark
    public float[] copyIntoFreshArena() {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment x = call.allocateFrom(ValueLayout.JAVA_FLOAT, xArray);
            MemorySegment y = call.allocate((long) bytes, 64);
            groupNorm(matrix(call, "x", x, rows), matrix(call, "y", y, rows));
            MemorySegment.copy(y, ValueLayout.JAVA_FLOAT, 0, yArray, 0, yArray.length);
        }
        return yArray;
    }

    private int groupNorm(MemorySegment x, MemorySegment y) {
        int status = rwkvx_h.rwkvx_group_norm(context, x, weightTensor, biasTensor, 1, 1e-5f, y);
        if (status != 0) throw NativeLibrary.error("rwkvx_group_norm", status);
        return status;
    }

    private static MemorySegment matrix(Arena arena, String name, MemorySegment data, int rows) {
        return NativeTensors.of(arena, new Tensor(name, DType.F32, new long[] {rows, C}, data));
    }

    private static MemorySegment vector(Arena arena, String name, MemorySegment data) {
        return NativeTensors.of(arena, new Tensor(name, DType.F32, new long[] {C}, data));
    }
}
