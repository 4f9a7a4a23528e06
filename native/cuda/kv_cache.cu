// The device KV cache (cuda_kernels.h KvDevice): appending rows with the running fp32 chunk sums kept
// in token order (docs/rwkv-x.md §5.2 rule 1, bitwise equal to the CPU's kv_append and to a prefill's
// recomputation), clearing the sums, and the SnapKV-like compression of docs/rwkv-x.md §6.2 (votes on
// the device in double, the ranking on the host exactly as native/attention/kv_cache.cpp does it, the
// compaction on the device).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "common/chunk_rules.h"
#include "cuda/cuda_common.cuh"
#include "cuda/cuda_kernels.h"

namespace rwkvx {
namespace cuda {

namespace {

constexpr int kThreads = 256;
// Blocks of a grid-stride launch: enough to fill any current GPU, never beyond the grid.x limit.
inline unsigned grid_for(int64_t work) {
    return unsigned(std::max<int64_t>(1, std::min<int64_t>(ceil_div(work, kThreads), int64_t(1) << 20)));
}

// Raw element copy, the bits unchanged (U: uint32_t for F32, uint16_t for F16/BF16).
// Row (t, h) of the source at t * stride + h * D; of the cache at h * capacity * D + (len + t) * D.
template <typename U>
__global__ void append_rows_kernel(U *__restrict__ k_cache, U *__restrict__ v_cache, const U *__restrict__ k,
                                   const U *__restrict__ v, int64_t n, int64_t k_stride, int64_t v_stride, int32_t H,
                                   int32_t D, int64_t capacity, int64_t len) {
    const int64_t total = n * H * D;
    for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < total; i += int64_t(gridDim.x) * blockDim.x) {
        const int64_t t = i / (int64_t(H) * D);
        const int64_t r = i - t * H * D;  // h * D + d
        const int64_t h = r / D, d = r - h * D;
        const int64_t dst = (h * capacity + len + t) * D + d;
        k_cache[dst] = k[t * k_stride + r];
        v_cache[dst] = v[t * v_stride + r];
    }
}

// Adds rows first .. first+n-1 (row t - first of head h at k + (t - first) * tok_stride + h * head_stride)
// to their chunks' sums. One thread per (chunk, h, d) touched: it adds that chunk's new rows one after
// another in token order with correctly rounded fp32 adds, so the sum has exactly the bits of the
// CPU's add_key sequence (chunks are independent, so parallelising over them changes no order).
template <typename T>
__global__ void add_to_sums_kernel(const T *__restrict__ k, int64_t tok_stride, int64_t head_stride, int64_t first,
                                   int64_t n, float *__restrict__ sums, int64_t slots, int32_t H, int32_t D,
                                   int32_t B) {
    const int64_t c0 = first / B, n_chunks = (first + n - 1) / B - c0 + 1;
    const int64_t total = n_chunks * H * D;
    for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < total; i += int64_t(gridDim.x) * blockDim.x) {
        const int64_t cr = i / (int64_t(H) * D);
        const int64_t r = i - cr * H * D;
        const int64_t h = r / D, d = r - h * D;
        const int64_t c = c0 + cr;
        const int64_t t0 = std::max<int64_t>(first, c * B), t1 = std::min<int64_t>(first + n, (c + 1) * B);
        float *sum = sums + (h * slots + c) * D + d;
        float s = *sum;
        const T *row = k + (t0 - first) * tok_stride + h * head_stride + d;
        for (int64_t t = t0; t < t1; t++, row += tok_stride) s = rules::add_rn(s, float(*row));
        *sum = s;
    }
}

template <typename T>
void launch_add_to_sums(const void *k, int64_t tok_stride, int64_t head_stride, int64_t first, int64_t n,
                        const KvDevice &c, cudaStream_t stream) {
    if (n <= 0) return;
    const int64_t n_chunks = (first + n - 1) / c.B - first / c.B + 1;
    add_to_sums_kernel<T><<<grid_for(n_chunks * c.H * c.D), kThreads, 0, stream>>>(
        static_cast<const T *>(k), tok_stride, head_stride, first, n, c.sums, c.slots, c.H, c.D, c.B);
    RWKVX_CUDA_LAUNCHED("add_to_sums_kernel");
}

void add_to_sums(const void *k, int64_t tok_stride, int64_t head_stride, int64_t first, int64_t n, const KvDevice &c,
                 cudaStream_t stream) {
    switch (c.dtype) {
        case RWKVX_DTYPE_F32:
            return launch_add_to_sums<float>(k, tok_stride, head_stride, first, n, c, stream);
        case RWKVX_DTYPE_F16:
            return launch_add_to_sums<__half>(k, tok_stride, head_stride, first, n, c, stream);
        case RWKVX_DTYPE_BF16:
            return launch_add_to_sums<__nv_bfloat16>(k, tok_stride, head_stride, first, n, c, stream);
        default:
            fail(RWKVX_ERROR_UNSUPPORTED, "KV cache dtype " + std::to_string(c.dtype) + " is not supported on CUDA");
    }
}

void check_cache(const KvDevice &c) {
    if (c.dtype != RWKVX_DTYPE_F32 && c.dtype != RWKVX_DTYPE_F16 && c.dtype != RWKVX_DTYPE_BF16)
        fail(RWKVX_ERROR_UNSUPPORTED, "KV cache dtype " + std::to_string(c.dtype) + " is not supported on CUDA");
    if (c.H < 1 || c.D < 1 || c.B < 1) fail(RWKVX_ERROR_BACKEND, "KV cache with a non-positive shape");
}

// ---- compression votes ---------------------------------------------------------------------------

constexpr int kWarpsPerBlock = kThreads / 32;

// s[(h * nb + i) * past + j] = (q_i · k_j) * scale in fp32 for the older tokens j < past: one warp per
// key, lanes over D. grid (ceil(past / 8), nb, H).
template <typename T>
__global__ void vote_scores_kernel(const float *__restrict__ q, int64_t q_stride, const T *__restrict__ k,
                                   int64_t capacity, int32_t D, int64_t past, float scale, float *__restrict__ s) {
    const int lane = threadIdx.x & 31;
    const int64_t j = int64_t(blockIdx.x) * kWarpsPerBlock + (threadIdx.x >> 5);
    const int64_t i = blockIdx.y, h = blockIdx.z, nb = gridDim.y;
    if (j >= past) return;  // whole warps leave together
    const float *qi = q + i * q_stride + h * D;
    const T *kj = k + (h * capacity + j) * D;
    float acc = 0.0f;
    for (int d = lane; d < D; d += 32) acc = fmaf(qi[d], float(kj[d]), acc);
    for (int o = 16; o > 0; o >>= 1) acc += __shfl_xor_sync(0xffffffffu, acc, o);
    if (lane == 0) s[(h * nb + i) * past + j] = acc * scale;
}

// Per (query row i, head h): the maximum of its scores (NaN ignored, as std::max in the CPU loop) and
// z = Σ_j exp(double(s_j) - mx) in double, reduced in a fixed order. grid (nb, H), kThreads threads.
__global__ void vote_softmax_stats_kernel(const float *__restrict__ s, int64_t past, float *__restrict__ row_max,
                                          double *__restrict__ row_z) {
    __shared__ float smax[kThreads];
    __shared__ double ssum[kThreads];
    const int64_t i = blockIdx.x, h = blockIdx.y, nb = gridDim.x;
    const float *row = s + (h * nb + i) * past;
    float mx = -INFINITY;
    for (int64_t j = threadIdx.x; j < past; j += blockDim.x) mx = fmaxf(mx, row[j]);
    smax[threadIdx.x] = mx;
    __syncthreads();
    for (int w = kThreads / 2; w > 0; w >>= 1) {
        if (threadIdx.x < w) smax[threadIdx.x] = fmaxf(smax[threadIdx.x], smax[threadIdx.x + w]);
        __syncthreads();
    }
    mx = smax[0];
    double z = 0.0;
    for (int64_t j = threadIdx.x; j < past; j += blockDim.x) z += exp(double(row[j]) - double(mx));
    ssum[threadIdx.x] = z;
    __syncthreads();
    for (int w = kThreads / 2; w > 0; w >>= 1) {
        if (threadIdx.x < w) ssum[threadIdx.x] += ssum[threadIdx.x + w];
        __syncthreads();
    }
    if (threadIdx.x == 0) {
        row_max[h * nb + i] = mx;
        row_z[h * nb + i] = ssum[0];
    }
}

// votes[h][j] += exp(double(s_ij) - mx_i) / z_i over the batch's rows i in ascending order.
__global__ void vote_accumulate_kernel(const float *__restrict__ s, const float *__restrict__ row_max,
                                       const double *__restrict__ row_z, int32_t H, int64_t nb, int64_t past,
                                       double *__restrict__ votes) {
    const int64_t total = int64_t(H) * past;
    for (int64_t x = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; x < total; x += int64_t(gridDim.x) * blockDim.x) {
        const int64_t h = x / past, j = x - h * past;
        double v = votes[x];
        for (int64_t i = 0; i < nb; i++)
            v += exp(double(s[(h * nb + i) * past + j]) - double(row_max[h * nb + i])) / row_z[h * nb + i];
        votes[x] = v;
    }
}

template <typename T>
void compute_votes(const KvDevice &c, int64_t past, const float *q, int64_t n_q, int64_t q_stride, float scale,
                   double *votes, cudaStream_t stream) {
    // Query rows in batches whose scores fit a bounded temporary (64 MiB of fp32 scores).
    constexpr int64_t kScoreBudget = int64_t(1) << 24;
    const int64_t per_row = int64_t(c.H) * past;
    const int64_t nb_max = std::max<int64_t>(1, std::min<int64_t>({n_q, kScoreBudget / per_row, 65535}));
    DeviceBuffer<float> s(nb_max * per_row, stream);
    DeviceBuffer<float> row_max(nb_max * c.H, stream);
    DeviceBuffer<double> row_z(nb_max * c.H, stream);
    for (int64_t i0 = 0; i0 < n_q; i0 += nb_max) {
        const int64_t nb = std::min(nb_max, n_q - i0);
        const dim3 g_scores(unsigned(ceil_div(past, kWarpsPerBlock)), unsigned(nb), unsigned(c.H));
        vote_scores_kernel<T><<<g_scores, kThreads, 0, stream>>>(
            q + i0 * q_stride, q_stride, static_cast<const T *>(c.k), c.capacity, c.D, past, scale, s.get());
        RWKVX_CUDA_LAUNCHED("vote_scores_kernel");
        vote_softmax_stats_kernel<<<dim3(unsigned(nb), unsigned(c.H)), kThreads, 0, stream>>>(
            s.get(), past, row_max.get(), row_z.get());
        RWKVX_CUDA_LAUNCHED("vote_softmax_stats_kernel");
        vote_accumulate_kernel<<<grid_for(per_row), kThreads, 0, stream>>>(s.get(), row_max.get(), row_z.get(), c.H, nb,
                                                                           past, votes);
        RWKVX_CUDA_LAUNCHED("vote_accumulate_kernel");
    }
}

// tmp[h][r][:] = cache[h][idx[h][r]][:] for r < rows (raw element bits).
template <typename U>
__global__ void gather_rows_kernel(const U *__restrict__ cache, U *__restrict__ tmp, const int64_t *__restrict__ idx,
                                   int32_t H, int32_t D, int64_t capacity, int64_t rows) {
    const int64_t total = int64_t(H) * rows * D;
    for (int64_t x = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; x < total; x += int64_t(gridDim.x) * blockDim.x) {
        const int64_t hr = x / D, d = x - hr * D;
        const int64_t h = hr / rows;
        tmp[x] = cache[(h * capacity + idx[hr]) * D + d];
    }
}

template <typename U>
void compact(const KvDevice &c, const int64_t *idx, int64_t rows, cudaStream_t stream) {
    const int64_t n = int64_t(c.H) * rows * c.D;
    DeviceBuffer<U> tmp(n, stream);
    const size_t row_bytes = size_t(rows) * size_t(c.D) * sizeof(U);
    const size_t pitch = size_t(c.capacity) * size_t(c.D) * sizeof(U);
    for (void *base : {c.k, c.v}) {
        gather_rows_kernel<U><<<grid_for(n), kThreads, 0, stream>>>(static_cast<const U *>(base), tmp.get(), idx, c.H,
                                                                    c.D, c.capacity, rows);
        RWKVX_CUDA_LAUNCHED("gather_rows_kernel");
        RWKVX_CUDA_CHECK(cudaMemcpy2DAsync(base, pitch, tmp.get(), row_bytes, row_bytes, size_t(c.H),
                                           cudaMemcpyDeviceToDevice, stream));
    }
}

}  // namespace

