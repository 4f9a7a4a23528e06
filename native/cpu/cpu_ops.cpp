#include "cpu/cpu_ops.h"

#include <algorithm>

namespace rwkvx {

namespace {
constexpr int64_t kMinParallelMacs = 1 << 17;
// WKV moves its whole state per call: worth splitting earlier than a matmul of the same size.
constexpr int64_t kMinParallelWkv = 1 << 14;

// Output columns are handed out in units of `grain` columns (a blocked matrix: whole blocks, its
// tail rows with the last one).
int64_t unit_columns(const MatmulArgs &m, int64_t column_grain) {
    return m.blocked ? std::max(column_grain, kBlockRows) : column_grain;
}
}  // namespace

void CpuOps::matmul(const MatmulArgs &m) { matmul_many({m}); }

void CpuOps::matmul_many(const std::vector<MatmulArgs> &jobs) {
    // Waking the workers costs a few microseconds: not worth it for tiny products.
    int64_t macs = 0;
    for (const auto &m : jobs) macs += m.N * m.K * m.T;
    if (pool_.size() == 1 || macs < kMinParallelMacs) {
        for (const auto &m : jobs) kernels_.matmul(m, 0, m.N);
        return;
    }
    // The units of all jobs, in order, are shared by cost (MACs): each thread takes those whose
    // middle falls in its share, so a contiguous run that may span jobs. Per job that is one column
    // range, and small jobs (LoRA) do not all land on the same thread as a per-job split would do.
    pool_.run([&](int tid, int nt) {
        int64_t before = 0;  // MACs of the units before the current one
        for (const auto &m : jobs) {
            const int64_t grain = unit_columns(m, kernels_.column_grain), after = before + m.N * m.K * m.T;
            int64_t b = -1, e = -1;
            for (int64_t c = 0; c < m.N; c += grain) {
                const int64_t cols = std::min(grain, m.N - c), cost = cols * m.K * m.T;
                const int owner = int((2 * before + cost) * nt / (2 * macs));
                before += cost;
                if (owner > tid) break;  // owners only grow along the units
                if (owner < tid) continue;
                if (b < 0) b = c;
                e = c + cols;
            }
            before = after;
            if (b >= 0) kernels_.matmul(m, b, e);
        }
    });
}

void CpuOps::wkv7(const Wkv7Args &p) {
    const int nt = pool_.size();
    // Work items: (head, value block). Blocks of 16 rows keep the vector kernel's full width.
    int32_t blocks_per_head = 1;
    if (p.H < nt && p.N % 16 == 0) blocks_per_head = std::min<int32_t>(p.N / 16, (nt + p.H - 1) / p.H);
    const int32_t rows_per_block = p.N / blocks_per_head;
    const int64_t items = int64_t(p.H) * blocks_per_head;
    auto body = [&](int64_t b, int64_t e) {
        for (int64_t it = b; it < e; it++) {
            int32_t h = int32_t(it / blocks_per_head), blk = int32_t(it % blocks_per_head);
            int32_t i0 = blk * rows_per_block;
            int32_t i1 = blk == blocks_per_head - 1 ? p.N : i0 + rows_per_block;
            kernels_.wkv7(p, h, i0, i1);
        }
    };
    if (nt == 1 || items == 1 || p.T * p.H * p.N * p.N < kMinParallelWkv) body(0, items);
    else pool_.parallel_for(items, 1, body);
}

void CpuOps::wkv4(const Wkv4Args &p) {
    // ~4 exp + 12 FLOP per channel-token; below this the wake-up costs more than it saves.
    if (pool_.size() == 1 || p.T * p.C < 8192 || p.C < 16) {
        kernels_.wkv4(p, 0, p.C);
        return;
    }
    pool_.parallel_for(p.C, 8, [&](int64_t b, int64_t e) { kernels_.wkv4(p, b, e); });
}

void CpuOps::wkv5(const Wkv5Args &p) {
    auto body = [&](int64_t b, int64_t e) {
        for (int64_t h = b; h < e; h++) kernels_.wkv5(p, int32_t(h));
    };
    if (pool_.size() == 1 || p.H == 1 || p.T * p.H * p.N * p.N < kMinParallelWkv) body(0, p.H);
    else pool_.parallel_for(p.H, 1, body);
}

}  // namespace rwkvx
