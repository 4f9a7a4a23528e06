// Full causal prefill on the GPU, FlashAttention-style (the CUDA counterpart of
// native/attention/flash_prefill.cpp): one thread block per (query tile, head), longest tiles first;
// a tile streams keys 0 .. past + t0 + nr - 1 in blocks (the causal bound: later keys are never
// read) and masks only the blocks that cross its diagonal. Two flavours (cuda/flash_tile.cuh): fp32
// FMA for every K/V dtype (64-query tiles), and tensor cores for F16/BF16 K/V with D of 64 or 128
// (128-query tiles of 8 warps, or 64-query tiles of 4 when that leaves SMs idle).
#include "cuda/cuda_common.cuh"
#include "cuda/cuda_kernels.h"
#include "cuda/flash_tile.cuh"

namespace rwkvx {
namespace cuda {

namespace {

template <typename Tile>
__global__ void __launch_bounds__(Tile::kThreads, Tile::kMinBlocks) flash_prefill_kernel(FlashParams p, bool aligned) {
    extern __shared__ __align__(16) unsigned char smem_raw[];
    auto &sm = *reinterpret_cast<typename Tile::Smem *>(smem_raw);
    __shared__ flash::TileRows rows;

    constexpr int kRows = Tile::kRows;
    const int64_t n_tiles = (p.T + kRows - 1) / kRows;
    const int64_t t0 = (n_tiles - 1 - int64_t(blockIdx.x)) * kRows;  // longest tiles first
    const int32_t h = int32_t(blockIdx.y);
    const int nr = int(p.T - t0 < kRows ? p.T - t0 : kRows);
    const int64_t first = p.past + t0;  // position of the tile's first query
    const int tid = int(threadIdx.x);
    if (tid < kRows) {
        const bool real = tid < nr;
        rows.q[tid] = real ? p.q + (t0 + tid) * p.q_stride + int64_t(h) * p.D : nullptr;
        rows.lo[tid] = 0;
        rows.hi[tid] = real ? first + tid + 1 : 0;
    }
    if (tid == 0) {
        rows.nr = nr;
        rows.j0 = 0;
        rows.j1 = first + nr;
        rows.max_lo = 0;
        rows.min_hi = first + 1;
    }
    __syncthreads();

    Tile tile;
    tile.load_queries(sm, rows, p.D, p.scale * kLog2e);
    tile.attend(sm, rows, flash::head_kv(p.kv, h), p.D, aligned);
    tile.finish_l();

#pragma unroll
    for (int i = 0; i < Tile::kRowsPerThread; i++) {
        const int r = tile.row(i);
        if (r >= nr) continue;
        const float l = tile.row_l(i);
        float *o = p.o + (t0 + r) * p.o_stride + int64_t(h) * p.D;
#pragma unroll
        for (int k = 0; k < Tile::kCols; k++) {
            const int d = tile.col(k);
            if (d < p.D) o[d] = tile.out(i, k) / l;
        }
        if (p.lse != nullptr && tile.col(0) == 0) p.lse[(t0 + r) * p.H + h] = (tile.row_m(i) + log2f(l)) * kLn2;
    }
}

void check_params(const FlashParams &p) {
    if (p.D < 16 || p.D > 256 || p.D % 16 != 0)
        fail(RWKVX_ERROR_UNSUPPORTED,
             "flash_prefill: head size " + std::to_string(p.D) + " is not a multiple of 16 in 16..256");
    if (p.H < 1 || p.H > 65535)
        fail(RWKVX_ERROR_UNSUPPORTED, "flash_prefill: " + std::to_string(p.H) + " heads (at most 65535)");
}

template <typename Tile>
void launch(const FlashParams &p, cudaStream_t stream) {
    const int64_t n_tiles = ceil_div(p.T, Tile::kRows);
    if (n_tiles > 0x7fffffff) fail(RWKVX_ERROR_UNSUPPORTED, "flash_prefill: too many tokens");
    const size_t smem = sizeof(typename Tile::Smem);
    flash::allow_smem(flash_prefill_kernel<Tile>, smem);
    const dim3 grid(unsigned(n_tiles), unsigned(p.H));
    flash_prefill_kernel<Tile><<<grid, Tile::kThreads, smem, stream>>>(p, flash::kv_aligned16(p.kv));
    RWKVX_CUDA_LAUNCHED("flash_prefill");
}

}  // namespace

bool flash_mma_supports(int32_t dtype, int32_t D) {
    return (dtype == RWKVX_DTYPE_F16 || dtype == RWKVX_DTYPE_BF16) && (D == 64 || D == 128);
}

void flash_prefill_fma(const FlashParams &p, cudaStream_t stream) {
    check_params(p);
    if (p.T <= 0) return;
    flash::with_fma_tile(p.D, [&](auto tag) { launch<typename decltype(tag)::type>(p, stream); });
}

void flash_prefill_mma(const FlashParams &p, cudaStream_t stream) {
    check_params(p);
    if (!flash_mma_supports(p.kv.dtype, p.D))
        fail(RWKVX_ERROR_UNSUPPORTED,
             "flash_prefill_mma: tensor cores need F16 or BF16 K/V with head size 64 or "
             "128 (dtype " +
                 std::to_string(p.kv.dtype) + ", head size " + std::to_string(p.D) + ")");
    if (p.T <= 0) return;
    // 128-query tiles share each K/V block between 8 warps; when they would leave SMs idle (short
    // sequences, few heads), 64-query tiles make twice as many blocks.
    int device = 0, sms = 0;
    RWKVX_CUDA_CHECK(cudaGetDevice(&device));
    RWKVX_CUDA_CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device));
    const auto run = [&](auto tag) { launch<typename decltype(tag)::type>(p, stream); };
    if (ceil_div(p.T, 128) * p.H >= 2 * int64_t(sms))
        flash::with_mma_tile<8>(p.kv.dtype, p.D, run);
    else
        flash::with_mma_tile<4>(p.kv.dtype, p.D, run);
}

void flash_prefill(const FlashParams &p, cudaStream_t stream) {
    if (flash_mma_supports(p.kv.dtype, p.D))
        flash_prefill_mma(p, stream);
    else
        flash_prefill_fma(p, stream);
}

}  // namespace cuda
}  // namespace rwkvx
