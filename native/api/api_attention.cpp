// RWKV-X attention and KV-cache entry points: validation at the boundary, then the context's backend
// (native/backend/backend.h).
#include <cmath>
#include <string>

#include "api/handles.h"
#include "backend/backend.h"
#include "common/errors.h"

using namespace rwkvx;

namespace {

void check_geometry(int32_t H, int32_t D, int32_t dtype, const char *what) {
    RWKVX_REQUIRE_ARG(H >= 1 && H <= 4096,
                      std::string(what) + ": n_head " + std::to_string(H) + " out of range 1..4096");
    if (D < 16 || D > 256 || D % 16 != 0)
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
    RWKVX_REQUIRE_ARG(p->reserved == 0, "reserved is " + std::to_string(p->reserved) + "; must be 0");
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
    ~CacheUse() { cache_.published_len.set(cache_.store->len); }
    CacheUse(const CacheUse &) = delete;
    CacheUse &operator=(const CacheUse &) = delete;

  private:
    rwkvx_kv_cache &cache_;
    InUseScope scope_;  // released after the destructor's body has published the length
};

// The validated call: strides resolved, scale resolved; `sparse` is left to the caller (it depends on
// the cache's length for decode).
AttentionCall call_of(const rwkvx_attention_params &p, float scale) {
    const int64_t hd = int64_t(p.n_head) * p.head_size;
    AttentionCall c{};
    c.T = p.n_tokens;
    c.H = p.n_head;
    c.D = p.head_size;
    c.kv_dtype = p.kv_dtype;
    c.B = p.chunk_size;
    c.top_k = p.top_k;
    c.scope = p.scope;
    c.scale = scale;
    c.q = p.q;
    c.k = p.k;
    c.v = p.v;
    c.o = p.o;
    c.lse = p.lse;
    c.q_stride = stride_or(p.q_stride, hd, "q_stride");
    c.k_stride = stride_or(p.k_stride, hd, "k_stride");
    c.v_stride = stride_or(p.v_stride, hd, "v_stride");
    c.o_stride = stride_or(p.o_stride, hd, "o_stride");
    c.memory = Memory(p.memory);
    return c;
}

// A cache's storage belongs to its context's backend; another context of the same kind may use it.
void check_same_backend(const rwkvx_context &ctx, const rwkvx_kv_cache &cache) {
    if (cache.ctx->backend->kind() != ctx.backend->kind())
        fail(RWKVX_ERROR_ARGUMENT, std::string("the cache lives on the ") +
                                       (cache.ctx->backend->kind() == RWKVX_BACKEND_CUDA ? "CUDA" : "CPU") +
                                       " backend of the context that created it, but this context runs on the " +
                                       (ctx.backend->kind() == RWKVX_BACKEND_CUDA ? "CUDA" : "CPU") + " backend");
}

}  // namespace

