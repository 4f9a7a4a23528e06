#include "attention/kv_cache.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "attention/chunk_select.h"
#include "common/thread_pool.h"

namespace rwkvx {
namespace attn {

void kv_init(KvCache &c) {
    const auto &g = c.cfg;
    const size_t rows = size_t(g.n_head) * size_t(g.capacity) * size_t(g.head_size);
    c.k.assign(rows * size_t(c.esize()), 0);
    c.v.assign(rows * size_t(c.esize()), 0);
    c.chunk_slots = g.capacity / g.chunk_size + 1;
    c.sums.assign(size_t(g.n_head) * size_t(c.chunk_slots) * size_t(g.head_size), 0.0f);
    c.len = 0;
}

void kv_append(const KernelTable &kt, KvCache &c, const void *k, const void *v, int64_t n, int64_t k_stride,
               int64_t v_stride) {
    const int32_t H = c.cfg.n_head, D = c.cfg.head_size;
    const int64_t e = c.esize();
    std::vector<float> tmp(D);
    for (int64_t t = 0; t < n; t++, c.len++)
        for (int32_t h = 0; h < H; h++) {
            const char *kr = row_ptr(k, c.cfg.dtype, 1, t * k_stride + int64_t(h) * D);
            const char *vr = row_ptr(v, c.cfg.dtype, 1, t * v_stride + int64_t(h) * D);
            std::memcpy(const_cast<void *>(c.k_row(h, c.len)), kr, size_t(D * e));
            std::memcpy(const_cast<void *>(c.v_row(h, c.len)), vr, size_t(D * e));
            add_key(kt, kr, c.cfg.dtype, D, c.sum(h, c.len / c.cfg.chunk_size), tmp.data());
        }
}

void kv_compress(ThreadPool &pool, const KernelTable &kt, KvCache &c, const float *q, int64_t n_q, int64_t q_stride,
                 float scale) {
    const auto &g = c.cfg;
    const int32_t D = g.head_size;
    if (c.len <= g.min_size) return;
    const int64_t past = c.len - g.window;       // older tokens, candidates for eviction
    const int64_t keep = g.min_size - g.window;  // older tokens kept per head
    const int64_t e = c.esize();
    pool.parallel_for(g.n_head, 1, [&](int64_t h0, int64_t h1) {
        std::vector<float> s(static_cast<size_t>(past));
        std::vector<double> votes(static_cast<size_t>(past));
        std::vector<int64_t> order(static_cast<size_t>(past));
        std::vector<char> kk(static_cast<size_t>(c.len * D * e)), vv(size_t(c.len * D * e));
        for (int64_t h = h0; h < h1; h++) {
            // Votes: per query row, softmax over the older tokens, summed over the queries.
            std::fill(votes.begin(), votes.end(), 0.0);
            for (int64_t i = 0; i < n_q; i++) {
                kt.dots(q + i * q_stride + h * D, c.k_row(int32_t(h), 0), g.dtype, D, past, D, scale, s.data());
                float mx = -INFINITY;
                for (float x : s) mx = std::max(mx, x);
                double z = 0;
                for (int64_t j = 0; j < past; j++) z += std::exp(double(s[size_t(j)]) - mx);
                for (int64_t j = 0; j < past; j++) votes[size_t(j)] += std::exp(double(s[size_t(j)]) - mx) / z;
            }
            // Most votes first, ties to the more recent token; kept tokens stay in their order.
            for (int64_t j = 0; j < past; j++) order[size_t(j)] = j;
            std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
                return votes[size_t(a)] > votes[size_t(b)] || (votes[size_t(a)] == votes[size_t(b)] && a > b);
            });
            std::sort(order.begin(), order.begin() + keep);
            std::memcpy(kk.data(), c.k_row(int32_t(h), 0), size_t(c.len * D * e));
            std::memcpy(vv.data(), c.v_row(int32_t(h), 0), size_t(c.len * D * e));
            int64_t dst = 0;
            auto put = [&](int64_t j) {
                std::memcpy(const_cast<void *>(c.k_row(int32_t(h), dst)), kk.data() + j * D * e, size_t(D * e));
                std::memcpy(const_cast<void *>(c.v_row(int32_t(h), dst)), vv.data() + j * D * e, size_t(D * e));
                dst++;
            };
            for (int64_t i = 0; i < keep; i++) put(order[size_t(i)]);
            for (int64_t j = past; j < c.len; j++) put(j);
        }
    });
    // Chunks are now formed over the compressed sequence: rebuild the sums in token order.
    c.len = g.min_size;
    std::fill(c.sums.begin(), c.sums.end(), 0.0f);
    std::vector<float> tmp(D);
    for (int32_t h = 0; h < g.n_head; h++)
        for (int64_t j = 0; j < c.len; j++)
            add_key(kt, c.k_row(h, j), g.dtype, D, c.sum(h, j / g.chunk_size), tmp.data());
}

}  // namespace attn
}  // namespace rwkvx
