// Portable element-wise math of the forward passes (activations, layer norm).
#include <cmath>

#include "cpu/scalar/scalar.h"

namespace rwkvx {

void layer_norm(const float *x, const float *w, const float *b, float *y, int64_t n, float eps) {
    double sum = 0;
    for (int64_t i = 0; i < n; i++) sum += x[i];
    float mean = float(sum / double(n));
    double var = 0;
    for (int64_t i = 0; i < n; i++) var += double(x[i] - mean) * double(x[i] - mean);
    float inv = 1.0f / std::sqrt(float(var / double(n)) + eps);
    for (int64_t i = 0; i < n; i++) y[i] = (x[i] - mean) * inv * w[i] + b[i];
}

namespace scalar {

void sigmoid(const float *bias, float *x, int64_t n) {
    for (int64_t i = 0; i < n; i++) x[i] = 1.0f / (1.0f + std::exp(-((bias ? bias[i] : 0.0f) + x[i])));
}

void tanh(float *x, int64_t n) {
    for (int64_t i = 0; i < n; i++) x[i] = std::tanh(x[i]);
}

void decay(const float *bias, float *x, int64_t n, float scale) {
    for (int64_t i = 0; i < n; i++) x[i] = std::exp(-scale / (1.0f + std::exp(-(bias[i] + x[i]))));
}

void relu_square(float *x, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        float z = x[i] > 0 ? x[i] : 0.0f;
        x[i] = z * z;
    }
}

}  // namespace scalar
}  // namespace rwkvx
