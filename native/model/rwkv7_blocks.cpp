#include "model/rwkv7_blocks.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "common/errors.h"
#include "cpu/vecmath.h"
#include "model/model_ops.h"

namespace rwkvx {

namespace {

constexpr float kGroupNormEps = 64e-5f;  // 1e-5 * head_size_divisor^2 (divisor 8), as RWKV-7 trains
constexpr float kDecayScale = 0.606531f; // e^-0.5: w = exp(-e^-0.5 * sigmoid(.)) lies in (0.545, 1)

// Token shift: out = x + (prev - x) * mix for each row, prev = the previous row (or the carried one).
void shift_mix(const float *xx, const float *carried, int64_t t, int64_t C,
               std::initializer_list<std::pair<const float *, float *>> mixes) {
    const float *cur = xx + t * C;
    const float *prev = t == 0 ? carried : cur - C;
    for (const auto &m : mixes) {
        float *out = m.second + t * C;
        for (int64_t i = 0; i < C; i++) out[i] = cur[i] + (prev[i] - cur[i]) * m.first[i];
    }
}

}  // namespace

Rwkv7Blocks::Rwkv7Blocks(const Rwkv7Weights &w, int64_t hidden_min) : w_(w) {
    for (const auto &L : w_.layers)
        lora_max_ = std::max({lora_max_, L.w1.rows, L.a1.rows, L.g1.rows, L.v1.rows});
    hidden_ = std::max(w_.ffn_size, hidden_min);
}

void Rwkv7Blocks::check_tokens(const int32_t *tokens, int64_t n) const { rwkvx::check_tokens(tokens, n, w_.n_vocab); }

Rwkv7Buffers Rwkv7Blocks::buffers(int64_t T) {
    const int64_t C = w_.n_embd;
    RowCarver carve(workspace_, T, 19 * C + 4 * lora_max_ + hidden_);
    Rwkv7Buffers b;
    for (float **f : {&b.x, &b.xx, &b.xr, &b.xw, &b.xk, &b.xv, &b.xa, &b.xg, &b.r, &b.k, &b.v, &b.w, &b.a, &b.g,
                      &b.wa, &b.wb, &b.y, &b.v_first, &b.tmp})
        *f = carve.take(C);
    for (float **f : {&b.lw, &b.la, &b.lg, &b.lv}) *f = carve.take(lora_max_);
    b.hidden = carve.take(hidden_);
    return b;
}

void Rwkv7Blocks::embed(CpuOps &ops, const int32_t *tokens, int64_t T, Rwkv7Buffers &b) const {
    embed_rows(ops, w_.emb, w_.ln0_w, w_.ln0_b, tokens, T, b.x);
}

void Rwkv7Blocks::head(CpuOps &ops, Rwkv7Buffers &b, int64_t T, float *logits, int32_t mode) const {
    head_rows(ops, w_.head, w_.ln_out_w, w_.ln_out_b, b.x, T, b.xx, logits, mode);
}

void Rwkv7Blocks::layer(CpuOps &ops, size_t l, float *st, Rwkv7Buffers &b, int64_t T) const {
    const Rwkv7Layer &L = w_.layers[l];
    const bool first_layer = l == 0;
    const int64_t C = w_.n_embd, H = w_.n_head, N = w_.head_size;
    float *att_shift = st, *ffn_shift = st + C, *wkv_state = st + 2 * C;

    const VecMath &vm = vecmath_for(ops.kernels());

    // ---- time mix ----
    ops.for_rows(T, 8 * C, [&](int64_t t) {
        vm.layer_norm(b.x + t * C, L.ln1_w, L.ln1_b, b.xx + t * C, C, kLayerNormEps);
    });
    ops.for_rows(T, 12 * C, [&](int64_t t) {
        shift_mix(b.xx, att_shift, t, C,
                  {{L.x_r, b.xr}, {L.x_w, b.xw}, {L.x_k, b.xk}, {L.x_v, b.xv}, {L.x_a, b.xa}, {L.x_g, b.xg}});
    });
    std::memcpy(att_shift, b.xx + (T - 1) * C, size_t(C) * 4);

    std::vector<MatmulArgs> jobs = {mm(L.receptance, b.xr, T, b.r), mm(L.key, b.xk, T, b.k),
                                    mm(L.value, b.xv, T, b.v),      mm(L.w1, b.xw, T, b.lw),
                                    mm(L.a1, b.xa, T, b.la),        mm(L.g1, b.xg, T, b.lg)};
    if (!first_layer) jobs.push_back(mm(L.v1, b.xv, T, b.lv));
    ops.matmul_many(jobs);
    const int64_t dw = L.w1.rows, dg = L.g1.rows;
    ops.for_rows(T, 8 * (dw + dg), [&](int64_t t) {
        vm.tanh(b.lw + t * dw, dw);
        vm.sigmoid(nullptr, b.lg + t * dg, dg);
    });
    jobs = {mm(L.w2, b.lw, T, b.w), mm(L.a2, b.la, T, b.a), mm(L.g2, b.lg, T, b.g)};
    if (!first_layer) jobs.push_back(mm(L.v2, b.lv, T, b.tmp));
    ops.matmul_many(jobs);

    ops.for_rows(T, 40 * C, [&](int64_t t) {
        float *w = b.w + t * C, *a = b.a + t * C, *k = b.k + t * C, *v = b.v + t * C;
        float *wa = b.wa + t * C, *wb = b.wb + t * C, *vf = b.v_first + t * C, *vg = b.tmp + t * C;
        vm.decay(L.w0, w, C, kDecayScale);
        vm.sigmoid(L.a0, a, C);
        if (first_layer) std::memcpy(vf, v, size_t(C) * 4);
        else {
            vm.sigmoid(L.v0, vg, C);  // the value-residual gate
            for (int64_t i = 0; i < C; i++) v[i] += (vf[i] - v[i]) * vg[i];
        }
        for (int64_t h = 0; h < H; h++) {
            const int64_t o = h * N;
            float norm = 0;
            for (int64_t i = o; i < o + N; i++) {
                wa[i] = k[i] * L.k_k[i];  // kk, normalised below
                norm += wa[i] * wa[i];
            }
            float inv = 1.0f / std::max(std::sqrt(norm), 1e-12f);
            for (int64_t i = o; i < o + N; i++) {
                float kk = wa[i] * inv;
                wa[i] = -kk;
                wb[i] = kk * a[i];
                k[i] = k[i] * (1.0f + (a[i] - 1.0f) * L.k_a[i]);
            }
        }
    });

    ops.wkv7(Wkv7Args{T, int32_t(H), int32_t(N), b.r, b.w, b.k, b.v, b.wa, b.wb, wkv_state, b.y});

    ops.for_rows(T, 10 * C, [&](int64_t t) {
        float *y = b.y + t * C;
        const float *r = b.r + t * C, *k = b.k + t * C, *v = b.v + t * C, *g = b.g + t * C;
        for (int64_t h = 0; h < H; h++) {
            const int64_t o = h * N;
            vm.layer_norm(y + o, L.ln_x_w + o, L.ln_x_b + o, y + o, N, kGroupNormEps);
            float bonus = 0;
            for (int64_t i = o; i < o + N; i++) bonus += r[i] * k[i] * L.r_k[i];
            for (int64_t i = o; i < o + N; i++) y[i] = (y[i] + bonus * v[i]) * g[i];
        }
    });
    ops.matmul(mm(L.output, b.y, T, b.tmp));
    add_rows(ops, b.x, b.tmp, T, C);

    // ---- channel mix ----
    channel_mix(ops, ChannelMixWeights{L.ln2_w, L.ln2_b, L.ffn_x_k, L.ffn_key, L.ffn_value}, ffn_shift, b, T, C);
}

void channel_mix(CpuOps &ops, const ChannelMixWeights &m, float *shift, Rwkv7Buffers &b, int64_t T, int64_t C) {
    const int64_t F = m.key.rows;
    const VecMath &vm = vecmath_for(ops.kernels());
    ops.for_rows(T, 8 * C, [&](int64_t t) { vm.layer_norm(b.x + t * C, m.ln_w, m.ln_b, b.xx + t * C, C, kLayerNormEps); });
    ops.for_rows(T, 2 * C, [&](int64_t t) { shift_mix(b.xx, shift, t, C, {{m.x_k, b.xk}}); });
    std::memcpy(shift, b.xx + (T - 1) * C, size_t(C) * 4);
    ops.matmul(mm(m.key, b.xk, T, b.hidden));
    relu_square_rows(ops, b.hidden, T, F);
    ops.matmul(mm(m.value, b.hidden, T, b.tmp));
    add_rows(ops, b.x, b.tmp, T, C);
}

}  // namespace rwkvx
