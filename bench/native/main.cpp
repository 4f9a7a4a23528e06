// main.cpp — rwkvx_bench: machine peaks, RWKV-7 decode/prefill and GEMM rows, with ratios to the peaks.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "bench_attention.h"
#include "bench_batch.h"
#include "bench_common.h"
#include "bench_rwkv7.h"
#include "machine_peaks.h"
#include "rwkvx.h"
#include "skinny_matmul.h"

using namespace rwkvx_bench;

namespace {

void usage(FILE *f) {
    std::fprintf(
        f,
        "usage: rwkvx_bench [options]\n"
        "  --threads LIST        thread counts, e.g. 1,2 (default 1,2)\n"
        "  --formats LIST        matrix formats: f32,f16,bf16 (default all three); q4_0,q4_1,q5_0,q5_1,q8_0\n"
        "                        (blocks' matrices quantized, embedding, head and LoRA f32, as rwkv.cpp\n"
        "                        quantizes), each with +hq8 for a Q8_0 head too (e.g. q5_1+hq8); quant =\n"
        "                        the five quantized types\n"
        "  --layers N            layers of the synthetic RWKV-7 (default 12)\n"
        "  --arch 7|4            synthetic model: 7 = RWKV-7 0.1B World shape (default), 4 = RWKV-4\n"
        "                        169M Pile shape (L12, C=768, F=3072, V=50277)\n"
        "  --prefill LIST        prefill lengths T (default 512,1024; 0 = no prefill)\n"
        "  --decode-tokens N     timed decode tokens (default 48, quick 12)\n"
        "  --decode-rounds N     decode timed in N rounds, each after a read-bandwidth probe (default 12, quick 4)\n"
        "  --placement LIST      weights for decode: resident (copied onto huge pages by the engine, default),\n"
        "                        in-place (as from a memory-mapped file), or both: resident,in-place\n"
        "  --decode-trace        also print each decode round: its probe (median, best GB/s) and every token's ms\n"
        "  --quick               fewer repetitions everywhere\n"
        "  --no-model            skip the RWKV-7 model rows (machine + GEMM only)\n"
        "  --no-matmul           skip the pure GEMM rows\n"
        "  --seed N              weight/token seed (default 20250101)\n"
        "  --attention           only the RWKV-X attention rows (C=768, 12 heads), at the largest --threads\n"
        "  --skinny              only the skinny products: matmuls of T = 1, 2, 4, 8, 16 input rows (batched\n"
        "                        decode) on the 0.1B shapes, time(T) / time(1); with --threads, --formats\n"
        "                        (default f32,f16,bf16,q8_0,q5_1,q4_0), --quick\n"
        "  --batch LIST          only batched decode: N states one token each per call, e.g. 1,2,4,8,16, vs one\n"
        "                        state (resident weights; --formats, --threads, --layers, --decode-tokens apply)\n"
        "  -h, --help            this text\n");
}

[[noreturn]] void bad(const std::string &msg) {
    std::fprintf(stderr, "rwkvx_bench: %s\n", msg.c_str());
    usage(stderr);
    std::exit(2);
}

int parse_int(const std::string &s, const char *what, int lo) {
    char *end = nullptr;
    const long v = std::strtol(s.c_str(), &end, 10);
    if (s.empty() || *end != '\0' || v < lo || v > 1000000) bad(std::string("bad value for ") + what + ": '" + s + "'");
    return static_cast<int>(v);
}

std::vector<std::string> split(const std::string &s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ','))
        if (!item.empty()) out.push_back(item);
    return out;
}

std::string fmt_or_na(double v, const char *fmt) {
    if (v <= 0) return "n/a";
    char buf[64];
    std::snprintf(buf, sizeof buf, fmt, v);
    return buf;
}

// 1-minute load average from /proc/loadavg (negative when unavailable).
double load_average() {
    FILE *f = std::fopen("/proc/loadavg", "r");
    if (!f) return -1.0;
    double v = -1.0;
    if (std::fscanf(f, "%lf", &v) != 1) v = -1.0;
    std::fclose(f);
    return v;
}

