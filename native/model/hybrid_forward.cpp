// RWKV-X forward: the RWKV-7 blocks (Rwkv7Blocks) with attention blocks inserted after every
// `interval` of them, the attention over each block's KV cache.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "attention/attention_params.h"
#include "common/errors.h"
#include "cpu/dispatch.h"
#include "model/hybrid.h"
#include "model/hybrid_state.h"
#include "model/model_ops.h"
#include "model/rwkv7_blocks.h"

namespace rwkvx {

namespace {

// Rows per pass (a long prefill's slice): a prefill into empty caches up to this length runs the
// tiled prefill kernel.
constexpr int64_t kSliceTokens = 2048;
constexpr int32_t kHeadSize = 64;

class HybridModel final : public Model {
  public:
    HybridModel(HybridWeights w, const rwkvx_hybrid_config &cfg)
        : w_(std::move(w)), cfg_(cfg), blocks_(w_.rwkv, max_attn_ffn(w_)) {
        const auto &r = w_.rwkv;
        C_ = r.n_embd;
        H_ = int32_t(C_ / kHeadSize);
        info_ = model_info(RWKVX_ARCH_HYBRID, r, r.n_head, r.head_size, header_bytes() + fixed_floats() * 4);
    }

    const rwkvx_model_info &info() const override { return info_; }

    void reset_state(float *state) const override { std::memset(state, 0, size_t(info_.state_bytes)); }

    void eval(CpuOps &, float *, const int32_t *, int64_t, float *, int32_t) override {
        fail(RWKVX_ERROR_INTERNAL, "RWKV-X state without its KV caches");
    }

    std::unique_ptr<StateExt> make_state_ext() const override {
        auto s = std::make_unique<HybridStateExt>();
        for (size_t j = 0; j < w_.attn.size(); j++) s->caches.push_back(empty_cache());
        return s;
    }

    void reset_ext(float *state, StateExt &ext) const override {
        reset_state(state);
        for (auto &c : static_cast<HybridStateExt &>(ext).caches) c = empty_cache();
    }

    void eval_ext(CpuOps &ops, float *state, StateExt &ext, const int32_t *tokens, int64_t n_tokens, float *logits,
                  int32_t logits_mode) override {
        const BatchSeq one{state, &ext, tokens, n_tokens, logits, logits_mode};
        eval_batch(ops, &one, 1);
    }

    void eval_batch(CpuOps &ops, const BatchSeq *seqs, int64_t n) override {
        for (int64_t i = 0; i < n; i++)
            if (seqs[i].ext == nullptr) fail(RWKVX_ERROR_INTERNAL, "RWKV-X state without its KV caches");
        check_batch_tokens(seqs, n, w_.rwkv.n_vocab);
        const int64_t R = int64_t(w_.rwkv.layers.size());
        for_each_pass(planner_.plan(seqs, n, kSliceTokens, w_.rwkv.n_vocab), [&](const Pass &p) {
            Rwkv7Buffers b = blocks_.buffers(p.rows);
            blocks_.embed(ops, p, b);
            for (int64_t i = 0; i < R; i++) {
                blocks_.layer(ops, size_t(i), p, b);
                if ((i + 1) % w_.interval == 0) attn_block(ops, size_t((i + 1) / w_.interval - 1), p, b);
            }
            blocks_.head(ops, p, b);
        });
    }

    int64_t export_bytes(const float *, const StateExt &ext) const override {
        int64_t n = info_.state_bytes;
        for (const auto &c : static_cast<const HybridStateExt &>(ext).caches) n += 2 * c->len * C_ * 4;
        return n;
    }

    void export_ext(const float *state, const StateExt &ext, void *dst, int64_t dst_bytes) const override {
        const auto &caches = static_cast<const HybridStateExt &>(ext).caches;
        RWKVX_REQUIRE_ARG(
            dst_bytes == export_bytes(state, ext),
            "dst_bytes is " + std::to_string(dst_bytes) + ", state needs " + std::to_string(export_bytes(state, ext)));
        char *p = static_cast<char *>(dst);
        int64_t header[1] = {int64_t(caches.size())};
        std::memcpy(p, header, 8);
        p += 8;
        for (const auto &c : caches) {
            std::memcpy(p, &c->len, 8);
            p += 8;
        }
        std::memcpy(p, state, size_t(fixed_floats()) * 4);
        p += fixed_floats() * 4;
        const KernelTable &kt = scalar_kernels();
        for (const auto &c : caches) {  // exported as fp32 whatever the cache stores
            const int64_t n = c->len * C_;
            if (n == 0) continue;  // an empty cache has no rows (and memcpy must not see null buffers)
            std::vector<char> kk(size_t(n * c->esize())), vv(kk.size());
            std::vector<float> f(static_cast<size_t>(n));
            gather_rows(*c, kk.data(), vv.data());
            kt.to_f32(WeightType(c->cfg.dtype), kk.data(), f.data(), n);
            std::memcpy(p, f.data(), size_t(n) * 4);
            kt.to_f32(WeightType(c->cfg.dtype), vv.data(), f.data(), n);
            std::memcpy(p + n * 4, f.data(), size_t(n) * 4);
            p += 2 * n * 4;
        }
    }

