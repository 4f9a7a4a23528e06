// bench_attention.cpp — see bench_attention.h. Inputs are random normal q/k/v (fp32; decode also bf16
// K/V); every ratio compares rows measured in this one run.
#include "bench_attention.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "bench_common.h"
#include "rwkvx.h"

namespace rwkvx_bench {

namespace {

constexpr int kH = 12, kD = 64, kC = kH * kD;

std::vector<float> randn(size_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> d(0.0f, 1.0f);
    std::vector<float> v(n);
    for (auto &x : v) x = d(rng);
    return v;
}

std::vector<uint16_t> to_bf16(const std::vector<float> &f) {
    std::vector<uint16_t> out(f.size());
    for (size_t i = 0; i < f.size(); i++) {
        uint32_t x;
        std::memcpy(&x, &f[i], 4);
        out[i] = uint16_t((x + 0x7fff + ((x >> 16) & 1)) >> 16);
    }
    return out;
}

rwkvx_attention_params make_params(int64_t T, const float *q, const void *k, const void *v, int dtype, float *o,
                                   int mode, int B, int topk) {
    rwkvx_attention_params p{};
    p.n_tokens = T;
    p.n_head = kH;
    p.head_size = kD;
    p.kv_dtype = dtype;
    p.mode = mode;
    p.causal = 1;
    p.chunk_size = B;
    p.top_k = topk;
    p.scope = RWKVX_ATTN_SCOPE_HEAD;
    p.q = q;
    p.k = k;
    p.v = v;
    p.o = o;
    return p;
}

// Seconds of one prefill: median of reps (1 rep for long rows).
double time_prefill(rwkvx_context *ctx, rwkvx_attention_params p, int reps) {
    std::vector<double> s;
    for (int r = 0; r < reps; r++) {
        auto t0 = Clock::now();
        RWKVX_BENCH_CHECK(rwkvx_attention_prefill(ctx, &p));
        s.push_back(seconds_since(t0));
    }
    return median_of(s);
}

double full_flop(double T) {
    return 2.0 * kC * T * T;
}  // QK^T and PV over the causal half

}  // namespace

void run_attention_benchmarks(const AttentionConfig &cfg, const Peaks &peaks) {
    rwkvx_context *ctx = nullptr;
    RWKVX_BENCH_CHECK(rwkvx_context_create(RWKVX_BACKEND_CPU, cfg.threads, 0, &ctx));
    std::printf("\n== attention (RWKV-X): C=%d, H=%d, D=%d, %s ==\n", kC, kH, kD, rwkvx_context_describe(ctx));
    std::printf("top_k = past chunks selected (k_p); sparse also attends its own chunk causally (MoBA K = k_p + 1)\n");
    int maxT = 0;
    for (int T : cfg.prefill_T) maxT = std::max(maxT, T);
    for (int T : cfg.decode_T) maxT = std::max(maxT, T + 64);
    const int kContinueT = 16384, kContinueN = 512;  // continuation rows: cache length, new tokens
    maxT = std::max(maxT, kContinueT + kContinueN);
    const auto q = randn(size_t(maxT) * kC, 1), k = randn(size_t(maxT) * kC, 2), v = randn(size_t(maxT) * kC, 3);
    std::vector<float> o(size_t(maxT) * kC);

    // ---- prefill ----
    std::printf("\n-- prefill (fp32 K/V) --\n%-7s %-6s %5s %5s %10s %10s %9s %8s\n", "T", "mode", "B", "top_k",
                "seconds", "GFLOP/s", "frac FMA", "speedup");
    for (int T : cfg.prefill_T) {
        const int reps = cfg.quick || T > 8192 ? 1 : 3;
        auto pf = make_params(T, q.data(), k.data(), v.data(), RWKVX_DTYPE_F32, o.data(), RWKVX_ATTN_FULL, 0, 0);
        const double full_s = time_prefill(ctx, pf, reps);
        const double gflops = full_flop(T) / full_s / 1e9;
        const double frac = peaks.fma_gflops > 0 ? gflops / peaks.fma_gflops : 0;
        std::printf("%-7d %-6s %5s %5s %10.3f %10.1f %9.3f %8s\n", T, "full", "-", "-", full_s, gflops, frac, "1.00");
        std::printf(
            "SUMMARY kind=attn_prefill mode=full T=%d threads=%d seconds=%.4f gflops=%.2f fma_gflops=%.2f "
            "frac_fma_peak=%.4f\n",
            T, cfg.threads, full_s, gflops, peaks.fma_gflops, frac);
        for (int B : cfg.chunks)
            for (int K : cfg.topks) {
                if (cfg.quick && K != cfg.topks.front() && K != cfg.topks.back()) continue;
                auto ps =
                    make_params(T, q.data(), k.data(), v.data(), RWKVX_DTYPE_F32, o.data(), RWKVX_ATTN_SPARSE, B, K);
                const double s = time_prefill(ctx, ps, reps);
                std::printf("%-7d %-6s %5d %5d %10.3f %10s %9s %8.2f\n", T, "sparse", B, K, s, "", "", full_s / s);
                std::printf(
                    "SUMMARY kind=attn_prefill mode=sparse T=%d B=%d topk=%d threads=%d seconds=%.4f "
                    "speedup_vs_full=%.3f\n",
                    T, B, K, cfg.threads, s, full_s / s);
            }
    }

    // ---- crossover (B=512, top_k=2: MoBA K=3, the target configuration) ----
    std::printf("\n-- crossover: prefill, B=512, top_k=2 (MoBA K=3) --\n%-7s %10s %10s %8s\n", "T", "full s",
                "sparse s", "speedup");
    int crossover = 0;
    for (int T : {1024, 2048, 3072, 4096, 6144, 8192}) {
        if (T > maxT) break;
        auto pf = make_params(T, q.data(), k.data(), v.data(), RWKVX_DTYPE_F32, o.data(), RWKVX_ATTN_FULL, 0, 0);
        auto ps = make_params(T, q.data(), k.data(), v.data(), RWKVX_DTYPE_F32, o.data(), RWKVX_ATTN_SPARSE, 512, 2);
        const double f = time_prefill(ctx, pf, 3), s = time_prefill(ctx, ps, 3);
        std::printf("%-7d %10.4f %10.4f %8.2f\n", T, f, s, f / s);
        if (!crossover && f / s > 1.05) crossover = T;
    }
    std::printf("SUMMARY kind=attn_crossover B=512 topk=2 first_T_sparse_faster=%d\n", crossover);

    // ---- decode ----
    std::printf(
        "\n-- decode: one token over a cache of T tokens, median of steps --\n%-7s %-5s %-6s %5s %5s %10s %8s\n", "T",
        "kv", "mode", "B", "top_k", "ms/token", "speedup");
    const auto k16 = to_bf16(k), v16 = to_bf16(v);
    const int steps = cfg.quick ? 5 : 15;
    for (int dtype : {RWKVX_DTYPE_F32, RWKVX_DTYPE_BF16})
        for (int T : cfg.decode_T) {
            double full_ms = 0;
            std::vector<std::pair<int, int>> rows{{0, 0}};
            for (int B : cfg.chunks)
                for (int K : cfg.topks)
                    if (!cfg.quick || K == cfg.topks.front() || K == cfg.topks.back()) rows.push_back({B, K});
            for (auto [B, K] : rows) {
                rwkvx_kv_cache_config kc{kH, kD, dtype, B ? B : 512, T + steps + 1, 0, 0, 0};
                rwkvx_kv_cache *cache = nullptr;
                RWKVX_BENCH_CHECK(rwkvx_kv_cache_create(ctx, &kc, &cache));
                const void *kk = dtype == RWKVX_DTYPE_F32 ? (const void *)k.data() : (const void *)k16.data();
                const void *vv = dtype == RWKVX_DTYPE_F32 ? (const void *)v.data() : (const void *)v16.data();
                const size_t es = dtype == RWKVX_DTYPE_F32 ? 4 : 2;
                RWKVX_BENCH_CHECK(rwkvx_kv_cache_append(cache, kk, vv, T, 0, 0, RWKVX_MEMORY_HOST));
                std::vector<double> ms;
                for (int s = 0; s < steps; s++) {
                    auto p = make_params(1, &q[size_t(T + s) * kC], (const char *)kk + size_t(T + s) * kC * es,
                                         (const char *)vv + size_t(T + s) * kC * es, dtype, o.data(),
                                         B ? RWKVX_ATTN_SPARSE : RWKVX_ATTN_FULL, B ? B : 512, K);
                    p.scope = RWKVX_ATTN_SCOPE_ALL;  // RWKV-X decode: one score over all heads
                    auto t0 = Clock::now();
                    RWKVX_BENCH_CHECK(rwkvx_attention_decode(ctx, cache, &p));
                    ms.push_back(seconds_since(t0) * 1e3);
                }
                rwkvx_kv_cache_free(cache);
                const double m = median_of(ms);
                if (!B) full_ms = m;
                std::printf("%-7d %-5s %-6s %5s %5s %10.3f %8.2f\n", T, dtype_name(dtype), B ? "sparse" : "full",
                            B ? std::to_string(B).c_str() : "-", B ? std::to_string(K).c_str() : "-", m, full_ms / m);
                std::printf(
                    "SUMMARY kind=attn_decode kv=%s mode=%s T=%d B=%d topk=%d threads=%d ms=%.4f "
                    "speedup_vs_full=%.3f\n",
                    dtype_name(dtype), B ? "sparse" : "full", T, B, K, cfg.threads, m, full_ms / m);
            }
        }

    // ---- continuing a cache: n new tokens in one decode call (tiled prefill over the cache) vs n
    // single-token calls (what a chat turn after a long context costs) ----
    std::printf(
        "\n-- continue: %d new tokens after a cache of %d (fp32 K/V), one call vs %d one-token calls --\n"
        "%-6s %5s %5s %10s %12s %8s\n",
        kContinueN, kContinueT, kContinueN, "mode", "B", "top_k", "one call s", "token calls s", "speedup");
    for (int B : {0, 512}) {
        double secs[2];
        for (int batched = 1; batched >= 0; batched--) {
            rwkvx_kv_cache_config kc{kH, kD, RWKVX_DTYPE_F32, B ? B : 512, kContinueT + kContinueN, 0, 0, 0};
            rwkvx_kv_cache *cache = nullptr;
            RWKVX_BENCH_CHECK(rwkvx_kv_cache_create(ctx, &kc, &cache));
            RWKVX_BENCH_CHECK(rwkvx_kv_cache_append(cache, k.data(), v.data(), kContinueT, 0, 0, RWKVX_MEMORY_HOST));
            const size_t first = size_t(kContinueT) * kC;
            auto t0 = Clock::now();
            for (int s = 0; s < (batched ? 1 : kContinueN); s++) {
                const int n = batched ? kContinueN : 1;
                auto p = make_params(n, &q[first + size_t(s) * kC], &k[first + size_t(s) * kC],
                                     &v[first + size_t(s) * kC], RWKVX_DTYPE_F32, &o[size_t(s) * kC],
                                     B ? RWKVX_ATTN_SPARSE : RWKVX_ATTN_FULL, B ? B : 512, 2);
                p.scope = RWKVX_ATTN_SCOPE_ALL;
                RWKVX_BENCH_CHECK(rwkvx_attention_decode(ctx, cache, &p));
            }
            secs[batched] = seconds_since(t0);
            rwkvx_kv_cache_free(cache);
        }
        std::printf("%-6s %5s %5s %10.3f %12.3f %8.2f\n", B ? "sparse" : "full", B ? std::to_string(B).c_str() : "-",
                    B ? "2" : "-", secs[1], secs[0], secs[0] / secs[1]);
        std::printf(
            "SUMMARY kind=attn_continue mode=%s cache=%d new=%d B=%d topk=%d threads=%d one_call_s=%.4f "
            "token_calls_s=%.4f speedup=%.3f\n",
            B ? "sparse" : "full", kContinueT, kContinueN, B, B ? 2 : 0, cfg.threads, secs[1], secs[0],
            secs[0] / secs[1]);
    }
    rwkvx_context_free(ctx);
}

}  // namespace rwkvx_bench
