// bench_batch.cpp — see bench_batch.h.
#include "bench_batch.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "bench_common.h"
#include "matmul_only_token.h"
#include "rwkvx.h"

namespace rwkvx_bench {
namespace {

struct BatchRow {
    int format = 0, threads = 0, n = 0;
    double ms_call = 0, tok_s = 0, ratio = 0;  // ratio: aggregate tokens/s over N = 1's
    double matmul_ms = 0;                      // the step's matmuls alone at N rows
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
            items_.push_back(rwkvx_batch_item{states_[static_cast<std::size_t>(i)], prompts[static_cast<std::size_t>(i)].data(),
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
            RWKVX_BENCH_CHECK(rwkvx_model_eval(model_, states_[0], tokens_.data(), 1, logits_.data(), RWKVX_LOGITS_LAST));
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

template <class Step>
std::vector<double> time_calls(int n, Step &&step) {
    step();  // untimed: re-warms the weights and lets the other pool's spinning workers sleep
    std::vector<double> times;
    for (int i = 0; i < n; ++i) {
        const Clock::time_point t0 = Clock::now();
        step();
        times.push_back(seconds_since(t0));
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
            std::vector<std::vector<double>> step_times(sizes.size()), matmul_times(sizes.size());
            for (auto &s : streams)
                for (int i = 0; i < cfg.decode_warmup; i++) s->step();
            // Rounds over all sizes in turn: a noisy host's drift falls on every size alike.
            for (int r = 0; r < rounds; r++) {
                std::fprintf(stderr, "[%s t=%d] batched decode round %d/%d ...\n", dtype_name(format), threads, r + 1,
                             rounds);
                for (std::size_t k = 0; k < sizes.size(); k++) {
                    const auto t = time_calls(per_round, [&] { streams[k]->step(); });
                    step_times[k].insert(step_times[k].end(), t.begin(), t.end());
                    if (!matmuls.ok()) continue;
                    const auto m = time_calls(per_round, [&] { matmuls.run(sizes[k]); });
                    matmul_times[k].insert(matmul_times[k].end(), m.begin(), m.end());
                }
            }
            for (std::size_t k = 0; k < sizes.size(); k++) {
                BatchRow row;
                row.format = format;
                row.threads = threads;
                row.n = sizes[k];
                row.ms_call = median_of(step_times[k]) * 1e3;
                row.tok_s = row.n * 1e3 / row.ms_call;
                row.ratio = row.tok_s / (1e3 / (median_of(step_times[0]) * 1e3));
                row.matmul_ms = median_of(matmul_times[k]) * 1e3;
                rows.push_back(row);
            }
            streams.clear();
            rwkvx_model_free(model);
            rwkvx_context_free(ctx);
        }
    }

    std::printf("\n== batched decode: N states, one token each per call (resident weights, LOGITS_LAST), median of %d "
                "calls in %d rounds ==\n",
                per_round * rounds, rounds);
    std::printf("N = 1: rwkvx_model_eval; N > 1: one rwkvx_model_eval_batch of N one-token items. tok/s = N / call "
                "time;\nx1 = tok/s over N = 1's. matmuls ms: the step's matmuls alone at N rows (same kernels, pool "
                "and layout);\nother ms: the rest (norms, token shift, WKV per state, gates, embedding, head copy).\n");
    std::printf("%-8s %4s %4s %10s %10s %7s %11s %9s\n", "format", "thr", "N", "ms/call", "tok/s", "x1", "matmuls ms",
                "other ms");
    for (const auto &r : rows)
        std::printf("%-8s %4d %4d %10.2f %10.1f %7.2f %11s %9s\n", dtype_name(r.format), r.threads, r.n, r.ms_call,
                    r.tok_s, r.ratio, r.matmul_ms > 0 ? std::to_string(r.matmul_ms).substr(0, 6).c_str() : "n/a",
                    r.matmul_ms > 0 ? std::to_string(r.ms_call - r.matmul_ms).substr(0, 6).c_str() : "n/a");
    for (const auto &r : rows)
        std::printf("SUMMARY kind=batch_decode format=%s threads=%d layers=%d n=%d ms_per_call=%.4f tok_s=%.2f "
                    "ratio_to_1=%.3f matmul_ms=%.4f\n",
                    dtype_name(r.format), r.threads, g.n_layer, r.n, r.ms_call, r.tok_s, r.ratio, r.matmul_ms);
}

}  // namespace rwkvx_bench