std::string features_string(uint32_t f) {
    std::string s;
    auto add = [&](uint32_t bit, const char *name) {
        if (f & bit) s += (s.empty() ? "" : "+") + std::string(name);
    };
    add(RWKVX_CPU_AVX2, "avx2");
    add(RWKVX_CPU_FMA, "fma");
    add(RWKVX_CPU_F16C, "f16c");
    add(RWKVX_CPU_AVX512F, "avx512f");
    return s.empty() ? "none" : s;
}

}  // namespace

int main(int argc, char **argv) {
    BenchConfig cfg;
    cfg.formats = {RWKVX_DTYPE_F32, RWKVX_DTYPE_F16, RWKVX_DTYPE_BF16};
    int decode_tokens = -1, decode_rounds = -1;
    bool attention = false, skinny = false, formats_given = false;
    std::vector<int> batch_sizes;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> std::string {
            const std::size_t eq = a.find('=');
            if (eq != std::string::npos) return a.substr(eq + 1);
            if (i + 1 >= argc) bad("missing value for " + a);
            return argv[++i];
        };
        const std::string key = a.substr(0, a.find('='));
        if (key == "-h" || key == "--help") {
            usage(stdout);
            return 0;
        } else if (key == "--threads") {
            cfg.threads.clear();
            for (const auto &t : split(value())) cfg.threads.push_back(parse_int(t, "--threads", 1));
            if (cfg.threads.empty()) bad("--threads needs at least one value");
        } else if (key == "--formats") {
            cfg.formats.clear();
            formats_given = true;
            for (const auto &f : split(value())) {
                if (f == "quant") {
                    for (int t = RWKVX_DTYPE_Q4_0; t <= RWKVX_DTYPE_Q8_0; t++) cfg.formats.push_back(t);
                    continue;
                }
                const bool head_q8 = f.size() > 4 && f.compare(f.size() - 4, 4, "+hq8") == 0;
                const std::string base = head_q8 ? f.substr(0, f.size() - 4) : f;
                int found = -1;
                for (int t = RWKVX_DTYPE_F32; t <= RWKVX_DTYPE_Q8_0; t++)
                    if (base == dtype_name(t)) found = t;
                if (base == "fp32") found = RWKVX_DTYPE_F32;
                if (base == "fp16") found = RWKVX_DTYPE_F16;
                if (found < 0 || (head_q8 && found < RWKVX_DTYPE_Q4_0))
                    bad("unknown format '" + f +
                        "' (f32, f16, bf16, q4_0, q4_1, q5_0, q5_1, q8_0, quant; +hq8 after "
                        "a quantized one)");
                cfg.formats.push_back(found | (head_q8 ? kHeadQ8 : 0));
            }
            if (cfg.formats.empty()) bad("--formats needs at least one value");
        } else if (key == "--arch") {
            cfg.arch = parse_int(value(), "--arch", 4);
            if (cfg.arch != 4 && cfg.arch != 7) bad("--arch must be 4 or 7");
        } else if (key == "--layers") {
            cfg.layers = parse_int(value(), "--layers", 1);
        } else if (key == "--prefill") {
            cfg.prefill_lengths.clear();
            for (const auto &t : split(value())) cfg.prefill_lengths.push_back(parse_int(t, "--prefill", 0));
        } else if (key == "--decode-tokens") {
            decode_tokens = parse_int(value(), "--decode-tokens", 1);
        } else if (key == "--decode-rounds") {
            decode_rounds = parse_int(value(), "--decode-rounds", 1);
        } else if (key == "--placement") {
            cfg.resident.clear();
            for (const auto &p : split(value())) {
                if (p == "resident")
                    cfg.resident.push_back(true);
                else if (p == "in-place")
                    cfg.resident.push_back(false);
                else
                    bad("unknown placement '" + p + "' (resident, in-place)");
            }
            if (cfg.resident.empty()) bad("--placement needs at least one value");
        } else if (key == "--decode-trace") {
            cfg.decode_trace = true;
        } else if (key == "--quick") {
            cfg.quick = true;
        } else if (key == "--no-model") {
            cfg.run_model = false;
        } else if (key == "--no-matmul") {
            cfg.run_matmul = false;
        } else if (key == "--attention") {
            attention = true;
        } else if (key == "--skinny") {
            skinny = true;
        } else if (key == "--batch") {
            for (const auto &n : split(value())) batch_sizes.push_back(parse_int(n, "--batch", 1));
            if (batch_sizes.empty()) bad("--batch needs at least one value");
        } else if (key == "--seed") {
            cfg.seed = static_cast<std::uint64_t>(parse_int(value(), "--seed", 0));
        } else {
            bad("unknown option '" + a + "'");
        }
    }
    int bw_runs = 7, fma_runs = 5;
    if (cfg.quick) {
        cfg.decode_warmup = 3;
        cfg.decode_tokens = 12;
        cfg.decode_rounds = 4;
        cfg.prefill_warmup = 0;
        cfg.prefill_reps = 1;
        cfg.prefill_budget_s = 0.0;
        cfg.matmul_reps = 3;
        bw_runs = 3;
        fma_runs = 2;
    }
    if (decode_tokens > 0) cfg.decode_tokens = decode_tokens;
    if (decode_rounds > 0) cfg.decode_rounds = decode_rounds;

    if (skinny) {
        SkinnyConfig scfg;
        scfg.threads = cfg.threads;
        scfg.seed = cfg.seed;
        if (cfg.quick) scfg.rounds = 3;
        if (formats_given)
            for (int f : cfg.formats) scfg.dtypes.push_back(format_dtype(f));
        run_skinny_benchmarks(scfg);
        return 0;
    }
    if (rwkvx_abi_version() != RWKVX_ABI_VERSION) {
        std::fprintf(stderr, "rwkvx_bench: library ABI %d, header ABI %d\n", rwkvx_abi_version(), RWKVX_ABI_VERSION);
        return 1;
    }
    const uint32_t feats = rwkvx_cpu_features();
    std::printf("rwkvx %s (ABI %d), cpu features: %s%s\n", rwkvx_version(), rwkvx_abi_version(),
                features_string(feats).c_str(), cfg.quick ? "  [--quick]" : "");

    // ---- batched decode: relative to one stream, no machine peaks needed ----
    if (!batch_sizes.empty()) {
        run_batch_benchmarks(cfg, batch_sizes);
        return 0;
    }

    // ---- machine peaks: probed before and after the engine rows; ratios use the better of the two
    // (the higher peak, i.e. the stricter floor), since other load on the machine only lowers them.
    const std::size_t bw_bytes = std::size_t(1) << 30;
    std::vector<int> probe_threads;
    for (int t : cfg.threads)
        if (std::find(probe_threads.begin(), probe_threads.end(), t) == probe_threads.end()) probe_threads.push_back(t);
    // Read bandwidth on small (4 KiB) and on huge (2 MiB) pages: the floor uses the faster.
    std::map<int, ProbeResult> bw_res[2], bw_huge[2], fma_res[2];
    auto probe = [&](int pass) {
        for (int t : probe_threads) {
            std::fprintf(stderr, "[machine] probing %d thread(s) (%s) ...\n", t, pass == 0 ? "before" : "after");
            bw_res[pass][t] = measure_read_bandwidth(t, bw_bytes, bw_runs, false);
            bw_huge[pass][t] = measure_read_bandwidth(t, bw_bytes, bw_runs, true);
            fma_res[pass][t] = measure_fma_peak(t, fma_runs);
        }
    };
    auto best_peaks = [&](int passes) {
        std::map<int, Peaks> out;
        for (int t : probe_threads) {
            Peaks p;
            for (int k = 0; k < passes; ++k) {
                if (bw_res[k][t].ok) p.read_gbs = std::max(p.read_gbs, bw_res[k][t].value);
                if (bw_huge[k][t].ok) p.read_gbs = std::max(p.read_gbs, bw_huge[k][t].value);
                if (fma_res[k][t].ok) p.fma_gflops = std::max(p.fma_gflops, fma_res[k][t].value);
            }
            out[t] = p;
        }
        return out;
    };
    const double load_start = load_average();
    probe(0);
    std::map<int, Peaks> peaks = best_peaks(1);

    // ---- attention (RWKV-X) ----
    if (attention) {
        AttentionConfig acfg;
        acfg.threads = *std::max_element(cfg.threads.begin(), cfg.threads.end());
        acfg.quick = cfg.quick;
        std::printf("machine (%d threads): read %.1f GB/s, FMA %.1f GFLOP/s\n", acfg.threads,
                    peaks[acfg.threads].read_gbs, peaks[acfg.threads].fma_gflops);
        run_attention_benchmarks(acfg, peaks[acfg.threads]);
        return 0;
    }

    // ---- RWKV-7 + GEMM ------------------------------------------------------------------------
    Results res;
    run_rwkv7_benchmarks(cfg, peaks, res);
    probe(1);
    peaks = best_peaks(2);
    apply_peaks(peaks, res);
    const double load_end = load_average();
    const unsigned n_cpu = std::thread::hardware_concurrency();
    if (load_start >= 0)
        std::printf("load average (1 min) at start %.2f, at end %.2f (includes this run), %u online CPUs%s\n",
                    load_start, load_end, n_cpu,
                    load_start > 0.5 ? "\nwarning: other processes were running at start; peaks and rows may be low "
                                       "and noisy"
                                     : "");

    std::printf(
        "\n== machine: read-only 1 GiB on 4 KiB and on 2 MiB pages (best of %d), FMA 12 chains/thread (best "
        "of %d); probed before and after the engine rows; read GB/s = the best of the four ==\n",
        bw_runs, fma_runs);
    std::printf("%-8s %11s %11s %11s %11s %11s %13s %13s %13s\n", "threads", "read GB/s", "4K before", "4K after",
                "2M before", "2M after", "FMA GFLOP/s", "before", "after");
    for (int t : probe_threads) {
        const ProbeResult &b0 = bw_res[0][t], &b1 = bw_res[1][t], &f0 = fma_res[0][t], &f1 = fma_res[1][t];
        std::printf("%-8d %11s %11s %11s %11s %11s %13s %13s %13s%s%s\n", t,
                    fmt_or_na(peaks[t].read_gbs, "%.1f").c_str(), fmt_or_na(b0.value, "%.1f").c_str(),
                    fmt_or_na(b1.value, "%.1f").c_str(), fmt_or_na(bw_huge[0][t].value, "%.1f").c_str(),
                    fmt_or_na(bw_huge[1][t].value, "%.1f").c_str(), fmt_or_na(peaks[t].fma_gflops, "%.1f").c_str(),
                    fmt_or_na(f0.value, "%.1f").c_str(), fmt_or_na(f1.value, "%.1f").c_str(),
                    b0.kernel == "portable" ? "  (portable read kernel)" : "",
                    f0.ok ? "" : ("  (FMA: " + f0.note + ")").c_str());
    }
    const Geometry &g = res.geom;

    for (const auto &d : res.context_descriptions) std::printf("\ncontext: %s", d.c_str());
    std::printf("\n");

    if (cfg.run_model) {
        std::printf("\n== synthetic RWKV-%d: L=%d C=%d H=%d N=%d V=%d F=%d, LoRA w/a/v/g=%d/%d/%d/%d ==\n", g.arch,
                    g.n_layer, g.n_embd, g.n_head, g.head_size, g.n_vocab, g.ffn, g.d_w, g.d_a, g.d_v, g.d_g);
        std::printf("%-8s %12s %14s %16s %14s %16s %12s %9s\n", "format", "params (M)", "supplied (MB)",
                    "bytes/token (MB)", "block mat (M)", "info weights(MB)", "state (MB)", "gen (s)");
        for (const auto &m : res.models)
            std::printf("%-8s %12.2f %14.1f %16.1f %14.2f %16.1f %12.2f %9.1f\n", dtype_name(m.format),
                        m.n_params / 1e6, m.bytes_supplied / 1e6, m.bytes_per_token / 1e6, m.block_matrix_params / 1e6,
                        m.info_weight_bytes / 1e6, m.info_state_bytes / 1e6, m.build_s);

        std::printf("\n== decode: 1 token, LOGITS_LAST, median of %d after %d warm-up, in %d rounds ==\n",
                    cfg.decode_tokens, cfg.decode_warmup, cfg.decode_rounds);
        std::printf(
            "ratio = decode time / (bytes per token / read GB/s at the same thread count); 1.00 = at the memory floor\n"
            "  global: the median token time vs the best probe of the whole run (table above), the strictest.\n"
            "  local: before each round of tokens, as many 2 MiB-page probe runs (each way) as tokens, then one\n"
            "  untimed token (the probe leaves the weights cold); the round's median token time vs the better way's\n"
            "  median, then the median over rounds (local GB/s: the probes').\n"
            "  best: the row's fastest token vs the fastest of its local probe runs.\n");
        std::printf("%-8s %-8s %4s %10s %10s %9s %10s %8s %9s %8s %8s %10s %10s %6s\n", "format", "weights", "thr",
                    "ms/token", "min ms", "tok/s", "floor ms", "global", "local GB/s", "local", "best", "eff GB/s",
                    "create s", "finite");
        for (const auto &d : res.decode)
            std::printf("%-8s %-8s %4d %10.2f %10.2f %9.1f %10s %8s %9s %8s %8s %10.1f %10.2f %6s\n",
                        dtype_name(d.format), d.resident ? "resident" : "in-place", d.threads, d.ms_median, d.ms_min,
                        d.tok_s, fmt_or_na(d.floor_ms, "%.2f").c_str(), fmt_or_na(d.ratio, "%.2f").c_str(),
                        fmt_or_na(d.local_gbs, "%.1f").c_str(), fmt_or_na(d.local_ratio, "%.2f").c_str(),
                        fmt_or_na(d.best_ratio, "%.2f").c_str(), d.effective_gbs, d.create_s, d.finite ? "yes" : "NO");

        bool any_matmul_only = false;
        for (const auto &d : res.decode) any_matmul_only = any_matmul_only || d.matmul_only_ms > 0;
        if (any_matmul_only) {
            std::printf(
                "\n== decode vs the same token's matmuls alone, timed in the same rounds (resident rows) ==\n"
                "matmuls alone: the engine's kernels, thread pool and blocked huge-page layout on the model's\n"
                "  matrices, grouped into parallel regions as in decode; no element-wise work, WKV or embedding.\n"
                "  local: their time vs (their bytes / the round's probe), what the kernels reach on this machine.\n"
                "decode/matmuls: the round's decode median over the matmuls' median, then the median over rounds:\n"
                "  the cost of the rest of the forward pass.\n");
            std::printf("%-8s %4s %10s %12s %12s %10s %15s\n", "format", "thr", "decode ms", "matmuls ms", "matmul MB",
                        "local", "decode/matmuls");
            for (const auto &d : res.decode)
                if (d.matmul_only_ms > 0)
                    std::printf("%-8s %4d %10.2f %12.2f %12.1f %10s %15s\n", dtype_name(d.format), d.threads,
                                d.ms_median, d.matmul_only_ms, d.matmul_only_bytes / 1e6,
                                fmt_or_na(d.matmul_only_local_ratio, "%.3f").c_str(),
                                fmt_or_na(d.decode_over_matmul_only, "%.3f").c_str());
        }

        if (!res.prefill.empty()) {
            std::printf(
                "\n== prefill: T tokens in one call from a reset state, LOGITS_LAST, median of up to %d (reps column) "
                "==\n",
                cfg.prefill_reps);
            std::printf(
                "GEMM GFLOP = 2*T*(block matrix params, LoRA included) + 2*C*V (head, last token); WKV (9*N*C*L*T) "
                "shown apart, not counted.\nGEMM GFLOP/s = GEMM GFLOP / whole prefill time; frac = that / FMA peak at "
                "the same thread count\n");
            std::printf("%-8s %4s %6s %10s %5s %10s %10s %10s %10s %8s %6s\n", "format", "thr", "T", "seconds", "reps",
                        "tok/s", "GEMM GFLOP", "WKV GFLOP", "GFLOP/s", "frac", "finite");
            for (const auto &p : res.prefill)
                std::printf("%-8s %4d %6d %10.3f %5d %10.1f %10.1f %10.2f %10.1f %8s %6s\n", dtype_name(p.format),
                            p.threads, p.T, p.s_median, p.reps, p.tok_s, p.gemm_gflop, p.wkv_gflop, p.gemm_gflops,
                            fmt_or_na(p.frac_fma, "%.3f").c_str(), p.finite ? "yes" : "NO");
        }
    }
    if (cfg.run_matmul) {
        std::printf("\n== rwkvx_matmul: y[M,N] = x[M,K] . w[N,K]^T, x f32, w in the format; median of %d ==\n",
                    cfg.matmul_reps);
        std::printf("%-8s %4s %16s %10s %10s %10s %8s %6s\n", "format", "thr", "M x K x N", "ms", "min ms", "GFLOP/s",
                    "frac", "finite");
        for (const auto &m : res.matmul) {
            char shape[48];
            std::snprintf(shape, sizeof shape, "%dx%dx%d", m.M, m.K, m.N);
            std::printf("%-8s %4d %16s %10.3f %10.3f %10.1f %8s %6s\n", dtype_name(m.format), m.threads, shape,
                        m.ms_median, m.ms_min, m.gflops, fmt_or_na(m.frac_fma, "%.3f").c_str(),
                        m.finite ? "yes" : "NO");
        }
    }

    // ---- machine-readable summary ------------------------------------------------------------
    std::printf("\n");
    for (int t : probe_threads)
        std::printf(
            "SUMMARY kind=machine threads=%d read_gbs=%.2f read_gbs_before=%.2f read_gbs_after=%.2f "
            "read_gbs_huge_before=%.2f read_gbs_huge_after=%.2f "
            "fma_gflops=%.2f fma_gflops_before=%.2f fma_gflops_after=%.2f\n",
            t, peaks[t].read_gbs, bw_res[0][t].value, bw_res[1][t].value, bw_huge[0][t].value, bw_huge[1][t].value,
            peaks[t].fma_gflops, fma_res[0][t].value, fma_res[1][t].value);
    for (const auto &d : res.decode) {
        const ModelRow *m = nullptr;
        for (const auto &mm : res.models)
            if (mm.format == d.format) m = &mm;
        std::printf(
            "SUMMARY kind=decode format=%s weights=%s threads=%d layers=%d ms_per_token=%.4f ms_min=%.4f "
            "tokens_per_s=%.2f bytes_per_token=%lld read_gbs=%.2f floor_ms=%.4f ratio=%.3f local_read_gbs=%.2f "
            "local_ratio=%.3f best_ratio=%.3f effective_gbs=%.2f logit_rms=%.4g finite=%d\n",
            dtype_name(d.format), d.resident ? "resident" : "in-place", d.threads, g.n_layer, d.ms_median, d.ms_min,
            d.tok_s, static_cast<long long>(m ? m->bytes_per_token : 0), peaks[d.threads].read_gbs, d.floor_ms, d.ratio,
            d.local_gbs, d.local_ratio, d.best_ratio, d.effective_gbs, d.logit_rms, d.finite ? 1 : 0);
        if (d.matmul_only_ms > 0)
            std::printf(
                "SUMMARY kind=decode_matmul_only format=%s threads=%d layers=%d ms_per_token=%.4f bytes_per_token=%lld "
                "local_ratio=%.3f decode_over_matmul_only=%.3f\n",
                dtype_name(d.format), d.threads, g.n_layer, d.matmul_only_ms,
                static_cast<long long>(d.matmul_only_bytes), d.matmul_only_local_ratio, d.decode_over_matmul_only);
    }
    for (const auto &p : res.prefill)
        std::printf(
            "SUMMARY kind=prefill format=%s threads=%d layers=%d T=%d reps=%d seconds=%.4f tokens_per_s=%.2f "
            "gemm_gflop=%.3f "
            "wkv_gflop=%.3f gemm_gflops=%.2f fma_gflops=%.2f frac_fma_peak=%.4f finite=%d\n",
            dtype_name(p.format), p.threads, g.n_layer, p.T, p.reps, p.s_median, p.tok_s, p.gemm_gflop, p.wkv_gflop,
            p.gemm_gflops, peaks[p.threads].fma_gflops, p.frac_fma, p.finite ? 1 : 0);
    for (const auto &m : res.matmul)
        std::printf(
            "SUMMARY kind=matmul format=%s threads=%d M=%d K=%d N=%d ms=%.4f gflops=%.2f fma_gflops=%.2f "
            "frac_fma_peak=%.4f finite=%d\n",
            dtype_name(m.format), m.threads, m.M, m.K, m.N, m.ms_median, m.gflops, peaks[m.threads].fma_gflops,
            m.frac_fma, m.finite ? 1 : 0);

    if (res.non_finite > 0) {
        std::fprintf(stderr, "rwkvx_bench: %d row(s) produced non-finite outputs (see finite=0)\n", res.non_finite);
        return 1;
    }
    return 0;
}
