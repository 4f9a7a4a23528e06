// The CUDA flavours of the native kernel tests. A Flavour is a context a check runs on: a CPU context,
// or (when the build has CUDA, RWKVX_TEST_CUDA=1) a CUDA context fed the test's host pointers ("cuda,
// host memory": the library copies) or device copies of them ("cuda, device memory"). For the latter,
// the wrappers below mirror one call: each host input is copied to a cudaMalloc'd buffer, the entry
// point runs with memory = RWKVX_MEMORY_DEVICE, rwkvx_context_synchronize waits for it (its
// diagnostics are OR-ed into the params', so the NaN-score checks hold on every flavour), and the
// outputs and in-place states are copied back. Without RWKVX_TEST_CUDA no CUDA flavour exists and
// every wrapper is the plain host call.
#pragma once
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "check.h"
#include "rwkvx.h"

#if RWKVX_TEST_CUDA
#include <cuda_runtime.h>
#endif

namespace device_mirror {

struct Flavour {
    rwkvx_context *ctx = nullptr;
    std::string name;
    bool cuda = false;           // a CUDA context
    bool device_memory = false;  // calls get device copies of their buffers
};

// Appends the two CUDA flavours to `list` when the build has CUDA tests and a CUDA context can be
// created. Otherwise says once why not (a failure when RWKVX_REQUIRE_GPU=1); without RWKVX_TEST_CUDA,
// does nothing at all. The caller frees the contexts (free_all).
inline void add_cuda_flavours(std::vector<Flavour> &list) {
#if RWKVX_TEST_CUDA
    rwkvx_context *host = nullptr, *device = nullptr;
    std::string why;
    if (rwkvx_context_create(RWKVX_BACKEND_CUDA, 2, 0, &host) != RWKVX_OK)
        why = rwkvx_last_error();
    else if (rwkvx_context_create(RWKVX_BACKEND_CUDA, 2, 0, &device) != RWKVX_OK) {
        why = rwkvx_last_error();
        rwkvx_context_free(host);
    }
    if (!why.empty()) {
        std::printf("cuda flavours skipped: %s\n", why.c_str());
        const char *req = std::getenv("RWKVX_REQUIRE_GPU");
        if (req && std::strcmp(req, "1") == 0)
            expect(false, "RWKVX_REQUIRE_GPU=1 but no CUDA context could be created: " + why);
        return;
    }
    std::printf("cuda flavours: %s\n", rwkvx_context_describe(host));
    list.push_back({host, "cuda, host memory", true, false});
    list.push_back({device, "cuda, device memory", true, true});
#else
    (void)list;
#endif
}

inline void free_all(std::vector<Flavour> &list) {
    for (Flavour &f : list) rwkvx_context_free(f.ctx);
    list.clear();
}

// Bytes of `rows` token rows `stride` elements apart, each `row` elements of `elem` bytes.
inline int64_t row_bytes(int64_t rows, int64_t stride, int64_t row, int64_t elem) {
    return rows <= 0 ? 0 : ((rows - 1) * stride + row) * elem;
}

inline int64_t dtype_bytes(int32_t dtype) {
    return dtype == RWKVX_DTYPE_F32 ? 4 : 2;
}

// Bytes a tensor view spans (0 when it has no elements).
inline int64_t tensor_bytes(const rwkvx_tensor &t) {
    int64_t last = 0;
    for (int i = 0; i < t.ndim && i < 4; i++) {
        if (t.shape[i] <= 0) return 0;
        last += (t.shape[i] - 1) * t.strides[i];
    }
    return (last + 1) * dtype_bytes(t.dtype);
}

#if RWKVX_TEST_CUDA

#define MIRROR_CUDA(expr)                                                                                       \
    do {                                                                                                        \
        cudaError_t e_ = (expr);                                                                                \
        if (e_ != cudaSuccess) {                                                                                \
            std::printf("FAIL: CUDA error %s at %s:%d: %s\n", cudaGetErrorName(e_), __FILE__, __LINE__, #expr); \
            std::exit(1);                                                                                       \
        }                                                                                                       \
    } while (0)

// Device copies of host ranges for one call. A range inside one already mapped (y aliasing x, a
// pointer into a buffer mapped whole) shares its copy. Each copy is followed by kPoison bytes of 0xff
// (NaN in F32, F16 and BF16), so a kernel that reads past the extent it was given meets NaN.
class Mirror {
  public:
    Mirror() = default;
    Mirror(const Mirror &) = delete;
    Mirror &operator=(const Mirror &) = delete;
    ~Mirror() {
        for (Range &r : ranges_) cudaFree(r.device);
    }

    // A device copy of `bytes` at host; copied back by finish() when copy_back. NULL stays NULL.
    void *map(const void *host, int64_t bytes, bool copy_back) {
        if (host == nullptr) return nullptr;
        const char *h = static_cast<const char *>(host);
        const size_t n = bytes > 0 ? size_t(bytes) : 0;
        for (Range &r : ranges_)
            if (h >= r.host && h + n <= r.host + r.bytes) {
                r.copy_back |= copy_back;
                return r.device + (h - r.host);
            }
        Range r{h, n, nullptr, copy_back};
        MIRROR_CUDA(cudaMalloc(reinterpret_cast<void **>(&r.device), n + kPoison));
        if (n) MIRROR_CUDA(cudaMemcpy(r.device, h, n, cudaMemcpyHostToDevice));
        MIRROR_CUDA(cudaMemset(r.device + n, 0xff, kPoison));
        ranges_.push_back(r);
        return r.device;
    }
    template <typename T>
    const T *in(const T *host, int64_t bytes) {
        return static_cast<const T *>(map(host, bytes, false));
    }
    template <typename T>
    T *out(T *host, int64_t bytes) {
        return static_cast<T *>(map(host, bytes, true));
    }

    // Waits for the call that returned `status` and copies the outputs back (also after a refused call,
    // so that "changes nothing" checks see the device copies). A successful call is waited for with
    // rwkvx_context_synchronize, whose status is returned and whose diagnostics are OR-ed into *diag; a
    // failed one with cudaDeviceSynchronize, which keeps the call's rwkvx_last_error message.
    rwkvx_status finish(rwkvx_context *ctx, rwkvx_status status, uint32_t *diag = nullptr) {
        if (status == RWKVX_OK) {
            uint32_t d = 0;
            status = rwkvx_context_synchronize(ctx, &d);
            if (diag) *diag |= d;
        } else {
            MIRROR_CUDA(cudaDeviceSynchronize());
        }
        for (Range &r : ranges_)
            if (r.copy_back && r.bytes)
                MIRROR_CUDA(cudaMemcpy(const_cast<char *>(r.host), r.device, r.bytes, cudaMemcpyDeviceToHost));
        return status;
    }

  private:
    static constexpr size_t kPoison = 4096;
    struct Range {
        const char *host;
        size_t bytes;
        char *device;
        bool copy_back;
    };
    std::vector<Range> ranges_;
};

#undef MIRROR_CUDA

#endif  // RWKVX_TEST_CUDA

// ---- the entry points on a flavour ------------------------------------------------------------------

inline rwkvx_status wkv7(const Flavour &f, const rwkvx_wkv7_params *p) {
#if RWKVX_TEST_CUDA
    if (f.device_memory && p) {
        const int64_t n = p->n_tokens * p->n_head * p->head_size * 4,
                      s = int64_t(p->n_head) * p->head_size * p->head_size * 4;
        Mirror m;
        rwkvx_wkv7_params d = *p;
        d.memory = RWKVX_MEMORY_DEVICE;
        d.r = m.in(p->r, n), d.w = m.in(p->w, n), d.k = m.in(p->k, n), d.v = m.in(p->v, n);
        d.a = m.in(p->a, n), d.b = m.in(p->b, n);
        d.state = m.out(p->state, s), d.y = m.out(p->y, n);
        return m.finish(f.ctx, rwkvx_wkv7(f.ctx, &d));
    }
#endif
    return rwkvx_wkv7(f.ctx, p);
}

inline rwkvx_status wkv4(const Flavour &f, const rwkvx_wkv4_params *p) {
#if RWKVX_TEST_CUDA
    if (f.device_memory && p) {
        const int64_t C = p->n_channels * 4, n = p->n_tokens * C;
        Mirror m;
        rwkvx_wkv4_params d = *p;
        d.memory = RWKVX_MEMORY_DEVICE;
        d.time_decay = m.in(p->time_decay, C), d.time_first = m.in(p->time_first, C);
        d.k = m.in(p->k, n), d.v = m.in(p->v, n);
        d.state = m.out(p->state, 3 * C), d.y = m.out(p->y, n);
        return m.finish(f.ctx, rwkvx_wkv4(f.ctx, &d));
    }
#endif
    return rwkvx_wkv4(f.ctx, p);
}

inline rwkvx_status wkv5(const Flavour &f, const rwkvx_wkv5_params *p) {
#if RWKVX_TEST_CUDA
    if (f.device_memory && p) {
        const int64_t HN = int64_t(p->n_head) * p->head_size * 4, n = p->n_tokens * HN;
        Mirror m;
        rwkvx_wkv5_params d = *p;
        d.memory = RWKVX_MEMORY_DEVICE;
        d.r = m.in(p->r, n), d.k = m.in(p->k, n), d.v = m.in(p->v, n);
        d.w = m.in(p->w, p->w_per_token ? n : HN), d.u = m.in(p->u, HN);
        d.state = m.out(p->state, HN * p->head_size), d.y = m.out(p->y, n);
        return m.finish(f.ctx, rwkvx_wkv5(f.ctx, &d));
    }
#endif
    return rwkvx_wkv5(f.ctx, p);
}

inline rwkvx_status matmul(const Flavour &f, const rwkvx_tensor *x, const rwkvx_tensor *w, rwkvx_tensor *y) {
#if RWKVX_TEST_CUDA
    if (f.device_memory && x && w && y) {
        Mirror m;
        rwkvx_tensor dx = *x, dw = *w, dy = *y;
        dx.memory = dw.memory = dy.memory = RWKVX_MEMORY_DEVICE;
        dx.data = m.map(x->data, tensor_bytes(*x), false);
        dw.data = m.map(w->data, tensor_bytes(*w), false);
        dy.data = m.map(y->data, tensor_bytes(*y), true);
        return m.finish(f.ctx, rwkvx_matmul(f.ctx, &dx, &dw, &dy));
    }
#endif
    return rwkvx_matmul(f.ctx, x, w, y);
}

inline rwkvx_status group_norm(const Flavour &f, const rwkvx_tensor *x, const rwkvx_tensor *weight,
                               const rwkvx_tensor *bias, int32_t n_groups, float eps, rwkvx_tensor *y) {
#if RWKVX_TEST_CUDA
    if (f.device_memory && x && weight && bias && y) {
        Mirror m;
        rwkvx_tensor dx = *x, dwt = *weight, db = *bias, dy = *y;
        dx.memory = dwt.memory = db.memory = dy.memory = RWKVX_MEMORY_DEVICE;
        dx.data = m.map(x->data, tensor_bytes(*x), false);
        dwt.data = m.map(weight->data, tensor_bytes(*weight), false);
        db.data = m.map(bias->data, tensor_bytes(*bias), false);
        dy.data = m.map(y->data, tensor_bytes(*y), true);  // shares x's copy when y aliases x
        return m.finish(f.ctx, rwkvx_group_norm(f.ctx, &dx, &dwt, &db, n_groups, eps, &dy));
    }
#endif
    return rwkvx_group_norm(f.ctx, x, weight, bias, n_groups, eps, y);
}

#if RWKVX_TEST_CUDA
// Device copies of an attention call's q, k, v (inputs), o and lse (outputs) for n tokens.
inline rwkvx_attention_params mirror_attention(Mirror &m, const rwkvx_attention_params &p) {
    const int64_t HD = int64_t(p.n_head) * p.head_size, T = p.n_tokens, kv = dtype_bytes(p.kv_dtype);
    auto stride = [&](int64_t s) { return s ? s : HD; };
    rwkvx_attention_params d = p;
    d.memory = RWKVX_MEMORY_DEVICE;
    d.q = m.in(p.q, row_bytes(T, stride(p.q_stride), HD, 4));
    d.k = m.in(p.k, row_bytes(T, stride(p.k_stride), HD, kv));
    d.v = m.in(p.v, row_bytes(T, stride(p.v_stride), HD, kv));
    d.o = m.out(p.o, row_bytes(T, stride(p.o_stride), HD, 4));
    d.lse = m.out(p.lse, T * p.n_head * 4);
    return d;
}
#endif

inline rwkvx_status attention_prefill(const Flavour &f, rwkvx_attention_params *p) {
#if RWKVX_TEST_CUDA
    if (f.device_memory && p) {
        Mirror m;
        rwkvx_attention_params d = mirror_attention(m, *p);
        rwkvx_status st = m.finish(f.ctx, rwkvx_attention_prefill(f.ctx, &d), &d.diagnostics);
        p->diagnostics = d.diagnostics;
        return st;
    }
#endif
    return rwkvx_attention_prefill(f.ctx, p);
}

inline rwkvx_status attention_decode(const Flavour &f, rwkvx_kv_cache *cache, rwkvx_attention_params *p) {
#if RWKVX_TEST_CUDA
    if (f.device_memory && p) {
        Mirror m;
        rwkvx_attention_params d = mirror_attention(m, *p);
        rwkvx_status st = m.finish(f.ctx, rwkvx_attention_decode(f.ctx, cache, &d), &d.diagnostics);
        p->diagnostics = d.diagnostics;
        return st;
    }
#endif
    return rwkvx_attention_decode(f.ctx, cache, p);
}

// rwkvx_kv_cache_append of n rows of k and v of a cache with configuration cfg, made on f's context.
inline rwkvx_status kv_cache_append(const Flavour &f, rwkvx_kv_cache *cache, const rwkvx_kv_cache_config &cfg,
                                    const void *k, const void *v, int64_t n, int64_t k_stride, int64_t v_stride) {
#if RWKVX_TEST_CUDA
    if (f.device_memory) {
        const int64_t HD = int64_t(cfg.n_head) * cfg.head_size, e = dtype_bytes(cfg.dtype);
        Mirror m;
        const void *dk = m.in(k, row_bytes(n, k_stride ? k_stride : HD, HD, e));
        const void *dv = m.in(v, row_bytes(n, v_stride ? v_stride : HD, HD, e));
        return m.finish(f.ctx, rwkvx_kv_cache_append(cache, dk, dv, n, k_stride, v_stride, RWKVX_MEMORY_DEVICE));
    }
#endif
    (void)f, (void)cfg;
    return rwkvx_kv_cache_append(cache, k, v, n, k_stride, v_stride, RWKVX_MEMORY_HOST);
}

// rwkvx_kv_cache_compress voting with n_q F32 rows of q.
inline rwkvx_status kv_cache_compress(const Flavour &f, rwkvx_kv_cache *cache, const rwkvx_kv_cache_config &cfg,
                                      const float *q, int64_t n_q, int64_t q_stride) {
#if RWKVX_TEST_CUDA
    if (f.device_memory) {
        const int64_t HD = int64_t(cfg.n_head) * cfg.head_size;
        Mirror m;
        const float *dq = m.in(q, row_bytes(n_q, q_stride ? q_stride : HD, HD, 4));
        return m.finish(f.ctx, rwkvx_kv_cache_compress(f.ctx, cache, dq, n_q, q_stride, RWKVX_MEMORY_DEVICE));
    }
#endif
    (void)cfg;
    return rwkvx_kv_cache_compress(f.ctx, cache, q, n_q, q_stride, RWKVX_MEMORY_HOST);
}

}  // namespace device_mirror
