// RWKV-4 forward pass (docs/formats.md §4.2, as rwkv.cpp computes it), in slices of tokens: each step
// runs over all tokens of the slice, so prefill uses matrix-matrix products and one WKV-4 call.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "common/errors.h"
#include "model/model_ops.h"
#include "model/rwkv4.h"

namespace rwkvx {

namespace {

// Tokens per internal slice of a long prefill: bounds the workspace, long enough for GEMM efficiency.
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
        check_tokens(tokens, n_tokens, w_.n_vocab);
        for_each_slice(
            n_tokens, kSliceTokens, w_.n_vocab, logits, logits_mode,
            [&](int64_t s, int64_t T, float *out, int32_t mode) { eval_slice(ops, state, tokens + s, T, out, mode); });
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

    void eval_slice(CpuOps &ops, float *state, const int32_t *tokens, int64_t T, float *logits, int32_t mode) {
        const int64_t C = w_.n_embd;
        Buffers b = buffers(T);
        embed_rows(ops, w_.emb, w_.ln0_w, w_.ln0_b, tokens, T, b.x);
        for (size_t l = 0; l < w_.layers.size(); l++) layer(ops, w_.layers[l], state + int64_t(l) * 5 * C, b, T);
        head_rows(ops, w_.head, w_.ln_out_w, w_.ln_out_b, b.x, T, b.xx, logits, mode);
    }

    // RWKV-4 token shift, as rwkv.cpp writes it: out = cur * mix + prev * (1 - mix).
    static void shift_mix(const float *xx, const float *carried, int64_t t, int64_t C,
                          std::initializer_list<std::pair<const float *, float *>> mixes) {
        const float *cur = xx + t * C;
        const float *prev = t == 0 ? carried : cur - C;
        for (const auto &m : mixes) {
            float *out = m.second + t * C;
            for (int64_t i = 0; i < C; i++) out[i] = cur[i] * m.first[i] + prev[i] * (1.0f - m.first[i]);
        }
    }

    void layer(CpuOps &ops, const Rwkv4Layer &L, float *st, Buffers &b, int64_t T) {
        const int64_t C = w_.n_embd;
        float *att_shift = st, *ffn_shift = st + C, *wkv_state = st + 2 * C;

        // ---- time mix ----
        ops.for_rows(T, 8 * C,
                     [&](int64_t t) { layer_norm(b.x + t * C, L.ln1_w, L.ln1_b, b.xx + t * C, C, kLayerNormEps); });
        ops.for_rows(T, 6 * C, [&](int64_t t) {
            shift_mix(b.xx, att_shift, t, C, {{L.att_mix_k, b.xk}, {L.att_mix_v, b.xv}, {L.att_mix_r, b.xr}});
        });
        std::memcpy(att_shift, b.xx + (T - 1) * C, size_t(C) * 4);
        ops.matmul_many({mm(L.receptance, b.xr, T, b.r), mm(L.key, b.xk, T, b.k), mm(L.value, b.xv, T, b.v)});
        ops.wkv4(Wkv4Args{T, C, L.time_decay, L.time_first, b.k, b.v, wkv_state, b.y});
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
            shift_mix(b.xx, ffn_shift, t, C, {{L.ffn_mix_k, b.xk}, {L.ffn_mix_r, b.xr}});
        });
        std::memcpy(ffn_shift, b.xx + (T - 1) * C, size_t(C) * 4);
        gated_channel_mix(ops, L.ffn_key, L.ffn_value, L.ffn_receptance, b.xk, b.xr, b.hidden, b.r, b.tmp, b.x, T, C);
    }

    Rwkv4Weights w_;
    rwkvx_model_info info_;
    std::vector<float> workspace_;  // used under the context lock only
};

}  // namespace

std::unique_ptr<Model> make_rwkv4(Rwkv4Weights weights) {
    return std::make_unique<Rwkv4Model>(std::move(weights));
}

}  // namespace rwkvx
