// AVX2 matrix products: GEMV for few input rows (weights streamed once, blocked or row-major, the
// streaming tuned by CPU vendor) and a packed GEMM for many. Compiled with -mavx2 -mfma -mf16c.
#include <immintrin.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

#include "cpu/avx2/avx2.h"
#include "cpu/avx2/simd_avx2.h"

namespace rwkvx {
namespace avx2 {

namespace {

// Sums of 4 vectors at once: lane q of the result is hsum(v[q]).
inline __m128 hsum4(__m256 a, __m256 b, __m256 c, __m256 d) {
    __m256 ab = _mm256_hadd_ps(a, b), cd = _mm256_hadd_ps(c, d);
    __m256 abcd = _mm256_hadd_ps(ab, cd);
    return _mm_add_ps(_mm256_castps256_ps128(abcd), _mm256_extractf128_ps(abcd, 1));
}

// ---- GEMV: few input rows, bandwidth-bound: stream each weight row once -------------------------
// Four weight rows at a time, 16 weights per row per step with two accumulators per row (so FMA
// latency never limits the stream). BF16 uses the unpack trick: a 32-byte load holds 16 weights;
// `<< 16` gives the even ones as floats and `& 0xffff0000` the odd ones, multiplied by the input
// split into even and odd lanes once per call. That avoids the cross-lane widening, which made BF16
// decode compute-bound.

// 16 weights from k of one row times the input: for BF16 `xin` is the split input (per 16-block:
// 8 even lanes, then 8 odd lanes), otherwise the input itself.
template <WeightType WT>
inline void dot_step(const char *w, int64_t k, const float *x, __m256 &lo, __m256 &hi) {
    if constexpr (WT == WeightType::BF16) {
        __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(w + 2 * k));
        __m256 even = _mm256_castsi256_ps(_mm256_slli_epi32(v, 16));
        __m256 odd = _mm256_castsi256_ps(_mm256_and_si256(v, _mm256_set1_epi32(int(0xffff0000u))));
        lo = _mm256_fmadd_ps(even, _mm256_loadu_ps(x + k), lo);
        hi = _mm256_fmadd_ps(odd, _mm256_loadu_ps(x + k + 8), hi);
    } else {
        lo = _mm256_fmadd_ps(load8<WT>(w, k), _mm256_loadu_ps(x + k), lo);
        hi = _mm256_fmadd_ps(load8<WT>(w, k + 8), _mm256_loadu_ps(x + k + 8), hi);
    }
}

// Row-major rows (weights used in place). On AMD one row at a time: each thread reads a single
// sequential stream, and 16-bit rows, which need about twice the instructions per byte of F32 ones,
// get a software prefetch this far ahead so the core keeps enough misses in flight; F32 runs faster
// without. On Intel four rows far apart at a time, each with a T0 prefetch this far ahead (F32 too):
// four streams keep more misses in flight, where one core's bandwidth is bound by them. Measured:
// bench/README.md, "Kernel design measurements".
constexpr int64_t kGemvPrefetchBytes = 1024;
// How the blocked kernel streams its weights depends on the vendor, so avx2_kernels() picks one
// tuning per process (measured in bench/README.md, "Kernel design measurements"):
// - AMD: two blocks at once (two streams), non-temporal prefetch 384 B ahead, 16-bit weights only:
//   NTA keeps the once-read weights from pushing the state and activations out of L2/L3.
// - Intel (and others): four blocks at once, T0 prefetch 2048 B ahead for 16-bit weights, 512 B for
//   F32: NTA lines bypass L2, where the streamer that keeps a core's misses in flight trains.

template <StreamTuning TU>
constexpr int streamed_blocks() {
    return TU == StreamTuning::Amd ? 2 : 4;
}

template <StreamTuning TU, WeightType WT>
constexpr int64_t stream_prefetch_bytes() {
    if constexpr (TU == StreamTuning::Amd)
        return WT == WeightType::F32 ? 0 : 384;
    else
        return WT == WeightType::F32 ? 512 : 2048;
}

template <StreamTuning TU, WeightType WT>
inline void prefetch_stream_step(const char *p, int64_t bytes) {
    constexpr int64_t ahead = stream_prefetch_bytes<TU, WT>();
    if constexpr (ahead > 0)
        for (int64_t line = 0; line < bytes; line += 64)
            _mm_prefetch(p + line + ahead, TU == StreamTuning::Amd ? _MM_HINT_NTA : _MM_HINT_T0);
}

// 32-byte loads of the input that straddle cache lines cost two load slots: the input is copied to
// a 64-byte aligned buffer once per call (K floats; measured: bench/README.md). For BF16 the copy is
// the even/odd split.
template <WeightType WT>
const float *aligned_input(const float *x, int64_t K, int64_t K16, std::vector<float> &buf) {
    if (WT != WeightType::BF16 && (reinterpret_cast<uintptr_t>(x) & 63) == 0) return x;
    if (int64_t(buf.size()) < K + 16) buf.resize(size_t(K + 16));
    float *a = buf.data();
    a += (16 - (reinterpret_cast<uintptr_t>(a) & 63) / 4) & 15;
    if constexpr (WT == WeightType::BF16) {
        for (int64_t k = 0; k < K16; k += 16)
            for (int i = 0; i < 8; i++) {
                a[k + i] = x[k + 2 * i];
                a[k + 8 + i] = x[k + 2 * i + 1];
            }
    } else {
        std::memcpy(a, x, size_t(K16) * sizeof(float));
    }
    return a;
}

// 16 consecutive weights of one k in a block (rows q*16 .. q*16+15) as two vectors of 8 rows.
template <WeightType WT>
inline void load16(const char *p, __m256 &lo, __m256 &hi) {
    if constexpr (WT == WeightType::BF16) {  // stored 0,8,1,9,...: even lanes rows 0-7, odd 8-15
        __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(p));
        lo = _mm256_castsi256_ps(_mm256_slli_epi32(v, 16));
        hi = _mm256_castsi256_ps(_mm256_and_si256(v, _mm256_set1_epi32(int(0xffff0000u))));
    } else {
        lo = load8<WT>(p, 0);
        hi = load8<WT>(p, 8);
    }
}

// S blocks of one k-major matrix at once, one sequential stream each: w[s] is a block's first
// weight, y[s] its 32 outputs, kept in 4 accumulators per block; the input is broadcast once per
// column for all of them.
template <WeightType WT, StreamTuning TU, int S>
void gemv_blocks(const char *const *w, int64_t K, const float *x, float *const *y) {
    constexpr int64_t step = kBlockRows * elem_bytes(WT);  // bytes per column in a block
    // Every loop over the accumulators is unrolled, so they stay in registers (a loop left rolled
    // made GCC keep a copy of them on the stack, stored on every step).
    __m256 acc[S][4];
#pragma GCC unroll 4
    for (int s = 0; s < S; s++)
#pragma GCC unroll 4
        for (int q = 0; q < 4; q++) acc[s][q] = _mm256_setzero_ps();
    for (int64_t k = 0; k < K; k++) {
        const __m256 xk = _mm256_broadcast_ss(x + k);
#pragma GCC unroll 4
        for (int s = 0; s < S; s++) {
            const char *p = w[s] + k * step;
            prefetch_stream_step<TU, WT>(p, step);
            __m256 lo, hi;
            load16<WT>(p, lo, hi);
            acc[s][0] = _mm256_fmadd_ps(lo, xk, acc[s][0]);
            acc[s][1] = _mm256_fmadd_ps(hi, xk, acc[s][1]);
            load16<WT>(p + 16 * elem_bytes(WT), lo, hi);
            acc[s][2] = _mm256_fmadd_ps(lo, xk, acc[s][2]);
            acc[s][3] = _mm256_fmadd_ps(hi, xk, acc[s][3]);
        }
    }
#pragma GCC unroll 4
    for (int s = 0; s < S; s++)
#pragma GCC unroll 4
        for (int q = 0; q < 4; q++) _mm256_storeu_ps(y[s] + 8 * q, acc[s][q]);
}

// ---- skinny products: 2 .. kGemmMinRows - 1 input rows (batched decode) ---------------------------
// Each weight vector is loaded (and widened) once and multiplied with R input rows in registers, so the
// weights are read from memory once for all rows. Every output is the same chain of FMAs over k
// ascending from zero as in gemv_blocks, so row t of a many-row product equals the single-row product
// of row t bit for bit.

// Q vectors of 8 rows of one block (Q = 4: the whole block; Q = 2: the 16 rows at w, one BF16 group)
// times R input rows: y[r][8q + j] for j < 8. `next`, when not null, is the block after this one,
// fetched into cache meanwhile (the block's lines as this pass reads them, a block ahead): the
// multiplications of many rows leave the memory idle unless the next weights are asked for early.
template <WeightType WT, int Q, int R>
void gemv_block_rows(const char *w, int64_t K, const float *const *x, float *const *y, const char *next) {
    static_assert(Q == 2 || Q == 4, "half or whole blocks");
    constexpr int64_t step = kBlockRows * elem_bytes(WT);
    __m256 acc[R][Q];
#pragma GCC unroll 8
    for (int r = 0; r < R; r++)
#pragma GCC unroll 4
        for (int q = 0; q < Q; q++) acc[r][q] = _mm256_setzero_ps();
    for (int64_t k = 0; k < K; k++) {
        const char *p = w + k * step;
        if (next)
            for (int64_t line = 0; line < step; line += 64) _mm_prefetch(next + k * step + line, _MM_HINT_T0);
        __m256 wv[Q];
        load16<WT>(p, wv[0], wv[1]);
        if constexpr (Q == 4) load16<WT>(p + 16 * elem_bytes(WT), wv[2], wv[3]);
#pragma GCC unroll 8
        for (int r = 0; r < R; r++) {
            const __m256 xk = _mm256_broadcast_ss(x[r] + k);
#pragma GCC unroll 4
            for (int q = 0; q < Q; q++) acc[r][q] = _mm256_fmadd_ps(wv[q], xk, acc[r][q]);
        }
    }
#pragma GCC unroll 8
    for (int r = 0; r < R; r++)
#pragma GCC unroll 4
        for (int q = 0; q < Q; q++) _mm256_storeu_ps(y[r] + 8 * q, acc[r][q]);
}

// Input rows per register block of the half-block kernel: 2R accumulators, 2 weight vectors and a
// broadcast input fit the 16 vector registers up to R = 6.
constexpr int kSkinnyRows = 6;

// Calls f(std::integral_constant<int, R>) for R = rows (1 .. kSkinnyRows).
template <typename F>
inline void with_rows(int rows, F &&f) {
    switch (rows) {
        case 1:
            return f(std::integral_constant<int, 1>{});
        case 2:
            return f(std::integral_constant<int, 2>{});
        case 3:
            return f(std::integral_constant<int, 3>{});
        case 4:
            return f(std::integral_constant<int, 4>{});
        case 5:
            return f(std::integral_constant<int, 5>{});
        default:
            return f(std::integral_constant<int, 6>{});
    }
}

// Blocked rows [n0, n1) for T >= 2 input rows, one block at a time: two rows over the whole block;
// more in groups of at most kSkinnyRows over each half block (the block's second half is read
// again from cache, not memory).
template <WeightType WT>
void gemv_blocked_skinny(const MatmulArgs &m, int64_t n0, int64_t n1) {
    const int64_t T = m.T, groups = (T + kSkinnyRows - 1) / kSkinnyRows;
    const int64_t block_bytes = kBlockRows * m.K * elem_bytes(WT);
    for (int64_t n = n0; n < n1; n += kBlockRows) {
        const char *w = static_cast<const char *>(m.w) + n * m.K * elem_bytes(WT);
        const char *next = n + kBlockRows < n1 ? w + block_bytes : nullptr;
        if (T == 2) {
            const float *x[2] = {m.x, m.x + m.K};
            float *y[2] = {m.y + n, m.y + m.N + n};
            gemv_block_rows<WT, 4, 2>(w, m.K, x, y, next);
            continue;
        }
        for (int half = 0; half < 2; half++)
            for (int64_t g = 0, t0 = 0; g < groups; g++) {
                const int64_t rows = (T - t0) / (groups - g);  // balanced groups
                const float *x[kSkinnyRows];
                float *y[kSkinnyRows];
                for (int64_t r = 0; r < rows; r++)
                    x[r] = m.x + (t0 + r) * m.K, y[r] = m.y + (t0 + r) * m.N + n + 16 * half;
                with_rows(int(rows), [&](auto R) {
                    gemv_block_rows<WT, 2, decltype(R)::value>(w + 16 * half * elem_bytes(WT), m.K, x, y,
                                                               half == 0 && g == 0 ? next : nullptr);
                });
                t0 += rows;
            }
    }
}

// Blocked rows [n0, n1) (both multiples of kBlockRows). Block i goes with block i + half, so the
// streams are far apart (two such streams read faster than one per core: bench/README.md); with
// four streams also with the blocks after them, i + 1 and i + half + 1. What is left after the
// groups of four runs as pairs, and the middle block of an odd count alone.
template <WeightType WT, StreamTuning TU>
void gemv_blocked(const MatmulArgs &m, int64_t n0, int64_t n1) {
    if (m.T > 1) return gemv_blocked_skinny<WT>(m, n0, n1);
    const int64_t blocks = (n1 - n0) / kBlockRows, half = (blocks + 1) / 2;
    const int64_t block_bytes = kBlockRows * m.K * elem_bytes(WT);
    for (int64_t t = 0; t < m.T; t++) {
        const float *x = m.x + t * m.K;
        const char *w = static_cast<const char *>(m.w) + n0 * m.K * elem_bytes(WT);
        float *y = m.y + t * m.N + n0;
        auto run = [&](auto streams, const int64_t(&ids)[decltype(streams)::value]) {
            constexpr int S = decltype(streams)::value;
            const char *ws[S];
            float *ys[S];
            for (int s = 0; s < S; s++) ws[s] = w + ids[s] * block_bytes, ys[s] = y + ids[s] * kBlockRows;
            gemv_blocks<WT, TU, S>(ws, m.K, x, ys);
        };
        int64_t i = 0;
        if constexpr (streamed_blocks<TU>() == 4)
            for (; i + 1 < half && i + half + 1 < blocks; i += 2)
                run(std::integral_constant<int, 4>{}, {i, i + 1, i + half, i + half + 1});
        for (; i < half; i++) {
            if (i + half < blocks)
                run(std::integral_constant<int, 2>{}, {i, i + half});
            else
                run(std::integral_constant<int, 1>{}, {i});
        }
    }
}

// Rows n0 + j + s·q for s < 4, j < q = (n1 - n0) / 4 (four streams, each its own quarter); returns
// the first row it left, n0 + 4q.
template <WeightType WT>
int64_t gemv_far_rows(const MatmulArgs &m, int64_t t, const float *xin, int64_t n0, int64_t n1) {
    const int64_t K = m.K, K16 = K & ~int64_t(15), row_bytes = K * elem_bytes(WT), q = (n1 - n0) / 4;
    const char *W = static_cast<const char *>(m.w);
    const float *x = m.x + t * K;
    for (int64_t j = 0; j < q; j++) {
        const char *w[4];
        __m256 lo[4], hi[4];
        for (int s = 0; s < 4; s++) w[s] = W + (n0 + j + s * q) * row_bytes, lo[s] = hi[s] = _mm256_setzero_ps();
        for (int64_t k = 0; k < K16; k += 16) {
#pragma GCC unroll 4
            for (int s = 0; s < 4; s++) {
                // One prefetch per 64-byte line: every step for F32, every other one for 16-bit.
                if (WT == WeightType::F32 || (k & 16) == 0)
                    _mm_prefetch(w[s] + k * elem_bytes(WT) + kGemvPrefetchBytes, _MM_HINT_T0);
                dot_step<WT>(w[s], k, xin, lo[s], hi[s]);
            }
        }
        float sums[4];
        _mm_storeu_ps(sums, hsum4(_mm256_add_ps(lo[0], hi[0]), _mm256_add_ps(lo[1], hi[1]), _mm256_add_ps(lo[2], hi[2]),
                                  _mm256_add_ps(lo[3], hi[3])));
        for (int s = 0; s < 4; s++) {
            for (int64_t k = K16; k < K; k++) sums[s] += load1<WT>(w[s], k) * x[k];
            m.y[t * m.N + n0 + j + s * q] = sums[s];
        }
    }
    return n0 + 4 * q;
}

// Row-major rows [n0, n1) of input row t (xin: its aligned copy).
template <WeightType WT, StreamTuning TU>
void gemv_rows_of(const MatmulArgs &m, int64_t t, const float *xin, int64_t n0, int64_t n1) {
    const int64_t K = m.K, K16 = K & ~int64_t(15);
    const char *W = static_cast<const char *>(m.w);
    const int64_t row_bytes = K * elem_bytes(WT);
    const float *x = m.x + t * K;
    int64_t n = n0;
    if constexpr (TU == StreamTuning::Intel) n = gemv_far_rows<WT>(m, t, xin, n0, n1);
    // One row at a time (on Intel the rows the groups of four left): 4 accumulator pairs hide
    // the FMA latency.
    for (; n < n1; n++) {
        const char *w0 = W + n * row_bytes;
        __m256 a0 = _mm256_setzero_ps(), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
        int64_t k = 0;
        for (; k + 64 <= K16; k += 64) {
            if constexpr (WT != WeightType::F32) {  // one prefetch per 64-byte line
                _mm_prefetch(w0 + 2 * k + kGemvPrefetchBytes, _MM_HINT_T0);
                _mm_prefetch(w0 + 2 * k + 64 + kGemvPrefetchBytes, _MM_HINT_T0);
            }
            dot_step<WT>(w0, k, xin, a0, a1);
            dot_step<WT>(w0, k + 16, xin, b0, b1);
            dot_step<WT>(w0, k + 32, xin, c0, c1);
            dot_step<WT>(w0, k + 48, xin, d0, d1);
        }
        for (; k < K16; k += 16) dot_step<WT>(w0, k, xin, a0, a1);
        __m256 sum = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(b0, b1)),
                                   _mm256_add_ps(_mm256_add_ps(c0, c1), _mm256_add_ps(d0, d1)));
        float s = hsum(sum);
        for (k = K16; k < K; k++) s += load1<WT>(w0, k) * x[k];
        m.y[t * m.N + n] = s;
    }
}