    void import_ext(float *state, StateExt &ext, const void *src, int64_t src_bytes) const override {
        auto &caches = static_cast<HybridStateExt &>(ext).caches;
        const int64_t A = int64_t(caches.size());
        const char *p = static_cast<const char *>(src);
        RWKVX_REQUIRE_ARG(src_bytes >= header_bytes(), "src_bytes is " + std::to_string(src_bytes) +
                                                           ", an RWKV-X state has at least " +
                                                           std::to_string(info_.state_bytes));
        int64_t a = 0;
        std::memcpy(&a, p, 8);
        RWKVX_REQUIRE_ARG(
            a == A, "state header says " + std::to_string(a) + " attention blocks, the model has " + std::to_string(A));
        std::vector<int64_t> lens(static_cast<size_t>(A));
        int64_t need = info_.state_bytes;
        for (int64_t j = 0; j < A; j++) {
            std::memcpy(&lens[size_t(j)], p + 8 * (1 + j), 8);
            RWKVX_REQUIRE_ARG(lens[size_t(j)] >= 0 && lens[size_t(j)] <= (int64_t(1) << 40),
                              "state header: cache length " + std::to_string(lens[size_t(j)]) + " of attention block " +
                                  std::to_string(j) + " is out of range");
            need += 2 * lens[size_t(j)] * C_ * 4;
        }
        RWKVX_REQUIRE_ARG(src_bytes == need, "src_bytes is " + std::to_string(src_bytes) + ", the state header needs " +
                                                 std::to_string(need));
        const float *f = reinterpret_cast<const float *>(p + header_bytes());
        const int64_t n_floats = (need - header_bytes()) / 4;
        for (int64_t i = 0; i < n_floats; i++) {
            float v;
            std::memcpy(&v, f + i, 4);
            if (!std::isfinite(v)) fail(RWKVX_ERROR_ARGUMENT, "state value #" + std::to_string(i) + " is not finite");
        }
        std::memcpy(state, f, size_t(fixed_floats()) * 4);
        const char *q = p + header_bytes() + fixed_floats() * 4;
        const KernelTable &kt = scalar_kernels();  // add_key is bitwise-defined on every table
        for (int64_t j = 0; j < A; j++) {
            const int64_t L = lens[size_t(j)], n = L * C_;
            auto c = empty_cache();
            if (n == 0) {  // no rows (and memcpy must not see null buffers)
                caches[size_t(j)] = std::move(c);
                continue;
            }
            std::vector<float> k(static_cast<size_t>(n)), v(static_cast<size_t>(n));
            std::memcpy(k.data(), q, size_t(n) * 4);
            std::memcpy(v.data(), q + n * 4, size_t(n) * 4);
            q += 2 * n * 4;
            ensure_capacity(kt, c, L);
            std::vector<char> kc(size_t(n * c->esize())), vc(kc.size());  // in the cache's dtype
            narrow_rows(c->cfg.dtype, k.data(), kc.data(), n);
            narrow_rows(c->cfg.dtype, v.data(), vc.data(), n);
            attn::kv_append(kt, *c, kc.data(), vc.data(), L, C_, C_);
            caches[size_t(j)] = std::move(c);
        }
    }

  private:
    static int64_t max_attn_ffn(const HybridWeights &w) {
        int64_t f = 0;
        for (const auto &a : w.attn) f = std::max(f, a.ffn_key.rows);
        return f;
    }
    int64_t header_bytes() const { return 8 * (1 + int64_t(w_.attn.size())); }
    int64_t fixed_floats() const {
        return blocks_.layer_state_floats() * int64_t(w_.rwkv.layers.size()) + C_ * int64_t(w_.attn.size());
    }
    // Where attention block j's channel-mix shift lies in a state.
    int64_t attn_shift_offset(int64_t j) const {
        return blocks_.layer_state_floats() * int64_t(w_.rwkv.layers.size()) + j * C_;
    }
    std::unique_ptr<attn::KvCache> empty_cache() const {
        auto c = new_kv_cache(H_, kHeadSize, cfg_.chunk_size, 256, cfg_.kv_dtype);
        c->cfg.max_size = cfg_.kv_max_size;
        c->cfg.window = cfg_.kv_window;
        c->cfg.min_size = cfg_.kv_min_size;
        return c;
    }

