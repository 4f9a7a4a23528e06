#include <algorithm>
#include <cmath>
#include <cstring>

#include "common/errors.h"
#include "model/model_ops.h"
#include "model/rwkv7.h"

namespace rwkvx {

namespace {

constexpr float kGroupNormEps = 64e-5f;  // 1e-5 * head_size_divisor^2 (divisor 8), as RWKV-7 trains
constexpr float kDecayScale = 0.606531f; // e^-0.5: w = exp(-e^-0.5 * sigmoid(.)) lies in (0.545, 1)
// Tokens per internal slice of a long prefill: bounds the workspace, long enough for GEMM efficiency.
constexpr int64_t kSliceTokens = 512;

class Rwkv7Model final : public Model {
  public:
    explicit Rwkv7Model(Rwkv7Weights w) : w_(std::move(w)) {
        const int64_t C = w_.n_embd, H = w_.n_head, N = w_.head_size;
        info_ = rwkvx_model_info{};
        info_.arch = RWKVX_ARCH_RWKV7;
        info_.n_layer = int32_t(w_.layers.size());
        info_.n_embd = int32_t(C);
        info_.n_head = int32_t(H);
        info_.head_size = int32_t(N);
        info_.n_vocab = int32_t(w_.n_vocab);
        info_.ffn_size = int32_t(w_.ffn_size);
        info_.weight_dtype = int32_t(w_.head.type);
        info_.n_params = w_.n_params;
        info_.weight_bytes = w_.weight_bytes;
        info_.state_bytes = int64_t(layer_state_floats()) * int64_t(w_.layers.size()) * 4;
        for (const auto &L : w_.layers)
            lora_max_ = std::max({lora_max_, L.w1.rows, L.a1.rows, L.g1.rows, L.v1.rows});
    }

    const rwkvx_model_info &info() const override { return info_; }

    void reset_state(float *state) const override {
        std::memset(state, 0, size_t(info_.state_bytes));
    }

    void eval(CpuOps &ops, float *state, const int32_t *tokens, int64_t n_tokens, float *logits,
              int32_t logits_mode) override {
        for (int64_t i = 0; i < n_tokens; i++)
            if (tokens[i] < 0 || tokens[i] >= w_.n_vocab)
                fail(RWKVX_ERROR_ARGUMENT, "token " + std::to_string(tokens[i]) + " at position " + std::to_string(i) +
                                               " is out of range [0, " + std::to_string(w_.n_vocab) + ")");
        for (int64_t s = 0; s < n_tokens; s += kSliceTokens) {
            int64_t T = std::min(kSliceTokens, n_tokens - s);
            bool last_slice = s + T == n_tokens;
            float *out = nullptr;
            int32_t mode = RWKVX_LOGITS_NONE;
            if (logits_mode == RWKVX_LOGITS_ALL) {
                out = logits + s * w_.n_vocab;
                mode = RWKVX_LOGITS_ALL;
            } else if (logits_mode == RWKVX_LOGITS_LAST && last_slice) {
                out = logits;
                mode = RWKVX_LOGITS_LAST;
            }
            eval_slice(ops, state, tokens + s, T, out, mode);
        }
    }

  private:
    int64_t layer_state_floats() const { return 2 * w_.n_embd + w_.n_head * w_.head_size * w_.head_size; }

    struct Buffers {
        float *x, *xx, *xr, *xw, *xk, *xv, *xa, *xg, *r, *k, *v, *w, *a, *g, *wa, *wb, *y, *v_first, *tmp;
        float *lw, *la, *lg, *lv, *hidden;
    };

    Buffers buffers(int64_t T) {
        const int64_t C = w_.n_embd;
        const int64_t per_token = 19 * C + 4 * lora_max_ + w_.ffn_size;
        if (int64_t(workspace_.size()) < T * per_token) workspace_.resize(size_t(T * per_token));
        float *p = workspace_.data();
        auto take = [&](int64_t n) {
            float *q = p;
            p += T * n;
            return q;
        };
        Buffers b;
        for (float **f : {&b.x, &b.xx, &b.xr, &b.xw, &b.xk, &b.xv, &b.xa, &b.xg, &b.r, &b.k, &b.v, &b.w, &b.a, &b.g,
                          &b.wa, &b.wb, &b.y, &b.v_first, &b.tmp})
            *f = take(C);
        for (float **f : {&b.lw, &b.la, &b.lg, &b.lv}) *f = take(lora_max_);
        b.hidden = take(w_.ffn_size);
        return b;
    }

    void eval_slice(CpuOps &ops, float *state, const int32_t *tokens, int64_t T, float *logits, int32_t mode) {
        const int64_t C = w_.n_embd, V = w_.n_vocab;
        const int64_t row_bytes = w_.emb.type == WeightType::F32 ? 4 * C : 2 * C;
        Buffers b = buffers(T);
        ops.for_rows(T, C, [&](int64_t t) {
            float *x = b.x + t * C;
            ops.kernels().to_f32(w_.emb.type, static_cast<const char *>(w_.emb.data) + tokens[t] * row_bytes, x, C);
            layer_norm(x, w_.ln0_w, w_.ln0_b, x, C, kLayerNormEps);
        });
        for (size_t l = 0; l < w_.layers.size(); l++)
            layer(ops, w_.layers[l], l == 0, state + int64_t(l) * layer_state_floats(), b, T);

        if (mode == RWKVX_LOGITS_NONE) return;
        int64_t first = mode == RWKVX_LOGITS_ALL ? 0 : T - 1;
        int64_t rows = T - first;
        ops.for_rows(rows, C, [&](int64_t t) {
            layer_norm(b.x + (first + t) * C, w_.ln_out_w, w_.ln_out_b, b.xx + t * C, C, kLayerNormEps);
        });
        ops.matmul(MatmulArgs{w_.head.type, w_.head.data, V, C, b.xx, rows, logits});
    }