// Rows per pass of a many-row product over row-major rows: each input row in turn takes these rows,
// which stay in cache for the next input row. A multiple of 4, so that on Intel the same rows as in a
// single-row product are left to the one-row loop (every output is then computed the same way).
constexpr int64_t kRowsPerPass = 16;

template <WeightType WT, StreamTuning TU>
void gemv_rows(const MatmulArgs &m, int64_t n0, int64_t n1) {
    const int64_t K = m.K, K16 = K & ~int64_t(15);
    thread_local std::vector<std::vector<float>> input_bufs;
    if (int64_t(input_bufs.size()) < m.T) input_bufs.resize(size_t(m.T));
    const float *xin[kGemmMinRows];
    for (int64_t t = 0; t < m.T; t++) xin[t] = aligned_input<WT>(m.x + t * K, K, K16, input_bufs[size_t(t)]);
    if (m.T == 1) return gemv_rows_of<WT, TU>(m, 0, xin[0], n0, n1);
    for (int64_t n = n0; n < n1; n += kRowsPerPass)
        for (int64_t t = 0; t < m.T; t++) gemv_rows_of<WT, TU>(m, t, xin[t], n, std::min(n1, n + kRowsPerPass));
}

template <WeightType WT, StreamTuning TU>
void gemv(const MatmulArgs &m, int64_t n0, int64_t n1) {
    const int64_t nb = m.blocked ? std::clamp(blocked_rows(m.N), n0, n1) : n0;
    if (nb > n0) gemv_blocked<WT, TU>(m, n0, nb);
    if (n1 > nb) gemv_rows<WT, TU>(m, nb, n1);  // row-major rows: the tail rows keep their offsets
}

