// Small element-wise helpers shared by the architectures' forward passes.
#pragma once
#include <cmath>
#include <cstdint>

#include "cpu/kernels.h"
#include "model/tensor_set.h"

namespace rwkvx {

constexpr float kLayerNormEps = 1e-5f;

inline float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

// y = (x - mean) / sqrt(var + eps) * w + b over n elements (population variance, two passes).
inline void layer_norm(const float *x, const float *w, const float *b, float *y, int64_t n, float eps) {
    double sum = 0;
    for (int64_t i = 0; i < n; i++) sum += x[i];
    float mean = float(sum / double(n));
    double var = 0;
    for (int64_t i = 0; i < n; i++) var += double(x[i] - mean) * double(x[i] - mean);
    float inv = 1.0f / std::sqrt(float(var / double(n)) + eps);
    for (int64_t i = 0; i < n; i++) y[i] = (x[i] - mean) * inv * w[i] + b[i];
}

// y[T, rows] = x[T, cols] · wᵀ.
inline MatmulArgs mm(const Matrix &w, const float *x, int64_t T, float *y) {
    return MatmulArgs{w.type, w.data, w.rows, w.cols, x, T, y};
}

}  // namespace rwkvx