void kv_append(const KvDevice &c, int64_t len, const void *k, const void *v, int64_t n, int64_t k_stride,
               int64_t v_stride, cudaStream_t stream) {
    check_cache(c);
    if (n <= 0) return;
    if (len < 0 || len + n > c.capacity)
        fail(RWKVX_ERROR_BACKEND, "kv_append beyond the cache's capacity (" + std::to_string(len + n) + " > " +
                                      std::to_string(c.capacity) + ")");
    const int64_t total = n * c.H * c.D;
    if (c.dtype == RWKVX_DTYPE_F32)
        append_rows_kernel<uint32_t><<<grid_for(total), kThreads, 0, stream>>>(
            static_cast<uint32_t *>(c.k), static_cast<uint32_t *>(c.v), static_cast<const uint32_t *>(k),
            static_cast<const uint32_t *>(v), n, k_stride, v_stride, c.H, c.D, c.capacity, len);
    else
        append_rows_kernel<uint16_t><<<grid_for(total), kThreads, 0, stream>>>(
            static_cast<uint16_t *>(c.k), static_cast<uint16_t *>(c.v), static_cast<const uint16_t *>(k),
            static_cast<const uint16_t *>(v), n, k_stride, v_stride, c.H, c.D, c.capacity, len);
    RWKVX_CUDA_LAUNCHED("append_rows_kernel");
    // The sums read the new keys from the source rows (the same values the copy writes).
    add_to_sums(k, k_stride, c.D, len, n, c, stream);
}

