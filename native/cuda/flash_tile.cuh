// Device building blocks of the tiled (FlashAttention-style) attention kernels of flash_prefill.cu
// and sparse_attend.cu: a tile of query rows (gathered from anywhere, pre-scaled by scale·log2 e)
// keeps an online softmax (m, l, acc) per row in fp32 and streams a contiguous key range of one head,
// each row seeing only its own key window [lo, hi). Two flavours:
//   FmaTile<DP>           fp32 FMA math for every K/V dtype (16-bit widened exactly), 64 rows,
//                         D <= DP in {64, 128, 256} (zero-padded), 32-key blocks;
//   MmaTile<D, T, warps>  tensor cores (mma.sync m16n8k16 via inline PTX, fp32 accumulators) for
//                         F16/BF16 K/V, D in {64, 128}: q and P rounded to T, 4 or 8 warps x 16 rows,
//                         64-key blocks in swizzled shared memory, double-buffered with cp.async.
// Semantics of native/attention/tile_attend.cpp (docs/rwkv-x.md §5.6): a masked score is set to -inf,
// a block where a row's max is still -inf contributes nothing to that row, and a masked key's V row
// is never multiplied into a row, not even by p = 0 (0·Inf = NaN). The FMA flavour stops each row's
// p·V at its window; the tensor-core flavour multiplies whole fragments, so it checks the V rows some
// row masks for non-finite values and takes an FMA path for such a block (0·finite = 0 exactly, so
// the fast path is exact otherwise).
#pragma once
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>
#include <utility>

#include "cuda/cuda_common.cuh"
#include "cuda/cuda_kernels.h"

namespace rwkvx {
namespace cuda {
namespace flash {

// Query rows of a sparse-attention tile (and of an FMA tile); the tensor-core tiles of full prefill
// hold up to kMaxTileRows.
constexpr int kTileRows = 64;
constexpr int kMaxTileRows = 128;

// One head's keys and values: row j at k + j * k_stride elements of dtype (likewise v).
struct HeadKv {
    const void *k, *v;
    int64_t k_stride, v_stride;
    int32_t dtype;
};

__host__ __device__ inline HeadKv head_kv(const KvRows &kv, int32_t h) {
    return HeadKv{elem_ptr(kv.k, kv.dtype, int64_t(h) * kv.head_stride),
                  elem_ptr(kv.v, kv.dtype, int64_t(h) * kv.head_stride), kv.k_stride, kv.v_stride, kv.dtype};
}

// Whether K/V rows may be copied in 16-byte pieces (cp.async): 16-byte aligned bases, strides of 8 elements.
inline bool kv_aligned16(const KvRows &kv) {
    const auto a = [](const void *ptr) { return reinterpret_cast<uintptr_t>(ptr) % 16 == 0; };
    const int64_t e = 16 / elem_bytes(kv.dtype);
    return a(kv.k) && a(kv.v) && kv.k_stride % e == 0 && kv.v_stride % e == 0 && kv.head_stride % e == 0;
}

// The rows of one tile and the keys each sees, in shared memory; the kernel fills it before a tile
// loads its queries. Row r (< nr) has its query at q[r] (D floats) and sees keys lo[r] <= j < hi[r];
// rows r >= nr are padding (q null, seeing nothing). Keys [j0, j1) are streamed, every one of them
// read: the union of the windows. Every real row sees the keys in [max_lo, min_hi) (the maximum of
// lo and the minimum of hi over real rows), so only blocks reaching outside it need masks.
struct TileRows {
    const float *q[kMaxTileRows];
    int64_t lo[kMaxTileRows], hi[kMaxTileRows];
    int64_t tag[kMaxTileRows];  // the kernel's own per-row data (a bucket entry)
    int64_t j0, j1, max_lo, min_hi;
    int nr;
};

__device__ __forceinline__ float warp_max(float x) {
    for (int o = 16; o > 0; o >>= 1) x = fmaxf(x, __shfl_xor_sync(0xffffffffu, x, o));
    return x;
}
__device__ __forceinline__ float warp_sum(float x) {
    for (int o = 16; o > 0; o >>= 1) x += __shfl_xor_sync(0xffffffffu, x, o);
    return x;
}

__device__ __forceinline__ int64_t min64(int64_t a, int64_t b) {
    return a < b ? a : b;
}

// Row r's window in a key block starting at key jb with nc keys: columns [a, b), empty when b <= a.
__device__ __forceinline__ void block_window(const TileRows &rows, int r, int64_t jb, int nc, int &a, int &b) {
    const int64_t lo = rows.lo[r] - jb, hi = rows.hi[r] - jb;
    a = int(lo < 0 ? 0 : (lo > nc ? nc : lo));
    b = int(hi < 0 ? 0 : (hi > nc ? nc : hi));
    if (b < a) b = a;
}

// ---- FMA flavour ---------------------------------------------------------------------------------
// 256 threads: warp w holds rows 8w..8w+7, lane holds columns lane + 32k of each; 32-key blocks. In
// the score phase lane j computes key j's score against the warp's 8 rows, so the row reductions are
// warp shuffles. K and V of a block share one buffer (loaded one after the other).
template <int DP>
struct FmaTile {
    static_assert(DP % 32 == 0, "padded head size");
    static constexpr int kThreads = 256;
    static constexpr int kMinBlocks = 1;
    static constexpr int kRows = kTileRows;
    static constexpr int kRowsPerThread = 8;
    static constexpr int kCols = DP / 32;
    static constexpr int kBlockKeys = 32;
    static constexpr int kKvStride = DP + 4;  // float4 rows, lane j's row 4 banks after lane j-1's

