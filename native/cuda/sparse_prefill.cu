// MoBA-style sparse prefill on the GPU (docs/rwkv-x.md §5.1-§5.5), the driver that mirrors
// native/attention/sparse_prefill.cpp: (1) chunk means (chunk_select.cu; from a KV cache's running
// sums when given), (2) the per-query top-k of the complete past chunks by the bitwise rules
// (chunk_select.cu), (3) the (query, rank) pairs bucketed per (selection head, chunk) by a stable
// device sort, so each bucket lists its queries ascending as on the CPU, (4) the chunk-centric
// attention of the selected chunks and the own chunk with the fixed-order merge (sparse_attend.cu).
// Queries are independent, so long calls run in pieces of queries that bound the partials' memory.
#include <cub/device/device_radix_sort.cuh>

#include <algorithm>
#include <cstdint>
#include <string>

#include "common/chunk_rules.h"
#include "cuda/cuda_common.cuh"
#include "cuda/cuda_kernels.h"

namespace rwkvx {
namespace cuda {

namespace {

// Device memory for one piece's partials and buckets; more queries run as several pieces.
constexpr int64_t kPieceBytes = int64_t(1) << 30;
constexpr int kThreads = 256;

// Sort input for one piece: slot e = ((hs * T) + t) * top_k + i, in (hs, t, rank) order. key =
// hs * (n_full + 1) + the chunk of rank i, or + n_full for an unused rank (i >= count), so after a
// stable sort selection head hs's entries fill exactly slots [hs * T * top_k, (hs + 1) * T * top_k):
// its buckets by chunk ascending, queries ascending inside a bucket, the unused ranks last.
__global__ void __launch_bounds__(kThreads)
    bucket_keys_kernel(const int32_t *sel, const int32_t *count, int64_t T, int32_t Hs, int32_t top_k, int64_t n_full,
                       uint32_t *keys, int64_t *entries) {
    const int64_t e = int64_t(blockIdx.x) * kThreads + threadIdx.x;
    if (e >= int64_t(Hs) * T * top_k) return;
    const int32_t i = int32_t(e % top_k);
    const int64_t t = (e / top_k) % T;
    const int32_t hs = int32_t(e / (int64_t(top_k) * T));
    const int64_t row = t * Hs + hs;
    const int64_t chunk = i < count[row] ? int64_t(sel[row * top_k + i]) : n_full;
    keys[e] = uint32_t(int64_t(hs) * (n_full + 1) + chunk);
    entries[e] = t * top_k + i;
}

// off[hs][c] = the first slot of selection head hs's region whose key is >= hs * (n_full + 1) + c,
// relative to the region, for c = 0 .. n_full (off[hs][n_full] = the entries in use).
__global__ void __launch_bounds__(kThreads) bucket_offsets_kernel(const uint32_t *sorted_keys, int64_t T, int32_t Hs,
                                                                  int32_t top_k, int64_t n_full, int64_t *off) {
    const int64_t x = int64_t(blockIdx.x) * kThreads + threadIdx.x;
    if (x >= int64_t(Hs) * (n_full + 1)) return;
    const int64_t hs = x / (n_full + 1);
    const uint32_t key = uint32_t(x);  // hs * (n_full + 1) + c
    const int64_t region = T * top_k;
    const uint32_t *k = sorted_keys + hs * region;
    int64_t lo = 0, hi = region;
    while (lo < hi) {
        const int64_t mid = lo + (hi - lo) / 2;
        if (k[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    off[x] = lo;
}

int grid_for(int64_t n) {
    const int64_t b = ceil_div(n, kThreads);
    if (b > 0x7fffffff) fail(RWKVX_ERROR_UNSUPPORTED, "sparse prefill: too many elements for one grid");
    return int(b);
}

// Queries [t0, t0 + n) of the call, as a call of their own (positions past + t0 ...).
void run_piece(const SparseParams &sp, const float *means, int64_t t0, int64_t n, cudaStream_t stream) {
    const FlashParams &f = sp.f;
    const int32_t H = f.H, D = f.D;
    const int32_t Hs = sp.scope == RWKVX_ATTN_SCOPE_ALL ? 1 : H;
    const int32_t kp = sp.top_k;

    FlashParams pf = f;
    pf.T = n;
    pf.past = f.past + t0;
    pf.q = f.q + t0 * f.q_stride;
    pf.o = f.o + t0 * f.o_stride;
    pf.lse = f.lse ? f.lse + t0 * H : nullptr;
    const int64_t n_full = (pf.past + n) / sp.B;  // the candidates of this piece's last query

    DeviceBuffer<int32_t> count(n * Hs, stream);
    ChunkAttendParams cap{};
    cap.f = pf;
    cap.B = sp.B;
    cap.scope = sp.scope;
    cap.n_full = n_full;
    cap.count = count.get();

    if (kp == 0 || n_full == 0) {  // no query has a past chunk to attend: the own chunk only
        RWKVX_CUDA_CHECK(cudaMemsetAsync(count.get(), 0, size_t(n * Hs) * sizeof(int32_t), stream));
        cap.top_k = 0;
        attend_own_chunk_and_merge(cap, stream);
        return;
    }

    // (2) Selection.
    DeviceBuffer<int32_t> sel(n * Hs * kp, stream);
    SelectParams s{};
    s.T = n;
    s.past = pf.past;
    s.H = H;
    s.D = D;
    s.B = sp.B;
    s.top_k = kp;
    s.scope = sp.scope;
    s.q = pf.q;
    s.q_stride = f.q_stride;
    s.means = means;
    s.n_full = n_full;
    s.sel = sel.get();
    s.count = count.get();
    s.diag = sp.diag;
    select_chunks(s, stream);

    // (3) Buckets by a stable radix sort on (selection head, chunk).
    const int64_t entries = int64_t(Hs) * n * kp;
    const uint64_t max_key = uint64_t(Hs) * uint64_t(n_full + 1) - 1;
    if (max_key > 0xffffffffull || entries > 0x7fffffff)
        fail(RWKVX_ERROR_UNSUPPORTED, "sparse prefill: too many chunks or selections for one bucket sort");
    int key_bits = 1;
    while (key_bits < 32 && (max_key >> key_bits) != 0) key_bits++;
    DeviceBuffer<uint32_t> keys_in(entries, stream), keys_out(entries, stream);
    DeviceBuffer<int64_t> vals_in(entries, stream), bucket(entries, stream);
    DeviceBuffer<int64_t> bucket_off(int64_t(Hs) * (n_full + 1), stream);
    bucket_keys_kernel<<<grid_for(entries), kThreads, 0, stream>>>(sel.get(), count.get(), n, Hs, kp, n_full,
                                                                   keys_in.get(), vals_in.get());
    RWKVX_CUDA_LAUNCHED(bucket_keys_kernel);
    size_t temp_bytes = 0;
    RWKVX_CUDA_CHECK(cub::DeviceRadixSort::SortPairs(nullptr, temp_bytes, keys_in.get(), keys_out.get(), vals_in.get(),
                                                     bucket.get(), int(entries), 0, key_bits, stream));
    DeviceBuffer<char> temp(std::max<int64_t>(1, int64_t(temp_bytes)), stream);  // null would mean "size only"
    RWKVX_CUDA_CHECK(cub::DeviceRadixSort::SortPairs(temp.get(), temp_bytes, keys_in.get(), keys_out.get(),
                                                     vals_in.get(), bucket.get(), int(entries), 0, key_bits, stream));
    bucket_offsets_kernel<<<grid_for(int64_t(Hs) * (n_full + 1)), kThreads, 0, stream>>>(keys_out.get(), n, Hs, kp,
                                                                                         n_full, bucket_off.get());
    RWKVX_CUDA_LAUNCHED(bucket_offsets_kernel);

    // (4) Attention: the selected chunks' partials, then the own chunk and the merge.
    DeviceBuffer<float> part(n * H * kp * (D + 2), stream);
    cap.top_k = kp;
    cap.bucket_off = bucket_off.get();
    cap.bucket = bucket.get();
    cap.sel = sel.get();
    cap.part = part.get();
    attend_selected_chunks(cap, stream);
    attend_own_chunk_and_merge(cap, stream);
}

}  // namespace

void sparse_prefill(const SparseParams &p, cudaStream_t stream) {
    const FlashParams &f = p.f;
    if (f.T <= 0) return;
    if (p.B < 1) fail(RWKVX_ERROR_BACKEND, "sparse prefill: chunk size must be at least 1");
    if (p.top_k < 0 || p.top_k > rules::kMaxTopK)
        fail(RWKVX_ERROR_BACKEND,
             "sparse prefill: top_k " + std::to_string(p.top_k) + " is outside 0.." + std::to_string(rules::kMaxTopK));
    const int32_t H = f.H, D = f.D;
    const int32_t Hs = p.scope == RWKVX_ATTN_SCOPE_ALL ? 1 : H;
    const int64_t n_full = (f.past + f.T) / p.B;  // complete chunks: the only candidates
    const bool any_past = p.top_k > 0 && n_full > 0;

    // (1) Means [c][H][D] of every complete chunk, once for all pieces.
    DeviceBuffer<float> means(any_past ? n_full * H * D : 0, stream);
    if (any_past) {
        const float inv_b = rules::inv_chunk(p.B);
        if (p.sums) {
            if (n_full > p.sum_slots)
                fail(RWKVX_ERROR_BACKEND, "sparse prefill: the cache holds " + std::to_string(p.sum_slots) +
                                              " chunk sums, " + std::to_string(n_full) + " needed");
            chunk_means_from_sums(p.sums, p.sum_slots, n_full, H, D, inv_b, means.get(), stream);
        } else {
            chunk_means(f.kv, n_full, H, D, p.B, inv_b, means.get(), stream);
        }
    }

    // Pieces of queries whose partials [n][H][top_k][D + 2] and buckets fit kPieceBytes.
    const int64_t per_query = int64_t(H) * p.top_k * (D + 2) * 4             // partials
                              + int64_t(Hs) * p.top_k * (4 + 2 * 4 + 2 * 8)  // sel, sort keys and entries
                              + int64_t(Hs) * 4;                             // count
    int64_t piece = std::max<int64_t>(1, kPieceBytes / per_query);
    if (piece >= 64) piece -= piece % 64;
    piece = std::min(piece, f.T);
    for (int64_t t0 = 0; t0 < f.T; t0 += piece) run_piece(p, means.get(), t0, std::min(piece, f.T - t0), stream);
}

}  // namespace cuda
}  // namespace rwkvx
