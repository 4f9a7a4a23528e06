// Dense ops on CUDA: the matmul y[T][N] = x[T][K] · w[N][K]^T (tiled shared-memory FMA GEMMs for
// several tokens, a warp-per-row GEMV for one) and the group norm of rwkvx_group_norm. fp32
// accumulation; 16-bit weights are widened exactly on load. Each output is computed by one thread
// (or one warp with a fixed shuffle tree), so results do not depend on the launch.
#include <algorithm>

#include "cuda/cuda_common.cuh"
#include "cuda/cuda_kernels.h"

namespace rwkvx {
namespace cuda {

namespace {

// ---- GEMM (T > 1) ----------------------------------------------------------------------------------
// A block computes a 64 (tokens) x 64 (outputs) tile of y; each of its 256 threads a 4 x 4 grid of
// outputs strided by 16, so that a warp reads consecutive weights and broadcasts x. Tiles of x and
// w (K-slices of 32, zero beyond the edges) are staged transposed in shared memory, padded to an
// odd row length so that the transposing stores do not conflict.
constexpr int kTileT = 64, kTileN = 64, kTileK = 32, kGemmThreads = 256;
constexpr int kThreadOutputs = 4;                    // per thread, in each direction
constexpr int kTileSide = kTileT / kThreadOutputs;   // 16 threads per tile side
constexpr int kLoadRowStep = kGemmThreads / kTileK;  // rows loaded at once
constexpr int kMaxGridY = 65535;
static_assert(kTileT == kTileN && kTileSide * kTileSide == kGemmThreads, "square thread grid");
static_assert((kTileT * kTileK) % kGemmThreads == 0 && kTileK == 32, "whole tile loads; a warp per tile row");

template <int Dtype>
__global__ void __launch_bounds__(kGemmThreads)
    matmul_tiled(const float *__restrict__ x, const void *__restrict__ w, float *__restrict__ y, int64_t T, int64_t N,
                 int64_t K, int64_t t_base) {
    __shared__ float xs[kTileK][kTileT + 1];
    __shared__ float ws[kTileK][kTileN + 1];
    const int tx = threadIdx.x % kTileSide, ty = threadIdx.x / kTileSide;
    const int64_t t0 = t_base + int64_t(blockIdx.y) * kTileT, n0 = int64_t(blockIdx.x) * kTileN;
    // Tile loads: a warp reads 32 consecutive k of one row; the block's 8 warps rows r, r + 8, ...
    const int load_k = threadIdx.x % kTileK, load_row = threadIdx.x / kTileK;
    float acc[kThreadOutputs][kThreadOutputs] = {};
    for (int64_t k0 = 0; k0 < K; k0 += kTileK) {
        const int64_t k = k0 + load_k;
#pragma unroll
        for (int m = 0; m < kTileT / kLoadRowStep; m++) {
            const int row = load_row + kLoadRowStep * m;
            const int64_t t = t0 + row, n = n0 + row;
            xs[load_k][row] = t < T && k < K ? x[t * K + k] : 0.0f;
            ws[load_k][row] = n < N && k < K ? load_as_f32<Dtype>(w, n * K + k) : 0.0f;
        }
        __syncthreads();
#pragma unroll 8
        for (int kk = 0; kk < kTileK; kk++) {
            float a[kThreadOutputs], b[kThreadOutputs];
#pragma unroll
            for (int m = 0; m < kThreadOutputs; m++) a[m] = xs[kk][ty + kTileSide * m];
#pragma unroll
            for (int c = 0; c < kThreadOutputs; c++) b[c] = ws[kk][tx + kTileSide * c];
#pragma unroll
            for (int m = 0; m < kThreadOutputs; m++)
#pragma unroll
                for (int c = 0; c < kThreadOutputs; c++) acc[m][c] += a[m] * b[c];
        }
        __syncthreads();  // the next slice overwrites the tiles
    }
#pragma unroll
    for (int m = 0; m < kThreadOutputs; m++) {
        const int64_t t = t0 + ty + kTileSide * m;
        if (t >= T) continue;
#pragma unroll
        for (int c = 0; c < kThreadOutputs; c++) {
            const int64_t n = n0 + tx + kTileSide * c;
            if (n < N) y[t * N + n] = acc[m][c];
        }
    }
}

// Large problems: 128 x 128 tiles, 8 x 8 outputs per thread (rows ty*4 + {0..3} and 64 + ty*4 +
// {0..3}, columns likewise with tx), read from shared memory as float4: 4 vector loads per 64 FMAs,
// where the 64 x 64 kernel needs 8 scalar loads per 16. The two column halves keep each quarter-warp's
// float4 loads on 32 distinct banks. K-slices of 8; each thread loads 4 consecutive k of one row.
constexpr int kLargeTile = 128, kLargeK = 8, kLargeHalf = kLargeTile / 2;
constexpr int kLargeStride = kLargeTile + 4;  // rows stay 16-byte aligned; transposing stores hit distinct banks
static_assert(kLargeTile * kLargeK == 4 * kGemmThreads, "4 loads per thread and operand");

template <int Dtype>
__global__ void __launch_bounds__(kGemmThreads, 2)
    matmul_tiled_large(const float *__restrict__ x, const void *__restrict__ w, float *__restrict__ y, int64_t T,
                       int64_t N, int64_t K, int64_t t_base) {
    __shared__ __align__(16) float xs[kLargeK][kLargeStride];
    __shared__ __align__(16) float ws[kLargeK][kLargeStride];
    const int tx = threadIdx.x % kTileSide, ty = threadIdx.x / kTileSide;
    const int64_t t0 = t_base + int64_t(blockIdx.y) * kLargeTile, n0 = int64_t(blockIdx.x) * kLargeTile;
    const int load_row = threadIdx.x / 2, load_k = (threadIdx.x % 2) * 4;
    const int64_t t_load = t0 + load_row, n_load = n0 + load_row;
    float acc[8][8] = {};
    for (int64_t k0 = 0; k0 < K; k0 += kLargeK) {
#pragma unroll
        for (int q = 0; q < 4; q++) {
            const int64_t k = k0 + load_k + q;
            xs[load_k + q][load_row] = t_load < T && k < K ? x[t_load * K + k] : 0.0f;
            ws[load_k + q][load_row] = n_load < N && k < K ? load_as_f32<Dtype>(w, n_load * K + k) : 0.0f;
        }
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < kLargeK; kk++) {
            const float4 a0 = *reinterpret_cast<const float4 *>(&xs[kk][ty * 4]);
            const float4 a1 = *reinterpret_cast<const float4 *>(&xs[kk][kLargeHalf + ty * 4]);
            const float4 b0 = *reinterpret_cast<const float4 *>(&ws[kk][tx * 4]);
            const float4 b1 = *reinterpret_cast<const float4 *>(&ws[kk][kLargeHalf + tx * 4]);
            const float a[8] = {a0.x, a0.y, a0.z, a0.w, a1.x, a1.y, a1.z, a1.w};
            const float b[8] = {b0.x, b0.y, b0.z, b0.w, b1.x, b1.y, b1.z, b1.w};
#pragma unroll
            for (int m = 0; m < 8; m++)
#pragma unroll
                for (int c = 0; c < 8; c++) acc[m][c] += a[m] * b[c];
        }
        __syncthreads();  // the next slice overwrites the tiles
    }
#pragma unroll
    for (int m = 0; m < 8; m++) {
        const int64_t t = t0 + (m < 4 ? ty * 4 + m : kLargeHalf + ty * 4 + m - 4);
        if (t >= T) continue;
#pragma unroll
        for (int c = 0; c < 8; c++) {
            const int64_t n = n0 + (c < 4 ? tx * 4 + c : kLargeHalf + tx * 4 + c - 4);
            if (n < N) y[t * N + n] = acc[m][c];
        }
    }
}

// Multiprocessors of the current device (the large tiles are used when they fill every one).
int multiprocessors() {
    int device = 0, count = 0;
    RWKVX_CUDA_CHECK(cudaGetDevice(&device));
    RWKVX_CUDA_CHECK(cudaDeviceGetAttribute(&count, cudaDevAttrMultiProcessorCount, device));
    return count;
}

// ---- GEMV (T == 1) ---------------------------------------------------------------------------------
// A warp per output row: lanes stride through the row (16-byte loads when the row and x are 16-byte
// aligned, else element by element), then a fixed xor-shuffle tree sums the 32 partial sums.
constexpr int kGemvWarps = 8;

// acc += the dot product of one 16-byte piece of a weight row with the matching x values.
template <int Dtype>
__device__ __forceinline__ float dot16(const uint4 q, const float *x, float acc) {
    const unsigned word[4] = {q.x, q.y, q.z, q.w};
    if constexpr (Dtype == RWKVX_DTYPE_F32) {
        const float4 xv = *reinterpret_cast<const float4 *>(x);
        acc += __uint_as_float(word[0]) * xv.x;
        acc += __uint_as_float(word[1]) * xv.y;
        acc += __uint_as_float(word[2]) * xv.z;
        acc += __uint_as_float(word[3]) * xv.w;
    } else {
        const float4 x0 = reinterpret_cast<const float4 *>(x)[0], x1 = reinterpret_cast<const float4 *>(x)[1];
        const float xv[8] = {x0.x, x0.y, x0.z, x0.w, x1.x, x1.y, x1.z, x1.w};
#pragma unroll
        for (int m = 0; m < 4; m++) {
            float lo, hi;  // elements 2m and 2m + 1 (little-endian)
            if constexpr (Dtype == RWKVX_DTYPE_F16) {
                lo = __half2float(__ushort_as_half(static_cast<unsigned short>(word[m] & 0xffffu)));
                hi = __half2float(__ushort_as_half(static_cast<unsigned short>(word[m] >> 16)));
            } else {
                lo = __uint_as_float(word[m] << 16);
                hi = __uint_as_float(word[m] & 0xffff0000u);
            }
            acc += lo * xv[2 * m];
            acc += hi * xv[2 * m + 1];
        }
    }
    return acc;
}

template <int Dtype>
__global__ void __launch_bounds__(kGemvWarps * 32)
    matmul_gemv(const float *__restrict__ x, const void *__restrict__ w, float *__restrict__ y, int64_t N, int64_t K,
                bool vectorized) {
    const int lane = threadIdx.x % 32;
    const int64_t n = int64_t(blockIdx.x) * kGemvWarps + threadIdx.x / 32;
    if (n >= N) return;  // the whole warp: n is the same for its lanes
    float acc = 0.0f;
    int64_t k_done = 0;
    if (vectorized) {
        constexpr int per = Dtype == RWKVX_DTYPE_F32 ? 4 : 8;  // elements per 16 bytes
        const int64_t pieces = K / per;
        const uint4 *row = static_cast<const uint4 *>(elem_ptr(w, Dtype, n * K));
#pragma unroll 4
        for (int64_t c = lane; c < pieces; c += 32) acc = dot16<Dtype>(row[c], x + c * per, acc);
        k_done = pieces * per;
    }
    for (int64_t k = k_done + lane; k < K; k += 32) acc += load_as_f32<Dtype>(w, n * K + k) * x[k];
#pragma unroll
    for (int offset = 16; offset > 0; offset /= 2) acc += __shfl_xor_sync(0xffffffffu, acc, offset);
    if (lane == 0) y[n] = acc;
}

template <int Dtype>
void launch_matmul(const MatmulCall &c, cudaStream_t stream) {
    if (c.T == 1) {
        const bool vectorized = reinterpret_cast<uintptr_t>(c.w) % 16 == 0 &&
                                reinterpret_cast<uintptr_t>(c.x) % 16 == 0 && (c.K * elem_bytes(Dtype)) % 16 == 0;
        matmul_gemv<Dtype>
            <<<unsigned(ceil_div(c.N, kGemvWarps)), kGemvWarps * 32, 0, stream>>>(c.x, c.w, c.y, c.N, c.K, vectorized);
        RWKVX_CUDA_LAUNCHED("matmul_gemv");
        return;
    }
    // 128 x 128 tiles when there are enough of them for every multiprocessor, else 64 x 64 (more
    // blocks, less padding for short T).
    const bool large = ceil_div(c.T, kLargeTile) * ceil_div(c.N, kLargeTile) >= multiprocessors();
    const int tile = large ? kLargeTile : kTileT;
    const unsigned n_tiles = unsigned(ceil_div(c.N, tile));
    const int64_t t_tiles = ceil_div(c.T, tile);
    for (int64_t done = 0; done < t_tiles; done += kMaxGridY) {
        const dim3 grid(n_tiles, unsigned(std::min<int64_t>(kMaxGridY, t_tiles - done)));
        if (large)
            matmul_tiled_large<Dtype><<<grid, kGemmThreads, 0, stream>>>(c.x, c.w, c.y, c.T, c.N, c.K, done * tile);
        else
            matmul_tiled<Dtype><<<grid, kGemmThreads, 0, stream>>>(c.x, c.w, c.y, c.T, c.N, c.K, done * tile);
        RWKVX_CUDA_LAUNCHED("matmul_tiled");
    }
}

// ---- group norm ------------------------------------------------------------------------------------
// A warp per (row, group): two passes with double accumulators like the CPU's layer_norm
// (native/cpu/scalar/vecmath_scalar.cpp), then y = (x - mean) * inv * weight + bias. Each lane reads
// and writes only its own elements, so y may alias x.
constexpr int kNormWarps = 8;
constexpr int64_t kNormMaxBlocks = int64_t(1) << 20;

__device__ __forceinline__ double warp_sum(double v) {
#pragma unroll
    for (int offset = 16; offset > 0; offset /= 2) v += __shfl_xor_sync(0xffffffffu, v, offset);
    return v;
}

__global__ void __launch_bounds__(kNormWarps * 32)
    group_norm_kernel(const float *x, const float *__restrict__ weight, const float *__restrict__ bias, float *y,
                      int64_t T, int64_t C, int32_t n_groups, float eps) {
    const int lane = threadIdx.x % 32;
    const int64_t G = C / n_groups, total = T * n_groups;
    for (int64_t q = int64_t(blockIdx.x) * kNormWarps + threadIdx.x / 32; q < total;
         q += int64_t(gridDim.x) * kNormWarps) {
        const int64_t g0 = (q % n_groups) * G, off = (q / n_groups) * C + g0;
        double sum = 0;
        for (int64_t i = lane; i < G; i += 32) sum += x[off + i];
        const float mean = float(warp_sum(sum) / double(G));
        double var = 0;
        for (int64_t i = lane; i < G; i += 32) {
            const double d = double(x[off + i] - mean);
            var += d * d;
        }
        const float inv = 1.0f / sqrtf(float(warp_sum(var) / double(G)) + eps);
        for (int64_t i = lane; i < G; i += 32) y[off + i] = (x[off + i] - mean) * inv * weight[g0 + i] + bias[g0 + i];
    }
}

}  // namespace

void matmul(const MatmulCall &c, cudaStream_t stream) {
    if (c.T <= 0 || c.N <= 0) return;
    if (c.K <= 0) {  // empty sums
        RWKVX_CUDA_CHECK(cudaMemsetAsync(c.y, 0, size_t(c.T * c.N) * sizeof(float), stream));
        return;
    }
    switch (c.w_dtype) {
        case RWKVX_DTYPE_F32:
            launch_matmul<RWKVX_DTYPE_F32>(c, stream);
            break;
        case RWKVX_DTYPE_F16:
            launch_matmul<RWKVX_DTYPE_F16>(c, stream);
            break;
        case RWKVX_DTYPE_BF16:
            launch_matmul<RWKVX_DTYPE_BF16>(c, stream);
            break;
        default:
            fail(RWKVX_ERROR_UNSUPPORTED, "matmul: weight dtype " + std::to_string(c.w_dtype));
    }
}

void group_norm(const GroupNormCall &c, cudaStream_t stream) {
    if (c.T <= 0 || c.C <= 0 || c.n_groups <= 0) return;
    const int64_t blocks = std::min(kNormMaxBlocks, ceil_div(c.T * c.n_groups, kNormWarps));
    group_norm_kernel<<<unsigned(blocks), kNormWarps * 32, 0, stream>>>(c.x, c.weight, c.bias, c.y, c.T, c.C,
                                                                        c.n_groups, c.eps);
    RWKVX_CUDA_LAUNCHED("group_norm");
}

}  // namespace cuda
}  // namespace rwkvx
