// AVX2 recurrences: WKV-7, WKV-4 and WKV-5/6, vectorised over values or channels; shapes the vector
// code does not cover go to the scalar kernels. Compiled with -mavx2 -mfma -mf16c.
#include <immintrin.h>

#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "cpu/avx2/avx2.h"
#include "cpu/avx2/simd_avx2.h"
#include "cpu/scalar/scalar.h"

namespace rwkvx {
namespace avx2 {

namespace {

// ---- WKV-7 -------------------------------------------------------------------------------------
// Key-major state S[j][i] (key j, value i): vectorised over values, broadcasting the per-key
// scalars. In decode the state comes from DRAM (the weights streamed since the last token pushed it
// out), so its reads are what a call waits for: S·a for the first token is one sequential pass over
// whole rows, which the hardware prefetcher follows (a pass per 16-value block strides by a row and
// is latency-bound), and the blocks then find the state in L1/L2. Each later token's S·a is
// accumulated in the same pass that updates the state. (The sequential pass and the next head's
// prefetch halved a decode layer's WKV: bench/README.md, "Kernel design measurements".)

// The first token's S·a for values [i0, i0 + 8·NV), into sa_out.
template <int NV>
void wkv7_state_dot_a(const Wkv7Args &p, int32_t h, int32_t i0, float *sa_out) {
    const int N = p.N;
    const float *S = p.state + int64_t(h) * N * N + i0, *a = p.a + int64_t(h) * N;
    __m256 acc[NV];
    for (int q = 0; q < NV; q++) acc[q] = _mm256_setzero_ps();
    for (int j = 0; j < N; j++) {
        const __m256 aj = _mm256_broadcast_ss(a + j);
        for (int q = 0; q < NV; q++) acc[q] = _mm256_fmadd_ps(_mm256_loadu_ps(S + j * N + 8 * q), aj, acc[q]);
    }
    for (int q = 0; q < NV; q++) _mm256_storeu_ps(sa_out + 8 * q, acc[q]);
}

// Calls f(std::integral_constant<int, NV>{}) for NV = vectors (1..8): the per-span kernels below
// keep NV accumulators in registers, so NV must be a compile-time constant.
template <typename F>
void with_vector_count(int vectors, F &&f) {
    switch (vectors) {
        case 8:
            f(std::integral_constant<int, 8>{});
            break;
        case 7:
            f(std::integral_constant<int, 7>{});
            break;
        case 6:
            f(std::integral_constant<int, 6>{});
            break;
        case 5:
            f(std::integral_constant<int, 5>{});
            break;
        case 4:
            f(std::integral_constant<int, 4>{});
            break;
        case 3:
            f(std::integral_constant<int, 3>{});
            break;
        case 2:
            f(std::integral_constant<int, 2>{});
            break;
        default:
            f(std::integral_constant<int, 1>{});
            break;
    }
}

// Values [i0, i0 + 8·VB) over all tokens; sa0: their S·a for the first token. During the first
// token, line j of `prefetch` (j < prefetch_lines) is prefetched at key j.
template <int VB>
void wkv7_block(const Wkv7Args &p, int32_t h, int32_t i0, const float *sa0, const char *prefetch, int prefetch_lines) {
    const int N = p.N;
    const int64_t C = int64_t(p.H) * N;
    float *S = p.state + int64_t(h) * N * N + i0;
    __m256 sa[VB];
    for (int q = 0; q < VB; q++) sa[q] = _mm256_loadu_ps(sa0 + 8 * q);
    for (int64_t t = 0; t < p.T; t++) {
        const int64_t o = t * C + int64_t(h) * N;
        const float *r = p.r + o, *w = p.w + o, *k = p.k + o, *b = p.b + o;
        // a of the next token (this token's a if it is the last: the value is then unused).
        const float *an = p.a + (t + 1 < p.T ? o + C : o);
        const int pf_lines = t == 0 ? prefetch_lines : 0;
        __m256 v[VB], y[VB], san[VB];
        for (int q = 0; q < VB; q++) {
            v[q] = _mm256_loadu_ps(p.v + o + i0 + 8 * q);
            y[q] = _mm256_setzero_ps();
            san[q] = _mm256_setzero_ps();
        }
        for (int j = 0; j < N; j++) {
            __m256 wj = _mm256_broadcast_ss(w + j), bj = _mm256_broadcast_ss(b + j), kj = _mm256_broadcast_ss(k + j);
            __m256 rj = _mm256_broadcast_ss(r + j), aj = _mm256_broadcast_ss(an + j);
            if (j < pf_lines) _mm_prefetch(prefetch + 64 * j, _MM_HINT_T0);
            float *row = S + j * N;
            for (int q = 0; q < VB; q++) {
                __m256 s = _mm256_mul_ps(_mm256_loadu_ps(row + 8 * q), wj);
                s = _mm256_fmadd_ps(sa[q], bj, s);
                s = _mm256_fmadd_ps(v[q], kj, s);
                _mm256_storeu_ps(row + 8 * q, s);
                y[q] = _mm256_fmadd_ps(s, rj, y[q]);
                san[q] = _mm256_fmadd_ps(s, aj, san[q]);
            }
        }
        for (int q = 0; q < VB; q++) {
            _mm256_storeu_ps(p.y + o + i0 + 8 * q, y[q]);
            sa[q] = san[q];
        }
    }
}

}  // namespace

void wkv7(const Wkv7Args &p, int32_t h, int32_t i0, int32_t i1, const float *prefetch) {
    if (p.N % 8 != 0) {
        scalar::wkv7(p, h, i0, i1, prefetch);
        return;
    }
    // The blocks run N keys each, so block n prefetches lines [n·N, (n+1)·N) of the next head's
    // N·N/16: a line per key spreads the fetch over the whole head.
    const int64_t lines = prefetch ? int64_t(p.N) * p.N / 16 : 0;
    const char *pf = reinterpret_cast<const char *>(prefetch);
    int64_t first_line = 0;  // of the next block's share
    int32_t i = i0;
    while (i + 8 <= i1) {  // spans of up to 64 values: S·a in one pass over their rows, then blocks
        alignas(32) float sa[64];
        const int32_t span = std::min(64, (i1 - i) / 8 * 8);
        with_vector_count(span / 8, [&](auto nv) { wkv7_state_dot_a<decltype(nv)::value>(p, h, i, sa); });
        for (int32_t q = 0; q < span; q += 16, first_line += p.N) {
            const int n = int(std::clamp<int64_t>(lines - first_line, 0, p.N));
            const char *at = n > 0 ? pf + 64 * first_line : nullptr;
            if (q + 16 <= span)
                wkv7_block<2>(p, h, i + q, sa + q, at, n);
            else
                wkv7_block<1>(p, h, i + q, sa + q, at, n);
        }
        i += span;
    }
    if (i < i1) scalar::wkv7(p, h, i, i1, nullptr);
}

namespace {

// ---- WKV-4 -------------------------------------------------------------------------------------
// Vectorised over channels; aa, bb, pp stay in registers for the whole time loop. Two blocks of 8
// channels are interleaved because each channel's time loop is one long dependency chain.

// e^x, Cephes-style range reduction + degree-5 polynomial (about 2 ulp). Inputs below the smallest
// normal result (including -inf) give exactly 0, as std::exp would up to denormals.
inline __m256 exp256(__m256 x) {
    const __m256 lo = _mm256_set1_ps(-87.3f);
    __m256 underflow = _mm256_cmp_ps(x, lo, _CMP_LT_OQ);
    x = _mm256_max_ps(_mm256_min_ps(x, _mm256_set1_ps(88.3762626647949f)), lo);
    __m256 fx = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    x = _mm256_fnmadd_ps(fx, _mm256_set1_ps(0.693359375f), x);
    x = _mm256_fnmadd_ps(fx, _mm256_set1_ps(-2.12194440e-4f), x);
    static constexpr float kPoly[] = {1.9875691500e-4f, 1.3981999507e-3f, 8.3334519073e-3f,
                                      4.1665795894e-2f, 1.6666665459e-1f, 5.0000001201e-1f};
    __m256 y = _mm256_fmadd_ps(horner(x, kPoly), _mm256_mul_ps(x, x), _mm256_add_ps(x, _mm256_set1_ps(1.0f)));
    y = _mm256_mul_ps(y, pow2i(fx));
    return _mm256_andnot_ps(underflow, y);
}

// Rounding error of s = a + b (TwoSum), zeroed where s is not finite (k = -inf). See scalar::wkv4.
inline __m256 sum_error(__m256 a, __m256 b, __m256 s) {
    __m256 bv = _mm256_sub_ps(s, a);
    __m256 err = _mm256_add_ps(_mm256_sub_ps(a, _mm256_sub_ps(s, bv)), _mm256_sub_ps(b, bv));
    __m256 abs_s = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), s);
    return _mm256_and_ps(err, _mm256_cmp_ps(abs_s, _mm256_set1_ps(3.4e38f), _CMP_LE_OQ));
}

template <int VB>
void wkv4_block(const Wkv4Args &p, int64_t c0) {
    const int64_t C = p.C;
    __m256 aa[VB], bb[VB], pp[VB], u[VB], w[VB];
    for (int q = 0; q < VB; q++) {
        const int64_t c = c0 + 8 * q;
        aa[q] = _mm256_loadu_ps(p.state + c);
        bb[q] = _mm256_loadu_ps(p.state + C + c);
        pp[q] = _mm256_loadu_ps(p.state + 2 * C + c);
        u[q] = _mm256_loadu_ps(p.first + c);
        w[q] = _mm256_loadu_ps(p.decay + c);
    }
    for (int64_t t = 0; t < p.T; t++) {
        const int64_t o = t * C + c0;
        for (int q = 0; q < VB; q++) {
            __m256 k = _mm256_loadu_ps(p.k + o + 8 * q), v = _mm256_loadu_ps(p.v + o + 8 * q);
            __m256 ww = _mm256_add_ps(u[q], k);
            __m256 m = _mm256_max_ps(pp[q], ww);
            __m256 e1 = exp256(_mm256_sub_ps(pp[q], m));
            __m256 e2 = exp256(_mm256_add_ps(_mm256_sub_ps(ww, m), sum_error(u[q], k, ww)));
            __m256 num = _mm256_add_ps(_mm256_mul_ps(e1, aa[q]), _mm256_mul_ps(e2, v));
            __m256 den = _mm256_add_ps(_mm256_mul_ps(e1, bb[q]), e2);
            _mm256_storeu_ps(p.y + o + 8 * q, _mm256_div_ps(num, den));
            ww = _mm256_add_ps(pp[q], w[q]);
            m = _mm256_max_ps(ww, k);
            e1 = exp256(_mm256_add_ps(_mm256_sub_ps(ww, m), sum_error(pp[q], w[q], ww)));
            e2 = exp256(_mm256_sub_ps(k, m));
            aa[q] = _mm256_add_ps(_mm256_mul_ps(e1, aa[q]), _mm256_mul_ps(e2, v));
            bb[q] = _mm256_add_ps(_mm256_mul_ps(e1, bb[q]), e2);
            pp[q] = m;
        }
    }
    for (int q = 0; q < VB; q++) {
        const int64_t c = c0 + 8 * q;
        _mm256_storeu_ps(p.state + c, aa[q]);
        _mm256_storeu_ps(p.state + C + c, bb[q]);
        _mm256_storeu_ps(p.state + 2 * C + c, pp[q]);
    }
}

}  // namespace

