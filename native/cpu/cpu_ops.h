// Multi-threaded CPU operations built from the kernel table: what the model code calls.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "common/thread_pool.h"
#include "cpu/kernels.h"

namespace rwkvx {

class CpuOps {
  public:
    CpuOps(ThreadPool &pool, const KernelTable &kernels)
        : pool_(pool), kernels_(kernels), claims_(new Claim[size_t(pool.size())]) {}

    const KernelTable &kernels() const { return kernels_; }
    ThreadPool &pool() { return pool_; }

    // y = x · wᵀ.
    void matmul(const MatmulArgs &m);
    // Several independent matmuls in one parallel region (one wake-up of the workers, not many).
    void matmul_many(const std::vector<MatmulArgs> &jobs);
    // Whether matmul_many splits these between threads (more than one thread, enough work).
    bool worth_splitting(const std::vector<MatmulArgs> &jobs) const;
    // WKV-7 over all heads; threads split heads, and value rows when there are fewer heads than threads.
    void wkv7(const Wkv7Args &p);
    // WKV-4 over all channels; threads split channels in blocks of 8.
    void wkv4(const Wkv4Args &p);
    // WKV-5/6 over all heads; threads split heads.
    void wkv5(const Wkv5Args &p);

    // Calls body(t) for t in [0, T) over the threads (rows are independent). Serial for short T.
    template <typename F>
    void for_rows(int64_t T, int64_t row_cost, F &&body) {
        if (T * row_cost < 32768 || pool_.size() == 1) {
            for (int64_t t = 0; t < T; t++) body(t);
            return;
        }
        pool_.parallel_for(T, 1, [&](int64_t b, int64_t e) {
            for (int64_t t = b; t < e; t++) body(t);
        });
    }

  private:
    // Output columns [begin, end) of one job, in units of `unit` columns, in one thread's share.
    struct Piece {
        const MatmulArgs *job;
        int64_t begin, end, unit;
        int64_t units;        // ceil((end - begin) / unit)
        int64_t share_units;  // units from this piece's start to the end of its share
    };
    // A share's next unclaimed unit: piece index << 32 | unit in that piece. One cache line each.
    struct alignas(64) Claim {
        std::atomic<int64_t> next{0};
    };

    void split_by_cost(const std::vector<MatmulArgs> &jobs, int64_t macs, bool gemm, int nt);
    bool claim_and_run(int share, int nt);
    // jobs, or a copy whose quantized single-token jobs carry their inputs prepared once for all
    // threads (KernelTable::quant_prep; jobs with the same input share one preparation).
    const std::vector<MatmulArgs> &with_prepared_inputs(const std::vector<MatmulArgs> &jobs);

    ThreadPool &pool_;
    const KernelTable &kernels_;
    std::vector<Piece> pieces_;        // every thread's share, in thread order
    std::vector<size_t> share_begin_;  // thread t's pieces: [share_begin_[t], share_begin_[t + 1])
    std::unique_ptr<Claim[]> claims_;  // one per thread
    int64_t min_chunk_units_ = 1;      // of the current region's claims
    std::vector<MatmulArgs> prepared_jobs_;
    std::vector<char> prep_buffer_;
};

}  // namespace rwkvx
