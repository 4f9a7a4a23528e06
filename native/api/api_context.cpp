// Contexts: backend choice, thread pool, kernel selection.
#include <thread>

#include "api/handles.h"
#include "backend/cpu_backend.h"
#include "common/errors.h"
#include "cpu/dispatch.h"
#include "cuda/cuda_probe.h"

using namespace rwkvx;

namespace rwkvx {

void check_memory(const rwkvx_context &ctx, int32_t memory, const std::string &what) {
    if (memory != RWKVX_MEMORY_HOST && memory != RWKVX_MEMORY_DEVICE)
        fail(RWKVX_ERROR_ARGUMENT, what + " is " + std::to_string(memory) + ", not an rwkvx_memory (0 host, 1 device)");
    if (memory == RWKVX_MEMORY_DEVICE && ctx.backend->kind() != RWKVX_BACKEND_CUDA)
        fail(RWKVX_ERROR_UNSUPPORTED, what + " is DEVICE, but the context runs on the CPU (" + ctx.description +
                                          "); create it with RWKVX_BACKEND_CUDA on a machine with a GPU");
}

}  // namespace rwkvx

extern "C" {

RWKVX_API rwkvx_status rwkvx_context_create(int32_t backend, int32_t n_threads, int32_t flags,
                                            rwkvx_context **out_ctx) {
    return guarded("rwkvx_context_create", [&] {
        RWKVX_REQUIRE_ARG(out_ctx != nullptr, "out_ctx is NULL");
        *out_ctx = nullptr;
        RWKVX_REQUIRE_ARG(backend >= RWKVX_BACKEND_AUTO && backend <= RWKVX_BACKEND_CUDA,
                          "backend " + std::to_string(backend) + " is not an rwkvx_backend (0..2)");
        RWKVX_REQUIRE_ARG(n_threads >= 0 && n_threads <= 1024,
                          "n_threads " + std::to_string(n_threads) + " is out of range 0..1024");
        constexpr int32_t known = RWKVX_CONTEXT_FORCE_SCALAR | RWKVX_CONTEXT_RESIDENT_WEIGHTS;
        RWKVX_REQUIRE_ARG((flags & ~known) == 0, "unknown flag bits " + std::to_string(flags & ~known));

        // AUTO and CUDA take the GPU when one is usable; AUTO otherwise falls back with the reason.
        CudaProbe cuda;
        if (backend != RWKVX_BACKEND_CPU) {
            cuda = probe_cuda();
            if (!cuda.usable && backend == RWKVX_BACKEND_CUDA)
                fail(RWKVX_ERROR_UNSUPPORTED, "CUDA backend unavailable: " + cuda.reason);
        }
        int threads = n_threads;
        if (threads == 0) threads = int(std::thread::hardware_concurrency());
        if (threads <= 0) threads = 1;

        auto ctx = std::make_unique<rwkvx_context>();
        ctx->pool = std::make_unique<ThreadPool>(threads);
        const KernelTable &kernels = select_kernels(flags & RWKVX_CONTEXT_FORCE_SCALAR);
        ctx->ops = std::make_unique<CpuOps>(*ctx->pool, kernels);
        ctx->resident_weights = (flags & RWKVX_CONTEXT_RESIDENT_WEIGHTS) != 0;
        const std::string cpu = std::string("cpu (") + kernels.name + ", " + std::to_string(threads) +
                                (threads == 1 ? " thread" : " threads") +
                                (ctx->resident_weights ? ", weights: resident)" : ", weights: in place)");
        if (cuda.usable) {
            ctx->backend = make_cuda_backend(cuda);
            ctx->description = ctx->backend->describe() + "; models: " + cpu;
        } else {
            ctx->backend = make_cpu_backend(*ctx->ops);
            ctx->description =
                cpu + (backend == RWKVX_BACKEND_AUTO ? "; cuda: " + cuda.reason + ", using the CPU" : "");
        }
        *out_ctx = ctx.release();
    });
}

RWKVX_API rwkvx_status rwkvx_context_free(rwkvx_context *ctx) {
    return guarded("rwkvx_context_free", [&] {
        if (ctx == nullptr) return;
        if (ctx->users.get() != 0) {
            const int64_t models = ctx->n_models.load(), caches = ctx->n_caches.load();
            const int64_t calls = ctx->users.get() - models - caches;
            auto count = [](int64_t n, const char *one, const char *many) {
                return std::to_string(n) + " " + (n == 1 ? one : many);
            };
            std::string what = "the context still has " + count(models, "model", "models") + " and " +
                               count(caches, "KV cache", "KV caches");
            if (calls > 0) what += ", and " + count(calls, "call", "calls") + " through it in flight";
            fail(RWKVX_ERROR_IN_USE, what + "; free them first (nothing was freed)");
        }
        delete ctx;
    });
}

RWKVX_API const char *rwkvx_context_describe(const rwkvx_context *ctx) {
    return ctx ? ctx->description.c_str() : "(null context)";
}

RWKVX_API int32_t rwkvx_context_threads(const rwkvx_context *ctx) {
    return ctx ? ctx->pool->size() : 0;
}

RWKVX_API int32_t rwkvx_context_backend(const rwkvx_context *ctx) {
    return ctx ? ctx->backend->kind() : -1;
}

RWKVX_API rwkvx_status rwkvx_context_set_stream(rwkvx_context *ctx, void *stream) {
    return guarded("rwkvx_context_set_stream", [&] {
        RWKVX_REQUIRE_ARG(ctx != nullptr, "ctx is NULL");
        CallScope call(ctx->users);
        std::lock_guard<std::mutex> lock(ctx->mutex);
        ctx->backend->set_stream(stream);
    });
}

RWKVX_API rwkvx_status rwkvx_context_synchronize(rwkvx_context *ctx, uint32_t *diagnostics) {
    return guarded("rwkvx_context_synchronize", [&] {
        if (diagnostics) *diagnostics = 0;
        RWKVX_REQUIRE_ARG(ctx != nullptr, "ctx is NULL");
        CallScope call(ctx->users);
        std::lock_guard<std::mutex> lock(ctx->mutex);
        const uint32_t bits = ctx->backend->synchronize();
        if (diagnostics) *diagnostics = bits;
    });
}

}  // extern "C"
