// bench_batch.cpp — see bench_batch.h.
#include "bench_batch.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <time.h>

#include "bench_common.h"
#include "matmul_only_token.h"
#include "rwkvx.h"

namespace rwkvx_bench {
namespace {

struct BatchRow {
    int format = 0, threads = 0, n = 0;
    double ms_call = 0, tok_s = 0, ratio = 0;  // ratio: aggregate tokens/s over N = 1's
    double matmul_ms = 0;                      // the step's matmuls alone at N rows
    // With one thread, the calling thread's CPU time: what the step costs whatever else the host runs.
    double cpu_ms = 0, cpu_ratio = 0, matmul_cpu_ms = 0;
};

// N states advanced one token per call: N = 1 by rwkvx_model_eval (what one stream does), larger N by
// rwkvx_model_eval_batch with N one-token items.
class Streams {
  public:
    Streams(rwkvx_model *model, int n, int vocab, std::uint64_t seed) : model_(model), n_(n), vocab_(vocab) {
        states_.resize(static_cast<std::size_t>(n));
        for (auto &s : states_) RWKVX_BENCH_CHECK(rwkvx_state_create(model, &s));
        logits_.resize(static_cast<std::size_t>(n) * static_cast<std::size_t>(vocab));
        rng_ = seed;
        // A short prompt each (a prefill batch), so that the states differ.
        std::vector<std::vector<std::int32_t>> prompts;
        for (int i = 0; i < n; i++) prompts.push_back(next_tokens(4 + i % 5));
        for (int i = 0; i < n; i++)
            items_.push_back(
                rwkvx_batch_item{states_[static_cast<std::size_t>(i)], prompts[static_cast<std::size_t>(i)].data(),
                                 static_cast<std::int64_t>(prompts[static_cast<std::size_t>(i)].size()),
                                 logits_.data() + static_cast<std::size_t>(i) * vocab, RWKVX_LOGITS_LAST, 0});
        RWKVX_BENCH_CHECK(rwkvx_model_eval_batch(model_, items_.data(), n));
        tokens_.resize(static_cast<std::size_t>(n));
        for (int i = 0; i < n; i++) {
            items_[static_cast<std::size_t>(i)].tokens = &tokens_[static_cast<std::size_t>(i)];
            items_[static_cast<std::size_t>(i)].n_tokens = 1;
        }
    }
    ~Streams() {
        for (auto *s : states_) rwkvx_state_free(s);
    }
    Streams(const Streams &) = delete;
    Streams &operator=(const Streams &) = delete;

    void step() {
        for (auto &t : tokens_) t = static_cast<std::int32_t>(next() % static_cast<std::uint64_t>(vocab_));
        if (n_ == 1)
            RWKVX_BENCH_CHECK(
                rwkvx_model_eval(model_, states_[0], tokens_.data(), 1, logits_.data(), RWKVX_LOGITS_LAST));
        else
            RWKVX_BENCH_CHECK(rwkvx_model_eval_batch(model_, items_.data(), n_));
    }

