// RWKV-5.2 / RWKV-6 forward pass, as rwkv.cpp computes it (rwkv_att_v5, rwkv_att_v6, rwkv_ffn(_v6)),
// in passes over the token rows of a batch (model/batch_rows.h): matrix-matrix products for prefill and
// batched decode, the WKV-5 recurrence per sequence.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "common/errors.h"
#include "model/batch_rows.h"
#include "model/model_ops.h"
#include "model/rwkv56.h"

namespace rwkvx {

namespace {

// ln_x GroupNorm eps. rwkv.cpp runs ggml's group norm (eps 1e-5) on the WKV output for v5.2; for v6
// it first scales by 1/8, which equals eps 64e-5 on the unscaled values (the trained 1e-5 * 8^2).
// Both reproduce the golden logits; 64e-5 for v5.2 does not (Σ diff ≈ 76).
constexpr float kGroupNormEpsV5 = 1e-5f;
constexpr float kGroupNormEpsV6 = 64e-5f;
constexpr int64_t kSliceTokens = 512;

class Rwkv56Model final : public Model {
  public:
    explicit Rwkv56Model(Rwkv56Weights w) : w_(std::move(w)), v6_(w_.arch == RWKVX_ARCH_RWKV6) {
        info_ = model_info(w_.arch, w_, w_.n_head, w_.head_size, layer_state_floats() * int64_t(w_.layers.size()) * 4);
    }

    const rwkvx_model_info &info() const override { return info_; }

    void reset_state(float *state) const override { std::memset(state, 0, size_t(info_.state_bytes)); }

    void eval(CpuOps &ops, float *state, const int32_t *tokens, int64_t n_tokens, float *logits,
              int32_t logits_mode) override {
        const BatchSeq one{state, nullptr, tokens, n_tokens, logits, logits_mode};
        eval_batch(ops, &one, 1);
    }

    void eval_batch(CpuOps &ops, const BatchSeq *seqs, int64_t n) override {
        check_batch_tokens(seqs, n, w_.n_vocab);
        for_each_pass(planner_.plan(seqs, n, kSliceTokens, w_.n_vocab), [&](const Pass &p) { eval_pass(ops, p); });
    }

  private:
    int64_t layer_state_floats() const { return 2 * w_.n_embd + w_.n_head * w_.head_size * w_.head_size; }

    struct Buffers {
        float *x, *xx, *sx /* previous rows */, *xw, *xk, *xv, *xr, *xg, *r, *k, *v, *g, *w, *y, *tmp, *lora, *lslice,
            *ldecay, *hidden;
    };

    Buffers buffers(int64_t T) {
        const int64_t C = w_.n_embd;
        RowCarver carve(workspace_, T, 15 * C + 6 * w_.maa_rank + w_.decay_rank + w_.ffn_size);
        Buffers b;
        for (float **f :
             {&b.x, &b.xx, &b.sx, &b.xw, &b.xk, &b.xv, &b.xr, &b.xg, &b.r, &b.k, &b.v, &b.g, &b.w, &b.y, &b.tmp})
            *f = carve.take(C);
        b.lora = carve.take(5 * w_.maa_rank);
        b.lslice = carve.take(w_.maa_rank);
        b.ldecay = carve.take(w_.decay_rank);
        b.hidden = carve.take(w_.ffn_size);
        return b;
    }

    void eval_pass(CpuOps &ops, const Pass &p) {
        Buffers b = buffers(p.rows);
        embed_rows(ops, w_.emb, w_.ln0_w, w_.ln0_b, p.tokens.data(), p.rows, b.x);
        for (size_t l = 0; l < w_.layers.size(); l++) layer(ops, w_.layers[l], int64_t(l) * layer_state_floats(), p, b);
        head_segments(ops, HeadWeights{w_.head, w_.ln_out_w, w_.ln_out_b}, p, b.x, b.xx, head_rows_);
    }

