// bench_rwkv7.h — RWKV-7 decode/prefill and GEMM benchmarks on a synthetic model shaped like the
// 0.1B World model, with ratios against the machine peaks measured in the same run.
#ifndef RWKVX_BENCH_RWKV7_H
#define RWKVX_BENCH_RWKV7_H

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "rwkvx.h"

namespace rwkvx_bench {

struct Peaks {
    double read_gbs = 0.0;    // best read-only bandwidth, GB/s (0 = not measured)
    double fma_gflops = 0.0;  // best FMA throughput, GFLOP/s (0 = not measured)
};

struct BenchConfig {
    std::vector<int> threads{1, 2};
    std::vector<int> formats;  // rwkvx_dtype values; default f32, f16, bf16
    bool quick = false;
    int layers = 12;
    std::vector<int> prefill_lengths{512, 1024};
    int decode_warmup = 8;
    int decode_tokens = 48;
    // Decode is timed in rounds, each right after a read-bandwidth probe at the same thread count, so
    // the per-round ratio compares the engine with the memory as it was at that moment (shared,
    // noisy hosts drift by 10-20% within a minute).
    int decode_rounds = 12;
    std::size_t local_probe_bytes = std::size_t(512) << 20;
    bool decode_trace = false;  // print each round's probe and token times (--decode-trace)
    // Weight placements to decode with: true = RWKVX_CONTEXT_RESIDENT_WEIGHTS (the engine copies the
    // weights onto huge pages), false = in place (as from a memory-mapped file).
    std::vector<bool> resident{true};
    int prefill_warmup = 1;  // warm-up evaluations per T
    int prefill_reps = 3;
    double prefill_budget_s = 30.0;  // stop repeating a prefill row once this much time is spent
    int matmul_reps = 7;
    bool run_model = true;
    bool run_matmul = true;
    std::uint64_t seed = 20250101;
    int arch = 7;  // 7: RWKV-7 0.1B World shape; 4: RWKV-4 169M Pile shape (--arch 4)
};

struct Geometry {
    int n_layer = 12, n_embd = 768, n_head = 12, head_size = 64, n_vocab = 65536, ffn = 3072;
    int d_w = 64, d_a = 64, d_v = 32, d_g = 128;  // LoRA ranks
    int arch = 7;                                 // rwkvx_arch of the synthetic model
};

struct ModelRow {
    int format = 0;
    std::int64_t n_params = 0;             // elements over all supplied tensors
    std::int64_t bytes_supplied = 0;       // bytes over all supplied tensors
    std::int64_t bytes_per_token = 0;      // all tensors except the embedding, plus one embedding row
    std::int64_t block_matrix_params = 0;  // elements of all 2-D matrices inside blocks (incl. LoRA)
    std::int64_t info_n_params = 0, info_weight_bytes = 0, info_state_bytes = 0;
    double build_s = 0.0;  // synthetic weight generation
};

struct DecodeRow {
    int format = 0, threads = 0, tokens = 0, rounds = 0;
    bool resident = true;  // weight placement (see BenchConfig::resident)
    // Per round: the median of probe runs right before it, and the round's median token time over the
    // floor from it; local_gbs and local_ratio are their medians over rounds. best_ratio: the fastest
    // token of the row over the floor from the fastest of those probe runs (best against best).
    double local_gbs = 0, local_ratio = 0, best_ratio = 0;
    std::int64_t bytes_per_token = 0;
    double ms_median = 0, ms_min = 0, tok_s = 0;
    double floor_ms = 0, ratio = 0, effective_gbs = 0;  // 0 = peak not measured
    // The same token's matmuls alone (matmul_only_token.h), timed in the same rounds right after the
    // decode tokens (resident rows only; 0 = not run): their median ms, their bytes, the median over
    // rounds of their time over the local floor of those bytes, and of decode time over their time.
    double matmul_only_ms = 0, matmul_only_local_ratio = 0, decode_over_matmul_only = 0;
    std::int64_t matmul_only_bytes = 0;
    double create_s = 0;  // rwkvx_model_create time
    double logit_rms = 0;
    bool finite = true;
};

struct PrefillRow {
    int format = 0, threads = 0, T = 0, reps = 0;
    double s_median = 0, s_min = 0, tok_s = 0;
    double gemm_gflop = 0, wkv_gflop = 0, gemm_gflops = 0, frac_fma = 0;
    bool finite = true;
};

struct MatmulRow {
    int format = 0, threads = 0, M = 0, K = 0, N = 0, reps = 0;
    double ms_median = 0, ms_min = 0, gflops = 0, frac_fma = 0;
    bool finite = true;
};

struct Results {
    Geometry geom;
    std::vector<ModelRow> models;
    std::vector<DecodeRow> decode;
    std::vector<PrefillRow> prefill;
    std::vector<MatmulRow> matmul;
    std::vector<std::string> context_descriptions;  // rwkvx_context_describe of each context used
    int non_finite = 0;                             // rows whose outputs had NaN/Inf
};

// The tensors of the synthetic model of geometry g (RWKV-7 or RWKV-4) in `format`, borrowed views valid
// while this object lives (other benchmarks build models from it).
class SyntheticTensors {
  public:
    SyntheticTensors(const Geometry &g, int format, std::uint64_t seed);
    std::vector<rwkvx_named_tensor> named() const;

  private:
    std::shared_ptr<void> model_;
};

// (Re)computes the peak-relative columns (decode floor/ratio, prefill and GEMM fraction of FMA peak)
// of every row from `peaks`.
void apply_peaks(const std::map<int, Peaks> &peaks, Results &res);

// Runs everything the config asks for. Exits the process (status 1) on any rwkvx failure, after
// printing rwkvx_last_error(). Progress goes to stderr.
void run_rwkv7_benchmarks(const BenchConfig &cfg, const std::map<int, Peaks> &peaks, Results &out);

}  // namespace rwkvx_bench

#endif