    struct Smem {
        float q[kTileRows][DP];
        float kv[kBlockKeys][kKvStride];
        float p[kTileRows][kBlockKeys];
    };

    float m[kRowsPerThread], l[kRowsPerThread];
    float acc[kRowsPerThread][kCols];
    int warp, lane;

    __device__ FmaTile() : warp(int(threadIdx.x) / 32), lane(int(threadIdx.x) % 32) {}
    __device__ int row(int i) const { return warp * kRowsPerThread + i; }
    __device__ int col(int k) const { return lane + 32 * k; }
    __device__ float &out(int i, int k) { return acc[i][k]; }
    __device__ float row_m(int i) const { return m[i]; }
    __device__ float row_l(int i) const { return l[i]; }
    __device__ void finish_l() {}  // l is complete in every lane

    // Queries scaled by f (= scale·log2 e), zero-padded to DP columns and 64 rows; state reset.
    __device__ void load_queries(Smem &sm, const TileRows &rows, int D, float f) {
        for (int idx = threadIdx.x; idx < kTileRows * DP; idx += kThreads) {
            const int r = idx / DP, d = idx % DP;
            const float *q = rows.q[r];
            sm.q[r][d] = q != nullptr && d < D ? q[d] * f : 0.0f;
        }
#pragma unroll
        for (int i = 0; i < kRowsPerThread; i++) {
            m[i] = -INFINITY;
            l[i] = 0.0f;
#pragma unroll
            for (int k = 0; k < kCols; k++) acc[i][k] = 0.0f;
        }
    }

    // Rows [0, nc) of a block (keys base + j * stride), widened; zero beyond nc and D (never read).
    template <typename T>
    __device__ static void load_rows_t(Smem &sm, const T *base, int64_t stride, int nc, int D) {
        for (int idx = threadIdx.x; idx < kBlockKeys * DP; idx += kThreads) {
            const int j = idx / DP, d = idx % DP;
            float x = 0.0f;
            if (j < nc && d < D) {
                x = widen(base[j * stride + d]);
            }
            sm.kv[j][d] = x;
        }
    }
    __device__ static void load_rows(Smem &sm, const void *head, int32_t dtype, int64_t stride, int64_t jb, int nc,
                                     int D) {
        if (dtype == RWKVX_DTYPE_F16)
            load_rows_t(sm, static_cast<const __half *>(head) + jb * stride, stride, nc, D);
        else if (dtype == RWKVX_DTYPE_BF16)
            load_rows_t(sm, static_cast<const __nv_bfloat16 *>(head) + jb * stride, stride, nc, D);
        else
            load_rows_t(sm, static_cast<const float *>(head) + jb * stride, stride, nc, D);
    }