void kv_clear_sums(const KvDevice &c, cudaStream_t stream) {
    RWKVX_CUDA_CHECK(cudaMemsetAsync(c.sums, 0, size_t(c.H) * size_t(c.slots) * size_t(c.D) * sizeof(float), stream));
}

void kv_compress(const KvDevice &c, int64_t len, int64_t window, int64_t min_size, const float *q, int64_t n_q,
                 int64_t q_stride, float scale, cudaStream_t stream) {
    check_cache(c);
    if (len <= min_size) return;
    if (window < 0 || window >= min_size || len > c.capacity)
        fail(RWKVX_ERROR_BACKEND, "kv_compress with window " + std::to_string(window) + ", min_size " +
                                      std::to_string(min_size) + ", length " + std::to_string(len));
    if (c.H > 65535) fail(RWKVX_ERROR_UNSUPPORTED, "kv_compress supports at most 65535 heads");
    const int64_t past = len - window;       // older tokens, candidates for eviction
    const int64_t keep = min_size - window;  // older tokens kept per head (past > keep >= 1)
    const int32_t H = c.H;

    // Votes on the device: per query row, softmax over the older tokens, summed over the rows.
    DeviceBuffer<double> votes(int64_t(H) * past, stream);
    RWKVX_CUDA_CHECK(cudaMemsetAsync(votes.get(), 0, size_t(H) * size_t(past) * sizeof(double), stream));
    if (n_q > 0) {
        if (c.dtype == RWKVX_DTYPE_F32)
            compute_votes<float>(c, past, q, n_q, q_stride, scale, votes.get(), stream);
        else if (c.dtype == RWKVX_DTYPE_F16)
            compute_votes<__half>(c, past, q, n_q, q_stride, scale, votes.get(), stream);
        else
            compute_votes<__nv_bfloat16>(c, past, q, n_q, q_stride, scale, votes.get(), stream);
    }
    std::vector<double> host_votes(size_t(H) * size_t(past));
    RWKVX_CUDA_CHECK(cudaMemcpyAsync(host_votes.data(), votes.get(), host_votes.size() * sizeof(double),
                                     cudaMemcpyDeviceToHost, stream));
    RWKVX_CUDA_CHECK(cudaStreamSynchronize(stream));

    // The ranking exactly as the CPU's: most votes first, ties to the more recent token; the kept older
    // tokens in their original order, then the window.
    std::vector<int64_t> kept(size_t(H) * size_t(min_size));
    std::vector<int64_t> order(static_cast<size_t>(past));
    for (int32_t h = 0; h < H; h++) {
        const double *vh = host_votes.data() + size_t(h) * size_t(past);
        for (int64_t j = 0; j < past; j++) order[size_t(j)] = j;
        std::stable_sort(order.begin(), order.end(),
                         [&](int64_t a, int64_t b) { return vh[a] > vh[b] || (vh[a] == vh[b] && a > b); });
        std::sort(order.begin(), order.begin() + keep);
        int64_t *dst = kept.data() + size_t(h) * size_t(min_size);
        for (int64_t i = 0; i < keep; i++) dst[i] = order[size_t(i)];
        for (int64_t j = past; j < len; j++) dst[keep + j - past] = j;
    }
    DeviceBuffer<int64_t> idx(int64_t(kept.size()), stream);
    RWKVX_CUDA_CHECK(
        cudaMemcpyAsync(idx.get(), kept.data(), kept.size() * sizeof(int64_t), cudaMemcpyHostToDevice, stream));

    // Compaction through temporaries: the rows move down in parallel, so one could be overwritten
    // before it is read.
    if (c.dtype == RWKVX_DTYPE_F32)
        compact<uint32_t>(c, idx.get(), min_size, stream);
    else
        compact<uint16_t>(c, idx.get(), min_size, stream);

    // Chunks are now formed over the compressed sequence: rebuild the sums in token order.
    kv_clear_sums(c, stream);
    add_to_sums(c.k, c.D, c.capacity * c.D, 0, min_size, c, stream);
    // `kept` is pageable host memory: the copy above has staged it before returning, but wait anyway so
    // the buffer provably outlives the transfer (compression is rare).
    RWKVX_CUDA_CHECK(cudaStreamSynchronize(stream));
}

}  // namespace cuda
}  // namespace rwkvx
