// The CPU KV cache (behind rwkvx_kv_cache on a CPU context, and inside RWKV-X states): per-head K/V
// rows in the cache's dtype and fp32 chunk sums kept in step (every append adds the key to its
// chunk's running sum, in token order).
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "attention/attention_params.h"
#include "rwkvx.h"

namespace rwkvx {
namespace attn {

// The CPU storage of one KV cache: behind an API handle (backend/cpu_backend.cpp) or owned by an
// RWKV-X state (model/hybrid_state.h).
struct KvCache {
    rwkvx_kv_cache_config cfg;
    int64_t len = 0;
    std::vector<char> k, v;   // [H][capacity][D] elements of cfg.dtype
    std::vector<float> sums;  // [H][n_chunk_slots][D]: chunk c's fp32 key sum (the last may be partial)
    int64_t chunk_slots = 0;

    int64_t esize() const { return rwkvx::dtype_bytes(cfg.dtype); }
    const void *k_row(int32_t h, int64_t j) const {
        return k.data() + ((int64_t(h) * cfg.capacity + j) * cfg.head_size) * esize();
    }
    const void *v_row(int32_t h, int64_t j) const {
        return v.data() + ((int64_t(h) * cfg.capacity + j) * cfg.head_size) * esize();
    }
    float *sum(int32_t h, int64_t c) { return &sums[size_t((int64_t(h) * chunk_slots + c) * cfg.head_size)]; }
    const float *sum(int32_t h, int64_t c) const {
        return &sums[size_t((int64_t(h) * chunk_slots + c) * cfg.head_size)];
    }
};

// The cache's rows as a prefill's keys/values ([H][capacity][D]).
inline KvView kv_view(const KvCache &c) {
    const int64_t D = c.cfg.head_size;
    return KvView{c.k.data(), c.v.data(), c.cfg.dtype, D, D, c.cfg.capacity * D};
}

// Allocates storage for cfg (validated by the caller).
void kv_init(KvCache &c);
// Appends n rows (token strides in elements); the caller has checked the capacity.
void kv_append(const KernelTable &kt, KvCache &c, const void *k, const void *v, int64_t n, int64_t k_stride,
               int64_t v_stride);
// SnapKV-like compression to cfg.min_size with votes from q rows [n_q][H][D].
void kv_compress(ThreadPool &pool, const KernelTable &kt, KvCache &c, const float *q, int64_t n_q, int64_t q_stride,
                 float scale);

// One decode step (see rwkvx_attention_decode); returns true when a chunk score was NaN.
struct Decode {
    const float *q;  // [H][D]
    const void *k, *v;
    float *o, *lse;
    bool sparse;
    int32_t top_k, scope;
    int64_t dense_below;
    float scale;
};
bool decode_step(ThreadPool &pool, const KernelTable &kt, KvCache &c, const Decode &d);

}  // namespace attn
}  // namespace rwkvx