void wkv4(const Wkv4Args &p, int64_t c0, int64_t c1) {
    int64_t c = c0;
    for (; c + 16 <= c1; c += 16) wkv4_block<2>(p, c);
    for (; c + 8 <= c1; c += 8) wkv4_block<1>(p, c);
    if (c < c1) scalar::wkv4(p, c, c1);
}

namespace {

// WKV-5/6, the first token of a call, value columns [j0, j0 + 8·NV) of one head. Keys (state rows)
// outer, so the state is read sequentially, whole rows at a time: in decode it comes from DRAM, and a
// pass per 8-column vector strides by a row and waits on each line. Later tokens find the state in
// L1, where wkv5_columns, which keeps v in registers, is faster (both measured: bench/README.md).
template <int NV>
void wkv5_first_token_rows(const Wkv5Args &p, int32_t h, int j0) {
    const int N = p.N;
    float *S = p.state + int64_t(h) * N * N + j0;
    const int64_t o = int64_t(h) * N;  // token 0
    const float *u = p.u + o, *r = p.r + o, *k = p.k + o, *v = p.v + o + j0, *w = p.w + o;
    __m256 acc[NV];
    for (int q = 0; q < NV; q++) acc[q] = _mm256_setzero_ps();
    for (int i = 0; i < N; i++) {
        const __m256 ri = _mm256_set1_ps(r[i]), uki = _mm256_set1_ps(u[i] * k[i]);
        const __m256 wi = _mm256_set1_ps(w[i]), ki = _mm256_set1_ps(k[i]);
        float *row = S + int64_t(i) * N;
        for (int q = 0; q < NV; q++) {
            const __m256 s = _mm256_loadu_ps(row + 8 * q), vq = _mm256_loadu_ps(v + 8 * q);
            // y += r_i (u_i k_i v + s);  s <- w_i s + k_i v
            acc[q] = _mm256_fmadd_ps(ri, _mm256_fmadd_ps(uki, vq, s), acc[q]);
            _mm256_storeu_ps(row + 8 * q, _mm256_fmadd_ps(wi, s, _mm256_mul_ps(ki, vq)));
        }
    }
    for (int q = 0; q < NV; q++) _mm256_storeu_ps(p.y + o + j0 + 8 * q, acc[q]);
}

// The same, all columns of the head, one 8-column vector at a time with keys inner.
void wkv5_columns(const Wkv5Args &p, int32_t h, int64_t t0, int64_t t1) {
    const int N = p.N;
    const int64_t C = int64_t(p.H) * N;
    float *S = p.state + int64_t(h) * N * N;
    const float *u = p.u + int64_t(h) * N;
    for (int64_t t = t0; t < t1; t++) {
        const int64_t o = t * C + int64_t(h) * N;
        const float *r = p.r + o, *k = p.k + o, *v = p.v + o, *w = p.w + t * p.w_stride + int64_t(h) * N;
        for (int j = 0; j < N; j += 8) {
            const __m256 vj = _mm256_loadu_ps(v + j);
            __m256 acc = _mm256_setzero_ps();
            for (int i = 0; i < N; i++) {
                float *row = S + int64_t(i) * N + j;
                const __m256 s = _mm256_loadu_ps(row);
                acc = _mm256_fmadd_ps(_mm256_set1_ps(r[i]), _mm256_fmadd_ps(_mm256_set1_ps(u[i] * k[i]), vj, s), acc);
                _mm256_storeu_ps(row,
                                 _mm256_fmadd_ps(_mm256_set1_ps(w[i]), s, _mm256_mul_ps(_mm256_set1_ps(k[i]), vj)));
            }
            _mm256_storeu_ps(p.y + o + j, acc);
        }
    }
}

}  // namespace

// WKV-5/6 for one head; N not a multiple of 8 falls back to scalar.
void wkv5(const Wkv5Args &p, int32_t h) {
    if (p.N % 8 != 0) {
        scalar::wkv5(p, h);
        return;
    }
    if (p.T == 0) return;
    for (int j = 0; j < p.N; j += 64)  // the first token, in spans of up to 64 columns
        with_vector_count(std::min(64, p.N - j) / 8,
                          [&](auto nv) { wkv5_first_token_rows<decltype(nv)::value>(p, h, j); });
    wkv5_columns(p, h, 1, p.T);
}

}  // namespace avx2
}  // namespace rwkvx
