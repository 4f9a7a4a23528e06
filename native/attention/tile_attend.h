// The flash-attention inner loop shared by full and sparse prefill: a tile of query rows keeps an
// online softmax (m, l, acc) and consumes keys block by block; no T x T matrix exists anywhere.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "attention/attention_params.h"
#include "attention/packed_kv.h"

namespace rwkvx {
namespace attn {

struct Tile {
    int nr = 0, D = 0;
    std::vector<float> q;              // [kTileRows][D], pre-scaled by scale * log2(e)
    std::vector<float> acc;            // [kTileRows][D]
    float m[kTileRows], l[kTileRows];  // running max (log2 units) and sum
    explicit Tile(int D_) : D(D_), q(size_t(kTileRows) * D_), acc(size_t(kTileRows) * D_) {}
    void reset(int rows);
    // Copies row `from` of src into row `to` of this tile (query and state).
    void copy_row(int to, const Tile &src, int from);
};

// Per-thread scores of one key block.
struct BlockScratch {
    std::vector<float> s;
    explicit BlockScratch(int) : s(size_t(kTileRows) * kBlockKeys) {}
};

// Loads query rows q + r*q_stride (r < nr) into the tile, scaled, and resets the softmax state.
void load_queries(Tile &tile, const float *q, int64_t q_stride, int nr, float scale);
// Same for scattered rows: row r is q + rows[r] * q_stride.
void gather_queries(Tile &tile, const float *q, int64_t q_stride, const int64_t *rows, int nr, float scale);

// Consumes keys [j0, j1) of one head. Row r sees only keys j < limit[r] (limit may be null: all);
// the keys it does not see contribute exactly nothing, whatever their K and V hold.
void attend_keys(const KernelTable &kt, Tile &tile, BlockScratch &sc, const PackedHead &kv, int64_t j0, int64_t j1,
                 const int64_t *limit);

// o row r = acc / l; lse (natural log) when lse_row is non-null.
void finish_rows(const Tile &tile, float *o, int64_t o_stride, float *lse, int64_t lse_stride);

}  // namespace attn
}  // namespace rwkvx
