// The seam between the C ABI and the compute backends. native/api validates every call at the
// boundary, then hands these plain descriptions to the context's Backend: the CPU one
// (backend/cpu_backend.cpp, over native/attention and native/cpu) or the CUDA one
// (cuda/cuda_backend.cu). A backend trusts what it is given: shapes, strides, dtypes and capacities
// were checked by the API, and every pointer is in the call's memory space.
//
// Designed for what the CUDA side grows into: a KV cache is a backend-owned store (device-resident on
// CUDA), device calls are stream-ordered (set_stream, synchronize), and nothing here assumes host
// memory except where a call says Memory::Host.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "rwkvx.h"

namespace rwkvx {

enum class Memory : int32_t { Host = RWKVX_MEMORY_HOST, Device = RWKVX_MEMORY_DEVICE };

// y[T][N] = x[T][K] · w[N][K]^T; w is F32, F16 or BF16, all contiguous.
struct MatmulCall {
    int32_t w_dtype;
    const void *w;
    int64_t N, K;
    const float *x;
    int64_t T;
    float *y;
    Memory memory;
};

// Layer norm of each of the n_groups groups of every row of x [T][C]; y may alias x.
struct GroupNormCall {
    const float *x, *weight, *bias;
    float *y;
    int64_t T, C;
    int32_t n_groups;
    float eps;
    Memory memory;
};

// rwkvx_wkv7_params, rwkvx_wkv4_params and rwkvx_wkv5_params are passed as they came (validated).

// One validated attention call (rwkvx_attention_params after the API's checks). Token strides are
// resolved (never 0); `sparse` already applies dense_below.
struct AttentionCall {
    int64_t T;  // query tokens
    int32_t H, D;
    int32_t kv_dtype;
    bool sparse;
    int32_t B, top_k, scope;  // SPARSE knobs; scope: RWKVX_ATTN_SCOPE_*
    float scale;              // resolved (never 0)
    const float *q;
    const void *k, *v;
    float *o;
    float *lse;  // may be null
    int64_t q_stride, k_stride, v_stride, o_stride;
    Memory memory;
};

// A KV cache's storage on one backend. `len` is the number of tokens stored as of the last call that
// changed it (on CUDA: as enqueued; the device work follows in stream order).
class KvStore {
  public:
    explicit KvStore(const rwkvx_kv_cache_config &c) : cfg(c) {}
    virtual ~KvStore() = default;
    KvStore(const KvStore &) = delete;
    KvStore &operator=(const KvStore &) = delete;

    const rwkvx_kv_cache_config cfg;
    int64_t len = 0;
};

// The kernels of one context. Calls arrive one at a time (the API holds the context's compute lock)
// except describe(), kind() and kv_create, which touch no shared state.
class Backend {
  public:
    virtual ~Backend() = default;

    virtual int32_t kind() const = 0;  // RWKVX_BACKEND_CPU or RWKVX_BACKEND_CUDA
    // One line, e.g. "cuda (NVIDIA H100 80GB HBM3, sm_90)".
    virtual std::string describe() const = 0;

    virtual void matmul(const MatmulCall &c) = 0;
    virtual void group_norm(const GroupNormCall &c) = 0;
    virtual void wkv7(const rwkvx_wkv7_params &p) = 0;
    virtual void wkv4(const rwkvx_wkv4_params &p) = 0;
    virtual void wkv5(const rwkvx_wkv5_params &p) = 0;

    // Causal prefill; returns the RWKVX_ATTN_DIAG_* bits known at return (device memory: 0, the bits
    // go to synchronize()).
    virtual uint32_t attention_prefill(const AttentionCall &c) = 0;

    // KV caches (rwkvx_kv_cache_*). The store is the backend's; the API checks capacity and knobs.
    virtual std::unique_ptr<KvStore> kv_create(const rwkvx_kv_cache_config &cfg) = 0;
    virtual void kv_reset(KvStore &s) = 0;
    // Appends n rows of k and v ([n][H][D] in the cache's dtype, token strides in elements).
    virtual void kv_append(KvStore &s, const void *k, const void *v, int64_t n, int64_t k_stride, int64_t v_stride,
                           Memory memory) = 0;
    // SnapKV-like compression to cfg.min_size (rwkvx_kv_cache_compress); the caller has checked that
    // the cache has compression knobs.
    virtual void kv_compress(KvStore &s, const float *q, int64_t n_q, int64_t q_stride, float scale, Memory memory) = 0;
    // c.T new tokens attend to the store and themselves, then join it (rwkvx_attention_decode). The
    // caller has compressed the store if needed and checked the room for c.T more tokens; c.sparse
    // already applies dense_below to the store's length. Returns the diagnostics as attention_prefill.
    virtual uint32_t attention_decode(KvStore &s, const AttentionCall &c) = 0;

    // Stream-ordered execution (CUDA). The CPU runs everything before returning.
    virtual void set_stream(void *stream) = 0;
    virtual uint32_t synchronize() = 0;
};

}  // namespace rwkvx
