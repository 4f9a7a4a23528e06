// AVX2 + FMA + F16C attention inner loops (the drivers are in native/attention). Compiled with
// -mavx2 -mfma -mf16c.
#include <immintrin.h>

#include <cmath>

#include "cpu/avx2/avx2.h"
#include "cpu/avx2/simd_avx2.h"

namespace rwkvx {
namespace avx2 {

namespace {

// 2^x: Taylor polynomial on the rounded remainder (|rel err| ~ 1e-7); exactly 0 below -126 (masked
// keys are -inf), NaN stays NaN, exactly 1 at 0.
inline __m256 exp2v(__m256 x) {
    const __m256 xc = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-127.0f)), _mm256_set1_ps(127.0f));
    __m256 r = exp2_clamped(xc);
    r = _mm256_and_ps(r, _mm256_cmp_ps(x, _mm256_set1_ps(-126.0f), _CMP_GE_OQ));
    return _mm256_blendv_ps(r, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
}

// R query rows x 16 keys per register block: 2R accumulators.
template <int R>
inline void qk_block(const float *q, const float *kt, int64_t kt_stride, int nc, int D, float *s) {
    for (int j = 0; j < nc; j += 16) {
        __m256 a0[R], a1[R];
        for (int r = 0; r < R; r++) a0[r] = a1[r] = _mm256_setzero_ps();
        const float *kp = kt + j;
        for (int d = 0; d < D; d++, kp += kt_stride) {
            const __m256 k0 = _mm256_loadu_ps(kp), k1 = _mm256_loadu_ps(kp + 8);
            for (int r = 0; r < R; r++) {
                const __m256 qb = _mm256_broadcast_ss(q + r * D + d);
                a0[r] = _mm256_fmadd_ps(qb, k0, a0[r]);
                a1[r] = _mm256_fmadd_ps(qb, k1, a1[r]);
            }
        }
        for (int r = 0; r < R; r++) {
            _mm256_storeu_ps(s + r * kBlockKeys + j, a0[r]);
            _mm256_storeu_ps(s + r * kBlockKeys + j + 8, a1[r]);
        }
    }
}

}  // namespace

void qk(const float *q, int nr, const float *kt, int64_t kt_stride, int nc, int D, float *s) {
    int r = 0;
    for (; r + 6 <= nr; r += 6) qk_block<6>(q + r * D, kt, kt_stride, nc, D, s + r * kBlockKeys);
    switch (nr - r) {
        case 5:
            qk_block<5>(q + r * D, kt, kt_stride, nc, D, s + r * kBlockKeys);
            break;
        case 4:
            qk_block<4>(q + r * D, kt, kt_stride, nc, D, s + r * kBlockKeys);
            break;
        case 3:
            qk_block<3>(q + r * D, kt, kt_stride, nc, D, s + r * kBlockKeys);
            break;
        case 2:
            qk_block<2>(q + r * D, kt, kt_stride, nc, D, s + r * kBlockKeys);
            break;
        case 1:
            qk_block<1>(q + r * D, kt, kt_stride, nc, D, s + r * kBlockKeys);
            break;
        default:
            break;
    }
}