    // x += Attn(LN1(x)); x += CMix(LN2(x)) over the pass's rows; each segment attends over its own
    // cache of block j (prefill mode for a call of several tokens, as a single eval decides).
    void attn_block(CpuOps &ops, size_t j, const Pass &p, Rwkv7Buffers &b) const {
        const AttnBlock &A = w_.attn[j];
        const int64_t C = C_, T = p.rows;
        ops.for_rows(T, 8 * C,
                     [&](int64_t t) { layer_norm(b.x + t * C, A.ln1_w, A.ln1_b, b.xx + t * C, C, kLayerNormEps); });
        ops.matmul_many({mm(A.q, b.xx, T, b.r), mm(A.k, b.xx, T, b.k), mm(A.v, b.xx, T, b.v)});
        for (const Segment &s : p.segments) {
            const int64_t o = s.row * C;
            auto &cache = static_cast<HybridStateExt &>(*s.ext).caches[j];
            attend(ops, cache, b.r + o, b.k + o, b.v + o, b.y + o, s.T,
                   s.seq_tokens > 1 ? cfg_.prefill_mode : cfg_.decode_mode);
        }
        ops.matmul(mm(A.o, b.y, T, b.tmp));
        add_rows(ops, b.x, b.tmp, T, C);
        channel_mix(ops, ChannelMixWeights{A.ln2_w, A.ln2_b, A.ffn_x_k, A.ffn_key, A.ffn_value},
                    attn_shift_offset(int64_t(j)), p, b, C);
    }

    // o[t] = attention of q[t] over the cache and k/v rows <= t; the rows are then in the cache.
    void attend(CpuOps &ops, std::unique_ptr<attn::KvCache> &cache, const float *q, const float *k, const float *v,
                float *o, int64_t T, int32_t mode) const {
        const KernelTable &kt = ops.kernels();
        const float scale = 1.0f / std::sqrt(float(kHeadSize));
        const bool sparse = mode == RWKVX_ATTN_SPARSE;
        const int64_t past = cache->len, max_size = cache->cfg.max_size;
        // The new K/V rows as the cache stores them, so that a prefill sees exactly what later steps
        // read back from the cache.
        const int32_t dtype = cfg_.kv_dtype;
        const int64_t esize = dtype_bytes(dtype);
        const void *kd = k, *vd = v;
        if (dtype != RWKVX_DTYPE_F32) {
            const size_t bytes = size_t(T * C_ * esize);
            if (kv_rows_.size() < 2 * bytes) kv_rows_.resize(2 * bytes);
            narrow_rows(dtype, k, kv_rows_.data(), T * C_);
            narrow_rows(dtype, v, kv_rows_.data() + bytes, T * C_);
            kd = kv_rows_.data();
            vd = kv_rows_.data() + bytes;
        }
        // Many tokens run the tiled prefill (a first call never compresses). A later call continues
        // the cache with it too, unless token by token the cache would be compressed in between
        // (before any step that finds it longer than max_size): then it goes token by token.
        if (T > 1 && (past == 0 || max_size == 0 || past + T - 1 <= max_size)) {
            attn::Prefill p{};
            p.T = T;
            p.past = past;
            p.H = H_;
            p.D = kHeadSize;
            p.scale = scale;
            p.q = q;
            p.q_stride = C_;
            if (past == 0) {
                p.kv = attn::KvView{kd, vd, dtype, C_, C_, kHeadSize};
            } else {  // the new rows join the cache first; the kernels then read it all
                ensure_capacity(kt, cache, past + T);
                attn::kv_append(kt, *cache, kd, vd, T, C_, C_);
                p.kv = attn::kv_view(*cache);
            }
            p.o = o;
            p.o_stride = C_;
            p.lse = nullptr;
            p.sparse = sparse && past + T > cfg_.dense_below;
            p.B = cfg_.chunk_size;
            p.top_k = cfg_.top_k;
            p.scope = cfg_.scope;
            if (p.sparse)
                attn::sparse_prefill(ops.pool(), kt, p);
            else
                attn::full_prefill(ops.pool(), kt, p);
            if (past == 0) {
                ensure_capacity(kt, cache, T);
                attn::kv_append(kt, *cache, kd, vd, T, C_, C_);
            }
            return;
        }
        for (int64_t t = 0; t < T; t++) {
            attn::KvCache &c = *cache;
            if (c.cfg.max_size > 0 && c.len > c.cfg.max_size)
                attn::kv_compress(ops.pool(), kt, c, q + t * C_, 1, C_, scale);
            ensure_capacity(kt, cache, cache->len + 1);
            const char *kt_row = static_cast<const char *>(kd) + t * C_ * esize;
            const char *vt_row = static_cast<const char *>(vd) + t * C_ * esize;
            attn::Decode d{q + t * C_, kt_row,     vt_row,     o + t * C_,       nullptr,
                           sparse,     cfg_.top_k, cfg_.scope, cfg_.dense_below, scale};
            attn::decode_step(ops.pool(), kt, *cache, d);
            attn::kv_append(kt, *cache, kt_row, vt_row, 1, C_, C_);
        }
    }

    HybridWeights w_;
    rwkvx_hybrid_config cfg_;
    Rwkv7Blocks blocks_;
    BatchPlanner planner_;
    int64_t C_ = 0;
    int32_t H_ = 0;
    rwkvx_model_info info_;
    mutable std::vector<char> kv_rows_;  // new K/V rows in a 16-bit cache dtype; used under the context lock only
};

}  // namespace

std::unique_ptr<Model> make_hybrid(HybridWeights weights, const rwkvx_hybrid_config &cfg) {
    check_hybrid_config(cfg);
    return std::make_unique<HybridModel>(std::move(weights), cfg);
}

}  // namespace rwkvx