extern "C" {

RWKVX_API rwkvx_status rwkvx_attention_prefill(rwkvx_context *ctx, rwkvx_attention_params *p) {
    return guarded("rwkvx_attention_prefill", [&] {
        RWKVX_REQUIRE_ARG(ctx != nullptr, "ctx is NULL");
        CallScope call(ctx->users);
        const float scale = check_params(p);
        p->diagnostics = 0;
        check_memory(*ctx, p->memory, "params.memory");
        AttentionCall c = call_of(*p, scale);
        c.sparse = p->mode == RWKVX_ATTN_SPARSE && p->n_tokens > p->dense_below;
        if (c.T == 0) return;
        std::lock_guard<std::mutex> lock(ctx->mutex);
        p->diagnostics = ctx->backend->attention_prefill(c);
    });
}

RWKVX_API rwkvx_status rwkvx_attention_decode(rwkvx_context *ctx, rwkvx_kv_cache *cache, rwkvx_attention_params *p) {
    return guarded("rwkvx_attention_decode", [&] {
        RWKVX_REQUIRE_ARG(ctx != nullptr, "ctx is NULL");
        RWKVX_REQUIRE_ARG(cache != nullptr, "cache is NULL");
        check_same_backend(*ctx, *cache);
        CallScope call(ctx->users);
        CacheUse use(*cache);
        const float scale = check_params(p);
        p->diagnostics = 0;
        const int64_t T = p->n_tokens;
        RWKVX_REQUIRE_ARG(T >= 1, "decode takes n_tokens >= 1, found " + std::to_string(T));
        KvStore &store = *cache->store;
        const auto &g = store.cfg;
        if (p->n_head != g.n_head || p->head_size != g.head_size || p->kv_dtype != g.dtype)
            fail(RWKVX_ERROR_SHAPE, "params (n_head " + std::to_string(p->n_head) + ", head_size " +
                                        std::to_string(p->head_size) + ", kv_dtype " + std::to_string(p->kv_dtype) +
                                        ") differ from the cache (" + std::to_string(g.n_head) + ", " +
                                        std::to_string(g.head_size) + ", " + std::to_string(g.dtype) + ")");
        if (p->mode == RWKVX_ATTN_SPARSE && p->chunk_size != g.chunk_size)
            fail(RWKVX_ERROR_ARGUMENT, "chunk_size " + std::to_string(p->chunk_size) + " differs from the cache's " +
                                           std::to_string(g.chunk_size) + " (its chunk sums use that)");
        check_memory(*ctx, p->memory, "params.memory");
        AttentionCall c = call_of(*p, scale);
        c.B = g.chunk_size;
        std::lock_guard<std::mutex> lock(ctx->mutex);
        if (g.max_size > 0 && store.len > g.max_size)
            ctx->backend->kv_compress(store, c.q, T, c.q_stride, scale, c.memory);
        RWKVX_REQUIRE_ARG(store.len + T <= g.capacity, "the cache cannot take " + std::to_string(T) +
                                                           " more tokens (length " + std::to_string(store.len) +
                                                           ", capacity " + std::to_string(g.capacity) +
                                                           "); set max_size to compress it");
        // dense_below applies to the cache length (one token) or the length after the call (several).
        const int64_t seen = T == 1 ? store.len : store.len + T;
        c.sparse = p->mode == RWKVX_ATTN_SPARSE && seen > p->dense_below;
        p->diagnostics = ctx->backend->attention_decode(store, c);
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
        {
            // Device allocation goes through the backend; the lock keeps it off a running call's stream.
            std::lock_guard<std::mutex> lock(ctx->mutex);
            c->store = ctx->backend->kv_create(*cfg);
        }
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
        {
            // A device store is freed in stream order after the work that uses it.
            std::lock_guard<std::mutex> lock(ctx->mutex);
            delete cache;
        }
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
        std::lock_guard<std::mutex> lock(cache->ctx->mutex);
        cache->ctx->backend->kv_reset(*cache->store);
    });
}

RWKVX_API rwkvx_status rwkvx_kv_cache_append(rwkvx_kv_cache *cache, const void *k, const void *v, int64_t n_tokens,
                                             int64_t k_stride, int64_t v_stride, int32_t memory) {
    return guarded("rwkvx_kv_cache_append", [&] {
        RWKVX_REQUIRE_ARG(cache != nullptr, "cache is NULL");
        RWKVX_REQUIRE_ARG(n_tokens >= 0, "n_tokens is negative");
        RWKVX_REQUIRE_ARG(n_tokens == 0 || (k && v), "k and v must not be NULL");
        CacheUse use(*cache);
        check_memory(*cache->ctx, memory, "memory");
        KvStore &store = *cache->store;
        const int64_t hd = int64_t(store.cfg.n_head) * store.cfg.head_size;
        k_stride = stride_or(k_stride, hd, "k_stride");
        v_stride = stride_or(v_stride, hd, "v_stride");
        if (store.len + n_tokens > store.cfg.capacity)
            fail(RWKVX_ERROR_ARGUMENT, "appending " + std::to_string(n_tokens) + " tokens to " +
                                           std::to_string(store.len) + " exceeds the capacity " +
                                           std::to_string(store.cfg.capacity));
        if (n_tokens == 0) return;
        std::lock_guard<std::mutex> lock(cache->ctx->mutex);
        cache->ctx->backend->kv_append(store, k, v, n_tokens, k_stride, v_stride, Memory(memory));
    });
}

RWKVX_API rwkvx_status rwkvx_kv_cache_compress(rwkvx_context *ctx, rwkvx_kv_cache *cache, const float *q, int64_t n_q,
                                               int64_t q_stride, int32_t memory) {
    return guarded("rwkvx_kv_cache_compress", [&] {
        RWKVX_REQUIRE_ARG(ctx != nullptr, "ctx is NULL");
        RWKVX_REQUIRE_ARG(cache != nullptr, "cache is NULL");
        check_same_backend(*ctx, *cache);
        RWKVX_REQUIRE_ARG(n_q >= 1 && q != nullptr, "need n_q >= 1 query rows");
        CallScope call(ctx->users);
        CacheUse use(*cache);
        check_memory(*ctx, memory, "memory");
        const auto &g = cache->store->cfg;
        RWKVX_REQUIRE_ARG(g.max_size > 0, "the cache was created without compression knobs (max_size = 0)");
        const int64_t hd = int64_t(g.n_head) * g.head_size;
        q_stride = stride_or(q_stride, hd, "q_stride");
        std::lock_guard<std::mutex> lock(ctx->mutex);
        ctx->backend->kv_compress(*cache->store, q, n_q, q_stride, 1.0f / std::sqrt(float(g.head_size)),
                                  Memory(memory));
    });
}

}  // extern "C"