// ---- GEMM: many input rows, compute-bound ----------------------------------------------------
// Goto/BLIS blocking: weight panels of 16 columns x KC are widened to fp32 and packed (k-major),
// reused from L1 by MR=6 input rows at a time; an MC-row block of inputs stays in L2.

constexpr int MR = 6, KC = 256, MC = 72;  // NR and NC: avx2.h

// acc(6x16) = A(rows x kc) * Bp(kc x 16); C = acc or C += acc for the first `rows` rows and `cols`
// columns. Twelve named accumulators: with an array, gcc spilled them to the stack on every k.
// Fewer than 6 rows re-read row 0 (results discarded) so that one kernel serves every block.
__attribute__((noinline)) void micro_kernel(int rows, const float *A, int64_t lda, const float *Bp, int kc, float *C,
                                            int64_t ldc, bool accumulate, int cols) {
    const float *a0 = A, *a1 = rows > 1 ? A + lda : A, *a2 = rows > 2 ? A + 2 * lda : A,
                *a3 = rows > 3 ? A + 3 * lda : A, *a4 = rows > 4 ? A + 4 * lda : A, *a5 = rows > 5 ? A + 5 * lda : A;
    __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00;
    __m256 c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
    for (int k = 0; k < kc; k++) {
        const __m256 b0 = _mm256_load_ps(Bp + k * NR), b1 = _mm256_load_ps(Bp + k * NR + 8);
        __m256 a = _mm256_broadcast_ss(a0 + k);
        c00 = _mm256_fmadd_ps(a, b0, c00);
        c01 = _mm256_fmadd_ps(a, b1, c01);
        a = _mm256_broadcast_ss(a1 + k);
        c10 = _mm256_fmadd_ps(a, b0, c10);
        c11 = _mm256_fmadd_ps(a, b1, c11);
        a = _mm256_broadcast_ss(a2 + k);
        c20 = _mm256_fmadd_ps(a, b0, c20);
        c21 = _mm256_fmadd_ps(a, b1, c21);
        a = _mm256_broadcast_ss(a3 + k);
        c30 = _mm256_fmadd_ps(a, b0, c30);
        c31 = _mm256_fmadd_ps(a, b1, c31);
        a = _mm256_broadcast_ss(a4 + k);
        c40 = _mm256_fmadd_ps(a, b0, c40);
        c41 = _mm256_fmadd_ps(a, b1, c41);
        a = _mm256_broadcast_ss(a5 + k);
        c50 = _mm256_fmadd_ps(a, b0, c50);
        c51 = _mm256_fmadd_ps(a, b1, c51);
    }
    alignas(32) float tile[MR][NR];
    _mm256_store_ps(tile[0], c00), _mm256_store_ps(tile[0] + 8, c01);
    _mm256_store_ps(tile[1], c10), _mm256_store_ps(tile[1] + 8, c11);
    _mm256_store_ps(tile[2], c20), _mm256_store_ps(tile[2] + 8, c21);
    _mm256_store_ps(tile[3], c30), _mm256_store_ps(tile[3] + 8, c31);
    _mm256_store_ps(tile[4], c40), _mm256_store_ps(tile[4] + 8, c41);
    _mm256_store_ps(tile[5], c50), _mm256_store_ps(tile[5] + 8, c51);
    for (int r = 0; r < rows; r++) {
        float *c = C + r * ldc;
        if (cols == NR) {
            __m256 lo = _mm256_load_ps(tile[r]), hi = _mm256_load_ps(tile[r] + 8);
            if (accumulate) {
                lo = _mm256_add_ps(lo, _mm256_loadu_ps(c));
                hi = _mm256_add_ps(hi, _mm256_loadu_ps(c + 8));
            }
            _mm256_storeu_ps(c, lo);
            _mm256_storeu_ps(c + 8, hi);
        } else {
            for (int q = 0; q < cols; q++) c[q] = accumulate ? c[q] + tile[r][q] : tile[r][q];
        }
    }
}

