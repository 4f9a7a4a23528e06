// skinny_matmul.cpp — see skinny_matmul.h.
#include "skinny_matmul.h"

#include <cstdio>
#include <cstring>
#include <memory>
#include <random>
#include <string>

#include "bench_common.h"
#include "common/quant.h"
#include "common/thread_pool.h"
#include "cpu/cpu_ops.h"
#include "cpu/dispatch.h"
#include "cpu/weight_layout.h"

namespace rwkvx_bench {

namespace {

// The 0.1B RWKV-7's matrix shapes (N outputs x K inputs): C x C, the FFN's key and value, the head.
struct Shape {
    std::int64_t N, K;
    const char *what;
};
constexpr Shape kShapes[] = {{768, 768, "CxC"}, {3072, 768, "FFN key"}, {768, 3072, "FFN value"}, {65536, 768, "head"}};

// Copies of a matrix are cycled through until this many bytes are read per round: more than the
// last-level cache, so the weights come from memory as in decode.
constexpr std::int64_t kFootprintBytes = std::int64_t(192) << 20;

// One matrix in the resident layout (float: 32-row blocks; quantized: split rows) with random
// weights in [-1, 1), copied `copies` times into one huge-page mapping.
struct Weights {
    std::unique_ptr<AlignedMapping> mapping;
    std::int64_t bytes = 0, copies = 0;
    bool ok() const { return mapping && mapping->data(); }
    const char *copy(std::int64_t i) const { return mapping->data() + i * bytes; }
};

Weights make_weights(int dtype, const Shape &s, std::mt19937 &rng) {
    Weights w;
    w.bytes = dtype_bytes_of(dtype, s.N * s.K);
    w.copies = std::max<std::int64_t>(1, (kFootprintBytes + w.bytes - 1) / w.bytes);
    w.mapping.reset(new AlignedMapping(std::size_t(w.bytes * w.copies), std::size_t(2) << 20, true));
    if (!w.ok()) return w;
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    std::vector<float> row(std::size_t(s.K));
    char *first = w.mapping->data();
    const std::int64_t row_bytes = w.bytes / s.N;
    for (std::int64_t n = 0; n < s.N; n++) {
        for (float &v : row) v = u(rng);
        char *dst = first + n * row_bytes;
        if (dtype == RWKVX_DTYPE_F32)
            std::memcpy(dst, row.data(), std::size_t(row_bytes));
        else if (dtype == RWKVX_DTYPE_F16 || dtype == RWKVX_DTYPE_BF16)
            for (std::int64_t k = 0; k < s.K; k++) {
                std::uint32_t bits;  // BF16: truncated, good enough for timing
                std::memcpy(&bits, &row[std::size_t(k)], 4);
                const std::uint16_t h =
                    dtype == RWKVX_DTYPE_F16 ? rwkvx::round_to_half(row[std::size_t(k)]) : std::uint16_t(bits >> 16);
                std::memcpy(dst + 2 * k, &h, 2);
            }
        else
            rwkvx::quantize_row(rwkvx::WeightType(dtype), row.data(), s.K, dst);
    }
    if (dtype >= RWKVX_DTYPE_Q4_0)
        rwkvx::split_quantized_rows(rwkvx::WeightType(dtype), first, s.N, s.K);
    else
        rwkvx::block_weights(rwkvx::WeightType(dtype), first, s.N, s.K);
    for (std::int64_t i = 1; i < w.copies; i++) std::memcpy(first + i * w.bytes, first, std::size_t(w.bytes));
    return w;
}

}  // namespace

void run_skinny_benchmarks(const SkinnyConfig &cfg) {
    std::vector<int> dtypes = cfg.dtypes;
    if (dtypes.empty())
        dtypes = {RWKVX_DTYPE_F32,  RWKVX_DTYPE_F16,  RWKVX_DTYPE_BF16,
                  RWKVX_DTYPE_Q8_0, RWKVX_DTYPE_Q5_1, RWKVX_DTYPE_Q4_0};
    const rwkvx::KernelTable &table = rwkvx::select_kernels(false);
    std::printf(
        "\n== skinny products: y[T,N] = x[T,K] . w[N,K]^T, resident weights, kernels %s; median of %d rounds, each "
        "over %lld MiB of weight copies ==\n"
        "us = microseconds per call; xT = time(T) / time(T=%d) in the same rounds (1.00: the weights read once for "
        "all rows); GB/s = weight bytes / time\n",
        table.name, cfg.rounds, static_cast<long long>(kFootprintBytes >> 20), cfg.rows[0]);
    std::mt19937 rng(static_cast<std::uint32_t>(cfg.seed));
    const int max_rows = *std::max_element(cfg.rows.begin(), cfg.rows.end());
    std::string summary;  // machine-readable lines, printed after the table
    std::vector<std::unique_ptr<rwkvx::ThreadPool>> pools;
    std::vector<std::unique_ptr<rwkvx::CpuOps>> ops;
    for (int threads : cfg.threads) {
        pools.emplace_back(new rwkvx::ThreadPool(threads));
        ops.emplace_back(new rwkvx::CpuOps(*pools.back(), table));
    }
    std::printf("\n%-5s %-11s %3s", "type", "N x K", "thr");
    for (int T : cfg.rows) std::printf("  %7s%-3d %5s", "us T=", T, "xT");
    std::printf(" %9s\n", "GB/s T=1");
    for (int dtype : dtypes)
        for (const Shape &s : kShapes) {
            Weights w = make_weights(dtype, s, rng);
            if (!w.ok()) {
                std::printf("%-5s %-11s: could not map the weights\n", dtype_name(dtype), s.what);
                continue;
            }
            std::uniform_real_distribution<float> u(-1.0f, 1.0f);
            std::vector<float> x(std::size_t(max_rows * s.K)), y(std::size_t(max_rows * s.N));
            for (float &v : x) v = u(rng);
            for (std::size_t p = 0; p < cfg.threads.size(); p++) {
                auto round_us = [&](int T) {
                    const Clock::time_point t0 = Clock::now();
                    for (std::int64_t i = 0; i < w.copies; i++)
                        ops[p]->matmul(rwkvx::MatmulArgs{rwkvx::WeightType(dtype), w.copy(i), s.N, s.K, x.data(), T,
                                                         y.data(), /*blocked=*/true});
                    return seconds_since(t0) * 1e6 / double(w.copies);
                };
                std::vector<std::vector<double>> times(cfg.rows.size());
                for (int T : cfg.rows) round_us(T);  // warm-up: pages, thread pool, prepared buffers
                // Every round times every T, so a slow spell of the host hits all of them alike.
                for (int r = 0; r < cfg.rounds; r++)
                    for (std::size_t i = 0; i < cfg.rows.size(); i++) times[i].push_back(round_us(cfg.rows[i]));
                char shape[32];
                std::snprintf(shape, sizeof shape, "%lldx%lld", static_cast<long long>(s.N),
                              static_cast<long long>(s.K));
                std::printf("%-5s %-11s %3d", dtype_name(dtype), shape, cfg.threads[p]);
                const double base = median_of(times[0]);
                for (std::size_t i = 0; i < cfg.rows.size(); i++) {
                    const double us = median_of(times[i]);
                    std::printf("  %10.1f %5.2f", us, us / base);
                }
                std::printf(" %9.1f\n", double(w.bytes) / (base * 1e3));
                for (std::size_t i = 0; i < cfg.rows.size(); i++) {
                    char line[200];
                    std::snprintf(line, sizeof line,
                                  "SUMMARY kind=skinny format=%s threads=%d N=%lld K=%lld T=%d us=%.2f "
                                  "ratio_to_first=%.3f\n",
                                  dtype_name(dtype), cfg.threads[p], static_cast<long long>(s.N),
                                  static_cast<long long>(s.K), cfg.rows[i], median_of(times[i]),
                                  median_of(times[i]) / base);
                    summary += line;
                }
                std::fflush(stdout);
            }
        }
    std::printf("\n%s", summary.c_str());
}

}  // namespace rwkvx_bench
