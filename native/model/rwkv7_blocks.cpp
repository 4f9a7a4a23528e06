#include "model/rwkv7_blocks.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "common/errors.h"
#include "model/model_ops.h"

namespace rwkvx {

namespace {

constexpr float kGroupNormEps = 64e-5f;   // 1e-5 * head_size_divisor^2 (divisor 8), as RWKV-7 trains
constexpr float kDecayScale = 0.606531f;  // e^-0.5: w = exp(-e^-0.5 * sigmoid(.)) lies in (0.545, 1)

// Token shift: out = x + (prev - x) * mix for row t, prev = the row before it (model/batch_rows.h).
void shift_mix(const float *xx, const float *prev, int64_t t, int64_t C,
               std::initializer_list<std::pair<const float *, float *>> mixes) {
    const float *cur = xx + t * C;
    for (const auto &m : mixes) {
        float *out = m.second + t * C;
        for (int64_t i = 0; i < C; i++) out[i] = cur[i] + (prev[i] - cur[i]) * m.first[i];
    }
}

// LayerNorm of every row of x into xx, then shift(t) for every row (a token shift, which reads the
// row before). Where every segment is one row (a decode step) the row before is the segment's state,
// not a row of xx: then both run in one parallel region.
template <typename Shift>
void norm_then_shift(CpuOps &ops, const Pass &p, const float *x, const float *ln_w, const float *ln_b, float *xx,
                     int64_t C, int64_t shift_cost, Shift &&shift) {
    const KernelTable &kernels = ops.kernels();
    auto norm = [&](int64_t t) { kernels.layer_norm(x + t * C, ln_w, ln_b, xx + t * C, C, kLayerNormEps); };
    if (p.rows == int64_t(p.segments.size())) {
        ops.for_rows(p.rows, 8 * C + shift_cost, [&](int64_t t) {
            norm(t);
            shift(t);
        });
        return;
    }
    ops.for_rows(p.rows, 8 * C, norm);
    ops.for_rows(p.rows, shift_cost, shift);
}

// The per-channel work of the time mix around the WKV recurrence, for heads [h0, h1) of row t: any
// head range gives each channel the same arithmetic (vector math runs in whole groups of 8 from
// each head's start), so heads may be split between threads.
struct HeadMix {
    const Rwkv7Layer &L;
    const KernelTable &kernels;
    bool first_layer;
    const Rwkv7Buffers &b;
    int64_t C, N;

    // Decay, in-context learning rate, value residual and the normalised removal key kk.
    void gates(int64_t t, int64_t h0, int64_t h1) const {
        const int64_t c0 = h0 * N, n = (h1 - h0) * N, o = t * C + c0;
        float *w = b.w + o, *a = b.a + o, *k = b.k + o, *v = b.v + o;
        float *wa = b.wa + o, *wb = b.wb + o, *vf = b.v_first + o, *vg = b.tmp + o;
        kernels.decay(L.w0 + c0, w, n, kDecayScale);
        kernels.sigmoid(L.a0 + c0, a, n);
        if (first_layer)
            std::memcpy(vf, v, size_t(n) * 4);
        else {
            kernels.sigmoid(L.v0 + c0, vg, n);  // the value-residual gate
            for (int64_t i = 0; i < n; i++) v[i] += (vf[i] - v[i]) * vg[i];
        }
        const float *k_k = L.k_k + c0, *k_a = L.k_a + c0;
        for (int64_t h = 0; h < h1 - h0; h++) {
            const int64_t s = h * N;
            float norm = 0;
            for (int64_t i = s; i < s + N; i++) {
                wa[i] = k[i] * k_k[i];  // kk, normalised below
                norm += wa[i] * wa[i];
            }
            float inv = 1.0f / std::max(std::sqrt(norm), 1e-12f);
            for (int64_t i = s; i < s + N; i++) {
                float kk = wa[i] * inv;
                wa[i] = -kk;
                wb[i] = kk * a[i];
                k[i] = k[i] * (1.0f + (a[i] - 1.0f) * k_a[i]);
            }
        }
    }

