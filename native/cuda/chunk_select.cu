// Chunk selection on the GPU (docs/rwkv-x.md §5.2, §5.3): the chunk means and the per-query top-k
// of the complete past chunks, bit for bit what the CPU selects (native/attention/sparse_prefill.cpp,
// decode.cpp). Only the selection kernels live in this file: every fp32 arithmetic instruction here
// is a correctly rounded add/mul/fma from common/chunk_rules.h, which
// tests/native/check_selection_ptx.cmake verifies on the PTX for every architecture we build.
#include <cstdint>

#include "common/chunk_rules.h"
#include "cuda/cuda_common.cuh"
#include "cuda/cuda_kernels.h"

namespace rwkvx {
namespace cuda {

namespace {

// ---- chunk means -----------------------------------------------------------------------------------

constexpr int kMeanThreads = 256;

// One thread per (chunk c, head h, dim d), consecutive threads along d (coalesced rows): the fp32 sum
// of rows cB .. cB+B-1 in token order from +0 (as the CPU's add_key and the KV cache's running sums),
// then sum * (1/B).
template <int32_t kDtype>
__global__ void __launch_bounds__(kMeanThreads)
    chunk_means_kernel(KvRows kv, int64_t n_chunks, int32_t H, int32_t D, int32_t B, float inv_b, float *means) {
    const int64_t i = int64_t(blockIdx.x) * kMeanThreads + threadIdx.x;
    if (i >= n_chunks * H * D) return;
    const int32_t d = int32_t(i % D);
    const int32_t h = int32_t((i / D) % H);
    const int64_t c = i / (int64_t(H) * D);
    const int64_t base = int64_t(h) * kv.head_stride + c * B * kv.k_stride + d;
    float sum = 0.0f;
    int32_t j = 0;
    // Eight loads in flight ahead of the strictly ordered additions.
    for (; j + 8 <= B; j += 8) {
        float x[8];
#pragma unroll
        for (int u = 0; u < 8; u++) x[u] = load_as_f32<kDtype>(kv.k, base + int64_t(j + u) * kv.k_stride);
#pragma unroll
        for (int u = 0; u < 8; u++) sum = rules::add_rn(sum, x[u]);
    }
    for (; j < B; j++) sum = rules::add_rn(sum, load_as_f32<kDtype>(kv.k, base + int64_t(j) * kv.k_stride));
    means[i] = rules::chunk_mean(sum, inv_b);
}

// means[c][h][d] = sums[h][c][d] * (1/B).
__global__ void __launch_bounds__(kMeanThreads)
    chunk_means_from_sums_kernel(const float *sums, int64_t slots, int64_t n_chunks, int32_t H, int32_t D, float inv_b,
                                 float *means) {
    const int64_t i = int64_t(blockIdx.x) * kMeanThreads + threadIdx.x;
    if (i >= n_chunks * H * D) return;
    const int32_t d = int32_t(i % D);
    const int32_t h = int32_t((i / D) % H);
    const int64_t c = i / (int64_t(H) * D);
    means[i] = rules::chunk_mean(sums[(int64_t(h) * slots + c) * D + d], inv_b);
}

// ---- selection ---------------------------------------------------------------------------------------

// A block takes kSelQueries consecutive queries of one selection head and walks the candidate chunks
// in tiles of kSelChunks, the score vectors in slices of kSelDims dimensions (both staged in shared
// memory). Thread (warp w, lane l) accumulates the 8 partials of chunk l of the tile against queries
// w, w+8, w+16, w+24. Slicing keeps each partial's FMA chain in ascending d (slices are multiples of
// 8 dims, so lane d mod 8 is the same in a slice as in the whole vector): rules::dot8_accumulate's
// order exactly. The finished scores go through shared memory to one thread per query, which offers
// them to its rules::TopK in ascending chunk order, as the CPU does.
constexpr int kSelQueries = 32;
constexpr int kSelChunks = 32;
constexpr int kSelDims = 64;
constexpr int kSelThreads = 256;
constexpr int kSelWarps = kSelThreads / 32;
constexpr int kQueriesPerThread = kSelQueries / kSelWarps;
static_assert(kSelChunks == 32, "a lane per chunk of the tile");
static_assert(kSelQueries <= kSelThreads, "a thread per query ranks it");

__global__ void __launch_bounds__(kSelThreads) select_chunks_kernel(SelectParams p, int32_t Hs, int32_t len) {
    __shared__ __align__(16) float q_s[kSelQueries][kSelDims];
    __shared__ float mean_s[kSelChunks][kSelDims + 1];  // + 1: lanes read different chunks, different banks
    __shared__ float score_s[kSelQueries][kSelChunks + 1];

    const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
    const int32_t hs = blockIdx.y;
    const int64_t t0 = int64_t(blockIdx.x) * kSelQueries;
    const int nq = int(p.T - t0 < kSelQueries ? p.T - t0 : kSelQueries);
    const int64_t HD = int64_t(p.H) * p.D;
    // Candidates of the tile's last query (the most); never beyond the chunks that have means.
    int64_t n_cand_max = (p.past + t0 + nq - 1) / p.B;
    if (n_cand_max > p.n_full) n_cand_max = p.n_full;
    // Scope ALL (Hs = 1) scores the concatenation of all heads: the same start, len = H * D.
    const float *q = p.q + int64_t(hs) * p.D;
    const float *means = p.means + int64_t(hs) * p.D;

    rules::TopK<rules::kMaxTopK> top(p.top_k);
    int64_t my_cand = 0;
    if (tid < nq) {
        my_cand = (p.past + t0 + tid) / p.B;
        if (my_cand > p.n_full) my_cand = p.n_full;
    }

    for (int64_t c0 = 0; c0 < n_cand_max; c0 += kSelChunks) {
        float part[kQueriesPerThread][8];
#pragma unroll
        for (int r = 0; r < kQueriesPerThread; r++)
#pragma unroll
            for (int j = 0; j < 8; j++) part[r][j] = 0.0f;

        for (int32_t d0 = 0; d0 < len; d0 += kSelDims) {
            const int ds = len - d0 < kSelDims ? len - d0 : kSelDims;  // a multiple of 8
            __syncthreads();  // the previous slice (and the previous tile's scores) are consumed
            for (int i = tid; i < kSelQueries * kSelDims; i += kSelThreads) {
                const int r = i / kSelDims, d = i % kSelDims;
                q_s[r][d] = r < nq && d < ds ? q[(t0 + r) * p.q_stride + d0 + d] : 0.0f;
            }
            for (int i = tid; i < kSelChunks * kSelDims; i += kSelThreads) {
                const int cl = i / kSelDims, d = i % kSelDims;
                mean_s[cl][d] = c0 + cl < n_cand_max && d < ds ? means[(c0 + cl) * HD + d0 + d] : 0.0f;
            }
            __syncthreads();
            for (int d = 0; d < ds; d += 8) {
                float m[8];
#pragma unroll
                for (int j = 0; j < 8; j++) m[j] = mean_s[lane][d + j];
#pragma unroll
                for (int r = 0; r < kQueriesPerThread; r++) {
                    const float4 qa = *reinterpret_cast<const float4 *>(&q_s[warp + kSelWarps * r][d]);
                    const float4 qb = *reinterpret_cast<const float4 *>(&q_s[warp + kSelWarps * r][d + 4]);
                    const float qv[8] = {qa.x, qa.y, qa.z, qa.w, qb.x, qb.y, qb.z, qb.w};
                    // p[(d0 + d + j) mod 8] = p[j]: rules::dot8_accumulate's lanes.
#pragma unroll
                    for (int j = 0; j < 8; j++) part[r][j] = rules::fma_rn(qv[j], m[j], part[r][j]);
                }
            }
        }
#pragma unroll
        for (int r = 0; r < kQueriesPerThread; r++) score_s[warp + kSelWarps * r][lane] = rules::tree8(part[r]);
        __syncthreads();
        if (tid < nq)
            for (int cl = 0; cl < kSelChunks && c0 + cl < my_cand; cl++) top.offer(score_s[tid][cl], int32_t(c0 + cl));
    }

    if (tid < nq) {
        const int64_t row = (t0 + tid) * Hs + hs;
        int32_t chosen[rules::kMaxTopK];
        const int n = top.ascending(chosen);
        for (int i = 0; i < n; i++) p.sel[row * p.top_k + i] = chosen[i];
        p.count[row] = n;
        if (top.saw_nan && p.diag) atomicOr(p.diag, uint32_t(RWKVX_ATTN_DIAG_NAN_SCORE));
    }
}

int blocks_for(int64_t n, int threads) {
    const int64_t b = ceil_div(n, threads);
    if (b > 0x7fffffff) fail(RWKVX_ERROR_UNSUPPORTED, "chunk selection: too many elements for one grid");
    return int(b);
}

}  // namespace

void chunk_means(const KvRows &kv, int64_t n_chunks, int32_t H, int32_t D, int32_t B, float inv_b, float *means,
                 cudaStream_t stream) {
    if (n_chunks <= 0) return;
    const int blocks = blocks_for(n_chunks * H * D, kMeanThreads);
    switch (kv.dtype) {
        case RWKVX_DTYPE_F32:
            chunk_means_kernel<RWKVX_DTYPE_F32>
                <<<blocks, kMeanThreads, 0, stream>>>(kv, n_chunks, H, D, B, inv_b, means);
            break;
        case RWKVX_DTYPE_F16:
            chunk_means_kernel<RWKVX_DTYPE_F16>
                <<<blocks, kMeanThreads, 0, stream>>>(kv, n_chunks, H, D, B, inv_b, means);
            break;
        case RWKVX_DTYPE_BF16:
            chunk_means_kernel<RWKVX_DTYPE_BF16>
                <<<blocks, kMeanThreads, 0, stream>>>(kv, n_chunks, H, D, B, inv_b, means);
            break;
        default:
            fail(RWKVX_ERROR_UNSUPPORTED,
                 "chunk means: key dtype " + std::to_string(kv.dtype) + " is not F32/F16/BF16");
    }
    RWKVX_CUDA_LAUNCHED(chunk_means_kernel);
}

void chunk_means_from_sums(const float *sums, int64_t slots, int64_t n_chunks, int32_t H, int32_t D, float inv_b,
                           float *means, cudaStream_t stream) {
    if (n_chunks <= 0) return;
    const int blocks = blocks_for(n_chunks * H * D, kMeanThreads);
    chunk_means_from_sums_kernel<<<blocks, kMeanThreads, 0, stream>>>(sums, slots, n_chunks, H, D, inv_b, means);
    RWKVX_CUDA_LAUNCHED(chunk_means_from_sums_kernel);
}

void select_chunks(const SelectParams &p, cudaStream_t stream) {
    if (p.T <= 0) return;
    const int32_t Hs = p.scope == RWKVX_ATTN_SCOPE_ALL ? 1 : p.H;
    if (p.top_k <= 0) {  // nothing to select: every count is 0
        RWKVX_CUDA_CHECK(cudaMemsetAsync(p.count, 0, size_t(p.T) * size_t(Hs) * sizeof(int32_t), stream));
        return;
    }
    if (p.top_k > rules::kMaxTopK)
        fail(RWKVX_ERROR_UNSUPPORTED,
             "chunk selection: top_k " + std::to_string(p.top_k) + " exceeds " + std::to_string(rules::kMaxTopK));
    if (p.D % 8 != 0 || p.D <= 0)
        fail(RWKVX_ERROR_UNSUPPORTED, "chunk selection: head size " + std::to_string(p.D) + " is not a multiple of 8");
    if (p.B <= 0) fail(RWKVX_ERROR_BACKEND, "chunk selection: chunk size must be positive");
    if (Hs > 65535) fail(RWKVX_ERROR_UNSUPPORTED, "chunk selection: more than 65535 heads");
    const int32_t len = p.scope == RWKVX_ATTN_SCOPE_ALL ? p.H * p.D : p.D;
    const dim3 grid(unsigned(blocks_for(p.T, kSelQueries)), unsigned(Hs));
    select_chunks_kernel<<<grid, kSelThreads, 0, stream>>>(p, Hs, len);
    RWKVX_CUDA_LAUNCHED(select_chunks_kernel);
}

}  // namespace cuda
}  // namespace rwkvx