namespace {

// R rows x W vectors of the output per register block.
template <int R, int W>
inline void pv_block(const float *p, const float *v, int nc, int D, int d0, float *o) {
    __m256 acc[R][W];
    for (int r = 0; r < R; r++)
        for (int w = 0; w < W; w++) acc[r][w] = _mm256_loadu_ps(o + r * D + d0 + 8 * w);
    for (int j = 0; j < nc; j++) {
        __m256 vv[W];
        for (int w = 0; w < W; w++) vv[w] = _mm256_loadu_ps(v + j * D + d0 + 8 * w);
        for (int r = 0; r < R; r++) {
            const __m256 pb = _mm256_broadcast_ss(p + r * kBlockKeys + j);
            for (int w = 0; w < W; w++) acc[r][w] = _mm256_fmadd_ps(pb, vv[w], acc[r][w]);
        }
    }
    for (int r = 0; r < R; r++)
        for (int w = 0; w < W; w++) _mm256_storeu_ps(o + r * D + d0 + 8 * w, acc[r][w]);
}

// The hot case, 3 rows x 32 outputs, with twelve named accumulators: held in an array, gcc kept
// them on the stack and stored all twelve on every key.
__attribute__((noinline)) void pv_3x32(const float *p, const float *v, int nc, int D, int d0, float *o) {
    float *o0 = o + d0, *o1 = o + D + d0, *o2 = o + 2 * D + d0;
    __m256 a00 = _mm256_loadu_ps(o0), a01 = _mm256_loadu_ps(o0 + 8), a02 = _mm256_loadu_ps(o0 + 16),
           a03 = _mm256_loadu_ps(o0 + 24);
    __m256 a10 = _mm256_loadu_ps(o1), a11 = _mm256_loadu_ps(o1 + 8), a12 = _mm256_loadu_ps(o1 + 16),
           a13 = _mm256_loadu_ps(o1 + 24);
    __m256 a20 = _mm256_loadu_ps(o2), a21 = _mm256_loadu_ps(o2 + 8), a22 = _mm256_loadu_ps(o2 + 16),
           a23 = _mm256_loadu_ps(o2 + 24);
    const float *p1 = p + kBlockKeys, *p2 = p + 2 * kBlockKeys;
    for (int j = 0; j < nc; j++) {
        const float *vj = v + int64_t(j) * D + d0;
        const __m256 v0 = _mm256_loadu_ps(vj), v1 = _mm256_loadu_ps(vj + 8), v2 = _mm256_loadu_ps(vj + 16),
                     v3 = _mm256_loadu_ps(vj + 24);
        __m256 b = _mm256_broadcast_ss(p + j);
        a00 = _mm256_fmadd_ps(b, v0, a00), a01 = _mm256_fmadd_ps(b, v1, a01);
        a02 = _mm256_fmadd_ps(b, v2, a02), a03 = _mm256_fmadd_ps(b, v3, a03);
        b = _mm256_broadcast_ss(p1 + j);
        a10 = _mm256_fmadd_ps(b, v0, a10), a11 = _mm256_fmadd_ps(b, v1, a11);
        a12 = _mm256_fmadd_ps(b, v2, a12), a13 = _mm256_fmadd_ps(b, v3, a13);
        b = _mm256_broadcast_ss(p2 + j);
        a20 = _mm256_fmadd_ps(b, v0, a20), a21 = _mm256_fmadd_ps(b, v1, a21);
        a22 = _mm256_fmadd_ps(b, v2, a22), a23 = _mm256_fmadd_ps(b, v3, a23);
    }
    _mm256_storeu_ps(o0, a00), _mm256_storeu_ps(o0 + 8, a01), _mm256_storeu_ps(o0 + 16, a02),
        _mm256_storeu_ps(o0 + 24, a03);
    _mm256_storeu_ps(o1, a10), _mm256_storeu_ps(o1 + 8, a11), _mm256_storeu_ps(o1 + 16, a12),
        _mm256_storeu_ps(o1 + 24, a13);
    _mm256_storeu_ps(o2, a20), _mm256_storeu_ps(o2 + 8, a21), _mm256_storeu_ps(o2 + 16, a22),
        _mm256_storeu_ps(o2 + 24, a23);
}

template <int R>
inline void pv_rows(const float *p, const float *v, int nc, int D, float *o) {
    int d0 = 0;
    if constexpr (R == 3)
        for (; d0 + 32 <= D; d0 += 32) pv_3x32(p, v, nc, D, d0, o);
    else if constexpr (R < 3)
        for (; d0 + 32 <= D; d0 += 32) pv_block<R, 4>(p, v, nc, D, d0, o);
    for (; d0 < D; d0 += 16) pv_block<R, 2>(p, v, nc, D, d0, o);
}

// Rows [r, r + R) with their own column counts: the columns all of them see go through the R-row
// kernel, each row's remaining ones through the one-row kernel. Excluded columns are never read.
template <int R>
inline void pv_ragged(const float *p, const float *v, int D, float *o, const int *cols) {
    int lo = cols[0];
    for (int i = 1; i < R; i++) lo = cols[i] < lo ? cols[i] : lo;
    if (lo > 0) pv_rows<R>(p, v, lo, D, o);
    for (int i = 0; i < R; i++)
        if (cols[i] > lo) pv_rows<1>(p + i * kBlockKeys + lo, v + int64_t(lo) * D, cols[i] - lo, D, o + i * D);
}

}  // namespace

void pv(const float *p, int nr, const float *v, int nc, int D, float *o, const int *cols) {
    int r = 0;
    if (cols) {  // a masked block (the diagonal, or rows that see nothing): ragged row lengths
        for (; r + 3 <= nr; r += 3) pv_ragged<3>(p + r * kBlockKeys, v, D, o + r * D, cols + r);
        if (nr - r == 2)
            pv_ragged<2>(p + r * kBlockKeys, v, D, o + r * D, cols + r);
        else if (nr - r == 1)
            pv_ragged<1>(p + r * kBlockKeys, v, D, o + r * D, cols + r);
        return;
    }
    for (; r + 3 <= nr; r += 3) pv_rows<3>(p + r * kBlockKeys, v, nc, D, o + r * D);
    if (nr - r == 2)
        pv_rows<2>(p + r * kBlockKeys, v, nc, D, o + r * D);
    else if (nr - r == 1)
        pv_rows<1>(p + r * kBlockKeys, v, nc, D, o + r * D);
}

