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

// ---- loading 8 weights as floats --------------------------------------------------------------

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
        if constexpr (T == WeightType::F16) return _cvtsh_ss(h);
        else return bf16_to_float(h);
    }
}

constexpr int64_t elem_bytes(WeightType t) { return t == WeightType::F32 ? 4 : 2; }

inline float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

}  // namespace avx2
}  // namespace rwkvx
