// Full causal prefill, FlashAttention-style: tasks are (head, 64-query tile), largest tiles first;
// each tile streams the keys up to its diagonal in 64-key blocks and masks only the diagonal block.
// With past > 0 the queries continue a KV cache: every tile also sees the past keys.
#include <memory>

#include "attention/attention_params.h"
#include "attention/task_queue.h"
#include "attention/tile_attend.h"

namespace rwkvx {
namespace attn {

namespace {
struct TileScratch {
    Tile tile;
    BlockScratch block;
    explicit TileScratch(int D) : tile(D), block(D) {}
};
}  // namespace

void full_prefill(ThreadPool &pool, const AttnKernels &kt, const Prefill &p) {
    const PackedKv packed(pool, kt, p);
    const int64_t n_tiles = (p.T + kTileRows - 1) / kTileRows;
    run_tasks(
        pool, n_tiles * p.H, [&] { return std::make_unique<TileScratch>(p.D); },
        [&](std::unique_ptr<TileScratch> &sc, int64_t task) {
            const int64_t tile_index = n_tiles - 1 - task / p.H;
            const int32_t h = int32_t(task % p.H);
            const int64_t t0 = tile_index * kTileRows;
            const int nr = int(p.T - t0 < kTileRows ? p.T - t0 : kTileRows);
            Tile &tile = sc->tile;
            load_queries(tile, p.q + t0 * p.q_stride + int64_t(h) * p.D, p.q_stride, nr, p.scale);
            const int64_t i0 = p.past + t0;  // position of the tile's first query
            int64_t limit[kTileRows];
            for (int r = 0; r < nr; r++) limit[r] = i0 + r + 1;
            const PackedHead kv = packed.head(h);
            // Blocks entirely below the diagonal need no mask.
            attend_keys(kt, tile, sc->block, kv, 0, i0, nullptr);
            attend_keys(kt, tile, sc->block, kv, i0, i0 + nr, limit);
            finish_rows(tile, p.o + t0 * p.o_stride + int64_t(h) * p.D, p.o_stride,
                        p.lse ? p.lse + t0 * p.H + h : nullptr, p.H);
        });
}

}  // namespace attn
}  // namespace rwkvx
