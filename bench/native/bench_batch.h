// bench_batch.h — batched decode: N states of the synthetic RWKV-7 (0.1B World shape) advanced one
// token each per rwkvx_model_eval_batch call, against one state per rwkvx_model_eval call; and the same
// step's matmuls alone at N rows, to show where a batched step's time goes.
#ifndef RWKVX_BENCH_BATCH_H
#define RWKVX_BENCH_BATCH_H

#include <vector>

#include "bench_rwkv7.h"

namespace rwkvx_bench {

// Prints the tables and SUMMARY lines for every format and thread count of cfg (resident weights);
// sizes: the batch sizes N (1 is always measured, the reference). Exits 1 on an rwkvx failure.
void run_batch_benchmarks(const BenchConfig &cfg, const std::vector<int> &sizes);

}  // namespace rwkvx_bench

#endif
