// The CPU backend behind the seam: host memory only (the API refuses DEVICE before a call gets
// here), everything done before returning.
#include "backend/cpu_backend.h"

#include "attention/attention_params.h"
#include "attention/kv_cache.h"
#include "common/errors.h"
#include "cpu/cpu_ops.h"

namespace rwkvx {
namespace {

struct CpuKvStore : KvStore {
    explicit CpuKvStore(const rwkvx_kv_cache_config &c) : KvStore(c) {
        cache.cfg = c;
        attn::kv_init(cache);
    }
    attn::KvCache cache;
    void sync_len() { len = cache.len; }
};

CpuKvStore &cpu_store(KvStore &s) {
    return static_cast<CpuKvStore &>(s);
}

attn::Prefill prefill_of(const AttentionCall &c) {
    attn::Prefill p{};
    p.T = c.T;
    p.H = c.H;
    p.D = c.D;
    p.scale = c.scale;
    p.q = c.q;
    p.q_stride = c.q_stride;
    p.kv = attn::KvView{c.k, c.v, c.kv_dtype, c.k_stride, c.v_stride, c.D};
    p.o = c.o;
    p.o_stride = c.o_stride;
    p.lse = c.lse;
    p.sparse = c.sparse;
    p.B = c.B;
    p.top_k = c.top_k;
    p.scope = c.scope;
    return p;
}

uint32_t run_prefill(CpuOps &ops, const attn::Prefill &p) {
    if (p.sparse) return attn::sparse_prefill(ops.pool(), ops.kernels(), p) ? RWKVX_ATTN_DIAG_NAN_SCORE : 0u;
    attn::full_prefill(ops.pool(), ops.kernels(), p);
    return 0;
}

class CpuBackend final : public Backend {
  public:
    explicit CpuBackend(CpuOps &ops) : ops_(ops) {}

    int32_t kind() const override { return RWKVX_BACKEND_CPU; }
    std::string describe() const override { return "cpu"; }

    void matmul(const MatmulCall &c) override {
        ops_.matmul(MatmulArgs{WeightType(c.w_dtype), c.w, c.N, c.K, c.x, c.T, c.y});
    }

    void group_norm(const GroupNormCall &c) override {
        const int64_t G = c.C / c.n_groups;
        ops_.for_rows(c.T, 4 * c.C, [&](int64_t t) {
            for (int64_t g = 0; g < c.n_groups; g++)
                layer_norm(c.x + t * c.C + g * G, c.weight + g * G, c.bias + g * G, c.y + t * c.C + g * G, G, c.eps);
        });
    }

    void wkv7(const rwkvx_wkv7_params &p) override {
        ops_.wkv7(Wkv7Args{p.n_tokens, p.n_head, p.head_size, p.r, p.w, p.k, p.v, p.a, p.b, p.state, p.y});
    }
    void wkv4(const rwkvx_wkv4_params &p) override {
        ops_.wkv4(Wkv4Args{p.n_tokens, p.n_channels, p.time_decay, p.time_first, p.k, p.v, p.state, p.y});
    }
    void wkv5(const rwkvx_wkv5_params &p) override {
        const int64_t C = int64_t(p.n_head) * p.head_size;
        ops_.wkv5(
            Wkv5Args{p.n_tokens, p.n_head, p.head_size, p.r, p.k, p.v, p.w, p.w_per_token ? C : 0, p.u, p.state, p.y});
    }

    uint32_t attention_prefill(const AttentionCall &c) override { return run_prefill(ops_, prefill_of(c)); }

    std::unique_ptr<KvStore> kv_create(const rwkvx_kv_cache_config &cfg) override {
        return std::make_unique<CpuKvStore>(cfg);
    }
    void kv_reset(KvStore &s) override {
        CpuKvStore &c = cpu_store(s);
        c.cache.len = 0;
        std::fill(c.cache.sums.begin(), c.cache.sums.end(), 0.0f);
        c.sync_len();
    }
    void kv_append(KvStore &s, const void *k, const void *v, int64_t n, int64_t k_stride, int64_t v_stride,
                   Memory) override {
        CpuKvStore &c = cpu_store(s);
        attn::kv_append(ops_.kernels(), c.cache, k, v, n, k_stride, v_stride);
        c.sync_len();
    }
    void kv_compress(KvStore &s, const float *q, int64_t n_q, int64_t q_stride, float scale, Memory) override {
        CpuKvStore &c = cpu_store(s);
        attn::kv_compress(ops_.pool(), ops_.kernels(), c.cache, q, n_q, q_stride, scale);
        c.sync_len();
    }

    uint32_t attention_decode(KvStore &s, const AttentionCall &c) override {
        CpuKvStore &st = cpu_store(s);
        attn::KvCache &cache = st.cache;
        const int64_t hd = int64_t(c.H) * c.D;
        uint32_t diag = 0;
        if (c.T == 1) {
            attn::Decode d{c.q, c.k, c.v, c.o, c.lse, c.sparse, c.top_k, c.scope, /*dense_below=*/-1, c.scale};
            if (attn::decode_step(ops_.pool(), ops_.kernels(), cache, d)) diag |= RWKVX_ATTN_DIAG_NAN_SCORE;
            attn::kv_append(ops_.kernels(), cache, c.k, c.v, 1, hd, hd);
        } else {
            // Several tokens: they join the cache, then the tiled prefill runs their queries over all of it.
            attn::Prefill p = prefill_of(c);
            p.past = cache.len;
            attn::kv_append(ops_.kernels(), cache, c.k, c.v, c.T, c.k_stride, c.v_stride);
            p.kv = attn::kv_view(cache);
            diag |= run_prefill(ops_, p);
        }
        st.sync_len();
        return diag;
    }

    void set_stream(void *) override {
        fail(RWKVX_ERROR_UNSUPPORTED, "the context runs on the CPU, which has no streams");
    }
    uint32_t synchronize() override { return 0; }

  private:
    CpuOps &ops_;
};

}  // namespace

std::unique_ptr<Backend> make_cpu_backend(CpuOps &ops) {
    return std::make_unique<CpuBackend>(ops);
}

}  // namespace rwkvx
