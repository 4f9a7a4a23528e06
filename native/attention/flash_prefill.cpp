// Full causal prefill, FlashAttention-style: tasks are (head, 64-query tile), largest tiles first;
// each tile streams the keys up to its diagonal in 64-key blocks and masks only the diagonal block.
// With past > 0 the queries continue a KV cache: every tile also sees the past keys.
#include <algorithm>
#include <memory>
#include <vector>

#include "attention/attention_params.h"
#include "attention/task_queue.h"
#include "attention/tile_attend.h"

namespace rwkvx {
namespace attn {

namespace {

// Keys of a long cache packed at a time (fp32 K transposed, and V unless read in place): with
// C = 768 that is 3 MB, where packing a 64K-key cache whole took 200 MB per call.
constexpr int64_t kKeyWindow = 1024;

struct TileScratch {
    Tile tile;
    BlockScratch block;
    explicit TileScratch(int D) : tile(D), block(D) {}
};

// The queries' own keys: those before a tile unmasked, the diagonal block masked. kv indexes key
// `first + j` as j. Then o and lse.
void attend_own_keys(const KernelTable &kt, Tile &tile, BlockScratch &block, const PackedHead &kv, const Prefill &p,
                     int32_t h, int64_t t0, int64_t first) {
    const int nr = tile.nr;
    const int64_t i0 = p.past + t0 - first;  // index of the tile's first query's own key
    int64_t limit[kTileRows];
    for (int r = 0; r < nr; r++) limit[r] = i0 + r + 1;
    attend_keys(kt, tile, block, kv, 0, i0, nullptr);  // blocks entirely below the diagonal need no mask
    attend_keys(kt, tile, block, kv, i0, i0 + nr, limit);
    finish_rows(tile, p.o + t0 * p.o_stride + int64_t(h) * p.D, p.o_stride, p.lse ? p.lse + t0 * p.H + h : nullptr,
                p.H);
}

// Continuing a cache longer than the queries: every tile's softmax state lives across passes over
// windows of past keys, so only one window is packed at a time. The tiles take T·C·8 bytes, less
// than packing past + T keys (C·4 bytes each) when past > T.
void windowed_prefill(ThreadPool &pool, const KernelTable &kt, const Prefill &p, int64_t n_tiles) {
    const int64_t n_tasks = n_tiles * p.H;  // task = tile * H + head
    std::vector<Tile> tiles(size_t(n_tasks), Tile(p.D));
    auto first_query = [&](int64_t task) { return task / p.H * kTileRows; };
    auto head = [&](int64_t task) { return int32_t(task % p.H); };
    pool.parallel_for(n_tasks, 1, [&](int64_t b, int64_t e) {
        for (int64_t task = b; task < e; task++) {
            const int64_t t0 = first_query(task);
            load_queries(tiles[size_t(task)], p.q + t0 * p.q_stride + int64_t(head(task)) * p.D, p.q_stride,
                         int(std::min<int64_t>(kTileRows, p.T - t0)), p.scale);
        }
    });
    auto make = [&] { return std::make_unique<BlockScratch>(p.D); };
    for (int64_t w0 = 0; w0 < p.past; w0 += kKeyWindow) {
        const int64_t w1 = std::min(p.past, w0 + kKeyWindow);
        const PackedKv window(pool, kt, p, w0, w1);
        run_tasks(pool, n_tasks, make, [&](std::unique_ptr<BlockScratch> &block, int64_t task) {
            attend_keys(kt, tiles[size_t(task)], *block, window.head(head(task)), 0, w1 - w0, nullptr);
        });
    }
    const PackedKv own(pool, kt, p, p.past, p.past + p.T);
    run_tasks(pool, n_tasks, make, [&](std::unique_ptr<BlockScratch> &block, int64_t task) {
        attend_own_keys(kt, tiles[size_t(task)], *block, own.head(head(task)), p, head(task), first_query(task),
                        p.past);
    });
}

}  // namespace

void full_prefill(ThreadPool &pool, const KernelTable &kt, const Prefill &p) {
    const int64_t n_tiles = (p.T + kTileRows - 1) / kTileRows;
    if (p.past > std::max(p.T, kKeyWindow)) {
        windowed_prefill(pool, kt, p, n_tiles);
        return;
    }
    const PackedKv packed(pool, kt, p, 0, p.past + p.T);
    run_tasks(
        pool, n_tiles * p.H, [&] { return std::make_unique<TileScratch>(p.D); },
        [&](std::unique_ptr<TileScratch> &sc, int64_t task) {
            const int64_t tile_index = n_tiles - 1 - task / p.H;  // largest tiles first
            const int32_t h = int32_t(task % p.H);
            const int64_t t0 = tile_index * kTileRows;
            load_queries(sc->tile, p.q + t0 * p.q_stride + int64_t(h) * p.D, p.q_stride,
                         int(std::min<int64_t>(kTileRows, p.T - t0)), p.scale);
            attend_own_keys(kt, sc->tile, sc->block, packed.head(h), p, h, t0, 0);
        });
}

}  // namespace attn
}  // namespace rwkvx
