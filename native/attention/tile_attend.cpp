#include "attention/tile_attend.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace rwkvx {
namespace attn {

namespace {
constexpr float kNegInf = -std::numeric_limits<float>::infinity();
constexpr float kLog2e = 1.4426950408889634f;
constexpr float kLn2 = 0.6931471805599453f;
}  // namespace

void Tile::reset(int rows) {
    nr = rows;
    for (int r = 0; r < rows; r++) {
        m[r] = kNegInf;
        l[r] = 0.0f;
    }
    std::memset(acc.data(), 0, sizeof(float) * size_t(rows) * D);
}

void Tile::copy_row(int to, const Tile &src, int from) {
    std::memcpy(&q[size_t(to) * D], &src.q[size_t(from) * D], sizeof(float) * D);
    std::memcpy(&acc[size_t(to) * D], &src.acc[size_t(from) * D], sizeof(float) * D);
    m[to] = src.m[from];
    l[to] = src.l[from];
}

void load_queries(Tile &tile, const float *q, int64_t q_stride, int nr, float scale) {
    const float f = scale * kLog2e;
    for (int r = 0; r < nr; r++)
        for (int d = 0; d < tile.D; d++) tile.q[size_t(r) * tile.D + d] = q[r * q_stride + d] * f;
    tile.reset(nr);
}

void gather_queries(Tile &tile, const float *q, int64_t q_stride, const int64_t *rows, int nr, float scale) {
    const float f = scale * kLog2e;
    for (int r = 0; r < nr; r++)
        for (int d = 0; d < tile.D; d++) tile.q[size_t(r) * tile.D + d] = q[rows[r] * q_stride + d] * f;
    tile.reset(nr);
}

void attend_keys(const KernelTable &kt, Tile &tile, BlockScratch &sc, const PackedHead &kv, int64_t j0, int64_t j1,
                 const int64_t *limit) {
    const int D = tile.D;
    // Keys a row does not see contribute exactly nothing (docs/rwkv-x.md §5.6): their scores are -inf
    // before the exponential and pv stops each row at its last visible key, so neither a score from a
    // non-finite excluded key nor 0 * (an excluded inf or NaN value) reaches the row.
    int cols[kTileRows];
    for (int64_t jb = j0; jb < j1; jb += kBlockKeys) {
        const int nc = int(j1 - jb < kBlockKeys ? j1 - jb : kBlockKeys);
        // Rows that see nothing of this block are skipped entirely (never multiplied by 0).
        bool any = limit == nullptr;
        for (int r = 0; r < tile.nr && !any; r++) any = limit[r] > jb;
        if (!any) continue;
        bool ragged = limit != nullptr;  // some row sees fewer than nc keys
        kt.qk(tile.q.data(), tile.nr, kv.kt + jb, kv.kt_stride, nc, D, sc.s.data());
        for (int r = 0; r < tile.nr; r++) {
            float *s = &sc.s[size_t(r) * kBlockKeys];
            int visible = nc;
            if (limit) {
                int64_t lim = limit[r] - jb;
                visible = lim <= 0 ? 0 : (lim < nc ? int(lim) : nc);
            }
            for (int j = visible; j < nc; j++) s[j] = kNegInf;
            float mx = tile.m[r];
            for (int j = 0; j < visible; j++)
                if (s[j] > mx) mx = s[j];
            if (mx == kNegInf) {  // nothing visible yet: contributes nothing
                cols[r] = 0;
                ragged = true;
                continue;
            }
            cols[r] = visible;
            const float alpha = tile.m[r] == kNegInf ? 0.0f : std::exp2(tile.m[r] - mx);
            const float sum = kt.exp2_sub_sum(s, nc, mx);
            tile.l[r] = tile.l[r] * alpha + sum;
            tile.m[r] = mx;
            if (alpha != 1.0f) {
                float *a = &tile.acc[size_t(r) * D];
                for (int d = 0; d < D; d++) a[d] *= alpha;
            }
        }
        kt.pv(sc.s.data(), tile.nr, kv.v + jb * D, nc, D, tile.acc.data(), ragged ? cols : nullptr);
    }
}

void finish_rows(const Tile &tile, float *o, int64_t o_stride, float *lse, int64_t lse_stride) {
    const int D = tile.D;
    for (int r = 0; r < tile.nr; r++) {
        const float l = tile.l[r];
        const float *a = &tile.acc[size_t(r) * D];
        for (int d = 0; d < D; d++) o[r * o_stride + d] = a[d] / l;
        if (lse) lse[r * lse_stride] = (tile.m[r] + std::log2(l)) * kLn2;
    }
}

}  // namespace attn
}  // namespace rwkvx
