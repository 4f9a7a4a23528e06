package io.rwkvx.cli;

import static io.rwkvx.nativelib.NativeLibrary.check;

import io.rwkvx.common.RwkvxException;
import io.rwkvx.ffi.rwkvx_attention_params;
import io.rwkvx.ffi.rwkvx_h;
import io.rwkvx.nativelib.NativeLibrary;
import io.rwkvx.tensor.Npy;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * {@code rwkvx attn}: runs the native attention prefill on .npy inputs of shape (T, H, D) and writes
 * the output (and optionally the log-sum-exp) as .npy, so Python users can compare with their kernels.
 */
final class AttnCommand implements Command {
    private static final Option Q = Option.value("--q", "FILE", "queries").asRequired();
    private static final Option K = Option.value("--k", "FILE", "keys").asRequired();
    private static final Option V = Option.value("--v", "FILE", "values").asRequired();
    private static final Option MODE =
            Option.choice("--mode", List.of("full", "sparse"), "attention mode").asRequired();
    private static final Option OUT = Option.value("--out", "FILE", "output O").asRequired();
    private static final Option CHUNK = Option.value("--attn-chunk", "B", "chunk size for sparse (default 512)");
    private static final Option TOP_K = Option.value("--attn-top-k", "K", "past chunks selected per query (default 3)");
    private static final Option SCOPE = Option.choice(
            "--attn-scope", List.of("head", "all"), "each head selects, or one score over all heads (default head)");
    private static final Option DENSE_BELOW =
            Option.value("--attn-dense-below", "N", "sparse runs as full when T <= N (default 0)");
    private static final Option LSE_OUT = Option.value("--lse-out", "FILE", "also write the log-sum-exp");
    private static final Option SCALAR = Option.flag("--scalar", "use the portable kernels");

    @Override
    public String name() {
        return "attn";
    }

    @Override
    public String summary() {
        return "run the attention kernels on .npy files (compare with NumPy/PyTorch)";
    }

    @Override
    public String description() {
        return """
                Causal attention prefill with the native kernels. Q, K and V are .npy arrays of shape
                (T, H, D), float32 or float16 (K and V alike; D a multiple of 16 up to 256). Writes O as
                float32 (T, H, D) and, with --lse-out, the natural-log log-sum-exp as float32 (T, H).
                sparse: each query attends causally to its own chunk plus its top-k past chunks.
                """;
    }

    @Override
    public OptionSpec options() {
        return OptionSpec.of(
                Q, K, V, MODE, OUT, CHUNK, TOP_K, SCOPE, DENSE_BELOW, LSE_OUT, ModelChoice.THREADS, SCALAR);
    }

