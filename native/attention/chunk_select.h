// Chunk means, chunk scores and top-k selection with the bitwise-defined rules of docs/rwkv-x.md §5.2:
// fp32 chunk sums in token order, mean = sum * (1/B), 8 lane-strided FMA partials combined by
// tree8, rank by score descending with ties to the more recent chunk, NaN ranks as -inf (flagged),
// the selection returned in ascending chunk order.
#pragma once
#include <cstdint>

#include "attention/attention_params.h"
#include "common/chunk_rules.h"

namespace rwkvx {
namespace attn {

// Adds key row k (D elements of dtype) to sum in fp32 (the running chunk sum, token order).
void add_key(const KernelTable &kt, const void *k, int32_t dtype, int D, float *sum, float *tmp);

// Selection over candidate chunks [0, n_cand) by the shared rules (common/chunk_rules.h): score(c)
// is the canonical score of chunk c. Writes min(k, n_cand) indices ascending into out and returns how
// many; sets *nan on a NaN score.
template <typename Score>
int select_top_k(int64_t n_cand, int k, Score &&score, int32_t *out, bool *nan) {
    if (k <= 0 || n_cand <= 0) return 0;
    rules::TopK<rules::kMaxTopK> top(k);
    for (int64_t c = 0; c < n_cand; c++) top.offer(score(c), int32_t(c));
    if (top.saw_nan) *nan = true;
    return top.ascending(out);
}

constexpr int kMaxTopK = rules::kMaxTopK;

}  // namespace attn
}  // namespace rwkvx
