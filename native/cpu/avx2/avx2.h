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

// Matrix product, widening and recurrences (matmul_avx2.cpp, convert_avx2.cpp, wkv_avx2.cpp).
template <StreamTuning TU>
void matmul(const MatmulArgs &m, int64_t n0, int64_t n1);
extern template void matmul<StreamTuning::Amd>(const MatmulArgs &m, int64_t n0, int64_t n1);
extern template void matmul<StreamTuning::Intel>(const MatmulArgs &m, int64_t n0, int64_t n1);
void to_f32(WeightType t, const void *src, float *dst, int64_t n);
void wkv7(const Wkv7Args &p, int32_t h, int32_t i0, int32_t i1, const float *prefetch);
void wkv4(const Wkv4Args &p, int64_t c0, int64_t c1);
void wkv5(const Wkv5Args &p, int32_t h);

// Element-wise math (vecmath_avx2.cpp).
void layer_norm(const float *x, const float *w, const float *b, float *y, int64_t n, float eps);
void sigmoid(const float *bias, float *x, int64_t n);
void tanh(float *x, int64_t n);
void decay(const float *bias, float *x, int64_t n, float scale);
void relu_square(float *x, int64_t n);

// Attention inner loops (attention_avx2.cpp).
void qk(const float *q, int nr, const float *kt, int64_t kt_stride, int nc, int D, float *s);
void pv(const float *p, int nr, const float *v, int nc, int D, float *o);
float exp2_sub_sum(float *x, int n, float m);
void dots(const float *q, const void *k, int32_t dtype, int64_t stride, int64_t n, int D, float scale, float *s);
void axpy(const float *p, const void *v, int32_t dtype, int64_t stride, int64_t n, int D, float *o);
void dot8(const float *q, const float *kbar, int D, float part[8]);
void scores8(const float *q, const float *kbar, int64_t stride, int64_t n, int D, float *s);

}  // namespace avx2
}  // namespace rwkvx
