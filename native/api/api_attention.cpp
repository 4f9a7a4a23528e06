// RWKV-X attention entry points: validation at the boundary, then the drivers in native/attention.
#include <cmath>
#include <string>

#include "api/handles.h"
#include "attention/attention_params.h"
#include "attention/kv_cache.h"
#include "common/errors.h"

using namespace rwkvx;

namespace {

void check_geometry(int32_t H, int32_t D, int32_t dtype, const char *what) {
    RWKVX_REQUIRE_ARG(H >= 1 && H <= 4096,
                      std::string(what) + ": n_head " + std::to_string(H) + " out of range 1..4096");
    if (D < 16 || D > attn::kMaxHead || D % 16 != 0)
        fail(RWKVX_ERROR_UNSUPPORTED,
             std::string(what) + ": head_size " + std::to_string(D) + " is not a multiple of 16 in 16..256");
    if (dtype < RWKVX_DTYPE_F32 || dtype > RWKVX_DTYPE_BF16)
        fail(RWKVX_ERROR_SHAPE, std::string(what) + ": dtype " + std::to_string(dtype) + " is not F32, F16 or BF16");
}

int64_t stride_or(int64_t s, int64_t hd, const char *name) {
    if (s == 0) return hd;
    RWKVX_REQUIRE_ARG(s >= hd, std::string(name) + " " + std::to_string(s) +
                                   " is smaller than n_head*head_size = " + std::to_string(hd));
    return s;
}

// Checks what prefill and decode share; returns the scale.
float check_params(const rwkvx_attention_params *p) {
    RWKVX_REQUIRE_ARG(p != nullptr, "params is NULL");
    check_geometry(p->n_head, p->head_size, p->kv_dtype, "params");
    RWKVX_REQUIRE_ARG(p->n_tokens >= 0, "n_tokens is negative");
    RWKVX_REQUIRE_ARG(p->mode == RWKVX_ATTN_FULL || p->mode == RWKVX_ATTN_SPARSE,
                      "mode " + std::to_string(p->mode) + " is not an rwkvx_attn_mode (0 full, 1 sparse)");
    RWKVX_REQUIRE_ARG(p->causal == 1, "causal must be 1 (only causal attention is implemented)");
    if (p->mode == RWKVX_ATTN_SPARSE) {
        RWKVX_REQUIRE_ARG(p->chunk_size >= 1, "chunk_size " + std::to_string(p->chunk_size) + " must be >= 1");
        RWKVX_REQUIRE_ARG(p->top_k >= 0 && p->top_k <= 64, "top_k " + std::to_string(p->top_k) + " out of range 0..64");
        RWKVX_REQUIRE_ARG(p->scope == RWKVX_ATTN_SCOPE_HEAD || p->scope == RWKVX_ATTN_SCOPE_ALL,
                          "scope " + std::to_string(p->scope) + " is not an rwkvx_attn_scope (0 head, 1 all)");
        RWKVX_REQUIRE_ARG(p->dense_below >= 0, "dense_below is negative");
    }
    RWKVX_REQUIRE_ARG(std::isfinite(p->scale) && p->scale >= 0.0f,
                      "scale must be finite and >= 0 (0 = 1/sqrt(head_size))");
    RWKVX_REQUIRE_ARG(p->q && p->k && p->v && p->o, "q, k, v and o must not be NULL");
    return p->scale == 0.0f ? 1.0f / std::sqrt(float(p->head_size)) : p->scale;
}

// Holds an API KV cache for a call (or throws RWKVX_ERROR_IN_USE); on leaving, publishes its length for
// rwkvx_kv_cache_length, then releases it.
class CacheUse {
  public:
    explicit CacheUse(rwkvx_kv_cache &c) : cache_(c), scope_(c.in_use, "the KV cache") {}
    ~CacheUse() { cache_.published_len.set(cache_.len); }
    CacheUse(const CacheUse &) = delete;
    CacheUse &operator=(const CacheUse &) = delete;

