#include "model/rwkvx_state.h"

#include <algorithm>
#include <cstring>

namespace rwkvx {

std::unique_ptr<StateExt> RwkvxStateExt::clone() const {
    auto s = std::make_unique<RwkvxStateExt>();
    for (const auto &c : caches) s->caches.push_back(std::make_unique<rwkvx_kv_cache>(*c));
    return s;
}

std::unique_ptr<rwkvx_kv_cache> new_kv_cache(int32_t H, int32_t D, int32_t B, int64_t capacity) {
    auto c = std::make_unique<rwkvx_kv_cache>();
    c->ctx = nullptr;  // internal cache: reached through the model's context, never through the API
    c->cfg = rwkvx_kv_cache_config{};
    c->cfg.n_head = H;
    c->cfg.head_size = D;
    c->cfg.dtype = RWKVX_DTYPE_F32;
    c->cfg.chunk_size = B;
    c->cfg.capacity = std::max<int64_t>(capacity, 1);
    attn::kv_init(*c);
    return c;
}

void gather_rows(const rwkvx_kv_cache &c, float *k, float *v) {
    const int32_t H = c.cfg.n_head, D = c.cfg.head_size;
    for (int64_t j = 0; j < c.len; j++)
        for (int32_t h = 0; h < H; h++) {
            std::memcpy(k + (j * H + h) * D, c.k_row(h, j), size_t(D) * 4);
            std::memcpy(v + (j * H + h) * D, c.v_row(h, j), size_t(D) * 4);
        }
}

void ensure_capacity(const attn::AttnKernels &kt, std::unique_ptr<rwkvx_kv_cache> &c, int64_t need) {
    if (need <= c->cfg.capacity) return;
    const auto &g = c->cfg;
    auto bigger = new_kv_cache(g.n_head, g.head_size, g.chunk_size, std::max({need, 2 * g.capacity, int64_t(256)}));
    bigger->cfg.max_size = g.max_size;
    bigger->cfg.window = g.window;
    bigger->cfg.min_size = g.min_size;
    const int64_t hd = int64_t(g.n_head) * g.head_size;
    std::vector<float> k(static_cast<size_t>(c->len * hd)), v(static_cast<size_t>(c->len * hd));
    gather_rows(*c, k.data(), v.data());
    attn::kv_append(kt, *bigger, k.data(), v.data(), c->len, hd, hd);
    c = std::move(bigger);
}

}  // namespace rwkvx
