// bench_attention.h — RWKV-X attention rows: full vs sparse prefill and decode at C=768 (12 heads of
// 64), the crossover length, and full prefill GFLOP/s as a fraction of the measured FMA peak.
#ifndef RWKVX_BENCH_ATTENTION_H
#define RWKVX_BENCH_ATTENTION_H

#include <map>
#include <vector>

#include "bench_rwkv7.h"

namespace rwkvx_bench {

struct AttentionConfig {
    int threads = 2;
    bool quick = false;
    std::vector<int> prefill_T{4096, 16384, 32768};
    std::vector<int> decode_T{16384, 65536};
    std::vector<int> chunks{512, 2048};
    std::vector<int> topks{2, 3, 4, 5, 6, 7};  // past chunks: MoBA K (own chunk included) 3..8
};

// Prints the tables and SUMMARY lines; exits 1 on an rwkvx failure.
void run_attention_benchmarks(const AttentionConfig &cfg, const Peaks &peaks);

}  // namespace rwkvx_bench

#endif