    // Consumes keys [rows.j0, rows.j1) of one head. `aligned` is unused (FMA loads are scalar).
    __device__ void attend(Smem &sm, const TileRows &rows, const HeadKv &kv, int D, bool /*aligned*/) {
        for (int64_t jb = rows.j0; jb < rows.j1; jb += kBlockKeys) {
            const int nc = int(rows.j1 - jb < kBlockKeys ? rows.j1 - jb : kBlockKeys);
            // Blocks entirely inside every real row's window need no per-key test in p·V.
            const bool masked = jb < rows.max_lo || jb + kBlockKeys > rows.min_hi;
            __syncthreads();  // the queries are stored; the previous block's V and P are consumed
            load_rows(sm, kv.k, kv.dtype, kv.k_stride, jb, nc, D);
            __syncthreads();

            // Scores of key `lane` against the warp's rows: fp32 FMA chains over 32 columns, summed, so
            // the rounding error grows with D/32 additions of partial sums rather than with D.
            float s[kRowsPerThread];
#pragma unroll
            for (int i = 0; i < kRowsPerThread; i++) s[i] = 0.0f;
            const float4 *k4 = reinterpret_cast<const float4 *>(sm.kv[lane]);
            for (int d0 = 0; d0 < DP / 4; d0 += 8) {
                float t[kRowsPerThread];
#pragma unroll
                for (int i = 0; i < kRowsPerThread; i++) t[i] = 0.0f;
#pragma unroll
                for (int d4 = d0; d4 < d0 + 8; d4++) {
                    const float4 kk = k4[d4];
#pragma unroll
                    for (int i = 0; i < kRowsPerThread; i++) {
                        const float4 qq = reinterpret_cast<const float4 *>(sm.q[row(i)])[d4];
                        t[i] = fmaf(qq.x, kk.x, t[i]);
                        t[i] = fmaf(qq.y, kk.y, t[i]);
                        t[i] = fmaf(qq.z, kk.z, t[i]);
                        t[i] = fmaf(qq.w, kk.w, t[i]);
                    }
                }
#pragma unroll
                for (int i = 0; i < kRowsPerThread; i++) s[i] += t[i];
            }

            // Online softmax per row; masked scores are assigned -inf (whatever K held).
            int wa[kRowsPerThread], wb[kRowsPerThread];
            bool ragged = masked;  // some row of the warp sees less than the whole block
#pragma unroll
            for (int i = 0; i < kRowsPerThread; i++) {
                block_window(rows, row(i), jb, nc, wa[i], wb[i]);
                if (lane < wa[i] || lane >= wb[i]) s[i] = -INFINITY;
                const float mx = fmaxf(m[i], warp_max(s[i]));  // fmaxf drops NaN scores, as the CPU's max
                float p = 0.0f;
                if (mx == -INFINITY) {
                    wb[i] = wa[i];               // nothing visible yet: the block contributes nothing to this row
                    ragged |= row(i) < rows.nr;  // a padding row's acc is never read: p = 0 times anything
                } else {
                    const float alpha = m[i] == -INFINITY ? 0.0f : exp2f(m[i] - mx);
                    p = exp2f(s[i] - mx);
                    l[i] = l[i] * alpha + warp_sum(p);
                    m[i] = mx;
#pragma unroll
                    for (int k = 0; k < kCols; k++) acc[i][k] *= alpha;
                }
                sm.p[row(i)][lane] = p;
            }
            __syncthreads();  // every warp is done with K
            load_rows(sm, kv.v, kv.dtype, kv.v_stride, jb, nc, D);
            __syncthreads();

            // acc += P·V; a ragged block stops each row at its window so no excluded V row is read.
            if (!ragged) {                                    // warp-uniform
                for (int j4 = 0; j4 < kBlockKeys; j4 += 4) {  // unmasked blocks are full (nc = 32)
                    float4 p4[kRowsPerThread];
#pragma unroll
                    for (int i = 0; i < kRowsPerThread; i++)
                        p4[i] = reinterpret_cast<const float4 *>(sm.p[row(i)])[j4 / 4];
#pragma unroll
                    for (int jj = 0; jj < 4; jj++) {
                        float v[kCols];
#pragma unroll
                        for (int k = 0; k < kCols; k++) v[k] = sm.kv[j4 + jj][col(k)];
#pragma unroll
                        for (int i = 0; i < kRowsPerThread; i++) {
                            const float pj = jj == 0 ? p4[i].x : jj == 1 ? p4[i].y : jj == 2 ? p4[i].z : p4[i].w;
#pragma unroll
                            for (int k = 0; k < kCols; k++) acc[i][k] = fmaf(pj, v[k], acc[i][k]);
                        }
                    }
                }
            } else {
                for (int j = 0; j < nc; j++) {
                    float v[kCols];
#pragma unroll
                    for (int k = 0; k < kCols; k++) v[k] = sm.kv[j][col(k)];
#pragma unroll
                    for (int i = 0; i < kRowsPerThread; i++) {
                        if (j < wa[i] || j >= wb[i]) continue;  // warp-uniform
                        const float pj = sm.p[row(i)][j];
#pragma unroll
                        for (int k = 0; k < kCols; k++) acc[i][k] = fmaf(pj, v[k], acc[i][k]);
                    }
                }
            }
        }
    }
};

// ---- tensor-core flavour -------------------------------------------------------------------------

__device__ __forceinline__ uint32_t smem_addr(const void *p) {
    return static_cast<uint32_t>(__cvta_generic_to_shared(p));
}
__device__ __forceinline__ void cp_async16(void *smem, const void *gmem) {
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16;\n" ::"r"(smem_addr(smem)), "l"(gmem));
}
__device__ __forceinline__ void cp_async_commit() {
    asm volatile("cp.async.commit_group;\n" ::);
}
template <int N>
__device__ __forceinline__ void cp_async_wait() {
    asm volatile("cp.async.wait_group %0;\n" ::"n"(N) : "memory");
}
__device__ __forceinline__ void ldmatrix_x4(uint32_t (&r)[4], const void *smem) {
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(smem_addr(smem)));
}
__device__ __forceinline__ void ldmatrix_x4_trans(uint32_t (&r)[4], const void *smem) {
    asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0, %1, %2, %3}, [%4];\n"
                 : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
                 : "r"(smem_addr(smem)));
}