float exp2_sub_sum(float *x, int n, float m) {
    const __m256 mv = _mm256_set1_ps(m);
    __m256 acc = _mm256_setzero_ps();
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256 e = exp2v(_mm256_sub_ps(_mm256_loadu_ps(x + i), mv));
        _mm256_storeu_ps(x + i, e);
        acc = _mm256_add_ps(acc, e);
    }
    float sum = hsum(acc);
    for (; i < n; i++) {
        x[i] = std::exp2(x[i] - m);
        sum += x[i];
    }
    return sum;
}

namespace {

template <WeightType DT>
void dots_t(const float *q, const void *k, int64_t stride, int64_t n, int D, float scale, float *s) {
    for (int64_t j = 0; j < n; j++) {
        const void *row = row_ptr(k, int32_t(DT), stride, j);
        __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
        for (int d = 0; d < D; d += 16) {
            a0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + d), load8<DT>(row, d), a0);
            a1 = _mm256_fmadd_ps(_mm256_loadu_ps(q + d + 8), load8<DT>(row, d + 8), a1);
        }
        s[j] = hsum(_mm256_add_ps(a0, a1)) * scale;
    }
}

}  // namespace

void dots(const float *q, const void *k, int32_t dtype, int64_t stride, int64_t n, int D, float scale, float *s) {
    if (dtype == RWKVX_DTYPE_F32)
        dots_t<WeightType::F32>(q, k, stride, n, D, scale, s);
    else if (dtype == RWKVX_DTYPE_F16)
        dots_t<WeightType::F16>(q, k, stride, n, D, scale, s);
    else
        dots_t<WeightType::BF16>(q, k, stride, n, D, scale, s);
}

namespace {

template <WeightType DT, int W>
inline void axpy_block(const float *p, const void *v, int64_t stride, int64_t n, int d0, float *o) {
    __m256 acc[W];
    for (int w = 0; w < W; w++) acc[w] = _mm256_loadu_ps(o + d0 + 8 * w);
    for (int64_t j = 0; j < n; j++) {
        const void *row = row_ptr(v, int32_t(DT), stride, j);
        const __m256 pb = _mm256_set1_ps(p[j]);
        for (int w = 0; w < W; w++) acc[w] = _mm256_fmadd_ps(pb, load8<DT>(row, d0 + 8 * w), acc[w]);
    }
    for (int w = 0; w < W; w++) _mm256_storeu_ps(o + d0 + 8 * w, acc[w]);
}

template <WeightType DT>
void axpy_t(const float *p, const void *v, int64_t stride, int64_t n, int D, float *o) {
    int d0 = 0;
    for (; d0 + 64 <= D; d0 += 64) axpy_block<DT, 8>(p, v, stride, n, d0, o);
    for (; d0 < D; d0 += 16) axpy_block<DT, 2>(p, v, stride, n, d0, o);
}

}  // namespace

void axpy(const float *p, const void *v, int32_t dtype, int64_t stride, int64_t n, int D, float *o) {
    if (dtype == RWKVX_DTYPE_F32)
        axpy_t<WeightType::F32>(p, v, stride, n, D, o);
    else if (dtype == RWKVX_DTYPE_F16)
        axpy_t<WeightType::F16>(p, v, stride, n, D, o);
    else
        axpy_t<WeightType::BF16>(p, v, stride, n, D, o);
}

// Lane i of each 8-wide step is d = 8b + i, so lane = d mod 8: the canonical order of scalar::dot8.
void dot8(const float *q, const float *kbar, int D, float part[8]) {
    __m256 p = _mm256_loadu_ps(part);
    for (int d = 0; d < D; d += 8) p = _mm256_fmadd_ps(_mm256_loadu_ps(q + d), _mm256_loadu_ps(kbar + d), p);
    _mm256_storeu_ps(part, p);
}

void scores8(const float *q, const float *kbar, int64_t stride, int64_t n, int D, float *s) {
    int64_t c = 0;
    alignas(32) float part[4][8];
    for (; c + 4 <= n; c += 4) {
        __m256 p[4];
        for (int i = 0; i < 4; i++) p[i] = _mm256_setzero_ps();
        for (int d = 0; d < D; d += 8) {
            const __m256 qv = _mm256_loadu_ps(q + d);
            for (int i = 0; i < 4; i++) p[i] = _mm256_fmadd_ps(qv, _mm256_loadu_ps(kbar + (c + i) * stride + d), p[i]);
        }
        for (int i = 0; i < 4; i++) {
            _mm256_store_ps(part[i], p[i]);
            s[c + i] = tree8(part[i]);
        }
    }
    for (; c < n; c++) {
        float pt[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        dot8(q, kbar + c * stride, D, pt);
        s[c] = tree8(pt);
    }
}

}  // namespace avx2
}  // namespace rwkvx