  private:
    std::uint64_t next() {  // splitmix64
        std::uint64_t z = (rng_ += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    std::vector<std::int32_t> next_tokens(int n) {
        std::vector<std::int32_t> t(static_cast<std::size_t>(n));
        for (auto &x : t) x = static_cast<std::int32_t>(next() % static_cast<std::uint64_t>(vocab_));
        return t;
    }

    rwkvx_model *model_;
    int n_, vocab_;
    std::uint64_t rng_;
    std::vector<rwkvx_state *> states_;
    std::vector<float> logits_;
    std::vector<std::int32_t> tokens_;
    std::vector<rwkvx_batch_item> items_;
};

double thread_cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

struct Times {
    std::vector<double> wall, cpu;
    void add(const Times &t) {
        wall.insert(wall.end(), t.wall.begin(), t.wall.end());
        cpu.insert(cpu.end(), t.cpu.begin(), t.cpu.end());
    }
};

template <class Step>
Times time_calls(int n, Step &&step) {
    step();  // untimed: re-warms the weights and lets the other pool's spinning workers sleep
    Times times;
    for (int i = 0; i < n; ++i) {
        const double c0 = thread_cpu_seconds();
        const Clock::time_point t0 = Clock::now();
        step();
        times.wall.push_back(seconds_since(t0));
        times.cpu.push_back(thread_cpu_seconds() - c0);
    }
    return times;
}

}  // namespace

void run_batch_benchmarks(const BenchConfig &cfg, const std::vector<int> &requested) {
    Geometry g;
    g.n_layer = cfg.layers;
    std::vector<int> sizes{1};
    for (int n : requested)
        if (std::find(sizes.begin(), sizes.end(), n) == sizes.end()) sizes.push_back(n);
    const int max_n = *std::max_element(sizes.begin(), sizes.end());
    const int rounds = std::max(1, std::min(cfg.decode_rounds, cfg.decode_tokens));
    const int per_round = std::max(1, cfg.decode_tokens / rounds);
    std::vector<BatchRow> rows;
    for (int format : cfg.formats) {
        std::fprintf(stderr, "[%s] generating synthetic weights ...\n", dtype_name(format));
        const SyntheticTensors synth(g, format, cfg.seed);
        const auto named = synth.named();
        for (int threads : cfg.threads) {
            rwkvx_context *ctx = nullptr;
            RWKVX_BENCH_CHECK(rwkvx_context_create(RWKVX_BACKEND_CPU, threads, RWKVX_CONTEXT_RESIDENT_WEIGHTS, &ctx));
            rwkvx_model *model = nullptr;
            RWKVX_BENCH_CHECK(
                rwkvx_model_create(ctx, g.arch, named.data(), static_cast<std::int64_t>(named.size()), &model));
            std::vector<std::unique_ptr<Streams>> streams;
            for (int n : sizes) streams.emplace_back(new Streams(model, n, g.n_vocab, cfg.seed + 100 + n));
            MatmulOnlyToken matmuls(g, format, threads, max_n);
            std::vector<Times> step_times(sizes.size()), matmul_times(sizes.size());
            for (auto &s : streams)
                for (int i = 0; i < cfg.decode_warmup; i++) s->step();
            // Rounds over all sizes in turn: a noisy host's drift falls on every size alike.
            for (int r = 0; r < rounds; r++) {
                std::fprintf(stderr, "[%s t=%d] batched decode round %d/%d ...\n", dtype_name(format), threads, r + 1,
                             rounds);
                for (std::size_t k = 0; k < sizes.size(); k++) {
                    step_times[k].add(time_calls(per_round, [&] { streams[k]->step(); }));
                    if (matmuls.ok()) matmul_times[k].add(time_calls(per_round, [&] { matmuls.run(sizes[k]); }));
                }
            }
            for (std::size_t k = 0; k < sizes.size(); k++) {
                BatchRow row;
                row.format = format;
                row.threads = threads;
                row.n = sizes[k];
                row.ms_call = median_of(step_times[k].wall) * 1e3;
                row.tok_s = row.n * 1e3 / row.ms_call;
                row.ratio = row.n * median_of(step_times[0].wall) * 1e3 / row.ms_call;
                row.matmul_ms = median_of(matmul_times[k].wall) * 1e3;
                if (threads == 1) {
                    row.cpu_ms = median_of(step_times[k].cpu) * 1e3;
                    row.cpu_ratio = row.n * median_of(step_times[0].cpu) * 1e3 / row.cpu_ms;
                    row.matmul_cpu_ms = median_of(matmul_times[k].cpu) * 1e3;
                }
                rows.push_back(row);
            }
            streams.clear();
            rwkvx_model_free(model);
            rwkvx_context_free(ctx);
        }
    }

    std::printf(
        "\n== batched decode: N states, one token each per call (resident weights, LOGITS_LAST), median of %d "
        "calls in %d rounds ==\n",
        per_round * rounds, rounds);
    std::printf(
        "N = 1: rwkvx_model_eval; N > 1: one rwkvx_model_eval_batch of N one-token items. tok/s = N / call time;\n"
        "x1 = tok/s over N = 1's. matmuls: the step's matmuls alone at N rows (same kernels, pool and layout);\n"
        "other: the rest (norms, token shift, WKV per state, gates, embedding, head). 1 thread also in CPU time\n"
        "of the calling thread (cpu columns), which a busy host disturbs less than wall time.\n");
    std::printf("%-8s %3s %3s %9s %8s %6s %9s %8s | %8s %6s %9s %8s\n", "format", "thr", "N", "ms/call", "tok/s", "x1",
                "matmuls", "other", "cpu ms", "cpu x1", "cpu mm", "cpu oth");
    for (const auto &r : rows) {
        std::printf("%-8s %3d %3d %9.2f %8.1f %6.2f %9.2f %8.2f", dtype_name(r.format), r.threads, r.n, r.ms_call,
                    r.tok_s, r.ratio, r.matmul_ms, r.ms_call - r.matmul_ms);
        if (r.cpu_ms > 0)
            std::printf(" | %8.2f %6.2f %9.2f %8.2f", r.cpu_ms, r.cpu_ratio, r.matmul_cpu_ms,
                        r.cpu_ms - r.matmul_cpu_ms);
        std::printf("\n");
    }
    for (const auto &r : rows)
        std::printf(
            "SUMMARY kind=batch_decode format=%s threads=%d layers=%d n=%d ms_per_call=%.4f tok_s=%.2f "
            "ratio_to_1=%.3f matmul_ms=%.4f cpu_ms=%.4f cpu_ratio_to_1=%.3f matmul_cpu_ms=%.4f\n",
            dtype_name(r.format), r.threads, g.n_layer, r.n, r.ms_call, r.tok_s, r.ratio, r.matmul_ms, r.cpu_ms,
            r.cpu_ratio, r.matmul_cpu_ms);
}

}  // namespace rwkvx_bench