    // Token shift: out = x + (prev - x) * mix for each row, prev = the previous row (or the carried one).
    static void shift_mix(const float *xx, const float *carried, int64_t t, int64_t C,
                          std::initializer_list<std::pair<const float *, float *>> mixes) {
        const float *cur = xx + t * C;
        const float *prev = t == 0 ? carried : cur - C;
        for (const auto &m : mixes) {
            float *out = m.second + t * C;
            for (int64_t i = 0; i < C; i++) out[i] = cur[i] + (prev[i] - cur[i]) * m.first[i];
        }
    }

    void layer(CpuOps &ops, const Rwkv7Layer &L, bool first_layer, float *st, Buffers &b, int64_t T) {
        const int64_t C = w_.n_embd, H = w_.n_head, N = w_.head_size, F = w_.ffn_size;
        float *att_shift = st, *ffn_shift = st + C, *wkv_state = st + 2 * C;

        // ---- time mix ----
        ops.for_rows(T, 8 * C, [&](int64_t t) {
            layer_norm(b.x + t * C, L.ln1_w, L.ln1_b, b.xx + t * C, C, kLayerNormEps);
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
            for (int64_t i = 0; i < dw; i++) b.lw[t * dw + i] = std::tanh(b.lw[t * dw + i]);
            for (int64_t i = 0; i < dg; i++) b.lg[t * dg + i] = sigmoid(b.lg[t * dg + i]);
        });
        jobs = {mm(L.w2, b.lw, T, b.w), mm(L.a2, b.la, T, b.a), mm(L.g2, b.lg, T, b.g)};
        if (!first_layer) jobs.push_back(mm(L.v2, b.lv, T, b.tmp));
        ops.matmul_many(jobs);

        ops.for_rows(T, 40 * C, [&](int64_t t) {
            float *w = b.w + t * C, *a = b.a + t * C, *k = b.k + t * C, *v = b.v + t * C;
            float *wa = b.wa + t * C, *wb = b.wb + t * C, *vf = b.v_first + t * C, *vg = b.tmp + t * C;
            for (int64_t i = 0; i < C; i++) {
                w[i] = std::exp(-kDecayScale * sigmoid(L.w0[i] + w[i]));
                a[i] = sigmoid(L.a0[i] + a[i]);
            }
            if (first_layer) std::memcpy(vf, v, size_t(C) * 4);
            else
                for (int64_t i = 0; i < C; i++) v[i] += (vf[i] - v[i]) * sigmoid(L.v0[i] + vg[i]);
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
                layer_norm(y + o, L.ln_x_w + o, L.ln_x_b + o, y + o, N, kGroupNormEps);
                float bonus = 0;
                for (int64_t i = o; i < o + N; i++) bonus += r[i] * k[i] * L.r_k[i];
                for (int64_t i = o; i < o + N; i++) y[i] = (y[i] + bonus * v[i]) * g[i];
            }
        });
        ops.matmul(mm(L.output, b.y, T, b.tmp));
        add_rows(ops, b.x, b.tmp, T, C);

        // ---- channel mix ----
        ops.for_rows(T, 8 * C, [&](int64_t t) {
            layer_norm(b.x + t * C, L.ln2_w, L.ln2_b, b.xx + t * C, C, kLayerNormEps);
        });
        ops.for_rows(T, 2 * C, [&](int64_t t) { shift_mix(b.xx, ffn_shift, t, C, {{L.ffn_x_k, b.xk}}); });
        std::memcpy(ffn_shift, b.xx + (T - 1) * C, size_t(C) * 4);
        ops.matmul(mm(L.ffn_key, b.xk, T, b.hidden));
        ops.for_rows(T, 2 * F, [&](int64_t t) {
            float *h = b.hidden + t * F;
            for (int64_t i = 0; i < F; i++) {
                float r = h[i] > 0 ? h[i] : 0.0f;
                h[i] = r * r;
            }
        });
        ops.matmul(mm(L.ffn_value, b.hidden, T, b.tmp));
        add_rows(ops, b.x, b.tmp, T, C);
    }

    static void add_rows(CpuOps &ops, float *x, const float *d, int64_t T, int64_t C) {
        ops.for_rows(T, C, [&](int64_t t) {
            for (int64_t i = 0; i < C; i++) x[t * C + i] += d[t * C + i];
        });
    }

    Rwkv7Weights w_;
    rwkvx_model_info info_;
    int64_t lora_max_ = 0;
    std::vector<float> workspace_;  // used under the context lock only
};

}  // namespace

std::unique_ptr<Model> make_rwkv7(Rwkv7Weights weights) { return std::make_unique<Rwkv7Model>(std::move(weights)); }

}  // namespace rwkvx
