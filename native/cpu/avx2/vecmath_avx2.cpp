// AVX2 element-wise math of the forward passes (activations, layer norm). Compiled with -mavx2 -mfma
// -mf16c.
#include <immintrin.h>

#include <cmath>

#include "cpu/avx2/avx2.h"
#include "cpu/avx2/simd_avx2.h"

namespace rwkvx {
namespace avx2 {

namespace {

// e^x for x in float range: 2^(x·log2 e) split into integer and fraction, degree-6 polynomial for
// the fraction (relative error ~2e-7); saturates to 0 / +inf outside ±87.
inline __m256 exp_avx2(__m256 x) {
    return exp2_clamped(_mm256_mul_ps(_mm256_max_ps(_mm256_min_ps(x, _mm256_set1_ps(88.0f)), _mm256_set1_ps(-88.0f)),
                                      _mm256_set1_ps(1.44269504088896341f)));
}

inline __m256 sigmoid_avx2(__m256 x) {
    const __m256 one = _mm256_set1_ps(1.0f);
    return _mm256_div_ps(one, _mm256_add_ps(one, exp_avx2(_mm256_sub_ps(_mm256_setzero_ps(), x))));
}

}  // namespace

void layer_norm(const float *x, const float *w, const float *b, float *y, int64_t n, float eps) {
    const int64_t n8 = n & ~int64_t(7);
    __m256 s = _mm256_setzero_ps();
    for (int64_t i = 0; i < n8; i += 8) s = _mm256_add_ps(s, _mm256_loadu_ps(x + i));
    float sum = hsum(s);
    for (int64_t i = n8; i < n; i++) sum += x[i];
    const float mean = sum / float(n);
    const __m256 mv = _mm256_set1_ps(mean);
    __m256 q = _mm256_setzero_ps();
    for (int64_t i = 0; i < n8; i += 8) {
        __m256 d = _mm256_sub_ps(_mm256_loadu_ps(x + i), mv);
        q = _mm256_fmadd_ps(d, d, q);
    }
    float var = hsum(q);
    for (int64_t i = n8; i < n; i++) var += (x[i] - mean) * (x[i] - mean);
    const float inv = 1.0f / std::sqrt(var / float(n) + eps);
    const __m256 iv = _mm256_set1_ps(inv);
    for (int64_t i = 0; i < n8; i += 8) {
        __m256 d = _mm256_mul_ps(_mm256_sub_ps(_mm256_loadu_ps(x + i), mv), iv);
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(d, _mm256_loadu_ps(w + i), _mm256_loadu_ps(b + i)));
    }
    for (int64_t i = n8; i < n; i++) y[i] = (x[i] - mean) * inv * w[i] + b[i];
}

void sigmoid(const float *bias, float *x, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 v = _mm256_loadu_ps(x + i);
        if (bias) v = _mm256_add_ps(v, _mm256_loadu_ps(bias + i));
        _mm256_storeu_ps(x + i, sigmoid_avx2(v));
    }
    for (; i < n; i++) x[i] = 1.0f / (1.0f + std::exp(-((bias ? bias[i] : 0.0f) + x[i])));
}

void tanh(float *x, int64_t n) {
    // tanh(x) = 2·sigmoid(2x) − 1; absolute error ~1e-7, enough for a LoRA bottleneck.
    const __m256 two = _mm256_set1_ps(2.0f), one = _mm256_set1_ps(1.0f);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(x + i, _mm256_fmsub_ps(two, sigmoid_avx2(_mm256_mul_ps(two, _mm256_loadu_ps(x + i))), one));
    for (; i < n; i++) x[i] = std::tanh(x[i]);
}

void decay(const float *bias, float *x, int64_t n, float scale) {
    const __m256 ns = _mm256_set1_ps(-scale);
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 s = sigmoid_avx2(_mm256_add_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(bias + i)));
        _mm256_storeu_ps(x + i, exp_avx2(_mm256_mul_ps(ns, s)));
    }
    for (; i < n; i++) x[i] = std::exp(-scale / (1.0f + std::exp(-(bias[i] + x[i]))));
}

void relu_square(float *x, int64_t n) {
    const __m256 zero = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 z = _mm256_max_ps(_mm256_loadu_ps(x + i), zero);  // max returns the 2nd operand for NaN
        _mm256_storeu_ps(x + i, _mm256_mul_ps(z, z));
    }
    for (; i < n; i++) {
        float z = x[i] > 0 ? x[i] : 0.0f;
        x[i] = z * z;
    }
}

}  // namespace avx2
}  // namespace rwkvx