// Packs columns [c0, c0+cols) x k in [k0, k0+kc) of W[N][K] into Bp[k][16] (fp32, zero-padded).
template <WeightType WT>
void pack_panel(const MatmulArgs &m, int64_t c0, int cols, int64_t k0, int kc, float *Bp) {
    const int64_t K = m.K;
    const char *base = static_cast<const char *>(m.w);
    if constexpr (!is_quantized(WT)) {
        if (m.blocked && c0 < blocked_rows(m.N)) {  // 16 whole rows of one block: k-major already
            const char *src =
                base + (weight_offset(true, WT, m.N, K, c0 - c0 % kBlockRows, k0) + c0 % kBlockRows) * elem_bytes(WT);
            for (int k = 0; k < kc; k++, src += kBlockRows * elem_bytes(WT)) {
                __m256 lo, hi;
                load16<WT>(src, lo, hi);
                _mm256_store_ps(Bp + k * NR, lo);
                _mm256_store_ps(Bp + k * NR + 8, hi);
            }
            return;
        }
    }
    alignas(32) float row[KC];
    for (int c = 0; c < NR; c++) {
        if (c >= cols) {
            for (int k = 0; k < kc; k++) Bp[k * NR + c] = 0.0f;
            continue;
        }
        if constexpr (is_quantized(WT)) {  // whole blocks: k0 and kc are multiples of 32
            const QuantRowLayout layout = m.blocked ? split_row_layout(WT, K / kQuantBlock) : ggml_row_layout(WT);
            widen_blocks(WT, base + (c0 + c) * row_bytes(WT, K), layout, k0 / kQuantBlock, kc / kQuantBlock, row);
        } else {
            const void *src = base + ((c0 + c) * K + k0) * elem_bytes(WT);
            int k = 0;
            for (; k + 8 <= kc; k += 8) _mm256_store_ps(row + k, load8<WT>(src, k));
            for (; k < kc; k++) row[k] = load1<WT>(src, k);
        }
        for (int k = 0; k < kc; k++) Bp[k * NR + c] = row[k];
    }
}

