// Chunk means, chunk scores and top-k selection with the bitwise-defined rules of docs/rwkv-x.md §5.2:
// fp32 chunk sums in token order, mean = sum * (1/B), 8 lane-strided FMA partials combined by
// tree8, rank by score descending with ties to the more recent chunk, NaN ranks as -inf (flagged),
// the selection returned in ascending chunk order.
#pragma once
#include <cstdint>

#include "attention/attention_params.h"

namespace rwkvx {
namespace attn {

// Adds key row k (D elements of dtype) to sum in fp32 (the running chunk sum, token order).
void add_key(const KernelTable &kt, const void *k, int32_t dtype, int D, float *sum, float *tmp);

// Selection over candidate chunks [0, n_cand): score(c) is the canonical score of chunk c.
// Writes min(k, n_cand) indices ascending into out and returns how many; sets *nan on a NaN score.
template <typename Score>
int select_top_k(int64_t n_cand, int k, Score &&score, int32_t *out, bool *nan) {
    if (k <= 0 || n_cand <= 0) return 0;
    // Insertion buffer in rank order. Candidates arrive in ascending index, so a newcomer wins ties.
    float best_s[64];
    int32_t best_i[64];
    int count = 0;
    for (int64_t c = 0; c < n_cand; c++) {
        float s = score(c);
        if (s != s) {
            *nan = true;
            s = -__builtin_inff();
        }
        if (count == k && !(s >= best_s[k - 1])) continue;
        int pos = count < k ? count : k - 1;
        while (pos > 0 && s >= best_s[pos - 1]) {
            best_s[pos] = best_s[pos - 1];
            best_i[pos] = best_i[pos - 1];
            pos--;
        }
        best_s[pos] = s;
        best_i[pos] = int32_t(c);
        if (count < k) count++;
    }
    // Ascending chunk order for processing.
    for (int i = 0; i < count; i++) out[i] = best_i[i];
    for (int i = 1; i < count; i++)
        for (int j = i; j > 0 && out[j - 1] > out[j]; j--) {
            int32_t t = out[j];
            out[j] = out[j - 1];
            out[j - 1] = t;
        }
    return count;
}

constexpr int kMaxTopK = 64;

}  // namespace attn
}  // namespace rwkvx
