// MoBA-style sparse prefill: (1) chunk means per head, (2) per query the top-k past chunks by the
// canonical score, (3) chunk-centric past attention (MoBA's inversion): the (query, rank) pairs are
// bucketed by selected chunk and each chunk's K/V streams once against full 64-query tiles, leaving
// one unnormalised partial per (query, rank); then the own chunk causally per query tile, and a
// per-row LSE merge in a fixed order (selected chunks ascending, own chunk last). Every output row
// has one writer, so results do not depend on the threading. With past > 0 the queries continue a
// KV cache (positions past .. past + T - 1) and the candidates include the cache's chunks.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>
#include <vector>

#include "attention/attention_params.h"
#include "attention/chunk_select.h"
#include "attention/task_queue.h"
#include "attention/tile_attend.h"

namespace rwkvx {
namespace attn {

namespace {
constexpr float kNegInf = -std::numeric_limits<float>::infinity();
constexpr float kLn2 = 0.6931471805599453f;
// Queries per past-chunk work item: big enough to amortise one pass over the chunk's K/V, small
// enough that a popular chunk does not leave one thread working alone at the end.
constexpr int32_t kPieceRows = 8 * kTileRows;
constexpr int64_t kScratchBytes = int64_t(64) << 20;

struct SparseScratch {
    Tile tile;
    BlockScratch block;
    explicit SparseScratch(int D) : tile(D), block(D) {}
};

// One past-chunk work item: bucket entries [begin, begin + n) of chunk c, head h.
struct Piece {
    int32_t h, c;
    int64_t begin;
    int32_t n;
};

// Up to 64 queries of one chunk, at positions i0 .. i0 + nr - 1, for the own-chunk pass.
struct OwnTile {
    int64_t c, i0;
    int nr;
};

// Writes o and lse of tile row r from its n past partials (acc, m, l; PS floats apart, ascending
// chunk order) and the tile's own-chunk state, folded in that order. Partials with m = -inf saw
// nothing (a NaN query row) and are skipped; a row that saw nothing at all ends 0/0 = NaN.
void merge_row(const Tile &tile, int r, const float *pr, int n, int64_t PS, float *o, float *lse) {
    const int D = tile.D;
    float M = tile.m[r];
    for (int i = 0; i < n; i++) M = std::max(M, pr[i * PS + D]);
    float acc[kMaxHead] = {};
    float l = 0.0f;
    auto fold = [&](const float *a, float m, float li) {
        if (m == kNegInf) return;
        const float w = std::exp2(m - M);
        l += li * w;
        for (int d = 0; d < D; d++) acc[d] += w * a[d];
    };
    for (int i = 0; i < n; i++) fold(&pr[i * PS], pr[i * PS + D], pr[i * PS + D + 1]);
    fold(&tile.acc[size_t(r) * D], tile.m[r], tile.l[r]);
    for (int d = 0; d < D; d++) o[d] = acc[d] / l;
    if (lse) *lse = (M + std::log2(l)) * kLn2;
}
}  // namespace

bool sparse_prefill(ThreadPool &pool, const KernelTable &kt, const Prefill &p) {
    const int64_t T = p.T, B = p.B, P = p.past;
    const int32_t H = p.H, D = p.D;
    const int64_t HD = int64_t(H) * D;
    const int64_t n_full = (P + T) / B;  // complete chunks: the only candidates
    const int kp = p.top_k;

    // (1) Means [c][H][D]: fp32 sums in token order, then * (1/B).
    std::vector<float> means(size_t(n_full * HD), 0.0f);
    pool.parallel_for(H, 1, [&](int64_t h0, int64_t h1) {
        std::vector<float> tmp(D);
        for (int64_t h = h0; h < h1; h++)
            for (int64_t t = 0; t < n_full * B; t++)
                add_key(kt, row_ptr(p.kv.k, p.kv.dtype, 1, t * p.kv.k_stride + h * p.kv.head_stride), p.kv.dtype, D,
                        &means[size_t((t / B) * HD + h * D)], tmp.data());
    });
    const float inv_b = rules::inv_chunk(int32_t(B));
    for (float &x : means) x = rules::chunk_mean(x, inv_b);

    // (2) Selection per (query, head) or per query for the all-heads scope.
    const int32_t Hs = p.scope == 1 ? 1 : H;
    std::vector<int32_t> sel(size_t(T * Hs * (kp > 0 ? kp : 1)));
    std::vector<int8_t> cnt(size_t(T * Hs));
    std::atomic<bool> any_nan{false};
    pool.parallel_for(T, 64, [&](int64_t b, int64_t e) {
        bool nan = false;
        std::vector<float> scores(size_t(n_full > 0 ? n_full : 1));
        for (int64_t t = b; t < e; t++) {
            const float *qt = p.q + t * p.q_stride;
            const int64_t n_cand = (P + t) / B;
            for (int32_t hs = 0; hs < Hs; hs++) {
                const int len = p.scope == 1 ? int(HD) : D;
                if (kp > 0 && n_cand > 0)
                    kt.scores8(qt + int64_t(hs) * D, &means[size_t(int64_t(hs) * D)], HD, n_cand, len, scores.data());
                cnt[size_t(t * Hs + hs)] = int8_t(select_top_k(
                    n_cand, kp, [&](int64_t c) { return scores[size_t(c)]; }, &sel[size_t((t * Hs + hs) * kp)], &nan));
            }
        }
        if (nan) any_nan = true;
    });

    // (3) Buckets: per selection head, the (query, rank) pairs of every chunk, counting-sorted so each
    // bucket lists its queries ascending. Entry = t * kp + rank.
    // Only chunks some query selected, and the queries' own chunks, are packed.
    std::vector<char> needed(size_t((P + T + B - 1) / B), 0);
    for (size_t i = 0; i < cnt.size(); i++)
        for (int r = 0; r < cnt[i]; r++) needed[size_t(sel[i * size_t(kp) + size_t(r)])] = 1;
    for (int64_t c = P / B; c * B < P + T; c++) needed[size_t(c)] = 1;
    std::vector<int64_t> chunks;
    for (size_t c = 0; c < needed.size(); c++)
        if (needed[c]) chunks.push_back(int64_t(c));
    const ChunkPackedKv packed(pool, kt, p, B, chunks);
    const int kpp = kp > 0 ? kp : 1;
    std::vector<int64_t> bucket_off(size_t(Hs) * size_t(n_full + 1), 0);
    std::vector<int64_t> bucket(size_t(T) * size_t(Hs) * size_t(kpp));
    pool.parallel_for(Hs, 1, [&](int64_t h0, int64_t h1) {
        for (int64_t hs = h0; hs < h1; hs++) {
            int64_t *off = &bucket_off[size_t(hs * (n_full + 1))];
            int64_t *ent = &bucket[size_t(hs * T * kpp)];
            for (int64_t t = 0; t < T; t++)
                for (int i = 0; i < cnt[size_t(t * Hs + hs)]; i++) off[sel[size_t((t * Hs + hs) * kp + i)] + 1]++;
            for (int64_t c = 0; c < n_full; c++) off[c + 1] += off[c];
            std::vector<int64_t> fill(off, off + n_full);
            for (int64_t t = 0; t < T; t++)
                for (int i = 0; i < cnt[size_t(t * Hs + hs)]; i++)
                    ent[fill[sel[size_t((t * Hs + hs) * kp + i)]]++] = t * kp + i;
        }
    });

    // Heads go in groups so the partials scratch [T][G][kp][D + 2] (acc, m, l) stays bounded.
    const int64_t PS = D + 2;
    const int64_t per_head = T * kp * PS * int64_t(sizeof(float));
    const int32_t G = per_head == 0 ? H : int32_t(std::clamp<int64_t>(kScratchBytes / per_head, 1, H));
    std::vector<float> part(size_t(T) * size_t(G) * size_t(kp) * size_t(PS));
    std::vector<Piece> pieces;
    // Own-chunk tiles: the queries of each chunk in 64-row tiles from the chunk's first query on.
    // Later tiles in a chunk see more keys, so they go first.
    std::vector<OwnTile> own;
    for (int64_t c = P / B; c * B < P + T; c++)
        for (int64_t i0 = std::max(P, c * B); i0 < std::min(P + T, c * B + B); i0 += kTileRows)
            own.push_back({c, i0, int(std::min<int64_t>({kTileRows, P + T - i0, c * B + B - i0}))});
    std::stable_sort(own.begin(), own.end(),
                     [B](const OwnTile &a, const OwnTile &b) { return a.i0 - a.c * B > b.i0 - b.c * B; });

    for (int32_t g0 = 0; g0 < H; g0 += G) {
        const int32_t g1 = std::min(H, g0 + G);
        // (3a) Past chunks, chunk-centric: each piece streams one chunk's K/V once against full
        // 64-row tiles of the queries that selected it, leaving each (query, rank) partial unnormalised.
        pieces.clear();
        for (int32_t h = g0; h < g1; h++) {
            const int64_t *off = &bucket_off[size_t((p.scope == 1 ? 0 : h) * (n_full + 1))];
            for (int64_t c = 0; c < n_full; c++)
                for (int64_t b = off[c]; b < off[c + 1]; b += kPieceRows)
                    pieces.push_back({h, int32_t(c), b, int32_t(std::min<int64_t>(kPieceRows, off[c + 1] - b))});
        }
        // Largest first, so the tail of the schedule is short; ties keep build order.
        std::stable_sort(pieces.begin(), pieces.end(), [](const Piece &a, const Piece &b) { return a.n > b.n; });
        run_tasks(
            pool, int64_t(pieces.size()), [&] { return std::make_unique<SparseScratch>(D); },
            [&](std::unique_ptr<SparseScratch> &sc, int64_t task) {
                const Piece &pc = pieces[size_t(task)];
                const int64_t *ent = &bucket[size_t(int64_t(p.scope == 1 ? 0 : pc.h) * T * kpp)] + pc.begin;
                const PackedHead kv = packed.head(pc.h, pc.c);
                Tile &tile = sc->tile;
                for (int32_t i0 = 0; i0 < pc.n; i0 += kTileRows) {
                    const int nr = std::min(kTileRows, pc.n - i0);
                    int64_t rows[kTileRows];
                    for (int r = 0; r < nr; r++) rows[r] = ent[i0 + r] / kp;
                    gather_queries(tile, p.q + int64_t(pc.h) * D, p.q_stride, rows, nr, p.scale);
                    attend_keys(kt, tile, sc->block, kv, 0, B, nullptr);
                    for (int r = 0; r < nr; r++) {
                        const int64_t e = ent[i0 + r];
                        float *dst = &part[size_t((((e / kp) * G + (pc.h - g0)) * kp + e % kp) * PS)];
                        std::memcpy(dst, &tile.acc[size_t(r) * D], sizeof(float) * size_t(D));
                        dst[D] = tile.m[r];
                        dst[D + 1] = tile.l[r];
                    }
                }
            });

        // (3b) Own chunk causally per 64-row tile, then the LSE merge in the fixed order: selected chunks
        // ascending, then the own chunk. Later sub-tiles see more keys, so they go first.
        run_tasks(
            pool, int64_t(g1 - g0) * int64_t(own.size()), [&] { return std::make_unique<SparseScratch>(D); },
            [&](std::unique_ptr<SparseScratch> &sc, int64_t task) {
                const OwnTile &ot = own[size_t(task / (g1 - g0))];
                const int32_t h = g0 + int32_t(task % (g1 - g0));
                const int64_t t0 = ot.i0 - P;  // query row of the tile's first query
                const int nr = ot.nr;
                Tile &tile = sc->tile;
                load_queries(tile, p.q + t0 * p.q_stride + int64_t(h) * D, p.q_stride, nr, p.scale);
                const PackedHead kv = packed.head(h, ot.c);  // indexed from the chunk's first key
                const int64_t j0 = ot.i0 - ot.c * B;
                int64_t limit[kTileRows];
                for (int r = 0; r < nr; r++) limit[r] = j0 + r + 1;
                attend_keys(kt, tile, sc->block, kv, 0, j0, nullptr);
                attend_keys(kt, tile, sc->block, kv, j0, j0 + nr, limit);
                const int32_t hs = p.scope == 1 ? 0 : h;
                for (int r = 0; r < nr; r++) {
                    const int64_t t = t0 + r;
                    const float *pr = kp > 0 ? &part[size_t(((t * G + (h - g0)) * kp) * PS)] : nullptr;
                    merge_row(tile, r, pr, cnt[size_t(t * Hs + hs)], PS, p.o + t * p.o_stride + int64_t(h) * D,
                              p.lse ? p.lse + t * H + h : nullptr);
                }
            });
    }
    return any_nan.load();
}

}  // namespace attn
}  // namespace rwkvx
