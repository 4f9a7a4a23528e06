// One decode step over the device KV cache (cuda_kernels.h decode_step) as split-K flash decoding,
// the CUDA form of native/attention/decode.cpp (docs/rwkv-x.md §5.5):
//   - per head, the keys in the CPU's order: FULL [cache 0..len) ; new token], SPARSE [selected
//     complete chunks ascending ; remainder [n_full*B, len) ; new token], the selection made from the
//     cache's running chunk sums by chunk_means_from_sums + select_chunks (the bitwise rules of
//     docs/rwkv-x.md §5.2, the same bits as the CPU's);
//   - that key sequence is cut into splits of a fixed number of keys chosen from the inputs only; one
//     warp runs an online softmax (exp2 domain, fp32) over one split and writes its partial (m, l, acc);
//   - a combine kernel merges each head's partials in ascending split order (skipping those with
//     m = -inf) and writes o and the natural-log LSE.
// Only the keys of the sequence are ever read: excluded chunks and rows beyond len contribute nothing
// whatever they hold (docs/rwkv-x.md §5.6).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "common/chunk_rules.h"
#include "cuda/cuda_common.cuh"
#include "cuda/cuda_kernels.h"

namespace rwkvx {
namespace cuda {

namespace {

constexpr int kWarpsPerBlock = 4;
constexpr int kThreads = 32 * kWarpsPerBlock;
// Splits are sized so that a step has about this many of them over all heads (enough warps to fill a
// GPU with room to spare); a constant, so the split boundaries depend on the shapes alone.
constexpr int64_t kTargetSplits = 4096;
constexpr int64_t kMinSplitKeys = 32;

template <typename T>
struct SplitArgs {
    const float *q;          // [H][D]
    const T *k, *v;          // the cache, [H][capacity][D]
    const T *k_new, *v_new;  // [H][D]
    int64_t capacity, len;
    int64_t rem0;          // first row of the tail read in order: n_full * B (SPARSE) or 0 (FULL)
    const int32_t *sel;    // [Hs][top_k] ascending, or null (no selected chunks)
    const int32_t *count;  // [Hs], or null
    int32_t top_k, scope_all, H, D, B;
    int64_t split_keys, n_splits;
    float scale2;  // scale * log2(e)
    float *part;   // [H][n_splits][D + 2]: acc, then m (log2 domain), l
};

// One warp per split: lanes own the elements d = lane + 32 e (e < E, d < D) of q, the key/value rows
// and acc. Keys are taken G at a time (all loads of a group issued before the math); within a group
// the online-softmax update is the CPU RowSoftmax's: the running max, alpha = exp2(m_old - m_new)
// (0 while nothing was visible), p = exp2(s - m), l = l * alpha + Σ p, acc = acc * alpha + Σ p v.
template <typename T, int E>
__global__ void __launch_bounds__(kThreads) decode_split_kernel(const SplitArgs<T> a) {
    constexpr int G = 32 / E;  // keys per group: G * E = 32 values of K and of V in flight per lane
    const int lane = threadIdx.x & 31;
    const int64_t split = int64_t(blockIdx.x) * kWarpsPerBlock + (threadIdx.x >> 5);
    const int32_t h = blockIdx.y;
    if (split >= a.n_splits) return;  // whole warps leave together; no block-wide barrier below
    const int32_t D = a.D;

    // This head's key sequence: n_sel selected chunks, the tail rows [rem0, len), the new token.
    const int32_t hs = a.scope_all ? 0 : h;
    int64_t n_sel = 0;
    if (a.count) n_sel = min(max(a.count[hs], 0), a.top_k);
    const int32_t *sel = a.sel ? a.sel + int64_t(hs) * a.top_k : nullptr;
    const int64_t sel_keys = n_sel * a.B, tail_end = sel_keys + (a.len - a.rem0);
    const int64_t n_keys = tail_end + 1;
    const int64_t j0 = split * a.split_keys, j1 = min(j0 + a.split_keys, n_keys);

    const T *k_head = a.k + int64_t(h) * a.capacity * D, *v_head = a.v + int64_t(h) * a.capacity * D;
    // Row offset (elements from the head's base) of key j of the sequence; the new token is marked -1.
    auto key_row = [&](int64_t j) -> int64_t {
        if (j < sel_keys) {
            const int64_t c = j / a.B;
            return (int64_t(sel[c]) * a.B + (j - c * a.B)) * D;
        }
        if (j < tail_end) return (a.rem0 + (j - sel_keys)) * D;
        return -1;
    };

    float q[E], acc[E];
#pragma unroll
    for (int e = 0; e < E; e++) {
        const int d = lane + 32 * e;
        q[e] = d < D ? a.q[int64_t(h) * D + d] : 0.0f;
        acc[e] = 0.0f;
    }
    float m = -INFINITY, l = 0.0f;

    for (int64_t jb = j0; jb < j1; jb += G) {
        const int n = int(min(int64_t(G), j1 - jb));
        // Loads: a group's short tail repeats its last key (an attended key: reading it is harmless,
        // and its duplicates get no score and no p·v below).
        float kx[G][E], vx[G][E];
#pragma unroll
        for (int g = 0; g < G; g++) {
            const int64_t off = key_row(jb + min(g, n - 1));
            const T *kr = off >= 0 ? k_head + off : a.k_new + int64_t(h) * D;
            const T *vr = off >= 0 ? v_head + off : a.v_new + int64_t(h) * D;
#pragma unroll
            for (int e = 0; e < E; e++) {
                const int d = lane + 32 * e;
                kx[g][e] = d < D ? widen(kr[d]) : 0.0f;
                vx[g][e] = d < D ? widen(vr[d]) : 0.0f;
            }
        }
        float s[G];
#pragma unroll
        for (int g = 0; g < G; g++) {
            float dot = 0.0f;
#pragma unroll
            for (int e = 0; e < E; e++) dot = fmaf(q[e], kx[g][e], dot);
                // A butterfly: every lane ends with the same bits (each step adds the same two values).
#pragma unroll
            for (int o = 16; o > 0; o >>= 1) dot += __shfl_xor_sync(0xffffffffu, dot, o);
            s[g] = dot * a.scale2;
        }
        // The running max ignores NaN scores (as the CPU's `s > mx`); a NaN then reaches l through p.
        float mx = m;
#pragma unroll
        for (int g = 0; g < G; g++)
            if (g < n) mx = fmaxf(mx, s[g]);
        if (mx == -INFINITY) continue;  // nothing visible yet: the group contributes nothing
        const float alpha = m == -INFINITY ? 0.0f : exp2f(m - mx);
        float sum = 0.0f;
#pragma unroll
        for (int g = 0; g < G; g++) {
            s[g] = g < n ? exp2f(s[g] - mx) : 0.0f;
            sum += s[g];
        }
        l = l * alpha + sum;
        m = mx;
        if (alpha != 1.0f) {
#pragma unroll
            for (int e = 0; e < E; e++) acc[e] *= alpha;
        }
#pragma unroll
        for (int g = 0; g < G; g++)
            if (g < n) {
#pragma unroll
                for (int e = 0; e < E; e++) acc[e] = fmaf(s[g], vx[g][e], acc[e]);
            }
    }

    float *out = a.part + (int64_t(h) * a.n_splits + split) * (D + 2);
#pragma unroll
    for (int e = 0; e < E; e++) {
        const int d = lane + 32 * e;
        if (d < D) out[d] = acc[e];
    }
    if (lane == 0) {
        out[D] = m;
        out[D + 1] = l;
    }
}

// Per head (block), one thread per element d (blockDim >= D): the partials merged in ascending split
// order, those with m = -inf skipped (never multiplied). Every thread computes the same M and L.
__global__ void decode_combine_kernel(const float *__restrict__ part, int64_t n_splits, int32_t D,
                                      float *__restrict__ o, float *__restrict__ lse) {
    const int32_t h = blockIdx.x;
    const int d = threadIdx.x;
    if (d >= D) return;
    const float *ph = part + int64_t(h) * n_splits * (D + 2);
    float M = -INFINITY;
    for (int64_t s = 0; s < n_splits; s++) {
        const float ms = ph[s * (D + 2) + D];
        if (ms != -INFINITY) M = fmaxf(M, ms);
    }
    float L = 0.0f, A = 0.0f;
    for (int64_t s = 0; s < n_splits; s++) {
        const float *ps = ph + s * (D + 2);
        const float ms = ps[D];
        if (ms == -INFINITY) continue;
        const float w = exp2f(ms - M);
        L = fmaf(ps[D + 1], w, L);
        A = fmaf(ps[d], w, A);
    }
    o[int64_t(h) * D + d] = A / L;
    if (d == 0 && lse) lse[h] = (M + log2f(L)) * kLn2;
}

template <typename T, int E>
void launch_split(const SplitArgs<T> &a, cudaStream_t stream) {
    const dim3 grid(unsigned(ceil_div(a.n_splits, kWarpsPerBlock)), unsigned(a.H));
    decode_split_kernel<T, E><<<grid, kThreads, 0, stream>>>(a);
    RWKVX_CUDA_LAUNCHED("decode_split_kernel");
}

template <typename T>
void run_splits(const DecodeParams &p, int64_t rem0, const int32_t *sel, const int32_t *count, int64_t split_keys,
                int64_t n_splits, float *part, cudaStream_t stream) {
    const KvDevice &c = p.cache;
    SplitArgs<T> a;
    a.q = p.q;
    a.k = static_cast<const T *>(c.k);
    a.v = static_cast<const T *>(c.v);
    a.k_new = static_cast<const T *>(p.k_new);
    a.v_new = static_cast<const T *>(p.v_new);
    a.capacity = c.capacity;
    a.len = p.len;
    a.rem0 = rem0;
    a.sel = sel;
    a.count = count;
    a.top_k = p.top_k;
    a.scope_all = p.scope == RWKVX_ATTN_SCOPE_ALL;
    a.H = c.H;
    a.D = c.D;
    a.B = c.B;
    a.split_keys = split_keys;
    a.n_splits = n_splits;
    a.scale2 = p.scale * kLog2e;
    a.part = part;
    if (c.D <= 64)
        launch_split<T, 2>(a, stream);
    else if (c.D <= 128)
        launch_split<T, 4>(a, stream);
    else
        launch_split<T, 8>(a, stream);
}

}  // namespace

void decode_step(const DecodeParams &p, cudaStream_t stream) {
    const KvDevice &c = p.cache;
    const int32_t H = c.H, D = c.D;
    if (c.dtype != RWKVX_DTYPE_F32 && c.dtype != RWKVX_DTYPE_F16 && c.dtype != RWKVX_DTYPE_BF16)
        fail(RWKVX_ERROR_UNSUPPORTED, "decode: KV dtype " + std::to_string(c.dtype) + " is not supported on CUDA");
    if (D < 1 || D > 256) fail(RWKVX_ERROR_UNSUPPORTED, "decode: head size " + std::to_string(D) + " not in 1..256");
    if (H < 1 || H > 65535)
        fail(RWKVX_ERROR_UNSUPPORTED, "decode: " + std::to_string(H) + " heads (1..65535 supported)");
    if (p.len < 0 || p.len > c.capacity) fail(RWKVX_ERROR_BACKEND, "decode: cache length beyond its capacity");
    if (p.sparse && (c.B < 1 || p.top_k < 0 || p.top_k > rules::kMaxTopK))
        fail(RWKVX_ERROR_BACKEND,
             "decode: sparse with chunk size " + std::to_string(c.B) + ", top_k " + std::to_string(p.top_k));

    // SPARSE: the top_k of the n_full complete chunks from the running sums (candidates c < len / B,
    // exactly the CPU's), then the remainder; FULL: every cache row in order.
    int64_t rem0 = 0, n_sel_max = 0;
    const bool select = p.sparse && p.top_k > 0 && p.len / c.B > 0;
    const int64_t n_full = p.sparse ? p.len / c.B : 0;
    const int32_t Hs = p.scope == RWKVX_ATTN_SCOPE_ALL ? 1 : H;
    DeviceBuffer<float> means(select ? n_full * H * D : 0, stream);
    DeviceBuffer<int32_t> sel(select ? int64_t(Hs) * p.top_k : 0, stream);
    DeviceBuffer<int32_t> count(select ? Hs : 0, stream);
    DeviceBuffer<uint32_t> diag_tmp(select && !p.diag ? 1 : 0, stream);
    if (p.sparse) rem0 = n_full * c.B;
    if (select) {
        n_sel_max = std::min<int64_t>(p.top_k, n_full);
        const float inv_b = rules::inv_chunk(c.B);
        chunk_means_from_sums(c.sums, c.slots, n_full, H, D, inv_b, means.get(), stream);
        uint32_t *diag = p.diag;
        if (!diag) {
            diag = diag_tmp.get();
            RWKVX_CUDA_CHECK(cudaMemsetAsync(diag, 0, sizeof(uint32_t), stream));
        }
        SelectParams s{};
        s.T = 1;
        s.past = p.len;
        s.H = H;
        s.D = D;
        s.B = c.B;
        s.top_k = p.top_k;
        s.scope = p.scope;
        s.q = p.q;
        s.q_stride = int64_t(H) * D;
        s.means = means.get();
        s.n_full = n_full;
        s.sel = sel.get();
        s.count = count.get();
        s.diag = diag;
        select_chunks(s, stream);
    }

    // Split boundaries from the shapes only (the longest sequence any head can have).
    const int64_t n_keys_max = n_sel_max * c.B + (p.len - rem0) + 1;
    const int64_t split_keys =
        std::max<int64_t>(kMinSplitKeys, ceil_div(ceil_div(n_keys_max * H, kTargetSplits), 32) * 32);
    const int64_t n_splits = ceil_div(n_keys_max, split_keys);
    if (ceil_div(n_splits, kWarpsPerBlock) > 0x7fffffff) fail(RWKVX_ERROR_UNSUPPORTED, "decode: too many splits");
    DeviceBuffer<float> part(int64_t(H) * n_splits * (D + 2), stream);

    const int32_t *sel_p = select ? sel.get() : nullptr, *count_p = select ? count.get() : nullptr;
    if (c.dtype == RWKVX_DTYPE_F32)
        run_splits<float>(p, rem0, sel_p, count_p, split_keys, n_splits, part.get(), stream);
    else if (c.dtype == RWKVX_DTYPE_F16)
        run_splits<__half>(p, rem0, sel_p, count_p, split_keys, n_splits, part.get(), stream);
    else
        run_splits<__nv_bfloat16>(p, rem0, sel_p, count_p, split_keys, n_splits, part.get(), stream);

    const int threads = int(std::min<int64_t>(256, ceil_div(D, 32) * 32));
    decode_combine_kernel<<<unsigned(H), threads, 0, stream>>>(part.get(), n_splits, D, p.o, p.lse);
    RWKVX_CUDA_LAUNCHED("decode_combine_kernel");
}

}  // namespace cuda
}  // namespace rwkvx
