// The WKV recurrences on CUDA: RWKV-7 (recurrent and chunked), RWKV-4 and RWKV-5.2/6. Each follows
// the CPU's formulas and order of operations (native/cpu/scalar/wkv_scalar.cpp); only fp32 FMA
// contraction and, for the chunked RWKV-7, the algebraic regrouping described below differ, so
// results agree with the CPU up to float32 rounding (docs/numerics.md §2.4–2.6), not bit for bit.
#include <algorithm>
#include <string>

#include "cuda/cuda_common.cuh"
#include "cuda/cuda_kernels.h"

namespace rwkvx {
namespace cuda {

namespace {

// ---- RWKV-7, recurrent -----------------------------------------------------------------------------
// Per head h and token t, for every value row i of the state (S[i][j] = state[h][j][i], key j):
//   sa = sum_j S[i][j] a_j ;  S[i][j] <- S[i][j] w_j + sa b_j + v_i k_j ;  y_i = sum_j S[i][j] r_j
// Rows are independent, so a thread owns one row for the whole sequence.

constexpr int kRowsPerBlock = 32;  // value rows (threads) per block of the register kernels
constexpr int kStagedTokens = 8;   // tokens whose vectors are staged in shared memory per barrier
constexpr int kGenericRows = 128;  // value rows per block of the global-memory kernels

// N in {32, 64, 128}: the thread's row of S lives in N registers; r, w, k, a, b of kStagedTokens
// tokens are staged in shared memory (5 * 8 * 128 * 4 B = 20 KiB at most). Grid (H, N / 32).
template <int N>
__global__ void __launch_bounds__(kRowsPerBlock) wkv7_recurrent_registers(rwkvx_wkv7_params p) {
    __shared__ float sr[kStagedTokens][N], sw[kStagedTokens][N], sk[kStagedTokens][N], sa[kStagedTokens][N],
        sb[kStagedTokens][N];
    const int h = blockIdx.x;
    const int i = blockIdx.y * kRowsPerBlock + threadIdx.x;
    const int64_t C = int64_t(p.n_head) * N;
    float *S = p.state + int64_t(h) * N * N + i;  // S[j * N]: key j of this value row
    float s[N];
#pragma unroll
    for (int j = 0; j < N; j++) s[j] = S[j * N];
    for (int64_t t0 = 0; t0 < p.n_tokens; t0 += kStagedTokens) {
        const int nt = int(min(int64_t(kStagedTokens), p.n_tokens - t0));
        __syncthreads();  // every thread is done with the previous tokens' vectors
        for (int e = threadIdx.x; e < nt * N; e += kRowsPerBlock) {
            const int tt = e / N, j = e % N;
            const int64_t o = (t0 + tt) * C + int64_t(h) * N + j;
            sr[tt][j] = p.r[o];
            sw[tt][j] = p.w[o];
            sk[tt][j] = p.k[o];
            sa[tt][j] = p.a[o];
            sb[tt][j] = p.b[o];
        }
        __syncthreads();
        for (int tt = 0; tt < nt; tt++) {
            const int64_t o = (t0 + tt) * C + int64_t(h) * N;
            const float vi = p.v[o + i];
            float dot_a = 0.0f;
#pragma unroll
            for (int j = 0; j < N; j++) dot_a += s[j] * sa[tt][j];
            float y = 0.0f;
#pragma unroll
            for (int j = 0; j < N; j++) {
                s[j] = s[j] * sw[tt][j] + dot_a * sb[tt][j] + vi * sk[tt][j];
                y += s[j] * sr[tt][j];
            }
            p.y[o + i] = y;
        }
    }
#pragma unroll
    for (int j = 0; j < N; j++) S[j * N] = s[j];
}

// Any N in 1..4096: the row stays in global memory (read and written once per token, coalesced
// across the block's rows); the token vectors are read through the cache. Grid (H, ceil(N / 128)).
__global__ void __launch_bounds__(kGenericRows) wkv7_recurrent_global(rwkvx_wkv7_params p) {
    const int N = p.head_size;
    const int h = blockIdx.x;
    const int i = blockIdx.y * kGenericRows + threadIdx.x;
    if (i >= N) return;
    const int64_t C = int64_t(p.n_head) * N;
    float *S = p.state + int64_t(h) * N * N + i;
    for (int64_t t = 0; t < p.n_tokens; t++) {
        const int64_t o = t * C + int64_t(h) * N;
        const float *r = p.r + o, *w = p.w + o, *k = p.k + o, *a = p.a + o, *b = p.b + o;
        float dot_a = 0.0f;
        for (int j = 0; j < N; j++) dot_a += S[int64_t(j) * N] * a[j];
        const float vi = p.v[o + i];
        float y = 0.0f;
        for (int j = 0; j < N; j++) {
            const float s = S[int64_t(j) * N] * w[j] + dot_a * b[j] + vi * k[j];
            S[int64_t(j) * N] = s;
            y += s * r[j];
        }
        p.y[o + i] = y;
    }
}

// ---- RWKV-7, chunked -------------------------------------------------------------------------------
// The same recurrence, kChunk tokens at a time. For one value row x (a row of S, indexed by key j)
// and the chunk's tokens t = 0..L-1 starting from x0, with c_t = x_{t-1}·a_t (the CPU's `sa`):
//   x_t = x_{t-1}∘w_t + c_t b_t + v_t k_t
//       = x0∘D(0..t) + sum_{s<=t} (c_s b_s + v_s k_s)∘D(s+1..t),   D(m..n) = prod_{m<=τ<=n} w_τ
// so the scalars c_t solve a unit lower-triangular system shared by every row of the head,
//   c_t - sum_{s<t} M[t][s] c_s = x0·A'_t + sum_{s<t} v_s Q[t][s]
//   A'_t = a_t∘D(0..t-1),  M[t][s] = sum_j b_s a_t D(s+1..t-1),  Q[t][s] = sum_j k_s a_t D(s+1..t-1)
// and with T = (I - M)^-1, Ã = T A', Q̃ = T Q (c = x0 Ã^T + v Q̃^T), the outputs and the chunk's
// final state are
//   y_t = x0·R̃_t + sum_{s<=t} v_s K̃[t][s],   R̃ = R' + Yb Ã,  K̃ = Yk + Yb Q̃
//   x_{L-1} = x0∘D(0..L-1) + sum_s (c_s B'_s + v_s K'_s)
//   R'_t = r_t∘D(0..t),  Yb[t][s] = sum_j b_s r_t D(s+1..t),  Yk[t][s] = sum_j k_s r_t D(s+1..t),
//   B'_s = b_s∘D(s+1..L-1),  K'_s = k_s∘D(s+1..L-1).
// Every decay factor is a plain product of w's over a token range (no division, no logarithm), so
// any w in (0, 1] is safe: products only shrink towards 0.
//
// Two kernels per window of chunks:
//  - wkv7_chunk_prepare (one block per chunk and head, all in parallel) builds the state-independent
//    Ã, R̃, B', K' (L x N), Q̃, K̃ (L x L) and D(0..L-1) (N) into a workspace;
//  - wkv7_chunk_advance (one block per head and 16 value rows) walks the chunks in order: per chunk
//    it computes c and y for every (row, token) pair, then the new state for every (row, key)
//    element, each a short dot product of independent threads.
// Why this helps long prefill: the recurrent kernel's step per token is two dependent chains of N
// FMAs in one thread per row, and only H * N threads exist. Here the sequential part per chunk is a
// chain of about N + 2L operations spread over 256 threads per 16 rows, the chunk-local algebra runs
// fully in parallel over all chunks, and a head occupies N / 16 blocks instead of N threads.
// The padding of a partial last chunk uses w = 1, r = k = a = b = v = 0: an identity step.

constexpr int kChunk = 16;                                   // tokens per chunk (L)
constexpr int kChunkThreads = 256;                           // threads of both chunk kernels
constexpr int kChunkRows = 16;                               // value rows per advance block
constexpr int kChunkedMaxN = 128;                            // larger heads use the recurrent form
constexpr int64_t kChunkWorkspaceFloats = int64_t(1) << 23;  // 32 MiB of prepared chunks per window
constexpr int kMaxGridY = 65535;
static_assert(kChunk * kChunk <= kChunkThreads && kChunkRows * kChunk <= kChunkThreads,
              "one thread per token pair and per (row, token) pair");

// Floats of one (chunk, head)'s prepared matrices, in this order: Ã, R̃, B', K' [L][N]; Q̃, K̃ [L][L];
// D(0..L-1) [N].
__host__ __device__ inline int64_t chunk_floats(int N) {
    return 4 * int64_t(kChunk) * N + 2 * kChunk * kChunk + N;
}
// Row stride of [L][N] tiles in shared memory: odd, so rows read at the same column sit in
// different banks.
__host__ __device__ inline int odd_stride(int N) {
    return N | 1;
}
constexpr int kPairStride = kChunk + 1;  // row stride of [L][L] tiles in shared memory

inline size_t prepare_smem_bytes(int N) {
    return sizeof(float) * (8 * size_t(kChunk) * odd_stride(N) + 6 * size_t(kChunk) * kPairStride);
}
inline size_t advance_smem_bytes(int N) {
    const int P = odd_stride(N);
    return sizeof(float) * (size_t(kChunkRows) * P + 4 * size_t(kChunk) * P + 2 * size_t(kChunk) * kPairStride +
                            size_t(N) + 2 * size_t(kChunk) * (kChunkRows + 1) + size_t(kChunkRows) * kPairStride);
}

// Grid (H, chunks in the window); chunk blockIdx.y is chunk0 + blockIdx.y of the sequence. Writes its
// matrices at ws + (blockIdx.y * H + h) * chunk_floats(N).
__global__ void __launch_bounds__(kChunkThreads) wkv7_chunk_prepare(rwkvx_wkv7_params p, int64_t chunk0, float *ws) {
    extern __shared__ float prep_smem[];
    constexpr int L = kChunk, LP = kPairStride;
    const int N = p.head_size, P = odd_stride(N);
    const int h = blockIdx.x;
    const int64_t t0 = (chunk0 + blockIdx.y) * L;
    const int nt = int(min(int64_t(L), p.n_tokens - t0));
    const int64_t C = int64_t(p.n_head) * N;

    float *r = prep_smem, *w = r + L * P, *k = w + L * P, *a = k + L * P, *b = a + L * P;
    float *Ap = b + L * P, *Rp = Ap + L * P, *At = Rp + L * P;
    float *M = At + L * P, *Q = M + L * LP, *Yb = Q + L * LP, *Yk = Yb + L * LP, *Ti = Yk + L * LP, *Qt = Ti + L * LP;

    float *out = ws + (int64_t(blockIdx.y) * p.n_head + h) * chunk_floats(N);
    float *g_At = out, *g_Rt = g_At + L * N, *g_Bp = g_Rt + L * N, *g_Kp = g_Bp + L * N;
    float *g_Qt = g_Kp + L * N, *g_Ky = g_Qt + L * L, *g_Wl = g_Ky + L * L;

    // Stage the chunk's vectors; tokens past the sequence are identity steps.
    for (int e = threadIdx.x; e < L * N; e += kChunkThreads) {
        const int t = e / N, j = e % N;
        if (t < nt) {
            const int64_t o = (t0 + t) * C + int64_t(h) * N + j;
            r[t * P + j] = p.r[o];
            w[t * P + j] = p.w[o];
            k[t * P + j] = p.k[o];
            a[t * P + j] = p.a[o];
            b[t * P + j] = p.b[o];
        } else {
            r[t * P + j] = 0.0f;
            w[t * P + j] = 1.0f;
            k[t * P + j] = 0.0f;
            a[t * P + j] = 0.0f;
            b[t * P + j] = 0.0f;
        }
    }
    __syncthreads();

    // Token pairs (t, s): M, Q (s < t) and Yb, Yk (s <= t); zero elsewhere.
    for (int e = threadIdx.x; e < L * L; e += kChunkThreads) {
        const int t = e / L, s = e % L;
        float m = 0.0f, q = 0.0f, yb = 0.0f, yk = 0.0f;
        if (s <= t) {
            for (int j = 0; j < N; j++) {
                float d = 1.0f;  // D(s+1..t-1)
                for (int tau = s + 1; tau < t; tau++) d *= w[tau * P + j];
                const float bs = b[s * P + j], ks = k[s * P + j];
                if (s < t) {
                    const float ad = a[t * P + j] * d;
                    m += bs * ad;
                    q += ks * ad;
                    d *= w[t * P + j];  // D(s+1..t)
                }
                const float rd = r[t * P + j] * d;
                yb += bs * rd;
                yk += ks * rd;
            }
        }
        M[t * LP + s] = m;
        Q[t * LP + s] = q;
        Yb[t * LP + s] = yb;
        Yk[t * LP + s] = yk;
    }
    // Per key j: A', R' from the prefix decays, B', K' from the suffix decays, and D(0..L-1).
    for (int j = threadIdx.x; j < N; j += kChunkThreads) {
        float d = 1.0f;  // D(0..t-1)
        for (int t = 0; t < L; t++) {
            Ap[t * P + j] = a[t * P + j] * d;
            d *= w[t * P + j];
            Rp[t * P + j] = r[t * P + j] * d;
        }
        g_Wl[j] = d;
        float f = 1.0f;  // D(s+1..L-1)
        for (int s = L - 1; s >= 0; s--) {
            g_Bp[s * N + j] = b[s * P + j] * f;
            g_Kp[s * N + j] = k[s * P + j] * f;
            f *= w[s * P + j];
        }
    }
    __syncthreads();

    // T = (I - M)^-1 by columns: T[t][s] = [t == s] + sum_{s<=m<t} M[t][m] T[m][s].
    for (int s = threadIdx.x; s < L; s += kChunkThreads) {
        for (int t = 0; t < s; t++) Ti[t * LP + s] = 0.0f;
        Ti[s * LP + s] = 1.0f;
        for (int t = s + 1; t < L; t++) {
            float acc = 0.0f;
            for (int m = s; m < t; m++) acc += M[t * LP + m] * Ti[m * LP + s];
            Ti[t * LP + s] = acc;
        }
    }
    __syncthreads();

    // Ã = T A' and Q̃ = T Q (strictly lower).
    for (int e = threadIdx.x; e < L * N; e += kChunkThreads) {
        const int t = e / N, j = e % N;
        float acc = 0.0f;
        for (int s = 0; s <= t; s++) acc += Ti[t * LP + s] * Ap[s * P + j];
        At[t * P + j] = acc;
        g_At[t * N + j] = acc;
    }
    for (int e = threadIdx.x; e < L * L; e += kChunkThreads) {
        const int t = e / L, s = e % L;
        float acc = 0.0f;
        for (int m = s + 1; m <= t; m++) acc += Ti[t * LP + m] * Q[m * LP + s];
        Qt[t * LP + s] = acc;
        g_Qt[t * L + s] = acc;
    }
    __syncthreads();

    // R̃ = R' + Yb Ã and K̃ = Yk + Yb Q̃ (lower, diagonal included).
    for (int e = threadIdx.x; e < L * N; e += kChunkThreads) {
        const int t = e / N, j = e % N;
        float acc = Rp[t * P + j];
        for (int s = 0; s <= t; s++) acc += Yb[t * LP + s] * At[s * P + j];
        g_Rt[t * N + j] = acc;
    }
    for (int e = threadIdx.x; e < L * L; e += kChunkThreads) {
        const int t = e / L, s = e % L;
        float acc = Yk[t * LP + s];
        for (int m = s + 1; m <= t; m++) acc += Yb[t * LP + m] * Qt[m * LP + s];
        g_Ky[t * L + s] = acc;
    }
}

// Grid (H, ceil(N / kChunkRows)): value rows i0 .. i0 + 15 of head h through chunks chunk0 ..
// chunk0 + n_chunks - 1, whose prepared matrices are ws's (window-relative) chunks 0 .. n_chunks - 1.
__global__ void __launch_bounds__(kChunkThreads)
    wkv7_chunk_advance(rwkvx_wkv7_params p, int64_t chunk0, int n_chunks, const float *ws) {
    extern __shared__ float adv_smem[];
    constexpr int L = kChunk, LP = kPairStride, RS = kChunkRows, VS = kChunkRows + 1;
    const int N = p.head_size, P = odd_stride(N);
    const int h = blockIdx.x;
    const int i0 = blockIdx.y * RS;
    const int rows = min(RS, N - i0);
    const int64_t C = int64_t(p.n_head) * N;

    float *X = adv_smem;  // [RS][P]: X[i][j] = S[value i0 + i][key j]
    float *At = X + RS * P, *Rt = At + L * P, *Bp = Rt + L * P, *Kp = Bp + L * P;
    float *Qt = Kp + L * P, *Ky = Qt + L * LP, *Wl = Ky + L * LP;
    float *V = Wl + N;        // [L][VS]: V[s][i] = v_s of row i
    float *Ys = V + L * VS;   // [L][VS]
    float *Cs = Ys + L * VS;  // [RS][LP]: c_t of row i

    float *S = p.state + int64_t(h) * N * N;
    for (int e = threadIdx.x; e < rows * N; e += kChunkThreads) {
        const int i = e % rows, j = e / rows;  // consecutive threads read consecutive values
        X[i * P + j] = S[int64_t(j) * N + i0 + i];
    }
    for (int c = 0; c < n_chunks; c++) {
        const int64_t t0 = (chunk0 + c) * L;
        const int nt = int(min(int64_t(L), p.n_tokens - t0));
        const float *src = ws + (int64_t(c) * p.n_head + h) * chunk_floats(N);
        for (int e = threadIdx.x; e < L * N; e += kChunkThreads) {
            const int t = e / N, j = e % N;
            At[t * P + j] = src[e];
            Rt[t * P + j] = src[L * N + e];
            Bp[t * P + j] = src[2 * L * N + e];
            Kp[t * P + j] = src[3 * L * N + e];
        }
        for (int e = threadIdx.x; e < L * L; e += kChunkThreads) {
            const int t = e / L, s = e % L;
            Qt[t * LP + s] = src[4 * L * N + e];
            Ky[t * LP + s] = src[4 * L * N + L * L + e];
        }
        for (int j = threadIdx.x; j < N; j += kChunkThreads) Wl[j] = src[4 * L * N + 2 * L * L + j];
        for (int e = threadIdx.x; e < L * RS; e += kChunkThreads) {
            const int t = e / RS, i = e % RS;
            V[t * VS + i] = t < nt && i < rows ? p.v[(t0 + t) * C + int64_t(h) * N + i0 + i] : 0.0f;
        }
        __syncthreads();

        // Per (row, token): c_t = x0·Ã_t + sum_{s<t} v_s Q̃[t][s];  y_t = x0·R̃_t + sum_{s<=t} v_s K̃[t][s].
        for (int e = threadIdx.x; e < RS * L; e += kChunkThreads) {
            const int i = e / L, t = e % L;
            if (i < rows) {
                float cc = 0.0f, yy = 0.0f;
                for (int j = 0; j < N; j++) {
                    const float x = X[i * P + j];
                    cc += x * At[t * P + j];
                    yy += x * Rt[t * P + j];
                }
                for (int s = 0; s < t; s++) cc += V[s * VS + i] * Qt[t * LP + s];
                for (int s = 0; s <= t; s++) yy += V[s * VS + i] * Ky[t * LP + s];
                Cs[i * LP + t] = cc;
                Ys[t * VS + i] = yy;
            }
        }
        __syncthreads();

        // Per (row, key): the state after the chunk; and the outputs, coalesced.
        for (int e = threadIdx.x; e < rows * N; e += kChunkThreads) {
            const int i = e / N, j = e % N;
            float x = X[i * P + j] * Wl[j];
            for (int s = 0; s < L; s++) x += Cs[i * LP + s] * Bp[s * P + j] + V[s * VS + i] * Kp[s * P + j];
            X[i * P + j] = x;
        }
        for (int e = threadIdx.x; e < nt * RS; e += kChunkThreads) {
            const int t = e / RS, i = e % RS;
            if (i < rows) p.y[(t0 + t) * C + int64_t(h) * N + i0 + i] = Ys[t * VS + i];
        }
        __syncthreads();  // the next chunk overwrites the tiles read above
    }
    for (int e = threadIdx.x; e < rows * N; e += kChunkThreads) {
        const int i = e % rows, j = e / rows;
        S[int64_t(j) * N + i0 + i] = X[i * P + j];
    }
}

// Opts a kernel in to more than the default 48 KiB of dynamic shared memory when it needs it.
template <typename Kernel>
void allow_dynamic_smem(Kernel kernel, size_t bytes) {
    if (bytes > 48 * 1024)
        RWKVX_CUDA_CHECK(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, int(bytes)));
}

// Tokens from which wkv7() takes the chunked form. Below it the recurrent kernel should win: the
// chunked form costs two launches per window, a workspace and about 4/3 of the FLOPs, which pays off
// once the recurrent kernel's per-token latency dominates (prefill of hundreds of tokens). An
// estimate from the kernels' critical paths; retune with GPU timings.
constexpr int64_t kChunkedMinTokens = 256;

// ---- RWKV-4 ----------------------------------------------------------------------------------------

constexpr int kWkv4Threads = 256;

// Rounding error of s = a + b (TwoSum); 0 when s is not finite (k = -inf), where it is unused.
__device__ __forceinline__ float sum_error(float a, float b, float s) {
    if (!(fabsf(s) <= 3.4e38f)) return 0.0f;
    const float bv = s - a;
    return (a - (s - bv)) + (b - bv);
}

// One thread per channel, sequential over tokens; the CPU's formulas with accurate expf.
__global__ void __launch_bounds__(kWkv4Threads) wkv4_kernel(rwkvx_wkv4_params p) {
    const int64_t c = int64_t(blockIdx.x) * kWkv4Threads + threadIdx.x;
    const int64_t C = p.n_channels;
    if (c >= C) return;
    float aa = p.state[c], bb = p.state[C + c], pp = p.state[2 * C + c];
    const float u = p.time_first[c], w = p.time_decay[c];
    for (int64_t t = 0; t < p.n_tokens; t++) {
        const float k = p.k[t * C + c], v = p.v[t * C + c];
        float ww = u + k;
        float q = pp > ww ? pp : ww;
        float e1 = expf(pp - q), e2 = expf((ww - q) + sum_error(u, k, ww));
        p.y[t * C + c] = (e1 * aa + e2 * v) / (e1 * bb + e2);
        ww = pp + w;
        q = ww > k ? ww : k;
        e1 = expf((ww - q) + sum_error(pp, w, ww));
        e2 = expf(k - q);
        aa = e1 * aa + e2 * v;
        bb = e1 * bb + e2;
        pp = q;
    }
    p.state[c] = aa;
    p.state[C + c] = bb;
    p.state[2 * C + c] = pp;
}

// ---- RWKV-5.2 / RWKV-6 -----------------------------------------------------------------------------
// Per head h and token t, for every value column j (S[i][j] = state[h][i][j], key i):
//   y_j = sum_i r_i (u_i k_i v_j + S[i][j]) ;  S[i][j] <- w_i S[i][j] + k_i v_j
// A thread owns one value column.

// N in {32, 64, 128}: the column in registers; r, k, u*k and w staged per kStagedTokens tokens (the
// per-channel u and w too, so that nothing loop-invariant is hoisted into N more registers).
template <int N>
__global__ void __launch_bounds__(kRowsPerBlock) wkv5_registers(rwkvx_wkv5_params p) {
    __shared__ float sr[kStagedTokens][N], sk[kStagedTokens][N], suk[kStagedTokens][N], sw[kStagedTokens][N];
    const int h = blockIdx.x;
    const int j = blockIdx.y * kRowsPerBlock + threadIdx.x;
    const int64_t C = int64_t(p.n_head) * N;
    const int64_t w_stride = p.w_per_token ? C : 0;
    float *S = p.state + int64_t(h) * N * N + j;  // S[i * N]: key i of this value column
    float s[N];
#pragma unroll
    for (int i = 0; i < N; i++) s[i] = S[i * N];
    for (int64_t t0 = 0; t0 < p.n_tokens; t0 += kStagedTokens) {
        const int nt = int(min(int64_t(kStagedTokens), p.n_tokens - t0));
        __syncthreads();  // every thread is done with the previous tokens' vectors
        for (int e = threadIdx.x; e < nt * N; e += kRowsPerBlock) {
            const int tt = e / N, i = e % N;
            const int64_t o = (t0 + tt) * C + int64_t(h) * N + i;
            const float ki = p.k[o];
            sr[tt][i] = p.r[o];
            sk[tt][i] = ki;
            suk[tt][i] = p.u[int64_t(h) * N + i] * ki;
            sw[tt][i] = p.w[(t0 + tt) * w_stride + int64_t(h) * N + i];
        }
        __syncthreads();
        for (int tt = 0; tt < nt; tt++) {
            const int64_t o = (t0 + tt) * C + int64_t(h) * N;
            const float vj = p.v[o + j];
            float y = 0.0f;
#pragma unroll
            for (int i = 0; i < N; i++) {
                y += sr[tt][i] * (suk[tt][i] * vj + s[i]);
                s[i] = sw[tt][i] * s[i] + sk[tt][i] * vj;
            }
            p.y[o + j] = y;
        }
    }
#pragma unroll
    for (int i = 0; i < N; i++) S[i * N] = s[i];
}

// Any N: the column in global memory. Grid (H, ceil(N / 128)).
__global__ void __launch_bounds__(kGenericRows) wkv5_global(rwkvx_wkv5_params p) {
    const int N = p.head_size;
    const int h = blockIdx.x;
    const int j = blockIdx.y * kGenericRows + threadIdx.x;
    if (j >= N) return;
    const int64_t C = int64_t(p.n_head) * N;
    const int64_t w_stride = p.w_per_token ? C : 0;
    float *S = p.state + int64_t(h) * N * N + j;
    const float *u = p.u + int64_t(h) * N;
    for (int64_t t = 0; t < p.n_tokens; t++) {
        const int64_t o = t * C + int64_t(h) * N;
        const float *r = p.r + o, *k = p.k + o, *w = p.w + t * w_stride + int64_t(h) * N;
        const float vj = p.v[o + j];
        float y = 0.0f;
        for (int i = 0; i < N; i++) {
            const float s = S[int64_t(i) * N];
            y += r[i] * (u[i] * k[i] * vj + s);
            S[int64_t(i) * N] = w[i] * s + k[i] * vj;
        }
        p.y[o + j] = y;
    }
}

}  // namespace

void wkv7_recurrent(const rwkvx_wkv7_params &p, cudaStream_t stream) {
    if (p.n_tokens <= 0 || p.n_head <= 0 || p.head_size <= 0) return;
    const int N = p.head_size;
    switch (N) {
        case 32:
            wkv7_recurrent_registers<32><<<dim3(p.n_head, 1), kRowsPerBlock, 0, stream>>>(p);
            break;
        case 64:
            wkv7_recurrent_registers<64><<<dim3(p.n_head, 2), kRowsPerBlock, 0, stream>>>(p);
            break;
        case 128:
            wkv7_recurrent_registers<128><<<dim3(p.n_head, 4), kRowsPerBlock, 0, stream>>>(p);
            break;
        default:
            wkv7_recurrent_global<<<dim3(p.n_head, unsigned(ceil_div(N, kGenericRows))), kGenericRows, 0, stream>>>(p);
    }
    RWKVX_CUDA_LAUNCHED("wkv7_recurrent");
}

void wkv7_chunked(const rwkvx_wkv7_params &p, cudaStream_t stream) {
    if (p.n_tokens <= 0 || p.n_head <= 0 || p.head_size <= 0) return;
    const int N = p.head_size;
    if (N > kChunkedMaxN) {  // the shared-memory tiles would not fit; same result, sequential form
        wkv7_recurrent(p, stream);
        return;
    }
    const int64_t n_chunks = ceil_div(p.n_tokens, kChunk);
    const int64_t per_chunk = int64_t(p.n_head) * chunk_floats(N);
    const int64_t window =
        std::max<int64_t>(1, std::min<int64_t>({kChunkWorkspaceFloats / per_chunk, kMaxGridY, n_chunks}));
    DeviceBuffer<float> ws(window * per_chunk, stream);

    const size_t prep_bytes = prepare_smem_bytes(N), adv_bytes = advance_smem_bytes(N);
    allow_dynamic_smem(wkv7_chunk_prepare, prep_bytes);
    allow_dynamic_smem(wkv7_chunk_advance, adv_bytes);
    const unsigned slices = unsigned(ceil_div(N, kChunkRows));
    for (int64_t c0 = 0; c0 < n_chunks; c0 += window) {
        const int n = int(std::min(window, n_chunks - c0));
        wkv7_chunk_prepare<<<dim3(p.n_head, n), kChunkThreads, prep_bytes, stream>>>(p, c0, ws.get());
        RWKVX_CUDA_LAUNCHED("wkv7_chunk_prepare");
        wkv7_chunk_advance<<<dim3(p.n_head, slices), kChunkThreads, adv_bytes, stream>>>(p, c0, n, ws.get());
        RWKVX_CUDA_LAUNCHED("wkv7_chunk_advance");
    }
}

void wkv7(const rwkvx_wkv7_params &p, cudaStream_t stream) {
    if (p.n_tokens >= kChunkedMinTokens)
        wkv7_chunked(p, stream);
    else
        wkv7_recurrent(p, stream);
}

void wkv4(const rwkvx_wkv4_params &p, cudaStream_t stream) {
    if (p.n_tokens <= 0 || p.n_channels <= 0) return;
    const int64_t blocks = ceil_div(p.n_channels, kWkv4Threads);
    if (blocks > 0x7fffffff) fail(RWKVX_ERROR_UNSUPPORTED, "wkv4: too many channels for one launch");
    wkv4_kernel<<<unsigned(blocks), kWkv4Threads, 0, stream>>>(p);
    RWKVX_CUDA_LAUNCHED("wkv4");
}

void wkv5(const rwkvx_wkv5_params &p, cudaStream_t stream) {
    if (p.n_tokens <= 0 || p.n_head <= 0 || p.head_size <= 0) return;
    const int N = p.head_size;
    switch (N) {
        case 32:
            wkv5_registers<32><<<dim3(p.n_head, 1), kRowsPerBlock, 0, stream>>>(p);
            break;
        case 64:
            wkv5_registers<64><<<dim3(p.n_head, 2), kRowsPerBlock, 0, stream>>>(p);
            break;
        case 128:
            wkv5_registers<128><<<dim3(p.n_head, 4), kRowsPerBlock, 0, stream>>>(p);
            break;
        default:
            wkv5_global<<<dim3(p.n_head, unsigned(ceil_div(N, kGenericRows))), kGenericRows, 0, stream>>>(p);
    }
    RWKVX_CUDA_LAUNCHED("wkv5");
}

}  // namespace cuda
}  // namespace rwkvx