// The 16-bit element types of the tensor-core flavour.
template <typename T>
struct Half16;
template <>
struct Half16<__half> {
    static constexpr uint16_t kExponent = 0x7C00;  // all ones: Inf or NaN
    __device__ static uint32_t pack(float lo, float hi) {
        const __half2 h = __floats2half2_rn(lo, hi);  // lo in the low half
        return *reinterpret_cast<const uint32_t *>(&h);
    }
    __device__ static float widen(__half x) { return __half2float(x); }
    __device__ static __half narrow(float x) { return __float2half_rn(x); }
    __device__ static void mma(float (&d)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
        asm("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
            "{%0, %1, %2, %3};\n"
            : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
            : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
    }
};
template <>
struct Half16<__nv_bfloat16> {
    static constexpr uint16_t kExponent = 0x7F80;
    __device__ static uint32_t pack(float lo, float hi) {
        const __nv_bfloat162 h = __floats2bfloat162_rn(lo, hi);
        return *reinterpret_cast<const uint32_t *>(&h);
    }
    __device__ static float widen(__nv_bfloat16 x) { return __bfloat162float(x); }
    __device__ static __nv_bfloat16 narrow(float x) { return __float2bfloat16_rn(x); }
    __device__ static void mma(float (&d)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
        asm("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
            "{%0, %1, %2, %3};\n"
            : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
            : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
    }
};

// kWarps warps; warp w holds rows 16w..16w+15 as mma fragments: lane holds rows g = lane/4 and g + 8
// of them, columns 8n + 2(lane%4) + {0, 1} of every 8-column tile n. Shared rows of D 16-bit values
// are stored in 16-byte pieces swizzled by XOR with row % 8, so ldmatrix and cp.async are free of
// bank conflicts.
template <int D, typename T, int kWarps>
struct MmaTile {
    static_assert(D == 64 || D == 128, "tensor-core head sizes");
    static_assert(kWarps == 4 || kWarps == 8, "64 or 128 rows");
    using H = Half16<T>;
    static constexpr int kThreads = 32 * kWarps;
    static constexpr int kRows = 16 * kWarps;
    // D = 64 fits in 128 registers: two blocks of 8 warps per SM.
    static constexpr int kMinBlocks = D == 64 && kWarps == 8 ? 2 : 1;
    static constexpr int kRowsPerThread = 2;
    static constexpr int kCols = D / 4;
    static constexpr int kBlockKeys = 64;
    static constexpr int kChunks = D / 8;  // 16-byte pieces per row
    static constexpr int kKSteps = D / 16;
    static constexpr int kNTiles = D / 8;

