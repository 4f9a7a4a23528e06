#include "model/hybrid_state.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace rwkvx {

std::unique_ptr<StateExt> HybridStateExt::clone() const {
    auto s = std::make_unique<HybridStateExt>();
    for (const auto &c : caches) s->caches.push_back(std::make_unique<attn::KvCache>(*c));
    return s;
}

std::unique_ptr<attn::KvCache> new_kv_cache(int32_t H, int32_t D, int32_t B, int64_t capacity, int32_t dtype) {
    auto c = std::make_unique<attn::KvCache>();
    c->cfg = rwkvx_kv_cache_config{};
    c->cfg.n_head = H;
    c->cfg.head_size = D;
    c->cfg.dtype = dtype;
    c->cfg.chunk_size = B;
    c->cfg.capacity = std::max<int64_t>(capacity, 1);
    attn::kv_init(*c);
    return c;
}

void gather_rows(const attn::KvCache &c, char *k, char *v) {
    const int32_t H = c.cfg.n_head, D = c.cfg.head_size;
    const size_t row = size_t(D) * size_t(c.esize());
    for (int64_t j = 0; j < c.len; j++)
        for (int32_t h = 0; h < H; h++) {
            std::memcpy(k + size_t(j * H + h) * row, c.k_row(h, j), row);
            std::memcpy(v + size_t(j * H + h) * row, c.v_row(h, j), row);
        }
}

namespace {
uint16_t float_to_bf16(float f) {
    uint32_t x;
    std::memcpy(&x, &f, 4);
    if ((x & 0x7fffffffu) > 0x7f800000u) return uint16_t((x >> 16) | 0x40);  // NaN stays NaN
    return uint16_t((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);
}

uint16_t float_to_half(float f) {
    uint32_t x;
    std::memcpy(&x, &f, 4);
    const uint32_t sign = (x >> 16) & 0x8000u, ax = x & 0x7fffffffu;
    if (ax > 0x7f800000u) return uint16_t(sign | 0x7e00u);   // NaN
    if (ax >= 0x477ff000u) return uint16_t(sign | 0x7c00u);  // rounds past 65504: infinity
    if (ax < 0x38800000u) {                                  // below 2^-14: subnormal (or the smallest normal)
        float a;
        std::memcpy(&a, &ax, 4);
        return uint16_t(sign | uint32_t(std::nearbyint(a * 16777216.0f)));  // units of 2^-24, ties to even
    }
    uint32_t h = (ax - 0x38000000u) >> 13;
    const uint32_t rest = ax & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) h++;
    return uint16_t(sign | h);
}
}  // namespace

void narrow_rows(int32_t dtype, const float *src, void *dst, int64_t n) {
    if (dtype == RWKVX_DTYPE_F32) {
        std::memcpy(dst, src, size_t(n) * 4);
        return;
    }
    auto *d = static_cast<uint16_t *>(dst);
    for (int64_t i = 0; i < n; i++) d[i] = dtype == RWKVX_DTYPE_BF16 ? float_to_bf16(src[i]) : float_to_half(src[i]);
}

void ensure_capacity(const KernelTable &kt, std::unique_ptr<attn::KvCache> &c, int64_t need) {
    if (need <= c->cfg.capacity) return;
    const auto &g = c->cfg;
    auto bigger =
        new_kv_cache(g.n_head, g.head_size, g.chunk_size, std::max({need, 2 * g.capacity, int64_t(256)}), g.dtype);
    bigger->cfg.max_size = g.max_size;
    bigger->cfg.window = g.window;
    bigger->cfg.min_size = g.min_size;
    const int64_t hd = int64_t(g.n_head) * g.head_size;
    std::vector<char> k(size_t(c->len * hd * c->esize())), v(k.size());
    gather_rows(*c, k.data(), v.data());
    attn::kv_append(kt, *bigger, k.data(), v.data(), c->len, hd, hd);
    c = std::move(bigger);
}

}  // namespace rwkvx