struct PackBuffer {
    std::vector<float> storage;
    float *get(size_t floats) {
        if (storage.size() < floats + 16) storage.resize(floats + 16);
        auto p = reinterpret_cast<uintptr_t>(storage.data());
        return reinterpret_cast<float *>((p + 63) & ~uintptr_t(63));
    }
};

template <WeightType WT>
void gemm(const MatmulArgs &m, int64_t n0, int64_t n1) {
    thread_local PackBuffer buffer;
    const int64_t panels_max = NC / NR;
    float *packed = buffer.get(size_t(panels_max) * KC * NR);
    for (int64_t nc0 = n0; nc0 < n1; nc0 += NC) {
        int64_t nc = std::min<int64_t>(NC, n1 - nc0);
        int64_t panels = (nc + NR - 1) / NR;
        for (int64_t k0 = 0; k0 < m.K; k0 += KC) {
            int kc = int(std::min<int64_t>(KC, m.K - k0));
            for (int64_t p = 0; p < panels; p++)
                pack_panel<WT>(m, nc0 + p * NR, int(std::min<int64_t>(NR, nc - p * NR)), k0, kc, packed + p * KC * NR);
            for (int64_t t0 = 0; t0 < m.T; t0 += MC) {
                int64_t mc = std::min<int64_t>(MC, m.T - t0);
                for (int64_t p = 0; p < panels; p++) {
                    int cols = int(std::min<int64_t>(NR, nc - p * NR));
                    for (int64_t t = t0; t < t0 + mc; t += MR) {
                        int rows = int(std::min<int64_t>(MR, t0 + mc - t));
                        micro_kernel(rows, m.x + t * m.K + k0, m.K, packed + p * KC * NR, kc,
                                     m.y + t * m.N + nc0 + p * NR, m.N, k0 > 0, cols);
                    }
                }
            }
        }
    }
}

