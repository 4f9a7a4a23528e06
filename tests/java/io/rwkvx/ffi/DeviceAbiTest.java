package io.rwkvx.ffi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.rwkvx.nativelib.NativeLibrary;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ABI 4's memory spaces and device calls through the bindings: which backend a context runs on, streams and
 * synchronisation on a CPU context, the refusal of DEVICE memory by a CPU context in every call that takes a
 * {@code memory} field or argument, and the refusal of a CUDA context where no usable device exists (or the
 * library has no CUDA). The CPU-context checks hold everywhere; the AUTO/CUDA checks follow what the machine
 * has, so they also pass on a GPU machine.
 *
 * <p>Each refusal is checked next to the same call with HOST memory, which succeeds: the {@code memory} value
 * is the only difference, so these calls also show that the bindings put the new fields where the library
 * reads them (BindingsSyncTest compares the offsets with the C layout rules).
 */
class DeviceAbiTest {
    private static final int H = 2, D = 16, HD = H * D;

    @BeforeAll
    static void loadLibrary() {
        NativeLibrary.load();
    }

    /** A status and the calling thread's last-error message right after the call. */
    private record Result(int status, String message) {
        void assertStatus(int expected, String... messageParts) {
            assertEquals(name(expected), name(status), "status (" + (message.isEmpty() ? "no message" : message) + ")");
            for (String part : messageParts) {
                assertTrue(message.contains(part), "message should contain '" + part + "': " + message);
            }
        }
    }

    private static Result call(IntSupplier nativeCall) {
        int status = nativeCall.getAsInt();
        return new Result(status, rwkvx_h.rwkvx_last_error().getString(0));
    }

    private static String name(int status) {
        return rwkvx_h.rwkvx_status_name(status).getString(0);
    }

    private static MemorySegment context(Arena arena, int backend) {
        MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
        call(() -> rwkvx_h.rwkvx_context_create(backend, 1, 0, out)).assertStatus(rwkvx_h.RWKVX_OK());
        return out.get(ValueLayout.ADDRESS, 0);
    }

    private static void free(MemorySegment ctx) {
        call(() -> rwkvx_h.rwkvx_context_free(ctx)).assertStatus(rwkvx_h.RWKVX_OK());
    }

    private static String describe(MemorySegment ctx) {
        return rwkvx_h.rwkvx_context_describe(ctx).getString(0);
    }

    /** Tries a CUDA context: the refusal when none can be made, else null (after freeing the context). */
    private static Result cudaRefusal(Arena arena) {
        MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
        Result r = call(() -> rwkvx_h.rwkvx_context_create(rwkvx_h.RWKVX_BACKEND_CUDA(), 1, 0, out));
        if (r.status() != rwkvx_h.RWKVX_OK()) {
            assertEquals(MemorySegment.NULL, out.get(ValueLayout.ADDRESS, 0), "no context on failure");
            return r;
        }
        MemorySegment ctx = out.get(ValueLayout.ADDRESS, 0);
        assertEquals(rwkvx_h.RWKVX_BACKEND_CUDA(), rwkvx_h.rwkvx_context_backend(ctx));
        free(ctx);
        return null;
    }

    private static MemorySegment floats(Arena arena, long n, float value) {
        MemorySegment s = arena.allocate(ValueLayout.JAVA_FLOAT, n);
        for (long i = 0; i < n; i++) s.setAtIndex(ValueLayout.JAVA_FLOAT, i, value);
        return s;
    }

    private interface FloatTest {
        boolean test(float x);
    }

    private static boolean all(MemorySegment floats, FloatTest test) {
        for (float x : floats.toArray(ValueLayout.JAVA_FLOAT)) if (!test.test(x)) return false;
        return true;
    }

