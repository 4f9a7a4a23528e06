// Vectorised element-wise math for the forward passes (activations, layer norm). One implementation
// per instruction set, like the kernel table; picked to match the context's kernels.
#pragma once
#include <cstdint>

#include "cpu/kernels.h"

namespace rwkvx {

struct VecMath {
    // y = (x - mean) / sqrt(var + eps) * w + b over n elements (population variance). y may be x.
    void (*layer_norm)(const float *x, const float *w, const float *b, float *y, int64_t n, float eps);
    // x = sigmoid(bias + x)   (bias may be null)
    void (*sigmoid)(const float *bias, float *x, int64_t n);
    // x = tanh(x)
    void (*tanh)(float *x, int64_t n);
    // x = exp(-scale * sigmoid(bias + x)): RWKV-7's decay from its LoRA output.
    void (*decay)(const float *bias, float *x, int64_t n, float scale);
    // x = max(x, 0)^2 (NaN -> 0), the channel mix activation. Branch-free: the signs are random, so a
    // branch mispredicts half the time (it cost 6% of a prefill).
    void (*relu_square)(float *x, int64_t n);
};

const VecMath &scalar_vecmath();
const VecMath &avx2_vecmath();
// The AVX2 version exactly when the kernel table is the AVX2 one.
const VecMath &vecmath_for(const KernelTable &kernels);

}  // namespace rwkvx
