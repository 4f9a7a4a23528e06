// skinny_matmul.h — `--skinny`: the cost of a matmul with few input rows T (batched decode: one row per
// sequence) against the single-row one, on resident (blocked / split) weights through the engine's own
// CpuOps and kernel table. Ideal while memory-bound: time(T) ≈ time(1), the weights read once.
#ifndef RWKVX_BENCH_SKINNY_MATMUL_H
#define RWKVX_BENCH_SKINNY_MATMUL_H

#include <cstdint>
#include <vector>

namespace rwkvx_bench {

struct SkinnyConfig {
    std::vector<int> threads{1, 2};
    std::vector<int> rows{1, 2, 4, 8, 16};  // T; the first is the ratios' reference
    std::vector<int> dtypes;                // rwkvx_dtype values; empty: f32, f16, bf16, q8_0, q5_1, q4_0
    int rounds = 7;                         // timed rounds; the median is reported
    std::uint64_t seed = 20250101;
};

// Prints one table per thread count: per weight type and shape, µs per call for each T and
// time(T) / time(T first), plus SUMMARY lines.
void run_skinny_benchmarks(const SkinnyConfig &cfg);

}  // namespace rwkvx_bench

#endif
