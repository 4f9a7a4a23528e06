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

// The matrix product (matmul_scalar.cpp); the layer norm is rwkvx::layer_norm (cpu/kernels.h).
void matmul(const MatmulArgs &m, int64_t n0, int64_t n1);
// Quantized weights are widened row by row and multiplied in float: no prepared inputs.
int64_t quant_prep_bytes(WeightType t, int64_t K);
void quant_prep(WeightType t, const float *x, int64_t T, int64_t K, void *out);

#include "cpu/isa_kernels.inc"

}  // namespace scalar
}  // namespace rwkvx
