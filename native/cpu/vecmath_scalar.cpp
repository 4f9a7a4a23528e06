#include <cmath>

#include "cpu/dispatch.h"
#include "cpu/vecmath.h"

namespace rwkvx {

namespace {

void layer_norm_scalar(const float *x, const float *w, const float *b, float *y, int64_t n, float eps) {
    double sum = 0;
    for (int64_t i = 0; i < n; i++) sum += x[i];
    float mean = float(sum / double(n));
    double var = 0;
    for (int64_t i = 0; i < n; i++) var += double(x[i] - mean) * double(x[i] - mean);
    float inv = 1.0f / std::sqrt(float(var / double(n)) + eps);
    for (int64_t i = 0; i < n; i++) y[i] = (x[i] - mean) * inv * w[i] + b[i];
}

void sigmoid_scalar(const float *bias, float *x, int64_t n) {
    for (int64_t i = 0; i < n; i++) x[i] = 1.0f / (1.0f + std::exp(-((bias ? bias[i] : 0.0f) + x[i])));
}

void tanh_scalar(float *x, int64_t n) {
    for (int64_t i = 0; i < n; i++) x[i] = std::tanh(x[i]);
}

void decay_scalar(const float *bias, float *x, int64_t n, float scale) {
    for (int64_t i = 0; i < n; i++) x[i] = std::exp(-scale / (1.0f + std::exp(-(bias[i] + x[i]))));
}

void relu_square_scalar(float *x, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        float z = x[i] > 0 ? x[i] : 0.0f;
        x[i] = z * z;
    }
}

const VecMath table = {layer_norm_scalar, sigmoid_scalar, tanh_scalar, decay_scalar, relu_square_scalar};

}  // namespace

const VecMath &scalar_vecmath() { return table; }

const VecMath &vecmath_for(const KernelTable &kernels) {
    return &kernels == &avx2_kernels() ? avx2_vecmath() : scalar_vecmath();
}

}  // namespace rwkvx