    // y = (GroupNorm(y) + (r·k·r_k) v) * g, per head.
    void output(int64_t t, int64_t h0, int64_t h1) const {
        const int64_t o = t * C;
        float *y = b.y + o;
        const float *r = b.r + o, *k = b.k + o, *v = b.v + o, *g = b.g + o;
        for (int64_t h = h0; h < h1; h++) {
            const int64_t s = h * N;
            kernels.layer_norm(y + s, L.ln_x_w + s, L.ln_x_b + s, y + s, N, kGroupNormEps);
            float bonus = 0;
            for (int64_t i = s; i < s + N; i++) bonus += r[i] * k[i] * L.r_k[i];
            for (int64_t i = s; i < s + N; i++) y[i] = (y[i] + bonus * v[i]) * g[i];
        }
    }
};

}  // namespace

Rwkv7Blocks::Rwkv7Blocks(const Rwkv7Weights &w, int64_t hidden_min) : w_(w) {
    for (const auto &L : w_.layers) lora_max_ = std::max({lora_max_, L.w1.rows, L.a1.rows, L.g1.rows, L.v1.rows});
    hidden_ = std::max(w_.ffn_size, hidden_min);
}

Rwkv7Buffers Rwkv7Blocks::buffers(int64_t T) {
    const int64_t C = w_.n_embd;
    RowCarver carve(workspace_, T, 19 * C + 4 * lora_max_ + hidden_);
    Rwkv7Buffers b;
    for (float **f : {&b.x, &b.xx, &b.xr, &b.xw, &b.xk, &b.xv, &b.xa, &b.xg, &b.r, &b.k, &b.v, &b.w, &b.a, &b.g, &b.wa,
                      &b.wb, &b.y, &b.v_first, &b.tmp})
        *f = carve.take(C);
    for (float **f : {&b.lw, &b.la, &b.lg, &b.lv}) *f = carve.take(lora_max_);
    b.hidden = carve.take(hidden_);
    return b;
}

void Rwkv7Blocks::embed(CpuOps &ops, const Pass &p, Rwkv7Buffers &b) const {
    embed_rows(ops, w_.emb, w_.ln0_w, w_.ln0_b, p.tokens.data(), p.rows, b.x);
}

void Rwkv7Blocks::head(CpuOps &ops, const Pass &p, Rwkv7Buffers &b) {
    head_segments(ops, HeadWeights{w_.head, w_.ln_out_w, w_.ln_out_b}, p, b.x, b.xx, head_rows_);
}

void Rwkv7Blocks::layer(CpuOps &ops, size_t l, const Pass &p, Rwkv7Buffers &b) const {
    const Rwkv7Layer &L = w_.layers[l];
    const bool first_layer = l == 0;
    const int64_t C = w_.n_embd, H = w_.n_head, N = w_.head_size, T = p.rows;
    const int64_t att_shift = int64_t(l) * layer_state_floats(), ffn_shift = att_shift + C,
                  wkv_state = att_shift + 2 * C;

    const KernelTable &kernels = ops.kernels();

    // ---- time mix ----
    norm_then_shift(ops, p, b.x, L.ln1_w, L.ln1_b, b.xx, C, 12 * C, [&](int64_t t) {
        shift_mix(b.xx, previous_row(p, b.xx, t, C, att_shift), t, C,
                  {{L.x_r, b.xr}, {L.x_w, b.xw}, {L.x_k, b.xk}, {L.x_v, b.xv}, {L.x_a, b.xa}, {L.x_g, b.xg}});
    });
    carry_last_rows(p, b.xx, C, att_shift);

    std::vector<MatmulArgs> jobs = {mm(L.receptance, b.xr, T, b.r), mm(L.key, b.xk, T, b.k), mm(L.value, b.xv, T, b.v),
                                    mm(L.w1, b.xw, T, b.lw),        mm(L.a1, b.xa, T, b.la), mm(L.g1, b.xg, T, b.lg)};
    if (!first_layer) jobs.push_back(mm(L.v1, b.xv, T, b.lv));
    ops.matmul_many(jobs);
    const int64_t dw = L.w1.rows, dg = L.g1.rows;
    ops.for_rows(T, 8 * (dw + dg), [&](int64_t t) {
        kernels.tanh(b.lw + t * dw, dw);
        kernels.sigmoid(nullptr, b.lg + t * dg, dg);
    });
    jobs = {mm(L.w2, b.lw, T, b.w), mm(L.a2, b.la, T, b.a), mm(L.g2, b.lg, T, b.g)};
    if (!first_layer) jobs.push_back(mm(L.v2, b.lv, T, b.tmp));
    const HeadMix mix{L, kernels, first_layer, b, C, N};

    // One parallel region for the LoRA second stage, the gates, every segment's recurrence and the
    // output gating when the pass is one token, or a few rows of several sequences (a batched decode
    // step): each thread takes whole heads of every row and every segment. One region instead of four
    // with serial passes between them, whose share of a step grows with the thread count (measured:
    // bench/README.md). The same kernels on the same values: bit-identical to the path below
    // (tests/native/test_decode_threads.cpp, test_batch_models.cpp).
    const bool few_rows = T == 1 || (p.segments.size() > 1 && T < kernels.gemm_min_rows);
    if (few_rows && H >= ops.pool().size() && N % kBlockRows == 0 && ops.worth_splitting(jobs)) {
        const int64_t NN = N * N;
        ops.pool().parallel_for(H, 1, [&](int64_t h0, int64_t h1) {
            for (const MatmulArgs &m : jobs) kernels.matmul(m, h0 * N, h1 * N);
            for (int64_t t = 0; t < T; t++) mix.gates(t, h0, h1);
            const size_t segments = p.segments.size();
            for (size_t i = 0; i < segments; i++) {
                const Segment &s = p.segments[i];
                const int64_t o = s.row * C;
                float *state = s.state + wkv_state;
                const Wkv7Args wkv{s.T,     int32_t(H), int32_t(N), b.r + o, b.w + o, b.k + o,
                                   b.v + o, b.wa + o,   b.wb + o,   state,   b.y + o};
                // The next state this thread reads: its next head here, or its first in the next segment.
                for (int64_t h = h0; h < h1; h++) {
                    const float *next = h + 1 < h1         ? state + (h + 1) * NN
                                        : i + 1 < segments ? p.segments[i + 1].state + wkv_state + h0 * NN
                                                           : nullptr;
                    kernels.wkv7(wkv, int32_t(h), 0, int32_t(N), next);
                }
            }
            for (int64_t t = 0; t < T; t++) mix.output(t, h0, h1);
        });
    } else {
        ops.matmul_many(jobs);
        ops.for_rows(T, 40 * C, [&](int64_t t) { mix.gates(t, 0, H); });
        wkv7_segments(ops, p, Wkv7Args{T, int32_t(H), int32_t(N), b.r, b.w, b.k, b.v, b.wa, b.wb, nullptr, b.y},
                      wkv_state);
        ops.for_rows(T, 10 * C, [&](int64_t t) { mix.output(t, 0, H); });
    }
    ops.matmul(mm(L.output, b.y, T, b.tmp));
    add_rows(ops, b.x, b.tmp, T, C);

    // ---- channel mix ----
    channel_mix(ops, ChannelMixWeights{L.ln2_w, L.ln2_b, L.ffn_x_k, L.ffn_key, L.ffn_value}, ffn_shift, p, b, C);
}

void channel_mix(CpuOps &ops, const ChannelMixWeights &m, int64_t shift_offset, const Pass &p, Rwkv7Buffers &b,
                 int64_t C) {
    const int64_t F = m.key.rows, T = p.rows;
    norm_then_shift(ops, p, b.x, m.ln_w, m.ln_b, b.xx, C, 2 * C, [&](int64_t t) {
        shift_mix(b.xx, previous_row(p, b.xx, t, C, shift_offset), t, C, {{m.x_k, b.xk}});
    });
    carry_last_rows(p, b.xx, C, shift_offset);
    ops.matmul(mm(m.key, b.xk, T, b.hidden));
    relu_square_rows(ops, b.hidden, T, F);
    ops.matmul(mm(m.value, b.hidden, T, b.tmp));
    add_rows(ops, b.x, b.tmp, T, C);
}

}  // namespace rwkvx
