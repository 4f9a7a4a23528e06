// The growing part of an RWKV-X state: one KV cache (with chunk sums) per attention block. The caches
// grow by doubling; rows are re-appended in token order, so the chunk sums come out bit-identical.
#pragma once
#include <memory>
#include <vector>

#include "attention/kv_cache.h"
#include "model/model.h"

namespace rwkvx {

struct HybridStateExt final : StateExt {
    std::vector<std::unique_ptr<attn::KvCache>> caches;

    std::unique_ptr<StateExt> clone() const override;
};

// An empty cache of H heads of D, chunk size B, K/V stored as dtype (an rwkvx_dtype).
std::unique_ptr<attn::KvCache> new_kv_cache(int32_t H, int32_t D, int32_t B, int64_t capacity, int32_t dtype);
// Makes room for `need` tokens (keeps the content).
void ensure_capacity(const KernelTable &kt, std::unique_ptr<attn::KvCache> &c, int64_t need);
// Writes the rows as [len][H][D] (token-major) in the cache's dtype into k and v.
void gather_rows(const attn::KvCache &c, char *k, char *v);
// n floats rounded to nearest even as dtype (F32: copied), for rows headed into a cache.
void narrow_rows(int32_t dtype, const float *src, void *dst, int64_t n);

}  // namespace rwkvx