    private static MemorySegment randomFloats(Arena arena, long n, long seed) {
        java.util.Random r = new java.util.Random(seed);
        MemorySegment s = arena.allocate(ValueLayout.JAVA_FLOAT, n);
        for (long i = 0; i < n; i++) s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) r.nextGaussian());
        return s;
    }

    @Test
    void abiVersionHasTheMemorySpaces() {
        // Memory spaces came with ABI 4; later versions keep them (5 added the batched eval).
        assertTrue(rwkvx_h.RWKVX_ABI_VERSION() >= 4, "ABI " + rwkvx_h.RWKVX_ABI_VERSION());
        assertEquals(rwkvx_h.RWKVX_ABI_VERSION(), rwkvx_h.rwkvx_abi_version());
        assertEquals(0, rwkvx_h.RWKVX_MEMORY_HOST());
        assertEquals(1, rwkvx_h.RWKVX_MEMORY_DEVICE());
    }

    @Test
    void contextBackendIsCpuForCpuContextsAndWhatAutoChose() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cpu = context(arena, rwkvx_h.RWKVX_BACKEND_CPU());
            assertEquals(rwkvx_h.RWKVX_BACKEND_CPU(), rwkvx_h.rwkvx_context_backend(cpu));
            free(cpu);

            Result cuda = cudaRefusal(arena);
            MemorySegment auto = context(arena, rwkvx_h.RWKVX_BACKEND_AUTO());
            int backend = rwkvx_h.rwkvx_context_backend(auto);
            String description = describe(auto);
            free(auto);
            if (cuda != null) {
                // no usable GPU: AUTO falls back to the CPU and says why, in the header's "...; cuda: why" form
                assertEquals(rwkvx_h.RWKVX_BACKEND_CPU(), backend, description);
                assertTrue(description.contains("cuda: "), "AUTO says why the GPU was not used: " + description);
            } else {
                assertEquals(rwkvx_h.RWKVX_BACKEND_CUDA(), backend, description);
            }
            assertEquals(-1, rwkvx_h.rwkvx_context_backend(MemorySegment.NULL), "NULL context");
        }
    }

    @Test
    void cudaContextIsRefusedWithAReasonWhereNoDeviceIsUsable() {
        try (Arena arena = Arena.ofConfined()) {
            long live = rwkvx_h.rwkvx_live_handles();
            Result cuda = cudaRefusal(arena);
            if (cuda == null) return; // a usable GPU: cudaRefusal checked the context's backend
            cuda.assertStatus(rwkvx_h.RWKVX_ERROR_UNSUPPORTED(), "rwkvx_context_create", "CUDA");
            assertTrue(
                    cuda.message().matches("(?s).*CUDA[^:]*:\\s*\\S.*"),
                    "the refusal gives a reason (not compiled in, no device, ...): " + cuda.message());
            assertEquals(live, rwkvx_h.rwkvx_live_handles(), "a refused create leaves no handle");
        }
    }

    @Test
    void cpuContextHasNoStreamsAndNothingToSynchronize() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ctx = context(arena, rwkvx_h.RWKVX_BACKEND_CPU());
            try {
                call(() -> rwkvx_h.rwkvx_context_set_stream(ctx, MemorySegment.NULL))
                        .assertStatus(rwkvx_h.RWKVX_ERROR_UNSUPPORTED(), "rwkvx_context_set_stream", "CPU");

                MemorySegment diagnostics = arena.allocate(ValueLayout.JAVA_INT);
                diagnostics.set(ValueLayout.JAVA_INT, 0, -1);
                call(() -> rwkvx_h.rwkvx_context_synchronize(ctx, diagnostics)).assertStatus(rwkvx_h.RWKVX_OK());
                assertEquals(0, diagnostics.get(ValueLayout.JAVA_INT, 0), "diagnostics written, and 0");
                call(() -> rwkvx_h.rwkvx_context_synchronize(ctx, MemorySegment.NULL))
                        .assertStatus(rwkvx_h.RWKVX_OK());
            } finally {
                free(ctx);
            }
            call(() -> rwkvx_h.rwkvx_context_synchronize(MemorySegment.NULL, MemorySegment.NULL))
                    .assertStatus(rwkvx_h.RWKVX_ERROR_ARGUMENT(), "ctx is NULL");
        }
    }

    /** Attention params over T host rows of q, k, v (F32) into o and lse. */
    private static MemorySegment attention(Arena arena, long T, MemorySegment o, MemorySegment lse) {
        MemorySegment p = rwkvx_attention_params.allocate(arena);
        rwkvx_attention_params.n_tokens(p, T);
        rwkvx_attention_params.n_head(p, H);
        rwkvx_attention_params.head_size(p, D);
        rwkvx_attention_params.kv_dtype(p, rwkvx_h.RWKVX_DTYPE_F32());
        rwkvx_attention_params.mode(p, rwkvx_h.RWKVX_ATTN_SPARSE());
        rwkvx_attention_params.causal(p, 1);
        rwkvx_attention_params.chunk_size(p, 4);
        rwkvx_attention_params.top_k(p, 1);
        rwkvx_attention_params.scope(p, rwkvx_h.RWKVX_ATTN_SCOPE_HEAD());
        rwkvx_attention_params.memory(p, rwkvx_h.RWKVX_MEMORY_HOST());
        rwkvx_attention_params.q(p, randomFloats(arena, T * HD, 1));
        rwkvx_attention_params.k(p, randomFloats(arena, T * HD, 2));
        rwkvx_attention_params.v(p, randomFloats(arena, T * HD, 3));
        rwkvx_attention_params.o(p, o);
        rwkvx_attention_params.lse(p, lse);
        return p;
    }

    @Test
    void attentionPrefillWithDeviceMemoryIsRefusedByACpuContext() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ctx = context(arena, rwkvx_h.RWKVX_BACKEND_CPU());
            try {
                long T = 12;
                MemorySegment o = floats(arena, T * HD, Float.NaN), lse = floats(arena, T * H, Float.NaN);
                MemorySegment p = attention(arena, T, o, lse);

                rwkvx_attention_params.memory(p, rwkvx_h.RWKVX_MEMORY_DEVICE());
                call(() -> rwkvx_h.rwkvx_attention_prefill(ctx, p))
                        .assertStatus(rwkvx_h.RWKVX_ERROR_UNSUPPORTED(), "rwkvx_attention_prefill", "memory", "DEVICE");
                assertTrue(all(o, Float::isNaN), "nothing written to o");

                rwkvx_attention_params.memory(p, 2);
                call(() -> rwkvx_h.rwkvx_attention_prefill(ctx, p))
                        .assertStatus(rwkvx_h.RWKVX_ERROR_ARGUMENT(), "not an rwkvx_memory");

                rwkvx_attention_params.memory(p, rwkvx_h.RWKVX_MEMORY_HOST());
                call(() -> rwkvx_h.rwkvx_attention_prefill(ctx, p)).assertStatus(rwkvx_h.RWKVX_OK());
                assertTrue(all(o, Float::isFinite) && all(lse, Float::isFinite), "o and lse written with HOST memory");
            } finally {
                free(ctx);
            }
        }
    }

    @Test
    void kvCacheCallsWithDeviceMemoryAreRefusedByACpuContext() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ctx = context(arena, rwkvx_h.RWKVX_BACKEND_CPU());
            MemorySegment config = rwkvx_kv_cache_config.allocate(arena);
            rwkvx_kv_cache_config.n_head(config, H);
            rwkvx_kv_cache_config.head_size(config, D);
            rwkvx_kv_cache_config.dtype(config, rwkvx_h.RWKVX_DTYPE_F32());
            rwkvx_kv_cache_config.chunk_size(config, 4);
            rwkvx_kv_cache_config.capacity(config, 64);
            rwkvx_kv_cache_config.max_size(config, 8);
            rwkvx_kv_cache_config.window(config, 2);
            rwkvx_kv_cache_config.min_size(config, 4);
            MemorySegment out = arena.allocate(ValueLayout.ADDRESS);
            call(() -> rwkvx_h.rwkvx_kv_cache_create(ctx, config, out)).assertStatus(rwkvx_h.RWKVX_OK());
            MemorySegment cache = out.get(ValueLayout.ADDRESS, 0);
            try {
                long n = 10;
                MemorySegment k = randomFloats(arena, n * HD, 4), v = randomFloats(arena, n * HD, 5);
                int device = rwkvx_h.RWKVX_MEMORY_DEVICE(), host = rwkvx_h.RWKVX_MEMORY_HOST();

                call(() -> rwkvx_h.rwkvx_kv_cache_append(cache, k, v, n, 0, 0, device))
                        .assertStatus(rwkvx_h.RWKVX_ERROR_UNSUPPORTED(), "rwkvx_kv_cache_append", "DEVICE");
                assertEquals(0, rwkvx_h.rwkvx_kv_cache_length(cache), "a refused append appends nothing");
                call(() -> rwkvx_h.rwkvx_kv_cache_append(cache, k, v, n, 0, 0, host))
                        .assertStatus(rwkvx_h.RWKVX_OK());
                assertEquals(n, rwkvx_h.rwkvx_kv_cache_length(cache));

                MemorySegment q = randomFloats(arena, HD, 6);
                call(() -> rwkvx_h.rwkvx_kv_cache_compress(ctx, cache, q, 1, 0, device))
                        .assertStatus(rwkvx_h.RWKVX_ERROR_UNSUPPORTED(), "rwkvx_kv_cache_compress", "DEVICE");
                assertEquals(n, rwkvx_h.rwkvx_kv_cache_length(cache), "a refused compress keeps every token");

                MemorySegment o = floats(arena, HD, Float.NaN);
                MemorySegment p = attention(arena, 1, o, MemorySegment.NULL);
                rwkvx_attention_params.memory(p, device);
                call(() -> rwkvx_h.rwkvx_attention_decode(ctx, cache, p))
                        .assertStatus(rwkvx_h.RWKVX_ERROR_UNSUPPORTED(), "rwkvx_attention_decode", "DEVICE");
                assertEquals(n, rwkvx_h.rwkvx_kv_cache_length(cache), "a refused decode neither compresses nor adds");

                call(() -> rwkvx_h.rwkvx_kv_cache_compress(ctx, cache, q, 1, 0, host))
                        .assertStatus(rwkvx_h.RWKVX_OK());
                assertEquals(4, rwkvx_h.rwkvx_kv_cache_length(cache), "compressed to min_size");
                rwkvx_attention_params.memory(p, host);
                call(() -> rwkvx_h.rwkvx_attention_decode(ctx, cache, p)).assertStatus(rwkvx_h.RWKVX_OK());
                assertEquals(5, rwkvx_h.rwkvx_kv_cache_length(cache));
            } finally {
                call(() -> rwkvx_h.rwkvx_kv_cache_free(cache)).assertStatus(rwkvx_h.RWKVX_OK());
                free(ctx);
            }
        }
    }

    @Test
    void kernelCallsReadTheMemoryAndReservedFields() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ctx = context(arena, rwkvx_h.RWKVX_BACKEND_CPU());
            try {
                int device = rwkvx_h.RWKVX_MEMORY_DEVICE(), host = rwkvx_h.RWKVX_MEMORY_HOST();
                long T = 2, N = 4;

                MemorySegment w7 = rwkvx_wkv7_params.allocate(arena);
                rwkvx_wkv7_params.n_tokens(w7, T);
                rwkvx_wkv7_params.n_head(w7, 1);
                rwkvx_wkv7_params.head_size(w7, (int) N);
                rwkvx_wkv7_params.r(w7, floats(arena, T * N, 0.5f));
                rwkvx_wkv7_params.w(w7, floats(arena, T * N, 0.9f));
                rwkvx_wkv7_params.k(w7, floats(arena, T * N, 0.25f));
                rwkvx_wkv7_params.v(w7, floats(arena, T * N, 1f));
                rwkvx_wkv7_params.a(w7, floats(arena, T * N, 0f));
                rwkvx_wkv7_params.b(w7, floats(arena, T * N, 0f));
                rwkvx_wkv7_params.state(w7, floats(arena, N * N, 0f));
                rwkvx_wkv7_params.y(w7, floats(arena, T * N, Float.NaN));
                checkMemoryField(
                        () -> rwkvx_h.rwkvx_wkv7(ctx, w7),
                        "rwkvx_wkv7",
                        m -> rwkvx_wkv7_params.memory(w7, m),
                        r -> rwkvx_wkv7_params.reserved(w7, r));

                MemorySegment w4 = rwkvx_wkv4_params.allocate(arena);
                rwkvx_wkv4_params.n_tokens(w4, T);
                rwkvx_wkv4_params.n_channels(w4, N);
                rwkvx_wkv4_params.time_decay(w4, floats(arena, N, -0.5f));
                rwkvx_wkv4_params.time_first(w4, floats(arena, N, 0.1f));
                rwkvx_wkv4_params.k(w4, floats(arena, T * N, 0.25f));
                rwkvx_wkv4_params.v(w4, floats(arena, T * N, 1f));
                MemorySegment state4 = floats(arena, 3 * N, 0f);
                for (long c = 0; c < N; c++) state4.setAtIndex(ValueLayout.JAVA_FLOAT, 2 * N + c, -1e38f);
                rwkvx_wkv4_params.state(w4, state4);
                rwkvx_wkv4_params.y(w4, floats(arena, T * N, Float.NaN));
                checkMemoryField(
                        () -> rwkvx_h.rwkvx_wkv4(ctx, w4),
                        "rwkvx_wkv4",
                        m -> rwkvx_wkv4_params.memory(w4, m),
                        r -> rwkvx_wkv4_params.reserved(w4, r));

                MemorySegment w5 = rwkvx_wkv5_params.allocate(arena);
                rwkvx_wkv5_params.n_tokens(w5, T);
                rwkvx_wkv5_params.n_head(w5, 1);
                rwkvx_wkv5_params.head_size(w5, (int) N);
                rwkvx_wkv5_params.r(w5, floats(arena, T * N, 0.5f));
                rwkvx_wkv5_params.k(w5, floats(arena, T * N, 0.25f));
                rwkvx_wkv5_params.v(w5, floats(arena, T * N, 1f));
                rwkvx_wkv5_params.w(w5, floats(arena, N, 0.9f));
                rwkvx_wkv5_params.u(w5, floats(arena, N, 0.1f));
                rwkvx_wkv5_params.state(w5, floats(arena, N * N, 0f));
                rwkvx_wkv5_params.y(w5, floats(arena, T * N, Float.NaN));
                checkMemoryField(
                        () -> rwkvx_h.rwkvx_wkv5(ctx, w5), "rwkvx_wkv5", m -> rwkvx_wkv5_params.memory(w5, m), null);

                // rwkvx_tensor's trailing memory and reserved (offsets 80 and 84 of its 88 bytes)
                MemorySegment x = tensor(arena, floats(arena, T * N, 1f), T, N);
                MemorySegment w = tensor(arena, floats(arena, 3 * N, 0.5f), 3, N);
                MemorySegment y = tensor(arena, floats(arena, T * 3, Float.NaN), T, 3);
                for (MemorySegment t : new MemorySegment[] {x, w, y}) rwkvx_tensor.memory(t, device);
                call(() -> rwkvx_h.rwkvx_matmul(ctx, x, w, y))
                        .assertStatus(rwkvx_h.RWKVX_ERROR_UNSUPPORTED(), "rwkvx_matmul", "DEVICE");
                rwkvx_tensor.memory(x, host);
                call(() -> rwkvx_h.rwkvx_matmul(ctx, x, w, y))
                        .assertStatus(rwkvx_h.RWKVX_ERROR_ARGUMENT(), "one call takes one memory space");
                for (MemorySegment t : new MemorySegment[] {x, w, y}) rwkvx_tensor.memory(t, host);
                rwkvx_tensor.reserved(w, 7);
                call(() -> rwkvx_h.rwkvx_matmul(ctx, x, w, y)).assertStatus(rwkvx_h.RWKVX_ERROR_ARGUMENT(), "reserved");
                rwkvx_tensor.reserved(w, 0);
                call(() -> rwkvx_h.rwkvx_matmul(ctx, x, w, y)).assertStatus(rwkvx_h.RWKVX_OK());
                MemorySegment yData = rwkvx_tensor.data(y).reinterpret(T * 3 * Float.BYTES);
                for (float v : yData.toArray(ValueLayout.JAVA_FLOAT)) assertEquals(2f, v, "1*0.5 summed over 4");
            } finally {
                free(ctx);
            }
        }
    }

    private static MemorySegment tensor(Arena arena, MemorySegment data, long rows, long cols) {
        MemorySegment t = rwkvx_tensor.allocate(arena);
        rwkvx_tensor.data(t, data);
        rwkvx_tensor.dtype(t, rwkvx_h.RWKVX_DTYPE_F32());
        rwkvx_tensor.ndim(t, 2);
        rwkvx_tensor.shape(t, 0, rows);
        rwkvx_tensor.shape(t, 1, cols);
        rwkvx_tensor.strides(t, 0, cols);
        rwkvx_tensor.strides(t, 1, 1);
        rwkvx_tensor.memory(t, rwkvx_h.RWKVX_MEMORY_HOST());
        return t;
    }

    /**
     * DEVICE is refused by the CPU context, a nonzero reserved field (where the struct has one) is an argument
     * error, and with HOST memory and reserved 0 the call runs.
     */
    private static void checkMemoryField(
            IntSupplier run,
            String function,
            java.util.function.IntConsumer memory,
            java.util.function.IntConsumer reserved) {
        memory.accept(rwkvx_h.RWKVX_MEMORY_DEVICE());
        call(run).assertStatus(rwkvx_h.RWKVX_ERROR_UNSUPPORTED(), function, "params.memory", "DEVICE");
        memory.accept(rwkvx_h.RWKVX_MEMORY_HOST());
        if (reserved != null) {
            reserved.accept(1);
            call(run).assertStatus(rwkvx_h.RWKVX_ERROR_ARGUMENT(), function, "reserved");
            reserved.accept(0);
        }
        call(run).assertStatus(rwkvx_h.RWKVX_OK());
    }
}