  private:
    rwkvx_kv_cache &cache_;
    InUseScope scope_;  // released after the destructor's body has published the length
};

}  // namespace

extern "C" {

RWKVX_API rwkvx_status rwkvx_attention_prefill(rwkvx_context *ctx, rwkvx_attention_params *p) {
    return guarded("rwkvx_attention_prefill", [&] {
        RWKVX_REQUIRE_ARG(ctx != nullptr, "ctx is NULL");
        CallScope call(ctx->users);
        const float scale = check_params(p);
        p->diagnostics = 0;
        const int64_t hd = int64_t(p->n_head) * p->head_size;
        attn::Prefill pre{};
        pre.T = p->n_tokens;
        pre.H = p->n_head;
        pre.D = p->head_size;
        pre.scale = scale;
        pre.q = p->q;
        pre.q_stride = stride_or(p->q_stride, hd, "q_stride");
        pre.kv = attn::KvView{p->k,
                              p->v,
                              p->kv_dtype,
                              stride_or(p->k_stride, hd, "k_stride"),
                              stride_or(p->v_stride, hd, "v_stride"),
                              p->head_size};
        pre.o = p->o;
        pre.o_stride = stride_or(p->o_stride, hd, "o_stride");
        pre.lse = p->lse;
        pre.sparse = p->mode == RWKVX_ATTN_SPARSE && p->n_tokens > p->dense_below;
        pre.B = p->chunk_size;
        pre.top_k = p->top_k;
        pre.scope = p->scope;
        if (pre.T == 0) return;
        std::lock_guard<std::mutex> lock(ctx->mutex);
        const KernelTable &kt = ctx->ops->kernels();
        if (pre.sparse) {
            if (attn::sparse_prefill(ctx->ops->pool(), kt, pre)) p->diagnostics |= RWKVX_ATTN_DIAG_NAN_SCORE;
        } else {
            attn::full_prefill(ctx->ops->pool(), kt, pre);
        }
    });
}

RWKVX_API rwkvx_status rwkvx_attention_decode(rwkvx_context *ctx, rwkvx_kv_cache *cache, rwkvx_attention_params *p) {
    return guarded("rwkvx_attention_decode", [&] {
        RWKVX_REQUIRE_ARG(ctx != nullptr, "ctx is NULL");
        RWKVX_REQUIRE_ARG(cache != nullptr, "cache is NULL");
        CallScope call(ctx->users);
        CacheUse use(*cache);
        const float scale = check_params(p);
        p->diagnostics = 0;
        const int64_t T = p->n_tokens;
        RWKVX_REQUIRE_ARG(T >= 1, "decode takes n_tokens >= 1, found " + std::to_string(T));
        const auto &g = cache->cfg;
        if (p->n_head != g.n_head || p->head_size != g.head_size || p->kv_dtype != g.dtype)
            fail(RWKVX_ERROR_SHAPE, "params (n_head " + std::to_string(p->n_head) + ", head_size " +
                                        std::to_string(p->head_size) + ", kv_dtype " + std::to_string(p->kv_dtype) +
                                        ") differ from the cache (" + std::to_string(g.n_head) + ", " +
                                        std::to_string(g.head_size) + ", " + std::to_string(g.dtype) + ")");
        if (p->mode == RWKVX_ATTN_SPARSE && p->chunk_size != g.chunk_size)
            fail(RWKVX_ERROR_ARGUMENT, "chunk_size " + std::to_string(p->chunk_size) + " differs from the cache's " +
                                           std::to_string(g.chunk_size) + " (its chunk sums use that)");
        std::lock_guard<std::mutex> lock(ctx->mutex);
        const KernelTable &kt = ctx->ops->kernels();
        const int64_t hd = int64_t(g.n_head) * g.head_size;
        const int64_t q_stride = stride_or(p->q_stride, hd, "q_stride"),
                      k_stride = stride_or(p->k_stride, hd, "k_stride"),
                      v_stride = stride_or(p->v_stride, hd, "v_stride"),
                      o_stride = stride_or(p->o_stride, hd, "o_stride");
        if (g.max_size > 0 && cache->len > g.max_size)
            attn::kv_compress(ctx->ops->pool(), kt, *cache, p->q, T, q_stride, scale);
        RWKVX_REQUIRE_ARG(cache->len + T <= g.capacity, "the cache cannot take " + std::to_string(T) +
                                                            " more tokens (length " + std::to_string(cache->len) +
                                                            ", capacity " + std::to_string(g.capacity) +
                                                            "); set max_size to compress it");
        if (T == 1) {
            attn::Decode d{p->q,     p->k,     p->v,           p->o, p->lse, p->mode == RWKVX_ATTN_SPARSE,
                           p->top_k, p->scope, p->dense_below, scale};
            if (attn::decode_step(ctx->ops->pool(), kt, *cache, d)) p->diagnostics |= RWKVX_ATTN_DIAG_NAN_SCORE;
            attn::kv_append(kt, *cache, p->k, p->v, 1, hd, hd);
            return;
        }
        // Several tokens: they join the cache, then the tiled prefill runs their queries over all of it.
        attn::Prefill pre{};
        pre.T = T;
        pre.past = cache->len;
        attn::kv_append(kt, *cache, p->k, p->v, T, k_stride, v_stride);
        pre.H = g.n_head;
        pre.D = g.head_size;
        pre.scale = scale;
        pre.q = p->q;
        pre.q_stride = q_stride;
        pre.kv = attn::kv_view(*cache);
        pre.o = p->o;
        pre.o_stride = o_stride;
        pre.lse = p->lse;
        pre.sparse = p->mode == RWKVX_ATTN_SPARSE && pre.past + T > p->dense_below;
        pre.B = g.chunk_size;
        pre.top_k = p->top_k;
        pre.scope = p->scope;
        if (pre.sparse) {
            if (attn::sparse_prefill(ctx->ops->pool(), kt, pre)) p->diagnostics |= RWKVX_ATTN_DIAG_NAN_SCORE;
        } else {
            attn::full_prefill(ctx->ops->pool(), kt, pre);
        }
    });
}

RWKVX_API rwkvx_status rwkvx_kv_cache_create(rwkvx_context *ctx, const rwkvx_kv_cache_config *cfg,
                                             rwkvx_kv_cache **out) {
    return guarded("rwkvx_kv_cache_create", [&] {
        RWKVX_REQUIRE_ARG(out != nullptr, "out_cache is NULL");
        *out = nullptr;
        RWKVX_REQUIRE_ARG(ctx != nullptr, "ctx is NULL");
        RWKVX_REQUIRE_ARG(cfg != nullptr, "config is NULL");
        CallScope call(ctx->users);
        check_geometry(cfg->n_head, cfg->head_size, cfg->dtype, "config");
        RWKVX_REQUIRE_ARG(cfg->chunk_size >= 1, "chunk_size must be >= 1");
        RWKVX_REQUIRE_ARG(cfg->capacity >= 1, "capacity must be >= 1");
        RWKVX_REQUIRE_ARG(cfg->max_size >= 0, "max_size is negative");
        if (cfg->max_size > 0)
            RWKVX_REQUIRE_ARG(cfg->window >= 0 && cfg->window < cfg->min_size && cfg->min_size <= cfg->max_size &&
                                  cfg->max_size < cfg->capacity,
                              "need 0 <= window < min_size <= max_size < capacity; found window " +
                                  std::to_string(cfg->window) + ", min_size " + std::to_string(cfg->min_size) +
                                  ", max_size " + std::to_string(cfg->max_size) + ", capacity " +
                                  std::to_string(cfg->capacity));
        auto c = std::make_unique<rwkvx_kv_cache>();
        c->ctx = ctx;
        c->cfg = *cfg;
        attn::kv_init(*c);
        ctx->users.add();  // while the call still counts itself: the context never looks free meanwhile
        ctx->n_caches.fetch_add(1);
        *out = c.release();
    });
}

RWKVX_API rwkvx_status rwkvx_kv_cache_free(rwkvx_kv_cache *cache) {
    return guarded("rwkvx_kv_cache_free", [&] {
        if (cache == nullptr) return;
        // Never released: once held here, no other call can start using the cache before it is gone.
        if (!cache->in_use.try_acquire())
            fail(RWKVX_ERROR_IN_USE, "another call is using the KV cache (nothing was freed)");
        rwkvx_context *ctx = cache->ctx;
        delete cache;
        ctx->n_caches.fetch_sub(1);
        ctx->users.remove();
    });
}

// A read of the length that the last completed call published: never waits for, nor races with, a
// call in flight.
RWKVX_API int64_t rwkvx_kv_cache_length(const rwkvx_kv_cache *cache) {
    return cache ? cache->published_len.get() : 0;
}

RWKVX_API rwkvx_status rwkvx_kv_cache_reset(rwkvx_kv_cache *cache) {
    return guarded("rwkvx_kv_cache_reset", [&] {
        RWKVX_REQUIRE_ARG(cache != nullptr, "cache is NULL");
        CacheUse use(*cache);
        cache->len = 0;
        std::fill(cache->sums.begin(), cache->sums.end(), 0.0f);
    });
}

RWKVX_API rwkvx_status rwkvx_kv_cache_append(rwkvx_kv_cache *cache, const void *k, const void *v, int64_t n_tokens,
                                             int64_t k_stride, int64_t v_stride) {
    return guarded("rwkvx_kv_cache_append", [&] {
        RWKVX_REQUIRE_ARG(cache != nullptr, "cache is NULL");
        RWKVX_REQUIRE_ARG(n_tokens >= 0, "n_tokens is negative");
        RWKVX_REQUIRE_ARG(n_tokens == 0 || (k && v), "k and v must not be NULL");
        CacheUse use(*cache);
        const int64_t hd = int64_t(cache->cfg.n_head) * cache->cfg.head_size;
        k_stride = stride_or(k_stride, hd, "k_stride");
        v_stride = stride_or(v_stride, hd, "v_stride");
        if (cache->len + n_tokens > cache->cfg.capacity)
            fail(RWKVX_ERROR_ARGUMENT, "appending " + std::to_string(n_tokens) + " tokens to " +
                                           std::to_string(cache->len) + " exceeds the capacity " +
                                           std::to_string(cache->cfg.capacity));
        attn::kv_append(cache->ctx->ops->kernels(), *cache, k, v, n_tokens, k_stride, v_stride);
    });
}

RWKVX_API rwkvx_status rwkvx_kv_cache_compress(rwkvx_context *ctx, rwkvx_kv_cache *cache, const float *q, int64_t n_q,
                                               int64_t q_stride) {
    return guarded("rwkvx_kv_cache_compress", [&] {
        RWKVX_REQUIRE_ARG(ctx != nullptr, "ctx is NULL");
        RWKVX_REQUIRE_ARG(cache != nullptr, "cache is NULL");
        RWKVX_REQUIRE_ARG(n_q >= 1 && q != nullptr, "need n_q >= 1 query rows");
        CallScope call(ctx->users);
        CacheUse use(*cache);
        const auto &g = cache->cfg;
        RWKVX_REQUIRE_ARG(g.max_size > 0, "the cache was created without compression knobs (max_size = 0)");
        const int64_t hd = int64_t(g.n_head) * g.head_size;
        q_stride = stride_or(q_stride, hd, "q_stride");
        std::lock_guard<std::mutex> lock(ctx->mutex);
        attn::kv_compress(ctx->ops->pool(), ctx->ops->kernels(), *cache, q, n_q, q_stride,
                          1.0f / std::sqrt(float(g.head_size)));
    });
}

}  // extern "C"