    // The row before every row (model/batch_rows.h), copied so that the carried rows can be updated;
    // then the carried rows (at state + shift_offset) become the segments' last rows.
    static void previous_rows(const Pass &p, const float *xx, float *prev, int64_t C, int64_t shift_offset) {
        for (const Segment &s : p.segments) {
            std::memcpy(prev + s.row * C, s.state + shift_offset, size_t(C) * 4);
            if (s.T > 1) std::memcpy(prev + (s.row + 1) * C, xx + s.row * C, size_t((s.T - 1) * C) * 4);
        }
        carry_last_rows(p, xx, C, shift_offset);
    }

    // RWKV-5.2 token shift as rwkv.cpp writes it: out = cur*mix + prev*(1-mix).
    static void mix_v5(const float *cur, const float *prev, const float *mix, float *out, int64_t C) {
        for (int64_t i = 0; i < C; i++) out[i] = cur[i] * mix[i] + prev[i] * (1.0f - mix[i]);
    }

    void time_mix_inputs_v5(CpuOps &ops, const Rwkv56Layer &L, Buffers &b, int64_t T) {
        const int64_t C = w_.n_embd;
        ops.for_rows(T, 8 * C, [&](int64_t t) {
            const float *cur = b.xx + t * C, *sx = b.sx + t * C;
            mix_v5(cur, sx, L.mix_k, b.xk + t * C, C);
            mix_v5(cur, sx, L.mix_v, b.xv + t * C, C);
            mix_v5(cur, sx, L.mix_r, b.xr + t * C, C);
            mix_v5(cur, sx, L.mix_g, b.xg + t * C, C);
            for (int64_t i = 0; i < C; i++) b.w[t * C + i] = 0.0f;  // unused (constant decay)
        });
    }

    // RWKV-6 data-dependent token shift and decay.
    void time_mix_inputs_v6(CpuOps &ops, const Rwkv56Layer &L, Buffers &b, int64_t T) {
        const int64_t C = w_.n_embd, D = w_.maa_rank, Dw = w_.decay_rank;
        ops.for_rows(T, 2 * C, [&](int64_t t) {
            const float *cur = b.xx + t * C, *sx = b.sx + t * C;
            for (int64_t i = 0; i < C; i++) b.tmp[t * C + i] = cur[i] + (sx[i] - cur[i]) * L.maa_x[i];
        });
        ops.matmul(mm(L.maa_w1, b.tmp, T, b.lora));
        ops.for_rows(T, 20 * D, [&](int64_t t) {
            for (int64_t i = 0; i < 5 * D; i++) b.lora[t * 5 * D + i] = std::tanh(b.lora[t * 5 * D + i]);
        });
        // Branch q reads its D-slice of each token's 5D row: a matmul over rows of stride 5D.
        float *outs[5] = {b.xw, b.xk, b.xv, b.xr, b.xg};
        const float *maa[5] = {L.maa_w, L.maa_k, L.maa_v, L.maa_r, L.maa_g};
        for (int q = 0; q < 5; q++) {
            ops.for_rows(T, D,
                         [&](int64_t t) { std::memcpy(b.lslice + t * D, b.lora + t * 5 * D + q * D, size_t(D) * 4); });
            ops.matmul(mm(L.maa_w2[q], b.lslice, T, outs[q]));
            ops.for_rows(T, 3 * C, [&](int64_t t) {
                float *o = outs[q] + t * C;
                const float *cur = b.xx + t * C, *sx = b.sx + t * C;
                for (int64_t i = 0; i < C; i++) o[i] = cur[i] + (sx[i] - cur[i]) * (maa[q][i] + o[i]);
            });
        }
        ops.matmul(mm(L.decay_w1, b.xw, T, b.ldecay));
        ops.for_rows(T, 20 * Dw, [&](int64_t t) {
            for (int64_t i = 0; i < Dw; i++) b.ldecay[t * Dw + i] = std::tanh(b.ldecay[t * Dw + i]);
        });
        ops.matmul(mm(L.decay_w2, b.ldecay, T, b.w));
        ops.for_rows(T, 40 * C, [&](int64_t t) {
            float *w = b.w + t * C;
            for (int64_t i = 0; i < C; i++) w[i] = std::exp(-std::exp(w[i] + L.time_decay[i]));
        });
    }

