// Internal description of one attention call, filled from rwkvx_attention_params after validation.
// The drivers run the inner loops of the context's CPU kernel table (cpu/kernels.h).
#pragma once
#include <cstdint>

#include "common/tensors.h"
#include "cpu/kernels.h"

namespace rwkvx {
class ThreadPool;

namespace attn {

// Keys/values: row j of head h at base + h * head_stride + j * stride elements of dtype.
struct KvView {
    const void *k;
    const void *v;
    int32_t dtype;  // rwkvx_dtype
    int64_t k_stride, v_stride;
    int64_t head_stride;  // D for token-major rows [T][H][D]; capacity * D for a KV cache [H][cap][D]
};

// Query rows per tile of the tiled (flash) kernel; its keys per block are kBlockKeys (cpu/kernels.h).
constexpr int kTileRows = 64;
constexpr int kMaxHead = 256;  // largest head_size

// Everything a prefill needs, validated (api_attention.cpp).
struct Prefill {
    int64_t T;         // queries, at positions past .. past + T - 1
    int64_t past = 0;  // keys before the first query (a KV cache): kv holds past + T keys
    int32_t H, D;
    float scale;
    const float *q;
    int64_t q_stride;  // elements between tokens
    KvView kv;
    float *o;
    int64_t o_stride;
    float *lse;  // [T][H] or null
    bool sparse;
    int32_t B, top_k, scope;  // scope: 0 per head, 1 all heads
};

// Full causal prefill (flash-style). Writes o and lse.
void full_prefill(ThreadPool &pool, const KernelTable &kt, const Prefill &p);
// MoBA-style sparse prefill. Returns true when some score was NaN.
bool sparse_prefill(ThreadPool &pool, const KernelTable &kt, const Prefill &p);

}  // namespace attn
}  // namespace rwkvx
