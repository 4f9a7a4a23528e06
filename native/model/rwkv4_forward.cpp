// RWKV-4 forward pass (docs/formats.md §4.2, as rwkv.cpp computes it), in passes over the token rows of
// a batch (model/batch_rows.h): each step runs over all rows of the pass, so prefill and batched
// decode use matrix-matrix products, and the WKV-4 recurrence runs per sequence.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "common/errors.h"
#include "model/batch_rows.h"
#include "model/model_ops.h"
#include "model/rwkv4.h"

namespace rwkvx {

namespace {

// Rows per pass (a long prefill's slice): bounds the workspace, long enough for GEMM efficiency.
constexpr int64_t kSliceTokens = 512;
// Start-of-sequence pp: very negative but finite, so pp - max(pp, .) never computes -inf - -inf.
constexpr float kInitialPp = -1e38f;

class Rwkv4Model final : public Model {
  public:
    explicit Rwkv4Model(Rwkv4Weights w) : w_(std::move(w)) {
        const int64_t C = w_.n_embd;
        // n_head 1, documented in rwkvx.h: one "head" spanning all channels.
        info_ = model_info(RWKVX_ARCH_RWKV4, w_, 1, C, 5 * C * int64_t(w_.layers.size()) * 4);
    }

    const rwkvx_model_info &info() const override { return info_; }

    void reset_state(float *state) const override {
        const int64_t C = w_.n_embd;
        for (size_t l = 0; l < w_.layers.size(); l++) {
            float *s = state + int64_t(l) * 5 * C;
            std::fill(s, s + 4 * C, 0.0f);
            std::fill(s + 4 * C, s + 5 * C, kInitialPp);
        }
    }

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
    struct Buffers {
        float *x, *xx, *xk, *xv, *xr, *r, *k, *v, *y, *tmp, *hidden;
    };

    Buffers buffers(int64_t T) {
        const int64_t C = w_.n_embd;
        RowCarver carve(workspace_, T, 10 * C + w_.ffn_size);
        Buffers b;
        for (float **f : {&b.x, &b.xx, &b.xk, &b.xv, &b.xr, &b.r, &b.k, &b.v, &b.y, &b.tmp}) *f = carve.take(C);
        b.hidden = carve.take(w_.ffn_size);
        return b;
    }

    void eval_pass(CpuOps &ops, const Pass &p) {
        const int64_t C = w_.n_embd;
        Buffers b = buffers(p.rows);
        embed_rows(ops, w_.emb, w_.ln0_w, w_.ln0_b, p.tokens.data(), p.rows, b.x);
        for (size_t l = 0; l < w_.layers.size(); l++) layer(ops, w_.layers[l], int64_t(l) * 5 * C, p, b);
        head_segments(ops, HeadWeights{w_.head, w_.ln_out_w, w_.ln_out_b}, p, b.x, b.xx, head_rows_);
    }

    // RWKV-4 token shift, as rwkv.cpp writes it: out = cur * mix + prev * (1 - mix), prev = the row
    // before row t (model/batch_rows.h).
    static void shift_mix(const float *xx, const float *prev, int64_t t, int64_t C,
                          std::initializer_list<std::pair<const float *, float *>> mixes) {
        const float *cur = xx + t * C;
        for (const auto &m : mixes) {
            float *out = m.second + t * C;
            for (int64_t i = 0; i < C; i++) out[i] = cur[i] * m.first[i] + prev[i] * (1.0f - m.first[i]);
        }
    }

    // One layer over the pass's rows; each segment's layer state (att shift, ffn shift, wkv) at
    // state + st.
    void layer(CpuOps &ops, const Rwkv4Layer &L, int64_t st, const Pass &p, Buffers &b) {
        const int64_t C = w_.n_embd, T = p.rows;
        const int64_t att_shift = st, ffn_shift = st + C, wkv_state = st + 2 * C;

        // ---- time mix ----
        ops.for_rows(T, 8 * C,
                     [&](int64_t t) { layer_norm(b.x + t * C, L.ln1_w, L.ln1_b, b.xx + t * C, C, kLayerNormEps); });
        ops.for_rows(T, 6 * C, [&](int64_t t) {
            shift_mix(b.xx, previous_row(p, b.xx, t, C, att_shift), t, C,
                      {{L.att_mix_k, b.xk}, {L.att_mix_v, b.xv}, {L.att_mix_r, b.xr}});
        });
        carry_last_rows(p, b.xx, C, att_shift);
        ops.matmul_many({mm(L.receptance, b.xr, T, b.r), mm(L.key, b.xk, T, b.k), mm(L.value, b.xv, T, b.v)});
        wkv4_segments(ops, p, Wkv4Args{T, C, L.time_decay, L.time_first, b.k, b.v, nullptr, b.y}, wkv_state);
        ops.for_rows(T, 8 * C, [&](int64_t t) {
            float *y = b.y + t * C;
            const float *r = b.r + t * C;
            for (int64_t i = 0; i < C; i++) y[i] *= sigmoid(r[i]);
        });
        ops.matmul(mm(L.output, b.y, T, b.tmp));
        add_rows(ops, b.x, b.tmp, T, C);

        // ---- channel mix ----
        ops.for_rows(T, 8 * C,
                     [&](int64_t t) { layer_norm(b.x + t * C, L.ln2_w, L.ln2_b, b.xx + t * C, C, kLayerNormEps); });
        ops.for_rows(T, 4 * C, [&](int64_t t) {
            shift_mix(b.xx, previous_row(p, b.xx, t, C, ffn_shift), t, C, {{L.ffn_mix_k, b.xk}, {L.ffn_mix_r, b.xr}});
        });
        carry_last_rows(p, b.xx, C, ffn_shift);
        gated_channel_mix(ops, L.ffn_key, L.ffn_value, L.ffn_receptance, b.xk, b.xr, b.hidden, b.r, b.tmp, b.x, T, C);
    }

    Rwkv4Weights w_;
    rwkvx_model_info info_;
    BatchPlanner planner_;
    std::vector<float> workspace_, head_rows_;  // used under the context lock only
};

}  // namespace

std::unique_ptr<Model> make_rwkv4(Rwkv4Weights weights) {
    return std::make_unique<Rwkv4Model>(std::move(weights));
}

}  // namespace rwkvx
