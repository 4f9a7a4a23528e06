// One decode step over the KV cache: per head, score the cache's complete chunks from the chunk sums
// kept in step (or once over all heads), take the top-k, then one online-softmax pass over
// [selected chunks ascending ; remainder ; current token] (full: [cache ; current token]).
#include <cmath>
#include <limits>
#include <vector>

#include "attention/chunk_select.h"
#include "attention/kv_cache.h"
#include "common/thread_pool.h"

namespace rwkvx {
namespace attn {

namespace {
constexpr int kDecodeBlock = 256;
constexpr float kLog2e = 1.4426950408889634f;
constexpr float kLn2 = 0.6931471805599453f;

// Running softmax of one query row over consecutive key segments.
struct RowSoftmax {
    float m = -std::numeric_limits<float>::infinity(), l = 0.0f;
    std::vector<float> acc, s;
    explicit RowSoftmax(int D) : acc(size_t(D), 0.0f), s(kDecodeBlock) {}

    void keys(const KernelTable &kt, const float *q, const void *k, const void *v, int32_t dtype, int64_t stride,
              int64_t n, int D, float scale2) {
        for (int64_t j0 = 0; j0 < n; j0 += kDecodeBlock) {
            const int nb = int(n - j0 < kDecodeBlock ? n - j0 : kDecodeBlock);
            kt.dots(q, row_ptr(k, dtype, stride, j0), dtype, stride, nb, D, scale2, s.data());
            float mx = m;
            for (int j = 0; j < nb; j++)
                if (s[size_t(j)] > mx) mx = s[size_t(j)];
            if (mx == -std::numeric_limits<float>::infinity()) continue;
            const float alpha = m == -std::numeric_limits<float>::infinity() ? 0.0f : std::exp2(m - mx);
            const float sum = kt.exp2_sub_sum(s.data(), nb, mx);
            l = l * alpha + sum;
            m = mx;
            if (alpha != 1.0f)
                for (float &a : acc) a *= alpha;
            kt.axpy(s.data(), row_ptr(v, dtype, stride, j0), dtype, stride, nb, D, acc.data());
        }
    }
};
}  // namespace

bool decode_step(ThreadPool &pool, const KernelTable &kt, KvCache &c, const Decode &d) {
    const auto &g = c.cfg;
    const int32_t H = g.n_head, D = g.head_size;
    const int64_t B = g.chunk_size, CT = c.len;
    const bool sparse = d.sparse && CT > d.dense_below;
    const int64_t n_full = CT / B;
    const int kp = d.top_k;
    const int32_t Hs = d.scope == 1 ? 1 : H;
    const float inv_b = rules::inv_chunk(int32_t(B));

    // Selection from the chunk sums: mean = sum * (1/B), canonical dot (over all heads in order for
    // the shared scope: lanes line up because D is a multiple of 8).
    std::vector<int32_t> sel(size_t(Hs) * (kp > 0 ? kp : 1));
    std::vector<int> cnt(size_t(Hs), 0);
    bool nan = false;
    if (sparse) {
        std::vector<float> mean(static_cast<size_t>(D));
        for (int32_t hs = 0; hs < Hs; hs++) {
            auto score = [&](int64_t cc) {
                float part[8] = {0, 0, 0, 0, 0, 0, 0, 0};
                const int32_t h0 = d.scope == 1 ? 0 : hs, h1 = d.scope == 1 ? H : hs + 1;
                for (int32_t h = h0; h < h1; h++) {
                    const float *sm = c.sum(h, cc);
                    for (int i = 0; i < D; i++) mean[size_t(i)] = rules::chunk_mean(sm[i], inv_b);
                    kt.dot8(d.q + int64_t(h) * D, mean.data(), D, part);
                }
                return tree8(part);
            };
            cnt[size_t(hs)] = select_top_k(n_full, kp, score, &sel[size_t(hs) * kp], &nan);
        }
    }

    const float scale2 = d.scale * kLog2e;
    pool.parallel_for(H, 1, [&](int64_t h0, int64_t h1) {
        for (int64_t h = h0; h < h1; h++) {
            RowSoftmax row(D);
            const float *qh = d.q + h * D;
            const void *k0 = c.k_row(int32_t(h), 0), *v0 = c.v_row(int32_t(h), 0);
            if (sparse) {
                const int32_t hs = d.scope == 1 ? 0 : int32_t(h);
                for (int i = 0; i < cnt[size_t(hs)]; i++) {
                    const int64_t j0 = int64_t(sel[size_t(hs) * kp + i]) * B;
                    row.keys(kt, qh, row_ptr(k0, g.dtype, D, j0), row_ptr(v0, g.dtype, D, j0), g.dtype, D, B, D,
                             scale2);
                }
                row.keys(kt, qh, row_ptr(k0, g.dtype, D, n_full * B), row_ptr(v0, g.dtype, D, n_full * B), g.dtype, D,
                         CT - n_full * B, D, scale2);
            } else {
                row.keys(kt, qh, k0, v0, g.dtype, D, CT, D, scale2);
            }
            row.keys(kt, qh, row_ptr(d.k, g.dtype, 1, h * D), row_ptr(d.v, g.dtype, 1, h * D), g.dtype, D, 1, D,
                     scale2);
            for (int i = 0; i < D; i++) d.o[h * D + i] = row.acc[size_t(i)] / row.l;
            if (d.lse) d.lse[h] = (row.m + std::log2(row.l)) * kLn2;
        }
    });
    return nan;
}

}  // namespace attn
}  // namespace rwkvx
