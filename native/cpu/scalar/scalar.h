// The portable kernels (cpu/scalar/*.cpp): the fallback for CPUs without AVX2/FMA/F16C, a second
// implementation the tests compare the vector kernels with, and what the AVX2 kernels hand the shapes
// they do not cover to.
#pragma once
#include <cstdint>
#include <cstring>

#include "cpu/kernels.h"

namespace rwkvx {
namespace scalar {

// Weights may sit at any byte offset (rwkv.cpp files pack tensors without alignment): load bytewise.
inline float load_weight(WeightType t, const void *w, int64_t i) {
    const char *p = static_cast<const char *>(w);
    if (t == WeightType::F32) {
        float f;
        std::memcpy(&f, p + 4 * i, 4);
        return f;
    }
    uint16_t h;
    std::memcpy(&h, p + 2 * i, 2);
    return t == WeightType::F16 ? half_to_float(h) : bf16_to_float(h);
}

// Matrix product, widening and recurrences (matmul_scalar.cpp, convert_scalar.cpp, wkv_scalar.cpp).
void matmul(const MatmulArgs &m, int64_t n0, int64_t n1);
void to_f32(WeightType t, const void *src, float *dst, int64_t n);
void wkv7(const Wkv7Args &p, int32_t h, int32_t i0, int32_t i1, const float *prefetch);
void wkv4(const Wkv4Args &p, int64_t c0, int64_t c1);
void wkv5(const Wkv5Args &p, int32_t h);

// Element-wise math (vecmath_scalar.cpp).
void layer_norm(const float *x, const float *w, const float *b, float *y, int64_t n, float eps);
void sigmoid(const float *bias, float *x, int64_t n);
void tanh(float *x, int64_t n);
void decay(const float *bias, float *x, int64_t n, float scale);
void relu_square(float *x, int64_t n);

// Attention inner loops (attention_scalar.cpp).
void qk(const float *q, int nr, const float *kt, int64_t kt_stride, int nc, int D, float *s);
void pv(const float *p, int nr, const float *v, int nc, int D, float *o);
float exp2_sub_sum(float *x, int n, float m);
void dots(const float *q, const void *k, int32_t dtype, int64_t stride, int64_t n, int D, float scale, float *s);
void axpy(const float *p, const void *v, int32_t dtype, int64_t stride, int64_t n, int D, float *o);
void dot8(const float *q, const float *kbar, int D, float part[8]);
void scores8(const float *q, const float *kbar, int64_t stride, int64_t n, int D, float *s);

}  // namespace scalar
}  // namespace rwkvx
