// Small element-wise helpers shared by the architectures' forward passes.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "common/errors.h"
#include "cpu/cpu_ops.h"
#include "cpu/kernels.h"
#include "model/tensor_set.h"

namespace rwkvx {

constexpr float kLayerNormEps = 1e-5f;

inline float sigmoid(float x) {
    return 1.0f / (1.0f + std::exp(-x));
}

// y[T, rows] = x[T, cols] · wᵀ.
inline MatmulArgs mm(const Matrix &w, const float *x, int64_t T, float *y) {
    return MatmulArgs{w.type, w.data, w.rows, w.cols, x, T, y, w.blocked};
}

// Per-token buffers of T rows carved from a workspace, which grows to T * per_token floats first.
class RowCarver {
  public:
    RowCarver(std::vector<float> &workspace, int64_t T, int64_t per_token) : T_(T) {
        if (int64_t(workspace.size()) < T * per_token) workspace.resize(size_t(T * per_token));
        next_ = workspace.data();
        end_ = next_ + T * per_token;
    }
    // The next T·n floats: n per token row.
    float *take(int64_t n) {
        if (next_ + T_ * n > end_) fail(RWKVX_ERROR_INTERNAL, "workspace carved beyond its per-token size");
        float *q = next_;
        next_ += T_ * n;
        return q;
    }

  private:
    int64_t T_;
    float *next_, *end_;
};

// x[t] = ln0(emb[tokens[t]]) for T rows of C: every architecture's input rows (a quantized
// embedding's row is widened from its blocks).
inline void embed_rows(CpuOps &ops, const Matrix &emb, const float *ln0_w, const float *ln0_b, const int32_t *tokens,
                       int64_t T, float *x) {
    const int64_t C = emb.cols, bytes = row_bytes(emb.type, C);
    ops.for_rows(T, C, [&](int64_t t) {
        float *row = x + t * C;
        ops.kernels().to_f32(emb.type, static_cast<const char *>(emb.data) + tokens[t] * bytes, row, C);
        layer_norm(row, ln0_w, ln0_b, row, C, kLayerNormEps);
    });
}

// x[t] += d[t] for T rows of C.
inline void add_rows(CpuOps &ops, float *x, const float *d, int64_t T, int64_t C) {
    ops.for_rows(T, C, [&](int64_t t) {
        for (int64_t i = 0; i < C; i++) x[t * C + i] += d[t * C + i];
    });
}

// h = relu(h)² over T rows of F: the activation of every RWKV channel mix.
inline void relu_square_rows(CpuOps &ops, float *h, int64_t T, int64_t F) {
    const KernelTable &kernels = ops.kernels();
    ops.for_rows(T, 2 * F, [&](int64_t t) { kernels.relu_square(h + t * F, F); });
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
