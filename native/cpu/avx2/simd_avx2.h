// Inline AVX2 + FMA + F16C helpers shared by the cpu/avx2/ kernels. Include only from files compiled
// with -mavx2 -mfma -mf16c (cpu/avx2/*.cpp).
#pragma once
#if !defined(__AVX2__) || !defined(__FMA__) || !defined(__F16C__)
#error "cpu/avx2/simd_avx2.h needs -mavx2 -mfma -mf16c"
#endif
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "common/dtypes.h"

namespace rwkvx {
namespace avx2 {

// ---- loading elements as floats ----------------------------------------------------------------

template <WeightType T>
inline __m256 load8(const void *w, int64_t i);
template <>
inline __m256 load8<WeightType::F32>(const void *w, int64_t i) {
    return _mm256_loadu_ps(static_cast<const float *>(w) + i);
}
template <>
inline __m256 load8<WeightType::F16>(const void *w, int64_t i) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i *>(static_cast<const uint16_t *>(w) + i)));
}
template <>
inline __m256 load8<WeightType::BF16>(const void *w, int64_t i) {
    __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i *>(static_cast<const uint16_t *>(w) + i));
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
}

// Weights may sit at any byte offset (rwkv.cpp files are unaligned): scalar loads go through memcpy.
template <WeightType T>
inline float load1(const void *w, int64_t i) {
    const char *p = static_cast<const char *>(w);
    if constexpr (T == WeightType::F32) {
        float f;
        std::memcpy(&f, p + 4 * i, 4);
        return f;
    } else {
        uint16_t h;
        std::memcpy(&h, p + 2 * i, 2);
        if constexpr (T == WeightType::F16)
            return _cvtsh_ss(h);
        else
            return bf16_to_float(h);
    }
}

constexpr int64_t elem_bytes(WeightType t) {
    return t == WeightType::F32 ? 4 : 2;
}

// ---- sums --------------------------------------------------------------------------------------

// The sum of the 8 lanes.
inline float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

// ---- exponentials -------------------------------------------------------------------------------

// c[0]·x^(N-1) + c[1]·x^(N-2) + ... + c[N-1] by Horner's rule, one FMA per coefficient after the first.
template <size_t N>
inline __m256 horner(__m256 x, const float (&c)[N]) {
    __m256 p = _mm256_set1_ps(c[0]);
#pragma GCC unroll 8
    for (size_t i = 1; i < N; i++) p = _mm256_fmadd_ps(p, x, _mm256_set1_ps(c[i]));
    return p;
}

// 2^n for floats n holding integers in [-126, 127]: the exponent field, built directly.
inline __m256 pow2i(__m256 n) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23));
}

// 2^t for t in [-127, 127] (callers clamp, and mask what falls outside the normal range): t = n + f
// with n = round(t), a degree-6 polynomial for 2^f (|f| <= 1/2, relative error ~2e-7), times 2^n.
// The e^x of the element-wise math and the 2^x of attention's softmax.
inline __m256 exp2_clamped(__m256 t) {
    static constexpr float kExp2Poly[] = {1.5403530e-4f, 1.3333558e-3f, 9.6181291e-3f, 5.5504109e-2f,
                                          2.4022651e-1f, 6.9314718e-1f, 1.0f};
    const __m256 n = _mm256_round_ps(t, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    return _mm256_mul_ps(horner(_mm256_sub_ps(t, n), kExp2Poly), pow2i(n));
}

}  // namespace avx2
}  // namespace rwkvx