    struct Smem {
        T q[kRows * D];  // the queries, then (per warp, its 16 rows) P of a block on the FMA path
        T k[2][kBlockKeys * D];
        T v[2][kBlockKeys * D];
    };

    uint32_t qf[kKSteps][4];  // A fragments of the warp's 16 query rows
    float o[kNTiles][4];      // C fragments of acc
    float m[2], l[2];         // l: this lane's part of the row sum until finish_l
    int warp, lane;

    __device__ MmaTile() : warp(int(threadIdx.x) / 32), lane(int(threadIdx.x) % 32) {}
    __device__ int row(int i) const { return warp * 16 + lane / 4 + 8 * i; }
    __device__ int col(int k) const { return (k >> 1) * 8 + 2 * (lane & 3) + (k & 1); }
    __device__ float &out(int i, int k) { return o[k >> 1][2 * i + (k & 1)]; }
    __device__ float row_m(int i) const { return m[i]; }
    __device__ float row_l(int i) const { return l[i]; }
    // Sums the quad's parts of l (the four lanes holding a row).
    __device__ void finish_l() {
#pragma unroll
        for (int i = 0; i < 2; i++) {
            l[i] += __shfl_xor_sync(0xffffffffu, l[i], 1);
            l[i] += __shfl_xor_sync(0xffffffffu, l[i], 2);
        }
    }

    // Element offset of 16-byte piece c of row r.
    __device__ static int swz(int r, int c) {
        return r * D + ((c ^ (r & 7)) << 3);
    }

    __device__ void load_queries(Smem &sm, const TileRows &rows, int /*D*/, float f) {
        for (int idx = threadIdx.x; idx < kRows * kChunks; idx += kThreads) {
            const int r = idx / kChunks, c = idx % kChunks;
            const float *q = rows.q[r];
            float x[8];
#pragma unroll
            for (int e = 0; e < 8; e++) x[e] = q != nullptr ? q[c * 8 + e] * f : 0.0f;
            uint4 w;
            w.x = H::pack(x[0], x[1]);
            w.y = H::pack(x[2], x[3]);
            w.z = H::pack(x[4], x[5]);
            w.w = H::pack(x[6], x[7]);
            *reinterpret_cast<uint4 *>(&sm.q[swz(r, c)]) = w;
        }
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < kKSteps; kk++)
            ldmatrix_x4(qf[kk], &sm.q[swz(warp * 16 + (lane & 7) + ((lane >> 3) & 1) * 8, 2 * kk + (lane >> 4))]);
#pragma unroll
        for (int i = 0; i < 2; i++) {
            m[i] = -INFINITY;
            l[i] = 0.0f;
        }
#pragma unroll
        for (int n = 0; n < kNTiles; n++)
#pragma unroll
            for (int e = 0; e < 4; e++) o[n][e] = 0.0f;
    }

