// machine_peaks_avx2.cpp — the probe kernels that need AVX2/FMA. This file alone is compiled with
// -mavx2 -mfma (see bench/CMakeLists.txt); callers check rwkvx_cpu_features() first.
// Free of STL and of inline or template code with external linkage, so that no AVX code can leak
// into shared (COMDAT) symbols.
#include <cstddef>
#include <cstdint>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define RWKVX_BENCH_HAVE_AVX2_KERNELS 1
#endif

namespace rwkvx_bench {
namespace detail {

#if RWKVX_BENCH_HAVE_AVX2_KERNELS

bool avx2_kernels_built() {
    return true;
}

// Sums n floats (n a multiple of 64, p 32-byte aligned) with 8 independent accumulators.
namespace {
// The sum of every lane of eight accumulators (keeps the probes' loads live).
double lane_total(__m256 a0, __m256 a1, __m256 a2, __m256 a3, __m256 a4, __m256 a5, __m256 a6, __m256 a7) {
    __m256 s = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)),
                             _mm256_add_ps(_mm256_add_ps(a4, a5), _mm256_add_ps(a6, a7)));
    alignas(32) float lanes[8];
    _mm256_store_ps(lanes, s);
    double total = 0.0;
    for (int i = 0; i < 8; ++i) total += lanes[i];
    return total;
}
}  // namespace

double read_sum_avx2(const float *p, std::size_t n) {
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps(),
           a4 = _mm256_setzero_ps(), a5 = _mm256_setzero_ps(), a6 = _mm256_setzero_ps(), a7 = _mm256_setzero_ps();
    for (std::size_t i = 0; i + 64 <= n; i += 64) {
        a0 = _mm256_add_ps(a0, _mm256_load_ps(p + i));
        a1 = _mm256_add_ps(a1, _mm256_load_ps(p + i + 8));
        a2 = _mm256_add_ps(a2, _mm256_load_ps(p + i + 16));
        a3 = _mm256_add_ps(a3, _mm256_load_ps(p + i + 24));
        a4 = _mm256_add_ps(a4, _mm256_load_ps(p + i + 32));
        a5 = _mm256_add_ps(a5, _mm256_load_ps(p + i + 40));
        a6 = _mm256_add_ps(a6, _mm256_load_ps(p + i + 48));
        a7 = _mm256_add_ps(a7, _mm256_load_ps(p + i + 56));
    }
    return lane_total(a0, a1, a2, a3, a4, a5, a6, a7);
}

namespace {
// Adds floats [0, n) of p (n a multiple of 32) and of q, if given, into the accumulators: one or two
// sequential streams at once.
template <bool TWO>
void add_streams(const float *p, const float *q, std::size_t n, __m256 &a0, __m256 &a1, __m256 &a2, __m256 &a3,
                 __m256 &a4, __m256 &a5, __m256 &a6, __m256 &a7) {
    for (std::size_t i = 0; i + 32 <= n; i += 32) {
        a0 = _mm256_add_ps(a0, _mm256_load_ps(p + i));
        a1 = _mm256_add_ps(a1, _mm256_load_ps(p + i + 8));
        a2 = _mm256_add_ps(a2, _mm256_load_ps(p + i + 16));
        a3 = _mm256_add_ps(a3, _mm256_load_ps(p + i + 24));
        if constexpr (TWO) {
            a4 = _mm256_add_ps(a4, _mm256_load_ps(q + i));
            a5 = _mm256_add_ps(a5, _mm256_load_ps(q + i + 8));
            a6 = _mm256_add_ps(a6, _mm256_load_ps(q + i + 16));
            a7 = _mm256_add_ps(a7, _mm256_load_ps(q + i + 24));
        }
    }
}
}  // namespace