template <WeightType WT, StreamTuning TU>
void matmul_typed(const MatmulArgs &m, int64_t n0, int64_t n1) {
    if (m.T < kGemmMinRows) {
        if constexpr (is_quantized(WT))
            quant_gemv(m, n0, n1);
        else
            gemv<WT, TU>(m, n0, n1);
    } else {
        gemm<WT>(m, n0, n1);  // quantized weights: dequantized into the fp32 panels
    }
}

}  // namespace

template <StreamTuning TU>
void matmul(const MatmulArgs &m, int64_t n0, int64_t n1) {
    switch (m.wtype) {
        case WeightType::F32:
            matmul_typed<WeightType::F32, TU>(m, n0, n1);
            break;
        case WeightType::F16:
            matmul_typed<WeightType::F16, TU>(m, n0, n1);
            break;
        case WeightType::BF16:
            matmul_typed<WeightType::BF16, TU>(m, n0, n1);
            break;
        case WeightType::Q4_0:
            matmul_typed<WeightType::Q4_0, TU>(m, n0, n1);
            break;
        case WeightType::Q4_1:
            matmul_typed<WeightType::Q4_1, TU>(m, n0, n1);
            break;
        case WeightType::Q5_0:
            matmul_typed<WeightType::Q5_0, TU>(m, n0, n1);
            break;
        case WeightType::Q5_1:
            matmul_typed<WeightType::Q5_1, TU>(m, n0, n1);
            break;
        case WeightType::Q8_0:
            matmul_typed<WeightType::Q8_0, TU>(m, n0, n1);
            break;
    }
}

// The one place the vendor becomes a template parameter.
template void matmul<StreamTuning::Amd>(const MatmulArgs &m, int64_t n0, int64_t n1);
template void matmul<StreamTuning::Intel>(const MatmulArgs &m, int64_t n0, int64_t n1);

}  // namespace avx2
}  // namespace rwkvx