    // Starts copying keys [jb, jb + nc) of K and V into buffers ks, vs (rows beyond nc zeroed).
    __device__ static void load_block(T *ks, T *vs, const HeadKv &kv, int64_t jb, int nc, bool aligned) {
        const T *kb = static_cast<const T *>(kv.k) + jb * kv.k_stride;
        const T *vb = static_cast<const T *>(kv.v) + jb * kv.v_stride;
        for (int idx = threadIdx.x; idx < kBlockKeys * kChunks; idx += kThreads) {
            const int j = idx / kChunks, c = idx % kChunks;
            const int off = swz(j, c);
            if (j >= nc) {
                *reinterpret_cast<uint4 *>(&ks[off]) = make_uint4(0, 0, 0, 0);
                *reinterpret_cast<uint4 *>(&vs[off]) = make_uint4(0, 0, 0, 0);
            } else if (aligned) {
                cp_async16(&ks[off], kb + j * kv.k_stride + c * 8);
                cp_async16(&vs[off], vb + j * kv.v_stride + c * 8);
            } else {
#pragma unroll
                for (int e = 0; e < 8; e++) {
                    ks[off + e] = kb[j * kv.k_stride + c * 8 + e];
                    vs[off + e] = vb[j * kv.v_stride + c * 8 + e];
                }
            }
        }
        cp_async_commit();
    }

    // Whether a V row of the block that some real row masks holds an Inf or NaN (block-wide answer).
    __device__ static bool masked_v_nonfinite(const T *vs, const TileRows &rows, int64_t jb, int nc) {
        bool bad = false;
        for (int idx = threadIdx.x; idx < nc * kChunks; idx += kThreads) {
            const int j = idx / kChunks;
            const int64_t key = jb + j;
            if (key >= rows.max_lo && key < rows.min_hi) continue;  // every row sees it
            const uint16_t *x = reinterpret_cast<const uint16_t *>(vs + j * D + (idx % kChunks) * 8);
#pragma unroll
            for (int e = 0; e < 8; e++) bad |= (x[e] & H::kExponent) == H::kExponent;
        }
        return __syncthreads_or(bad) != 0;
    }

    // The block step on the warp's rows: S = Q·K^T, masks, online softmax, acc += P·V (tensor cores,
    // or FMAs when `unsafe`: a V row some row masks holds Inf or NaN).
    __device__ void block_step(Smem &sm, const TileRows &rows, const T *ks, const T *vs, int64_t jb, int nc,
                               bool masked, bool unsafe) {
        const int g = lane / 4, qd = lane & 3;
        float s[8][4];  // 16 rows x 64 keys per warp, fp32
#pragma unroll
        for (int n = 0; n < 8; n++)
#pragma unroll
            for (int e = 0; e < 4; e++) s[n][e] = 0.0f;
#pragma unroll
        for (int kk = 0; kk < kKSteps; kk++) {
#pragma unroll
            for (int n2 = 0; n2 < 4; n2++) {
                uint32_t b[4];
                ldmatrix_x4(b, &ks[swz(8 * (2 * n2 + (lane >> 4)) + (lane & 7), 2 * kk + ((lane >> 3) & 1))]);
                H::mma(s[2 * n2], qf[kk], b[0], b[1]);
                H::mma(s[2 * n2 + 1], qf[kk], b[2], b[3]);
            }
        }

        // Masks: scores outside a row's window are assigned -inf (whatever K held).
        int wa[2] = {0, 0}, wb[2] = {kBlockKeys, kBlockKeys};
        if (masked) {
#pragma unroll
            for (int i = 0; i < 2; i++) {
                block_window(rows, row(i), jb, nc, wa[i], wb[i]);
#pragma unroll
                for (int n = 0; n < 8; n++)
#pragma unroll
                    for (int e = 0; e < 2; e++) {
                        const int j = 8 * n + 2 * qd + e;
                        if (j < wa[i] || j >= wb[i]) s[n][2 * i + e] = -INFINITY;
                    }
            }
        }

        // Online softmax; s becomes P.
#pragma unroll
        for (int i = 0; i < 2; i++) {
            float mx = m[i];
#pragma unroll
            for (int n = 0; n < 8; n++) mx = fmaxf(mx, fmaxf(s[n][2 * i], s[n][2 * i + 1]));  // drops NaN
            mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 1));
            mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 2));
            if (mx == -INFINITY) {  // nothing visible yet: this row takes nothing from the block
#pragma unroll
                for (int n = 0; n < 8; n++) s[n][2 * i] = s[n][2 * i + 1] = 0.0f;
                wb[i] = wa[i];
                continue;
            }
            const float alpha = m[i] == -INFINITY ? 0.0f : exp2f(m[i] - mx);
            float sum = 0.0f;
