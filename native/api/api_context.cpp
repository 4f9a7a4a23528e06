// Contexts: backend choice, thread pool, kernel selection.
#include <thread>

#include "api/handles.h"
#include "common/errors.h"
#include "cpu/dispatch.h"
#include "cuda/cuda_probe.h"

using namespace rwkvx;

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

        std::string gpu_note;
        if (backend != RWKVX_BACKEND_CPU) {
            CudaProbe cuda = probe_cuda();
            // No model kernels run on the GPU yet, so even a usable device serves nothing.
            std::string why = cuda.usable ? cuda.reason + " found, but no CUDA model kernels yet" : cuda.reason;
            if (backend == RWKVX_BACKEND_CUDA) fail(RWKVX_ERROR_UNSUPPORTED, "CUDA backend unavailable: " + why);
            gpu_note = "; cuda: " + why + ", using the CPU";
        }
        int threads = n_threads;
        if (threads == 0) threads = int(std::thread::hardware_concurrency());
        if (threads <= 0) threads = 1;

        auto ctx = std::make_unique<rwkvx_context>();
        ctx->pool = std::make_unique<ThreadPool>(threads);
        const KernelTable &kernels = select_kernels(flags & RWKVX_CONTEXT_FORCE_SCALAR);
        ctx->ops = std::make_unique<CpuOps>(*ctx->pool, kernels);
        ctx->resident_weights = (flags & RWKVX_CONTEXT_RESIDENT_WEIGHTS) != 0;
        ctx->description = std::string("cpu (") + kernels.name + ", " + std::to_string(threads) +
                           (threads == 1 ? " thread" : " threads") +
                           (ctx->resident_weights ? ", weights: resident)" : ", weights: in place)") + gpu_note;
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

}  // extern "C"
