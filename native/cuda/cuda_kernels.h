// The CUDA kernel families and their launchers, one parameter struct per family (flash-attention
// style). Every pointer is a device pointer of the current device; every launcher enqueues on
// `stream` and returns without waiting. Inputs were validated by native/api (see backend/backend.h);
// launchers check only what the kernels themselves impose and throw RWKVX_ERROR_BACKEND or
// RWKVX_ERROR_UNSUPPORTED with the reason. fp32 accumulation throughout; no fast math, no
// flush-to-zero (CMakeLists.txt).
#pragma once
#include <cuda_runtime.h>

#include <cstdint>

#include "backend/backend.h"
#include "rwkvx.h"

namespace rwkvx {
namespace cuda {

// ---- recurrences (wkv.cu) ------------------------------------------------------------------------
// RWKV-7: picks the chunked form for long prefill, the recurrent form otherwise.
void wkv7(const rwkvx_wkv7_params &p, cudaStream_t stream);
void wkv7_recurrent(const rwkvx_wkv7_params &p, cudaStream_t stream);
void wkv7_chunked(const rwkvx_wkv7_params &p, cudaStream_t stream);
void wkv4(const rwkvx_wkv4_params &p, cudaStream_t stream);
void wkv5(const rwkvx_wkv5_params &p, cudaStream_t stream);

// ---- dense ops (dense.cu) ------------------------------------------------------------------------
void matmul(const MatmulCall &c, cudaStream_t stream);
void group_norm(const GroupNormCall &c, cudaStream_t stream);

// ---- attention ---------------------------------------------------------------------------------
// Keys and values: row j of head h at base + h * head_stride + j * stride elements of dtype
// (token-major rows [T][H][D]: head_stride = D; a KV cache [H][capacity][D]: head_stride = capacity*D).
struct KvRows {
    const void *k, *v;
    int32_t dtype;  // rwkvx_dtype
    int64_t k_stride, v_stride, head_stride;
};

// Full causal prefill (flash_prefill.cu). Queries at positions past .. past+T-1 see keys 0..position.
struct FlashParams {
    int64_t T;
    int64_t past;  // keys before the first query (continuing a cache); kv holds past + T keys
    int32_t H, D;  // D a multiple of 16 in 16..256
    float scale;   // resolved, never 0
    const float *q;
    int64_t q_stride;  // elements between tokens
    KvRows kv;
    float *o;
    int64_t o_stride;
    float *lse;  // [T][H] natural-log LSE of the scaled scores, or null
};
// F32 K/V: flash_prefill_fma. F16/BF16: flash_prefill_mma when D is one it is built for (64, 128),
// else flash_prefill_fma.
void flash_prefill(const FlashParams &p, cudaStream_t stream);
// fp32 FMA math for every dtype (F16/BF16 widened exactly).
void flash_prefill_fma(const FlashParams &p, cudaStream_t stream);
// Tensor cores (mma.sync m16n8k16, fp32 accumulation): q and P rounded to K/V's dtype. F16/BF16 only;
// throws RWKVX_ERROR_UNSUPPORTED for another dtype or head size.
void flash_prefill_mma(const FlashParams &p, cudaStream_t stream);
bool flash_mma_supports(int32_t dtype, int32_t D);

// Chunk selection (chunk_select.cu): the bitwise rules of common/chunk_rules.h. These kernels hold
// only correctly rounded fp32 add/mul/fma (checked on the PTX by tests/native/check_selection_ptx.cmake).
// means[c][H][D] for the complete chunks c < n_chunks: fp32 sums of the rows in token order times inv_b.
void chunk_means(const KvRows &kv, int64_t n_chunks, int32_t H, int32_t D, int32_t B, float inv_b, float *means,
                 cudaStream_t stream);
// means[c][H][D] = chunk_mean(sums[h][c][D], inv_b) from a KV cache's running sums ([H][slots][D]).
void chunk_means_from_sums(const float *sums, int64_t slots, int64_t n_chunks, int32_t H, int32_t D, float inv_b,
                           float *means, cudaStream_t stream);
// Per query t (position past + t) and selection head hs (scope ALL: one, over all heads), the top_k
// of the candidates c < (past + t) / B by rules::dot8_accumulate + tree8 of q and means[c]:
// sel[(t * Hs + hs) * top_k + i] ascending, count[t * Hs + hs]; RWKVX_ATTN_DIAG_NAN_SCORE OR-ed into
// *diag when a score was NaN. top_k >= 1.
struct SelectParams {
    int64_t T, past;
    int32_t H, D, B, top_k, scope;
    const float *q;
    int64_t q_stride;
    const float *means;  // [n_full][H][D]
    int64_t n_full;
    int32_t *sel;
    int32_t *count;
    uint32_t *diag;
};
void select_chunks(const SelectParams &p, cudaStream_t stream);

// MoBA-style sparse prefill (sparse_prefill.cu): chunk means, selection, chunk-centric attention of
// the selected chunks, the own chunk causally, and the fixed-order LSE merge (docs/rwkv-x.md §5).
struct SparseParams {
    FlashParams f;
    int32_t B, top_k, scope;
    // The cache's running chunk sums [H][sum_slots][D] when kv is a KV cache (bitwise the same as
    // recomputing them), or null: computed from kv.
    const float *sums;
    int64_t sum_slots;
    uint32_t *diag;  // device word; RWKVX_ATTN_DIAG_* bits OR-ed in
};
void sparse_prefill(const SparseParams &p, cudaStream_t stream);

// Chunk-centric attention (sparse_attend.cu), sparse_prefill's attention stages: the (query, rank)
// pairs are bucketed by (selection head, chunk) so each selected chunk's K/V streams once against
// tiles of the queries that chose it (MoBA's inversion).
struct ChunkAttendParams {
    FlashParams f;
    int32_t B, top_k, scope;    // top_k >= 0
    int64_t n_full;             // complete chunks (the candidates)
    const int64_t *bucket_off;  // [Hs][n_full + 1]: bucket (hs, c) = entries [off[c], off[c + 1])
    const int64_t *bucket;      // entries t * top_k + rank; selection head hs's at hs * T * top_k
    const int32_t *sel;         // [T][Hs][top_k], ascending per (t, hs)
    const int32_t *count;       // [T][Hs]
    float *part;                // [T][H][top_k][D + 2]: acc (unnormalised), m (log2 domain), l
};
// Fills part for every bucket entry: the query's attention over the whole selected chunk.
void attend_selected_chunks(const ChunkAttendParams &p, cudaStream_t stream);
// Each query's own chunk causally (keys from the chunk's start to the query), then the merge of its
// count partials and the own-chunk state in the fixed order (selected chunks ascending, own chunk
// last; partials with m = -inf skipped); writes o and lse.
void attend_own_chunk_and_merge(const ChunkAttendParams &p, cudaStream_t stream);

// ---- KV cache and decode (kv_cache.cu, decode.cu) ---------------------------------------------------
// Device storage of one KV cache: k and v [H][capacity][D] of dtype; sums [H][slots][D] fp32.
struct KvDevice {
    void *k, *v;
    float *sums;
    int32_t H, D, dtype, B;
    int64_t capacity, slots;
    KvRows rows() const { return KvRows{k, v, dtype, D, D, capacity * D}; }
};
// Copies n rows ([n][H][D] in the cache's dtype, token strides in elements) in at len .. len+n-1 and
// adds each key to its chunk's sum in token order.
void kv_append(const KvDevice &c, int64_t len, const void *k, const void *v, int64_t n, int64_t k_stride,
               int64_t v_stride, cudaStream_t stream);
// Zeroes the sums.
void kv_clear_sums(const KvDevice &c, cudaStream_t stream);
// SnapKV-like compression from len to min_size keeping the last window tokens (rwkvx_kv_cache_compress);
// q [n_q][H][D] device rows. Rebuilds the sums.
void kv_compress(const KvDevice &c, int64_t len, int64_t window, int64_t min_size, const float *q, int64_t n_q,
                 int64_t q_stride, float scale, cudaStream_t stream);

// One decode step (decode.cu): the query attends to cache rows [0, len) (SPARSE: the selected
// complete chunks, the remainder) and then to its own k_new/v_new, as split-K flash decoding with a
// fixed-order combine. The caller appends k_new/v_new afterwards.
struct DecodeParams {
    const float *q;  // [H][D]
    KvDevice cache;
    int64_t len;
    const void *k_new, *v_new;  // [H][D] of the cache's dtype
    float *o, *lse;             // o [H][D]; lse [H] or null
    bool sparse;
    int32_t top_k, scope;
    float scale;
    uint32_t *diag;
};
void decode_step(const DecodeParams &p, cudaStream_t stream);

}  // namespace cuda
}  // namespace rwkvx
