// Small element-wise helpers shared by the architectures' forward passes.
#pragma once
#include <cmath>
#include <cstdint>

#include "cpu/cpu_ops.h"
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

// x[t] += d[t] for T rows of C.
inline void add_rows(CpuOps &ops, float *x, const float *d, int64_t T, int64_t C) {
    ops.for_rows(T, C, [&](int64_t t) {
        for (int64_t i = 0; i < C; i++) x[t * C + i] += d[t * C + i];
    });
}

// h = relu(h)² over T rows of F: the activation of every RWKV channel mix.
inline void relu_square_rows(CpuOps &ops, float *h, int64_t T, int64_t F) {
    ops.for_rows(T, 2 * F, [&](int64_t t) {
        float *row = h + t * F;
        for (int64_t i = 0; i < F; i++) {
            float z = row[i] > 0 ? row[i] : 0.0f;
            row[i] = z * z;
        }
    });
}

// The RWKV-4/5/6 channel mix after its token shift: x += sigmoid(xr·Wrᵀ) ⊙ (relu(xk·Wkᵀ)²·Wvᵀ).
// hidden is [T][F]; r and out are [T][C] scratch.
inline void gated_channel_mix(CpuOps &ops, const Matrix &key, const Matrix &value, const Matrix &receptance,
                              const float *xk, const float *xr, float *hidden, float *r, float *out, float *x,
                              int64_t T, int64_t C) {
    ops.matmul_many({mm(key, xk, T, hidden), mm(receptance, xr, T, r)});
    relu_square_rows(ops, hidden, T, key.rows);
    ops.matmul(mm(value, hidden, T, out));
    ops.for_rows(T, 8 * C, [&](int64_t t) {
        float *xt = x + t * C;
        const float *d = out + t * C, *rt = r + t * C;
        for (int64_t i = 0; i < C; i++) xt[i] += sigmoid(rt[i]) * d[i];
    });
}

}  // namespace rwkvx
