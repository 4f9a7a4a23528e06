// Chunk-centric attention of sparse prefill (the CUDA counterpart of stage 3 of
// native/attention/sparse_prefill.cpp, docs/rwkv-x.md §5.5): the (query, rank) pairs are bucketed by
// (selection head, chunk); attend_selected_chunks streams each selected chunk's K/V once against
// 64-query tiles gathered from its bucket and leaves one unnormalised partial (acc, m, l) per pair;
// attend_own_chunk_and_merge runs each 64-query tile over its rows' own chunks causally and folds
// every row's partials and own-chunk state in the fixed order of merge_row (selected chunks
// ascending, own chunk last). Both use the tiles of cuda/flash_tile.cuh: tensor cores for F16/BF16
// K/V with D of 64 or 128, fp32 FMA otherwise.
#include "cuda/cuda_common.cuh"
#include "cuda/cuda_kernels.h"
#include "cuda/flash_tile.cuh"

namespace rwkvx {
namespace cuda {

namespace {

using flash::kTileRows;
constexpr int kScanThreads = 256;

// tile_off[hs][c] for c <= n_full: the 64-query tiles of buckets 0 .. c-1 of selection head hs
// (blockIdx.x = hs), an exclusive prefix sum over the chunks.
__global__ void __launch_bounds__(kScanThreads)
    bucket_tiles_kernel(const int64_t *bucket_off, int64_t n_full, int64_t *tile_off) {
    __shared__ int64_t part[kScanThreads];
    const int64_t *off = bucket_off + int64_t(blockIdx.x) * (n_full + 1);
    int64_t *out = tile_off + int64_t(blockIdx.x) * (n_full + 1);
    const int tid = int(threadIdx.x);
    const int64_t per = (n_full + kScanThreads - 1) / kScanThreads;
    const int64_t c0 = min(n_full, tid * per), c1 = min(n_full, c0 + per);
    auto tiles = [&](int64_t c) { return (off[c + 1] - off[c] + kTileRows - 1) / kTileRows; };
    int64_t sum = 0;
    for (int64_t c = c0; c < c1; c++) sum += tiles(c);
    part[tid] = sum;
    __syncthreads();
    for (int stride = 1; stride < kScanThreads; stride <<= 1) {  // inclusive scan (Hillis-Steele)
        const int64_t add = tid >= stride ? part[tid - stride] : 0;
        __syncthreads();
        part[tid] += add;
        __syncthreads();
    }
    int64_t run = part[tid] - sum;
    if (tid == 0) out[0] = 0;
    for (int64_t c = c0; c < c1; c++) {
        run += tiles(c);
        out[c + 1] = run;
    }
}

// Once every thread has set up `rows`: each row against its keys of head h. The tile returned holds
// each row's unnormalised output, its running max (log2 domain) and its complete sum.
template <typename Tile>
__device__ __forceinline__ Tile attend_rows(typename Tile::Smem &sm, const flash::TileRows &rows, const FlashParams &f,
                                            int32_t h, bool aligned) {
    __syncthreads();
    Tile tile;
    tile.load_queries(sm, rows, f.D, f.scale * kLog2e);
    tile.attend(sm, rows, flash::head_kv(f.kv, h), f.D, aligned);
    tile.finish_l();
    return tile;
}

// Tile blockIdx.x of head blockIdx.y over its selection head's buckets: the whole chunk's B keys
// (all visible: a complete past chunk) against up to 64 gathered queries; writes their partials.
template <typename Tile>
__global__ void __launch_bounds__(Tile::kThreads, Tile::kMinBlocks)
    selected_chunks_kernel(ChunkAttendParams p, const int64_t *tile_off, bool aligned) {
    static_assert(Tile::kRows == kTileRows, "bucket tiles are 64 queries");
    extern __shared__ __align__(16) unsigned char smem_raw[];
    auto &sm = *reinterpret_cast<typename Tile::Smem *>(smem_raw);
    __shared__ flash::TileRows rows;

    const FlashParams &f = p.f;
    const int32_t h = int32_t(blockIdx.y);
    const int32_t hs = p.scope == RWKVX_ATTN_SCOPE_ALL ? 0 : h;
    const int64_t *toff = tile_off + int64_t(hs) * (p.n_full + 1);
    const int64_t i = int64_t(blockIdx.x);
    if (i >= toff[p.n_full]) return;  // the grid is an upper bound
    // The chunk c with toff[c] <= i < toff[c + 1].
    int64_t c = 0, hi = p.n_full;
    while (hi - c > 1) {
        const int64_t mid = (c + hi) / 2;
        if (toff[mid] <= i)
            c = mid;
        else
            hi = mid;
    }
    const int64_t *off = p.bucket_off + int64_t(hs) * (p.n_full + 1);
    const int64_t start = off[c] + (i - toff[c]) * kTileRows;
    const int nr = int(off[c + 1] - start < kTileRows ? off[c + 1] - start : kTileRows);
    const int64_t *ent = p.bucket + int64_t(hs) * f.T * p.top_k + start;
    const int64_t k0 = c * p.B, k1 = k0 + p.B;
    const int64_t PS = int64_t(f.D) + 2;  // floats per partial: acc[D], m, l

    const int tid = int(threadIdx.x);
    if (tid < kTileRows) {
        const bool real = tid < nr;
        const int64_t e = real ? ent[tid] : 0;
        rows.tag[tid] = e;
        rows.q[tid] = real ? f.q + (e / p.top_k) * f.q_stride + int64_t(h) * f.D : nullptr;
        rows.lo[tid] = k0;
        rows.hi[tid] = real ? k1 : k0;
    }
    if (tid == 0) {
        rows.nr = nr;
        rows.j0 = rows.max_lo = k0;
        rows.j1 = rows.min_hi = k1;
    }
    Tile tile = attend_rows<Tile>(sm, rows, f, h, aligned);

#pragma unroll
    for (int ii = 0; ii < Tile::kRowsPerThread; ii++) {
        const int r = tile.row(ii);
        if (r >= nr) continue;
        const int64_t e = rows.tag[r];
        const int64_t t = e / p.top_k, rank = e % p.top_k;
        float *dst = p.part + ((t * f.H + h) * p.top_k + rank) * PS;
#pragma unroll
        for (int k = 0; k < Tile::kCols; k++) {
            const int d = tile.col(k);
            if (d < f.D) dst[d] = tile.out(ii, k);
        }
        if (tile.col(0) == 0) {
            dst[f.D] = tile.row_m(ii);
            dst[f.D + 1] = tile.row_l(ii);
        }
    }
}

// Query tile blockIdx.x of head blockIdx.y: every row's own chunk causally (keys from its chunk's
// start to its position; a tile may span several chunks), then merge_row of sparse_prefill.cpp.
template <typename Tile>
__global__ void __launch_bounds__(Tile::kThreads, Tile::kMinBlocks)
    own_chunk_kernel(ChunkAttendParams p, bool aligned) {
    static_assert(Tile::kRows == kTileRows, "bucket tiles are 64 queries");
    extern __shared__ __align__(16) unsigned char smem_raw[];
    auto &sm = *reinterpret_cast<typename Tile::Smem *>(smem_raw);
    __shared__ flash::TileRows rows;

    const FlashParams &f = p.f;
    const int64_t n_tiles = (f.T + kTileRows - 1) / kTileRows;
    const int64_t t0 = (n_tiles - 1 - int64_t(blockIdx.x)) * kTileRows;
    const int32_t h = int32_t(blockIdx.y);
    const int32_t Hs = p.scope == RWKVX_ATTN_SCOPE_ALL ? 1 : f.H;
    const int32_t hs = p.scope == RWKVX_ATTN_SCOPE_ALL ? 0 : h;
    const int nr = int(f.T - t0 < kTileRows ? f.T - t0 : kTileRows);
    const int64_t first = f.past + t0;
    const int64_t PS = int64_t(f.D) + 2;  // floats per partial: acc[D], m, l
    const int tid = int(threadIdx.x);
    if (tid < kTileRows) {
        const bool real = tid < nr;
        const int64_t pos = first + tid;
        rows.q[tid] = real ? f.q + (t0 + tid) * f.q_stride + int64_t(h) * f.D : nullptr;
        rows.lo[tid] = real ? pos / p.B * p.B : 0;
        rows.hi[tid] = real ? pos + 1 : 0;
        rows.tag[tid] = real && p.top_k > 0 ? p.count[(t0 + tid) * Hs + hs] : 0;
    }
    if (tid == 0) {
        const int64_t last = first + nr - 1;
        rows.nr = nr;
        rows.j0 = first / p.B * p.B;
        rows.j1 = last + 1;
        rows.max_lo = last / p.B * p.B;  // lo and hi grow with the row
        rows.min_hi = first + 1;
    }
    Tile tile = attend_rows<Tile>(sm, rows, f, h, aligned);

    // The fold of merge_row: M over the own state and the partials, then each partial in rank
    // (= ascending chunk) order and the own chunk last; a state with m = -inf saw nothing and is
    // skipped; a row that saw nothing at all ends 0/0.
#pragma unroll
    for (int ii = 0; ii < Tile::kRowsPerThread; ii++) {
        const int r = tile.row(ii);
        if (r >= nr) continue;
        const int64_t t = t0 + r;
        const int n = int(rows.tag[r]);
        const float *pr = n > 0 ? p.part + (t * f.H + h) * p.top_k * PS : nullptr;
        const float m_own = tile.row_m(ii);
        float M = m_own;
        for (int s = 0; s < n; s++) {
            const float ms = pr[s * PS + f.D];
            M = M < ms ? ms : M;  // std::max(M, ms)
        }
        float acc[Tile::kCols];
#pragma unroll
        for (int k = 0; k < Tile::kCols; k++) acc[k] = 0.0f;
        float l = 0.0f;
        for (int s = 0; s < n; s++) {
            const float ms = pr[s * PS + f.D];
            if (ms == -INFINITY) continue;
            const float w = exp2f(ms - M);
            l += pr[s * PS + f.D + 1] * w;
#pragma unroll
            for (int k = 0; k < Tile::kCols; k++) {
                const int d = tile.col(k);
                if (d < f.D) acc[k] += w * pr[s * PS + d];
            }
        }
        if (m_own != -INFINITY) {
            const float w = exp2f(m_own - M);
            l += tile.row_l(ii) * w;
#pragma unroll
            for (int k = 0; k < Tile::kCols; k++) acc[k] += w * tile.out(ii, k);
        }
        float *o = f.o + t * f.o_stride + int64_t(h) * f.D;
#pragma unroll
        for (int k = 0; k < Tile::kCols; k++) {
            const int d = tile.col(k);
            if (d < f.D) o[d] = acc[k] / l;
        }
        if (f.lse != nullptr && tile.col(0) == 0) f.lse[t * f.H + h] = (M + log2f(l)) * kLn2;
    }
}

void check_params(const ChunkAttendParams &p, const char *what) {
    const FlashParams &f = p.f;
    if (f.D < 16 || f.D > 256 || f.D % 16 != 0)
        fail(RWKVX_ERROR_UNSUPPORTED,
             std::string(what) + ": head size " + std::to_string(f.D) + " is not a multiple of 16 in 16..256");
    if (f.H < 1 || f.H > 65535)
        fail(RWKVX_ERROR_UNSUPPORTED, std::string(what) + ": " + std::to_string(f.H) + " heads (at most 65535)");
    if (p.B < 1) fail(RWKVX_ERROR_BACKEND, std::string(what) + ": chunk size " + std::to_string(p.B));
    if (p.top_k < 0) fail(RWKVX_ERROR_BACKEND, std::string(what) + ": top_k " + std::to_string(p.top_k));
}

// Calls f(tag) with the tile flavour for the K/V dtype and head size.
template <typename F>
void with_tile(const FlashParams &p, F &&f) {
    if (flash_mma_supports(p.kv.dtype, p.D))
        flash::with_mma_tile<4>(p.kv.dtype, p.D, f);
    else
        flash::with_fma_tile(p.D, f);
}

}  // namespace

void attend_selected_chunks(const ChunkAttendParams &p, cudaStream_t stream) {
    check_params(p, "attend_selected_chunks");
    const FlashParams &f = p.f;
    if (p.top_k == 0 || p.n_full == 0 || f.T <= 0) return;
    const int32_t Hs = p.scope == RWKVX_ATTN_SCOPE_ALL ? 1 : f.H;
    // Each query picks at most min(top_k, n_full) chunks, so a bucket list of E entries has at most
    // E/64 full tiles plus one partial tile per non-empty chunk.
    const int64_t E = f.T * (p.top_k < p.n_full ? int64_t(p.top_k) : p.n_full);
    const int64_t bound = ceil_div(E, kTileRows) + (p.n_full < E ? p.n_full : E);
    if (bound > 0x7fffffff) fail(RWKVX_ERROR_UNSUPPORTED, "attend_selected_chunks: too many query tiles");
    DeviceBuffer<int64_t> tile_off(int64_t(Hs) * (p.n_full + 1), stream);
    bucket_tiles_kernel<<<unsigned(Hs), kScanThreads, 0, stream>>>(p.bucket_off, p.n_full, tile_off.get());
    RWKVX_CUDA_LAUNCHED("bucket_tiles");
    const bool aligned = flash::kv_aligned16(f.kv);
    with_tile(f, [&](auto tag) {
        using Tile = typename decltype(tag)::type;
        const size_t smem = sizeof(typename Tile::Smem);
        flash::allow_smem(selected_chunks_kernel<Tile>, smem);
        selected_chunks_kernel<Tile>
            <<<dim3(unsigned(bound), unsigned(f.H)), Tile::kThreads, smem, stream>>>(p, tile_off.get(), aligned);
        RWKVX_CUDA_LAUNCHED("attend_selected_chunks");
    });
}

void attend_own_chunk_and_merge(const ChunkAttendParams &p, cudaStream_t stream) {
    check_params(p, "attend_own_chunk_and_merge");
    const FlashParams &f = p.f;
    if (f.T <= 0) return;
    const int64_t n_tiles = ceil_div(f.T, kTileRows);
    if (n_tiles > 0x7fffffff) fail(RWKVX_ERROR_UNSUPPORTED, "attend_own_chunk_and_merge: too many tokens");
    const bool aligned = flash::kv_aligned16(f.kv);
    with_tile(f, [&](auto tag) {
        using Tile = typename decltype(tag)::type;
        const size_t smem = sizeof(typename Tile::Smem);
        flash::allow_smem(own_chunk_kernel<Tile>, smem);
        own_chunk_kernel<Tile><<<dim3(unsigned(n_tiles), unsigned(f.H)), Tile::kThreads, smem, stream>>>(p, aligned);
        RWKVX_CUDA_LAUNCHED("attend_own_chunk_and_merge");
    });
}

}  // namespace cuda
}  // namespace rwkvx