#pragma unroll
            for (int n = 0; n < 8; n++)
#pragma unroll
                for (int e = 0; e < 2; e++) {
                    const float p = exp2f(s[n][2 * i + e] - mx);
                    s[n][2 * i + e] = p;
                    sum += p;
                }
            l[i] = l[i] * alpha + sum;
            m[i] = mx;
#pragma unroll
            for (int n = 0; n < kNTiles; n++) {
                o[n][2 * i] *= alpha;
                o[n][2 * i + 1] *= alpha;
            }
        }

        if (!unsafe) {
            // acc += P·V on tensor cores; every V row a row masks is finite, so its p = 0 adds exactly 0.
#pragma unroll
            for (int kk = 0; kk < 4; kk++) {
                uint32_t a[4];
                a[0] = H::pack(s[2 * kk][0], s[2 * kk][1]);
                a[1] = H::pack(s[2 * kk][2], s[2 * kk][3]);
                a[2] = H::pack(s[2 * kk + 1][0], s[2 * kk + 1][1]);
                a[3] = H::pack(s[2 * kk + 1][2], s[2 * kk + 1][3]);
#pragma unroll
                for (int n2 = 0; n2 < D / 16; n2++) {
                    uint32_t b[4];
                    ldmatrix_x4_trans(b, &vs[swz(16 * kk + (lane & 7) + ((lane >> 3) & 1) * 8, 2 * n2 + (lane >> 4))]);
                    H::mma(o[2 * n2], a, b[0], b[1]);
                    H::mma(o[2 * n2 + 1], a, b[2], b[3]);
                }
            }
        } else {
            // P (rounded to T as on the fast path) times V with FMAs, each row stopping at its window.
            // P goes through the warp's own rows of the query buffer (no longer read).
            T *pw = sm.q + warp * 16 * D;  // [16][64]
#pragma unroll
            for (int n = 0; n < 8; n++)
#pragma unroll
                for (int e = 0; e < 4; e++)
                    pw[(g + 8 * (e >> 1)) * kBlockKeys + 8 * n + 2 * qd + (e & 1)] = H::narrow(s[n][e]);
            __syncwarp();
#pragma unroll
            for (int i = 0; i < 2; i++)
                for (int j = wa[i]; j < wb[i]; j++) {
                    const float p = H::widen(pw[(g + 8 * i) * kBlockKeys + j]);
#pragma unroll
                    for (int n = 0; n < kNTiles; n++)
#pragma unroll
                        for (int e = 0; e < 2; e++) {
                            const float v = H::widen(vs[swz(j, n) + 2 * qd + e]);
                            o[n][2 * i + e] = fmaf(p, v, o[n][2 * i + e]);
                        }
                }
            __syncwarp();
        }
    }

    // Consumes keys [rows.j0, rows.j1) of one head in 64-key blocks, the next block's copy in flight
    // while the current one is computed.
    __device__ void attend(Smem &sm, const TileRows &rows, const HeadKv &kv, int /*D*/, bool aligned) {
        // The keys the warp's real rows see, [wlo, whi): a warp skips blocks outside them.
        int64_t wlo = INT64_MAX, whi = INT64_MIN;
#pragma unroll
        for (int i = 0; i < 2; i++) {
            const int r = row(i);
            if (r < rows.nr) {
                wlo = rows.lo[r] < wlo ? rows.lo[r] : wlo;
                whi = rows.hi[r] > whi ? rows.hi[r] : whi;
            }
        }
        for (int off = 16; off > 0; off >>= 1) {
            const int64_t a = __shfl_xor_sync(0xffffffffu, wlo, off), b = __shfl_xor_sync(0xffffffffu, whi, off);
            wlo = a < wlo ? a : wlo;
            whi = b > whi ? b : whi;
        }

        const int64_t n_blocks = (rows.j1 - rows.j0 + kBlockKeys - 1) / kBlockKeys;
        if (n_blocks > 0) load_block(sm.k[0], sm.v[0], kv, rows.j0, int(min64(kBlockKeys, rows.j1 - rows.j0)), aligned);
        for (int64_t ib = 0; ib < n_blocks; ib++) {
            const int64_t jb = rows.j0 + ib * kBlockKeys;
            const int nc = int(min64(kBlockKeys, rows.j1 - jb));
            const int buf = int(ib & 1);
            if (ib + 1 < n_blocks) {
                // The other buffer was released by the barrier ending the previous block.
                const int64_t jn = jb + kBlockKeys;
                load_block(sm.k[buf ^ 1], sm.v[buf ^ 1], kv, jn, int(min64(kBlockKeys, rows.j1 - jn)), aligned);
                cp_async_wait<1>();
            } else {
                cp_async_wait<0>();
            }
            __syncthreads();
            // Only blocks reaching outside [max_lo, min_hi) need masks and the check of masked V rows
            // (block-uniform, every thread takes part in the check's barrier).
            const bool masked = jb < rows.max_lo || jb + kBlockKeys > rows.min_hi;
            const bool unsafe = masked && masked_v_nonfinite(sm.v[buf], rows, jb, nc);
            if (jb < whi && jb + kBlockKeys > wlo) block_step(sm, rows, sm.k[buf], sm.v[buf], jb, nc, masked, unsafe);
            __syncthreads();  // the buffer is free for the block after next
        }
    }
};

