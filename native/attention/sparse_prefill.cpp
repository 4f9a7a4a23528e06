// MoBA-style sparse prefill: (1) chunk means per head, (2) per query the top-k past chunks by the
// canonical score, (3) tiles of queries inside one chunk go chunk-centric over the union of their
// selections (ascending, each chunk's K/V packed once for all rows that chose it), then their own
// chunk causally. Each row's keys are consumed in that fixed order, whatever the threading.
#include <algorithm>
#include <atomic>
#include <memory>
#include <vector>

#include "attention/attention_params.h"
#include "attention/chunk_select.h"
#include "attention/task_queue.h"
#include "attention/tile_attend.h"

namespace rwkvx {
namespace attn {

namespace {
struct SparseScratch {
    Tile tile, sub;
    BlockScratch block;
    std::vector<int32_t> chunks;
    explicit SparseScratch(int D) : tile(D), sub(D), block(D) {}
};
}  // namespace

bool sparse_prefill(ThreadPool &pool, const AttnKernels &kt, const Prefill &p) {
    const int64_t T = p.T, B = p.B;
    const int32_t H = p.H, D = p.D;
    const int64_t HD = int64_t(H) * D;
    const int64_t n_full = T / B;  // complete chunks: the only candidates
    const int kp = p.top_k;

    // (1) Means [c][H][D]: fp32 sums in token order, then * (1/B).
    std::vector<float> means(size_t(n_full * HD), 0.0f);
    pool.parallel_for(H, 1, [&](int64_t h0, int64_t h1) {
        std::vector<float> tmp(D);
        for (int64_t h = h0; h < h1; h++)
            for (int64_t t = 0; t < n_full * B; t++)
                add_key(kt, row_ptr(p.kv.k, p.kv.dtype, 1, t * p.kv.k_stride + h * D), p.kv.dtype, D,
                        &means[size_t((t / B) * HD + h * D)], tmp.data());
    });
    const float inv_b = 1.0f / float(B);
    for (float &x : means) x *= inv_b;

    // (2) Selection per (query, head) or per query for the all-heads scope.
    const int32_t Hs = p.scope == 1 ? 1 : H;
    std::vector<int32_t> sel(size_t(T * Hs * (kp > 0 ? kp : 1)));
    std::vector<int8_t> cnt(size_t(T * Hs));
    std::atomic<bool> any_nan{false};
    pool.parallel_for(T, 64, [&](int64_t b, int64_t e) {
        bool nan = false;
        for (int64_t t = b; t < e; t++) {
            const float *qt = p.q + t * p.q_stride;
            const int64_t n_cand = t / B;
            for (int32_t hs = 0; hs < Hs; hs++) {
                const int len = p.scope == 1 ? int(HD) : D;
                const float *qh = qt + int64_t(hs) * D;
                auto score = [&](int64_t c) {
                    float part[8] = {0, 0, 0, 0, 0, 0, 0, 0};
                    kt.dot8(qh, &means[size_t(c * HD + int64_t(hs) * D)], len, part);
                    return tree8(part);
                };
                cnt[size_t(t * Hs + hs)] = int8_t(select_top_k(n_cand, kp, score, &sel[size_t((t * Hs + hs) * kp)], &nan));
            }
        }
        if (nan) any_nan = true;
    });

    // (3) Tiles: (head, chunk, sub-tile of <= 64 rows inside the chunk).
    const PackedKv packed(pool, kt, p);
    const int64_t n_chunks = (T + B - 1) / B;
    const int64_t subs = (B + kTileRows - 1) / kTileRows;
    run_tasks(
        pool, int64_t(H) * n_chunks * subs, [&] { return std::make_unique<SparseScratch>(D); },
        [&](std::unique_ptr<SparseScratch> &sc, int64_t task) {
            const int32_t h = int32_t(task % H);
            const int64_t c = (task / H) / subs, s = (task / H) % subs;
            const int64_t t0 = c * B + s * kTileRows;
            const int64_t t_end = std::min({T, c * B + B, t0 + kTileRows});
            if (t0 >= t_end) return;
            const int nr = int(t_end - t0);
            Tile &tile = sc->tile;
            load_queries(tile, p.q + t0 * p.q_stride + int64_t(h) * D, p.q_stride, nr, p.scale);
            const PackedHead kv = packed.head(h);
            const int32_t hs = p.scope == 1 ? 0 : h;
            auto row_sel = [&](int r) { return &sel[size_t(((t0 + r) * Hs + hs) * kp)]; };
            auto row_cnt = [&](int r) { return int(cnt[size_t((t0 + r) * Hs + hs)]); };
            // Union of the rows' selections, ascending.
            sc->chunks.clear();
            for (int r = 0; r < nr; r++) sc->chunks.insert(sc->chunks.end(), row_sel(r), row_sel(r) + row_cnt(r));
            std::sort(sc->chunks.begin(), sc->chunks.end());
            sc->chunks.erase(std::unique(sc->chunks.begin(), sc->chunks.end()), sc->chunks.end());
            int members[kTileRows];
            for (int32_t cc : sc->chunks) {
                int nm = 0;
                for (int r = 0; r < nr; r++)
                    if (std::find(row_sel(r), row_sel(r) + row_cnt(r), cc) != row_sel(r) + row_cnt(r)) members[nm++] = r;
                if (nm == nr) {
                    attend_keys(kt, tile, sc->block, kv, cc * B, cc * B + B, nullptr);
                    continue;
                }
                Tile &sub = sc->sub;
                sub.nr = nm;
                for (int i = 0; i < nm; i++) sub.copy_row(i, tile, members[i]);
                attend_keys(kt, sub, sc->block, kv, cc * B, cc * B + B, nullptr);
                for (int i = 0; i < nm; i++) tile.copy_row(members[i], sub, i);
            }
            // Own chunk, causal, merged last.
            int64_t limit[kTileRows];
            for (int r = 0; r < nr; r++) limit[r] = t0 + r + 1;
            attend_keys(kt, tile, sc->block, kv, c * B, t0, nullptr);
            attend_keys(kt, tile, sc->block, kv, t0, t_end, limit);
            finish_rows(tile, p.o + t0 * p.o_stride + int64_t(h) * D, p.o_stride, p.lse ? p.lse + t0 * H + h : nullptr, H);
        });
    return any_nan.load();
}

}  // namespace attn
}  // namespace rwkvx
