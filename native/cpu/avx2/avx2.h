// The AVX2 + FMA + F16C kernels (cpu/avx2/*.cpp, each compiled with -mavx2 -mfma -mf16c), gathered
// into the AVX2 kernel table by dispatch.cpp. Callable only on CPUs with those features.
#pragma once
#include <cstdint>

#include "cpu/kernels.h"

namespace rwkvx {
namespace avx2 {

// How the GEMV streams its weights, tuned per CPU vendor (matmul_avx2.cpp); dispatch.cpp picks one
// per process, tests run both.
enum class StreamTuning { Amd, Intel };

// The matmul's blocking as the table reports it to CpuOps: GEMM panels of NR output columns in
// blocks of NC, from kGemmMinRows input rows on (fewer rows stream the weights: GEMV).
constexpr int NR = 16, NC = 128;
constexpr int64_t kGemmMinRows = 4;

template <StreamTuning TU>
void matmul(const MatmulArgs &m, int64_t n0, int64_t n1);
extern template void matmul<StreamTuning::Amd>(const MatmulArgs &m, int64_t n0, int64_t n1);
extern template void matmul<StreamTuning::Intel>(const MatmulArgs &m, int64_t n0, int64_t n1);
void to_f32(WeightType t, const void *src, float *dst, int64_t n);
void wkv7(const Wkv7Args &p, int32_t h, int32_t i0, int32_t i1, const float *prefetch);
void wkv4(const Wkv4Args &p, int64_t c0, int64_t c1);
void wkv5(const Wkv5Args &p, int32_t h);

}  // namespace avx2
}  // namespace rwkvx
