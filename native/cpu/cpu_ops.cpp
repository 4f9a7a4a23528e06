#include "cpu/cpu_ops.h"

#include <algorithm>

namespace rwkvx {

namespace {
constexpr int64_t kMinParallelMacs = 1 << 17;
// WKV moves its whole state per call: worth splitting earlier than a matmul of the same size.
constexpr int64_t kMinParallelWkv = 1 << 14;

// Column range [b, e) of `count` columns for thread tid of nt, in multiples of grain.
void split_columns(int64_t count, int64_t grain, int tid, int nt, int64_t &b, int64_t &e) {
    int64_t units = (count + grain - 1) / grain;
    int64_t per = units / nt, extra = units % nt;
    int64_t u0 = tid * per + std::min<int64_t>(tid, extra);
    int64_t u1 = u0 + per + (tid < extra ? 1 : 0);
    b = std::min(count, u0 * grain);
    e = std::min(count, u1 * grain);
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
    pool_.run([&](int tid, int nt) {
        for (const auto &m : jobs) {
            int64_t b, e;
            // A blocked matrix is split at block boundaries (its tail rows go with the last block).
            split_columns(m.N, m.blocked ? std::max(kernels_.column_grain, kBlockRows) : kernels_.column_grain, tid,
                          nt, b, e);
            if (b < e) kernels_.matmul(m, b, e);
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
