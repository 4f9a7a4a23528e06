#include "cpu/cpu_ops.h"

#include <algorithm>

namespace rwkvx {

namespace {
constexpr int64_t kMinParallelMacs = 1 << 17;
// WKV moves its whole state per call: worth splitting earlier than a matmul of the same size.
constexpr int64_t kMinParallelWkv = 1 << 14;
constexpr int kUnitBits = 32;         // Claim::next = piece << kUnitBits | unit
constexpr int64_t kMinGemvChunk = 8;  // units (row blocks of a blocked matrix)
constexpr int64_t kMinClaimedGemvMacs = int64_t(1) << 24;
constexpr int64_t kWholePiece = int64_t(1) << 30;  // a chunk is capped at the end of its piece

// Output columns are handed out in units: a GEMM's column blocks; for a GEMV `grain` columns, or
// whole row blocks of a blocked matrix. A blocked matrix's tail rows are its last, shorter unit.
int64_t unit_columns(const MatmulArgs &m, const KernelTable &k, bool gemm) {
    const int64_t unit = gemm ? std::max(k.column_grain, k.gemm_columns) : k.column_grain;
    return m.blocked ? (std::max(unit, kBlockRows) + kBlockRows - 1) / kBlockRows * kBlockRows : unit;
}

int64_t total_macs(const std::vector<MatmulArgs> &jobs) {
    int64_t macs = 0;
    for (const auto &m : jobs) macs += m.N * m.K * m.T;
    return macs;
}
}  // namespace

void CpuOps::matmul(const MatmulArgs &m) {
    matmul_many({m});
}

// Waking the workers costs a few microseconds: not worth it for tiny products.
bool CpuOps::worth_splitting(const std::vector<MatmulArgs> &jobs) const {
    return pool_.size() > 1 && total_macs(jobs) >= kMinParallelMacs;
}

const std::vector<MatmulArgs> &CpuOps::with_prepared_inputs(const std::vector<MatmulArgs> &jobs) {
    auto prep_bytes = [&](const MatmulArgs &m) {
        return is_quantized(m.wtype) && m.T < kernels_.gemm_min_rows && m.prep == nullptr
                   ? m.T * kernels_.quant_prep_bytes(m.wtype, m.K)
                   : 0;
    };
    int64_t total = 0;
    for (const auto &m : jobs) total += prep_bytes(m);
    if (total == 0) return jobs;
    prepared_jobs_ = jobs;
    if (int64_t(prep_buffer_.size()) < total + 64) prep_buffer_.resize(size_t(total + 64));
    char *next = prep_buffer_.data() + (64 - reinterpret_cast<uintptr_t>(prep_buffer_.data()) % 64) % 64;
    for (size_t i = 0; i < jobs.size(); i++) {
        MatmulArgs &m = prepared_jobs_[i];
        const int64_t bytes = prep_bytes(m);
        if (bytes == 0) continue;
        for (size_t j = 0; j < i && m.prep == nullptr; j++)  // the same input prepared already
            if (prepared_jobs_[j].prep && jobs[j].x == m.x && jobs[j].K == m.K && jobs[j].T == m.T &&
                jobs[j].wtype == m.wtype)
                m.prep = prepared_jobs_[j].prep;
        if (m.prep) continue;
        kernels_.quant_prep(m.wtype, m.x, m.T, m.K, next);
        m.prep = next;
        next += bytes;
    }
    return prepared_jobs_;
}

void CpuOps::matmul_many(const std::vector<MatmulArgs> &all_jobs) {
    const std::vector<MatmulArgs> &jobs = with_prepared_inputs(all_jobs);
    if (!worth_splitting(jobs)) {
        for (const auto &m : jobs) kernels_.matmul(m, 0, m.N);
        return;
    }
    const int64_t macs = total_macs(jobs);
    bool gemm = true;
    for (const auto &m : jobs) gemm = gemm && m.T >= kernels_.gemm_min_rows;
    const int nt = pool_.size();
    split_by_cost(jobs, macs, gemm, nt);
    // On a shared host one core is at times slowed (steal time, a busy sibling). Each thread claims
    // chunks of its share, bigger first, then helps the others with the rest of theirs.
    // A GEMV chunk restarts the blocked kernel's two streams, so a GEMV is claimed in chunks of at
    // least kMinGemvChunk units, and only when it is as big as a vocabulary head; in smaller ones a
    // chunk is a whole piece (a thread done early may still take a piece not yet started). The
    // better of the measured claiming rules: bench/README.md, "Kernel design measurements".
    min_chunk_units_ = gemm ? 1 : macs >= kMinClaimedGemvMacs ? kMinGemvChunk : kWholePiece;
    for (int t = 0; t < nt; t++)
        claims_[t].next.store(int64_t(share_begin_[size_t(t)]) << kUnitBits, std::memory_order_relaxed);
    pool_.run([&](int slot, int n) {
        for (int v = 0; v < n; v++)
            while (claim_and_run((slot + v) % n, n)) {}
    });
}

// Units of all jobs, in order, are shared by cost (MACs): a unit goes to the thread in whose share
// its middle falls. So each thread gets one contiguous run, which may span jobs, and small jobs
// (LoRA) do not all land on the same thread as a per-job split would put them.
void CpuOps::split_by_cost(const std::vector<MatmulArgs> &jobs, int64_t macs, bool gemm, int nt) {
    pieces_.clear();
    share_begin_.assign(size_t(nt) + 1, 0);
    int64_t before = 0;  // MACs of the units before the current one
    int share = 0;
    for (const auto &m : jobs) {
        const int64_t grain = unit_columns(m, kernels_, gemm);
        for (int64_t c = 0; c < m.N; c += grain) {
            const int64_t cols = std::min(grain, m.N - c), cost = cols * m.K * m.T;
            // The unit's owner is floor((2·before + cost)·nt / (2·macs)); compared, not divided
            // (a head matrix has thousands of units).
            bool new_piece = pieces_.empty() || pieces_.back().job != &m;
            while (share + 1 < nt && (2 * before + cost) * nt >= 2 * macs * (share + 1)) {
                share_begin_[size_t(++share)] = pieces_.size();
                new_piece = true;
            }
            before += cost;
            if (new_piece)
                pieces_.push_back(Piece{&m, c, c + cols, grain, 0, 0});
            else
                pieces_.back().end = c + cols;
        }
    }
    while (share < nt) share_begin_[size_t(++share)] = pieces_.size();
    for (int t = 0; t < nt; t++) {
        int64_t after = 0;
        for (size_t i = share_begin_[size_t(t) + 1]; i-- > share_begin_[size_t(t)];) {
            Piece &p = pieces_[i];
            p.units = (p.end - p.begin + p.unit - 1) / p.unit;
            after += p.units;
            p.share_units = after;
        }
    }
}

// Claims the next chunk of `share` and runs it; false once the share is all claimed. A chunk is
// 1/(2·threads) of what is left of the share (at least min_chunk_units_, at most the rest of its
// piece): the owner starts with big ones, and the last ones, which others may take, are small.
bool CpuOps::claim_and_run(int share, int nt) {
    std::atomic<int64_t> &next = claims_[share].next;
    const size_t end = share_begin_[size_t(share) + 1];
    int64_t pos = next.load(std::memory_order_relaxed);
    for (;;) {
        const size_t index = size_t(pos >> kUnitBits);
        if (index >= end) return false;
        const Piece &p = pieces_[index];
        const int64_t u = pos & ((int64_t(1) << kUnitBits) - 1);
        const int64_t size = std::min(std::max(min_chunk_units_, (p.share_units - u) / (2 * nt)), p.units - u);
        const int64_t after = u + size == p.units ? int64_t(index + 1) << kUnitBits : pos + size;
        // Relaxed: the chunks' outputs are disjoint, and the region's end orders them for the caller.
        if (next.compare_exchange_weak(pos, after, std::memory_order_relaxed)) {
            kernels_.matmul(*p.job, p.begin + u * p.unit, std::min(p.end, p.begin + (u + size) * p.unit));
            return true;
        }
    }
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
            // Whole heads: a thread's next item is the next head, whose state it can prefetch.
            const float *next = blocks_per_head == 1 && it + 1 < e ? p.state + int64_t(h + 1) * p.N * p.N : nullptr;
            kernels_.wkv7(p, h, i0, i1, next);
        }
    };
    if (nt == 1 || items == 1 || p.T * p.H * p.N * p.N < kMinParallelWkv)
        body(0, items);
    else
        pool_.parallel_for(items, 1, body);
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
    if (pool_.size() == 1 || p.H == 1 || p.T * p.H * p.N * p.N < kMinParallelWkv)
        body(0, p.H);
    else
        pool_.parallel_for(p.H, 1, body);
}

}  // namespace rwkvx