// ---- host-side dispatch ----------------------------------------------------------------------------

template <typename Tile>
struct TileTag {
    using type = Tile;
};

// Calls f(TileTag<FmaTile<DP>>) with the smallest DP in {64, 128, 256} holding D.
template <typename F>
void with_fma_tile(int32_t D, F &&f) {
    if (D <= 64)
        f(TileTag<FmaTile<64>>{});
    else if (D <= 128)
        f(TileTag<FmaTile<128>>{});
    else
        f(TileTag<FmaTile<256>>{});
}

// Calls f(TileTag<MmaTile<D, T, kWarps>>) for a dtype and head size flash_mma_supports.
template <int kWarps, typename F>
void with_mma_tile(int32_t dtype, int32_t D, F &&f) {
    if (dtype == RWKVX_DTYPE_F16) {
        if (D == 64)
            f(TileTag<MmaTile<64, __half, kWarps>>{});
        else
            f(TileTag<MmaTile<128, __half, kWarps>>{});
    } else {
        if (D == 64)
            f(TileTag<MmaTile<64, __nv_bfloat16, kWarps>>{});
        else
            f(TileTag<MmaTile<128, __nv_bfloat16, kWarps>>{});
    }
}

// Lets a kernel use `bytes` of dynamic shared memory: beyond 48 KiB (less its static TileRows) a
// kernel must opt in, so every launch states it (a cheap driver call, right on every device).
template <typename Kernel>
void allow_smem(Kernel kernel, size_t bytes) {
    RWKVX_CUDA_CHECK(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(bytes)));
}

}  // namespace flash
}  // namespace cuda
}  // namespace rwkvx