    // One layer over the pass's rows; each segment's layer state (att shift, ffn shift, wkv) at
    // state + st.
    void layer(CpuOps &ops, const Rwkv56Layer &L, int64_t st, const Pass &p, Buffers &b) {
        const int64_t C = w_.n_embd, H = w_.n_head, N = w_.head_size, T = p.rows;
        const int64_t att_shift = st, ffn_shift = st + C, wkv_state = st + 2 * C;

        // ---- time mix ----
        ops.for_rows(T, 8 * C,
                     [&](int64_t t) { layer_norm(b.x + t * C, L.ln1_w, L.ln1_b, b.xx + t * C, C, kLayerNormEps); });
        previous_rows(p, b.xx, b.sx, C, att_shift);
        if (v6_)
            time_mix_inputs_v6(ops, L, b, T);
        else
            time_mix_inputs_v5(ops, L, b, T);
        ops.matmul_many({mm(L.receptance, b.xr, T, b.r), mm(L.key, b.xk, T, b.k), mm(L.value, b.xv, T, b.v),
                         mm(L.gate, b.xg, T, b.g)});
        wkv5_segments(ops, p,
                      Wkv5Args{T, int32_t(H), int32_t(N), b.r, b.k, b.v, v6_ ? b.w : L.time_decay, v6_ ? C : 0,
                               L.time_faaaa, nullptr, b.y},
                      wkv_state);
        const float eps = v6_ ? kGroupNormEpsV6 : kGroupNormEpsV5;
        ops.for_rows(T, 12 * C, [&](int64_t t) {
            float *y = b.y + t * C;
            const float *g = b.g + t * C;
            for (int64_t h = 0; h < H; h++)
                layer_norm(y + h * N, L.ln_x_w + h * N, L.ln_x_b + h * N, y + h * N, N, eps);
            for (int64_t i = 0; i < C; i++) y[i] *= g[i] * sigmoid(g[i]);  // silu gate
        });
        ops.matmul(mm(L.output, b.y, T, b.tmp));
        add_rows(ops, b.x, b.tmp, T, C);

        // ---- channel mix ----
        ops.for_rows(T, 8 * C,
                     [&](int64_t t) { layer_norm(b.x + t * C, L.ln2_w, L.ln2_b, b.xx + t * C, C, kLayerNormEps); });
        previous_rows(p, b.xx, b.sx, C, ffn_shift);
        ops.for_rows(T, 4 * C, [&](int64_t t) {
            const float *cur = b.xx + t * C, *sx = b.sx + t * C;
            if (v6_) {
                for (int64_t i = 0; i < C; i++) {
                    b.xk[t * C + i] = cur[i] + (sx[i] - cur[i]) * L.ffn_mix_k[i];
                    b.xr[t * C + i] = cur[i] + (sx[i] - cur[i]) * L.ffn_mix_r[i];
                }
            } else {
                mix_v5(cur, sx, L.ffn_mix_k, b.xk + t * C, C);
                mix_v5(cur, sx, L.ffn_mix_r, b.xr + t * C, C);
            }
        });
        gated_channel_mix(ops, L.ffn_key, L.ffn_value, L.ffn_receptance, b.xk, b.xr, b.hidden, b.r, b.tmp, b.x, T, C);
    }

    Rwkv56Weights w_;
    bool v6_;
    rwkvx_model_info info_;
    BatchPlanner planner_;
    std::vector<float> workspace_, head_rows_;  // used under the context lock only
};

}  // namespace

std::unique_ptr<Model> make_rwkv56(Rwkv56Weights weights) {
    return std::make_unique<Rwkv56Model>(std::move(weights));
}

}  // namespace rwkvx
