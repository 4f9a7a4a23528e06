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

// Every token id must index the embedding: checked before any state changes.
inline void check_tokens(const int32_t *tokens, int64_t n, int64_t n_vocab) {
    for (int64_t i = 0; i < n; i++)
        if (tokens[i] < 0 || tokens[i] >= n_vocab)
            fail(RWKVX_ERROR_ARGUMENT, "token " + std::to_string(tokens[i]) + " at position " + std::to_string(i) +
                                           " is out of range [0, " + std::to_string(n_vocab) + ")");
}

// Runs a long call as slices of at most slice_tokens (bounding the workspace), routing the logits:
// slice(offset, T, out, mode) gets the part of `logits` that slice must write, or NONE.
template <typename F>
void for_each_slice(int64_t n_tokens, int64_t slice_tokens, int64_t n_vocab, float *logits, int32_t logits_mode,
                    F &&slice) {
    for (int64_t s = 0; s < n_tokens; s += slice_tokens) {
        const int64_t T = std::min(slice_tokens, n_tokens - s);
        if (logits_mode == RWKVX_LOGITS_ALL)
            slice(s, T, logits + s * n_vocab, int32_t(RWKVX_LOGITS_ALL));
        else if (logits_mode == RWKVX_LOGITS_LAST && s + T == n_tokens)
            slice(s, T, logits, int32_t(RWKVX_LOGITS_LAST));
        else
            slice(s, T, static_cast<float *>(nullptr), int32_t(RWKVX_LOGITS_NONE));
    }
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

// The logits `mode` asks for: ln_out of the last row (LAST) or of every row (ALL) of x [T][C] into
// scratch, times the head; nothing for NONE.
inline void head_rows(CpuOps &ops, const Matrix &head, const float *ln_out_w, const float *ln_out_b, const float *x,
                      int64_t T, float *scratch, float *logits, int32_t mode) {
    if (mode == RWKVX_LOGITS_NONE) return;
    const int64_t C = head.cols, first = mode == RWKVX_LOGITS_ALL ? 0 : T - 1, rows = T - first;
    ops.for_rows(rows, C, [&](int64_t t) {
        layer_norm(x + (first + t) * C, ln_out_w, ln_out_b, scratch + t * C, C, kLayerNormEps);
    });
    ops.matmul(mm(head, scratch, rows, logits));
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