    @Override
    public int run(Options o, Streams io) throws UsageException, IOException {
        Path qPath = o.requirePath(Q.name()), kPath = o.requirePath(K.name()), vPath = o.requirePath(V.name());
        Path out = o.requirePath(OUT.name());
        Path lseOut = o.path(LSE_OUT.name());
        String mode = o.choice(MODE.name(), null);
        String scope = o.choice(SCOPE.name(), "head");
        int chunk = o.intValue(CHUNK.name(), 512, 1);
        int topk = o.intValue(TOP_K.name(), 3, 0);
        int denseBelow = o.intValue(DENSE_BELOW.name(), 0, 0);
        int threads = o.intValue(ModelChoice.THREADS.name(), 0, 0);
        boolean scalar = o.flag(SCALAR.name());

        Npy.Array q = Npy.read(qPath), k = Npy.read(kPath), v = Npy.read(vPath);
        for (var e : new Object[][] {{"--q", q}, {"--k", k}, {"--v", v}}) {
            Npy.Array a = (Npy.Array) e[1];
            if (a.shape().length != 3)
                throw new RwkvxException(e[0] + ": expected a 3-D array (T, H, D), found shape " + a.shapeString());
        }
        if (!Arrays.equals(q.shape(), k.shape()) || !Arrays.equals(q.shape(), v.shape()))
            throw new RwkvxException("shapes differ: q " + q.shapeString() + ", k " + k.shapeString() + ", v "
                    + v.shapeString() + "; all must be (T, H, D)");
        if (!k.dtype().equals(v.dtype()))
            throw new RwkvxException("k and v must have the same dtype; found k " + k.dtype() + ", v " + v.dtype());
        long T = q.shape()[0], H = q.shape()[1], D = q.shape()[2];
        if (T < 1 || H < 1) throw new RwkvxException("T and H must be >= 1, found shape " + q.shapeString());
        if (D < 16 || D > 256 || D % 16 != 0)
            throw new RwkvxException(
                    "head size D = " + D + " is not supported: it must be a multiple of 16 in 16..256");

        NativeLibrary.load();
        float[] o32 = new float[Math.toIntExact(T * H * D)];
        float[] lse = new float[Math.toIntExact(T * H)];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ctxOut = arena.allocate(ValueLayout.ADDRESS);
            check(
                    "rwkvx_context_create",
                    rwkvx_h.rwkvx_context_create(
                            rwkvx_h.RWKVX_BACKEND_CPU(),
                            threads,
                            scalar ? rwkvx_h.RWKVX_CONTEXT_FORCE_SCALAR() : 0,
                            ctxOut));
            MemorySegment ctx = ctxOut.get(ValueLayout.ADDRESS, 0);
            try {
                MemorySegment qs = arena.allocateFrom(ValueLayout.JAVA_FLOAT, q.toFloats());
                MemorySegment ks = arena.allocateFrom(ValueLayout.JAVA_BYTE, k.data());
                MemorySegment vs = arena.allocateFrom(ValueLayout.JAVA_BYTE, v.data());
                MemorySegment os = arena.allocate(ValueLayout.JAVA_FLOAT, o32.length);
                MemorySegment ls = arena.allocate(ValueLayout.JAVA_FLOAT, lse.length);
                MemorySegment p = rwkvx_attention_params.allocate(arena);
                rwkvx_attention_params.n_tokens(p, T);
                rwkvx_attention_params.n_head(p, (int) H);
                rwkvx_attention_params.head_size(p, (int) D);
                rwkvx_attention_params.kv_dtype(
                        p, k.dtype().equals("f4") ? rwkvx_h.RWKVX_DTYPE_F32() : rwkvx_h.RWKVX_DTYPE_F16());
                rwkvx_attention_params.mode(
                        p, mode.equals("full") ? rwkvx_h.RWKVX_ATTN_FULL() : rwkvx_h.RWKVX_ATTN_SPARSE());
                rwkvx_attention_params.causal(p, 1);
                rwkvx_attention_params.chunk_size(p, chunk);
                rwkvx_attention_params.top_k(p, topk);
                rwkvx_attention_params.scope(
                        p, scope.equals("all") ? rwkvx_h.RWKVX_ATTN_SCOPE_ALL() : rwkvx_h.RWKVX_ATTN_SCOPE_HEAD());
                rwkvx_attention_params.dense_below(p, denseBelow);
                rwkvx_attention_params.memory(p, rwkvx_h.RWKVX_MEMORY_HOST()); // Java arrays: host memory
                rwkvx_attention_params.q(p, qs);
                rwkvx_attention_params.k(p, ks);
                rwkvx_attention_params.v(p, vs);
                rwkvx_attention_params.o(p, os);
                rwkvx_attention_params.lse(p, ls);
                check("rwkvx_attention_prefill", rwkvx_h.rwkvx_attention_prefill(ctx, p));
                if ((rwkvx_attention_params.diagnostics(p) & rwkvx_h.RWKVX_ATTN_DIAG_NAN_SCORE()) != 0)
                    io.err().println("rwkvx attn: warning: some chunk scores were NaN (ranked lowest)");
                MemorySegment.copy(os, ValueLayout.JAVA_FLOAT, 0, o32, 0, o32.length);
                MemorySegment.copy(ls, ValueLayout.JAVA_FLOAT, 0, lse, 0, lse.length);
            } finally {
                check("rwkvx_context_free", rwkvx_h.rwkvx_context_free(ctx)); // no models or caches: never refused
            }
        }
        Npy.writeFloat32(out, o32, T, H, D);
        if (lseOut != null) Npy.writeFloat32(lseOut, lse, T, H);
        return 0;
    }
}