// Sums p[0, n) (n a multiple of 64) as two streams, the way the engine's blocked GEMV reads: blocks
// of 48 KiB (32 rows of 768 16-bit weights), block i together with block i + half. Reading the two
// halves of the buffer instead put the streams a power of two apart (256 MiB for one thread), which
// on a Zen 4 VM ran at half the speed of one stream: DRAM bank conflicts the GEMV never sees.
double read_sum2_avx2(const float *p, std::size_t n) {
    constexpr std::size_t block = 12288;  // floats
    const std::size_t blocks = n / block, half = (blocks + 1) / 2;
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps(), a2 = _mm256_setzero_ps(), a3 = _mm256_setzero_ps(),
           a4 = _mm256_setzero_ps(), a5 = _mm256_setzero_ps(), a6 = _mm256_setzero_ps(), a7 = _mm256_setzero_ps();
    for (std::size_t i = 0; i < half; ++i) {
        if (i + half < blocks)
            add_streams<true>(p + i * block, p + (i + half) * block, block, a0, a1, a2, a3, a4, a5, a6, a7);
        else
            add_streams<false>(p + i * block, nullptr, block, a0, a1, a2, a3, a4, a5, a6, a7);
    }
    add_streams<false>(p + blocks * block, nullptr, n - blocks * block, a0, a1, a2, a3, a4, a5, a6, a7);
    return lane_total(a0, a1, a2, a3, a4, a5, a6, a7);
}

// 12 independent FMA chains of 8 floats: iters * 12 * 16 FLOP. acc <- acc*m + c converges to
// c/(1-m) = 0.1, so values stay finite and normal.
float fma_chains_avx2(std::int64_t iters, float seed) {
    const __m256 m = _mm256_set1_ps(0.999f);
    const __m256 c = _mm256_set1_ps(1e-4f);
    __m256 x0 = _mm256_set1_ps(seed + 0.01f), x1 = _mm256_set1_ps(seed + 0.02f), x2 = _mm256_set1_ps(seed + 0.03f),
           x3 = _mm256_set1_ps(seed + 0.04f), x4 = _mm256_set1_ps(seed + 0.05f), x5 = _mm256_set1_ps(seed + 0.06f),
           x6 = _mm256_set1_ps(seed + 0.07f), x7 = _mm256_set1_ps(seed + 0.08f), x8 = _mm256_set1_ps(seed + 0.09f),
           x9 = _mm256_set1_ps(seed + 0.10f), x10 = _mm256_set1_ps(seed + 0.11f), x11 = _mm256_set1_ps(seed + 0.12f);
    for (std::int64_t it = 0; it < iters; ++it) {
        x0 = _mm256_fmadd_ps(x0, m, c);
        x1 = _mm256_fmadd_ps(x1, m, c);
        x2 = _mm256_fmadd_ps(x2, m, c);
        x3 = _mm256_fmadd_ps(x3, m, c);
        x4 = _mm256_fmadd_ps(x4, m, c);
        x5 = _mm256_fmadd_ps(x5, m, c);
        x6 = _mm256_fmadd_ps(x6, m, c);
        x7 = _mm256_fmadd_ps(x7, m, c);
        x8 = _mm256_fmadd_ps(x8, m, c);
        x9 = _mm256_fmadd_ps(x9, m, c);
        x10 = _mm256_fmadd_ps(x10, m, c);
        x11 = _mm256_fmadd_ps(x11, m, c);
    }
    __m256 s = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(x0, x1), _mm256_add_ps(x2, x3)),
                             _mm256_add_ps(_mm256_add_ps(x4, x5), _mm256_add_ps(x6, x7)));
    s = _mm256_add_ps(s, _mm256_add_ps(_mm256_add_ps(x8, x9), _mm256_add_ps(x10, x11)));
    alignas(32) float lanes[8];
    _mm256_store_ps(lanes, s);
    return lanes[0] + lanes[7];
}

#else  // not built for AVX2/FMA (non-x86 build): never called, rwkvx_cpu_features() reports no AVX2

bool avx2_kernels_built() {
    return false;
}
double read_sum_avx2(const float *, std::size_t) {
    return 0.0;
}
double read_sum2_avx2(const float *, std::size_t) {
    return 0.0;
}
float fma_chains_avx2(std::int64_t, float) {
    return 0.0f;
}

#endif

}  // namespace detail
}  // namespace rwkvx_bench
