// bench_rwkv7.cpp — synthetic RWKV-7 (0.1B World shape) decode/prefill benchmark and GEMM rows.
#include "bench_rwkv7.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "bench_common.h"
#include "machine_peaks.h"
#include "matmul_only_token.h"
#include "rwkvx.h"

namespace rwkvx_bench {
namespace {

// ---- deterministic random numbers ------------------------------------------------------------

std::uint64_t splitmix64(std::uint64_t &s) {
    std::uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

std::uint64_t fnv1a(const std::string &s) {
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
    return h;
}

struct Rng {
    std::uint64_t s[4];
    explicit Rng(std::uint64_t seed) {
        for (auto &w : s) w = splitmix64(seed);
    }
    std::uint64_t next() {  // xoshiro256**
        const std::uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = rotl(s[3], 45);
        return r;
    }
    float uniform() {  // [-1, 1)
        return static_cast<float>(static_cast<std::int64_t>(next() >> 40) - (1LL << 23)) * (1.0f / (1 << 23));
    }
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
};

// ---- float conversions (software, round to nearest even) -------------------------------------

std::uint16_t f32_to_bf16(float f) {
    std::uint32_t x;
    std::memcpy(&x, &f, 4);
    if ((x & 0x7fffffffu) > 0x7f800000u) return static_cast<std::uint16_t>((x >> 16) | 0x40);  // NaN
    x += 0x7fffu + ((x >> 16) & 1u);
    return static_cast<std::uint16_t>(x >> 16);
}

std::uint16_t f32_to_f16(float f) {
    std::uint32_t x;
    std::memcpy(&x, &f, 4);
    const std::uint32_t sign = (x >> 16) & 0x8000u;
    x &= 0x7fffffffu;
    if (x >= 0x7f800000u) return static_cast<std::uint16_t>(sign | 0x7c00u | (x > 0x7f800000u ? 0x200u : 0u));
    if (x >= 0x477ff000u) return static_cast<std::uint16_t>(sign | 0x7c00u);  // rounds to inf
    if (x < 0x38800000u) {                                                    // half subnormal / 0
        if (x < 0x33000000u) return static_cast<std::uint16_t>(sign);
        const int e = static_cast<int>(x >> 23);
        const std::uint32_t m = (x & 0x7fffffu) | 0x800000u;
        const int shift = 126 - e;
        std::uint32_t r = m >> shift;
        const std::uint32_t rem = m & ((1u << shift) - 1u), half = 1u << (shift - 1);
        if (rem > half || (rem == half && (r & 1u))) ++r;
        return static_cast<std::uint16_t>(sign | r);
    }
    std::uint32_t r = (x - 0x38000000u) >> 13;
    const std::uint32_t rem = x & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (r & 1u))) ++r;
    return static_cast<std::uint16_t>(sign | r);
}

// ---- host buffers and the synthetic model ----------------------------------------------------

struct HostBuf {
    void *p = nullptr;
    std::size_t bytes = 0;
    explicit HostBuf(std::size_t n) : bytes(n) {
        p = std::aligned_alloc(64, (n + 63) / 64 * 64);
        if (!p) {
            std::fprintf(stderr, "rwkvx_bench: out of memory allocating %zu bytes\n", n);
            std::exit(1);
        }
    }
    ~HostBuf() { std::free(p); }
    HostBuf(const HostBuf &) = delete;
    HostBuf &operator=(const HostBuf &) = delete;
};

rwkvx_tensor make_tensor(void *data, int dtype, std::initializer_list<std::int64_t> shape) {
    rwkvx_tensor t;
    std::memset(&t, 0, sizeof t);
    t.data = data;
    t.dtype = dtype;
    t.ndim = static_cast<std::int32_t>(shape.size());
    int i = 0;
    for (std::int64_t d : shape) t.shape[i++] = d;
    std::int64_t stride = 1;
    for (int k = t.ndim - 1; k >= 0; --k) {
        t.strides[k] = stride;
        stride *= t.shape[k];
    }
    return t;
}

// Fills n elements of dtype at dst with gen(index, rng) converted to dtype (quantized types: the
// floats quantized by rwkvx_quantize, as rwkv.cpp's quantizer would).
template <class Gen>
void fill(void *dst, int dtype, std::int64_t n, std::uint64_t seed, Gen gen) {
    Rng rng(seed);
    if (dtype >= RWKVX_DTYPE_Q4_0) {
        std::vector<float> f(static_cast<std::size_t>(n));
        for (std::int64_t i = 0; i < n; ++i) f[static_cast<std::size_t>(i)] = gen(i, rng);
        RWKVX_BENCH_CHECK(rwkvx_quantize(dtype, f.data(), n, dst, rwkvx_dtype_bytes(dtype, n)));
    } else if (dtype == RWKVX_DTYPE_F32) {
        float *p = static_cast<float *>(dst);
        for (std::int64_t i = 0; i < n; ++i) p[i] = gen(i, rng);
    } else if (dtype == RWKVX_DTYPE_F16) {
        std::uint16_t *p = static_cast<std::uint16_t *>(dst);
        for (std::int64_t i = 0; i < n; ++i) p[i] = f32_to_f16(gen(i, rng));
    } else {
        std::uint16_t *p = static_cast<std::uint16_t *>(dst);
        for (std::int64_t i = 0; i < n; ++i) p[i] = f32_to_bf16(gen(i, rng));
    }
}

class SyntheticModel {
  public:
    SyntheticModel(const Geometry &g, int matrix_dtype, std::uint64_t seed) : g_(g), dt_(matrix_dtype), seed_(seed) {
        if (g.arch == RWKVX_ARCH_RWKV4) {
            build_rwkv4();
            return;
        }
        const std::int64_t C = g.n_embd, V = g.n_vocab, F = g.ffn, H = g.n_head, N = g.head_size;
        // Embedding: values irrelevant in scale (ln0 normalises), read one row per token.
        matrix("emb.weight", V, C, 1.0f, MatrixRole::Embedding);
        vec_ln("blocks.0.ln0");
        for (int i = 0; i < g.n_layer; ++i) {
            const std::string b = "blocks." + std::to_string(i) + ".";
            vec_ln(b + "ln1");
            vec_ln(b + "ln2");
            for (const char *x : {"x_r", "x_w", "x_k", "x_v", "x_a", "x_g"})
                vec(b + "att." + x, {C}, [](std::int64_t, Rng &r) { return 0.5f + 0.5f * r.uniform(); });
            // Decay: w = exp(-e^-0.5 * sigmoid(w0 + lora)) in (0.545, 1); w0 spread like the
            // reference init (-7 + 5 * n/(C-1), + 0.5), i.e. about [-6.5, -1.5], plus jitter.
            vec(b + "att.w0", {C}, [C](std::int64_t n, Rng &r) {
                return -6.5f + 5.0f * static_cast<float>(n) / static_cast<float>(C - 1) + 0.3f * r.uniform();
            });
            vec(b + "att.a0", {C}, [](std::int64_t, Rng &r) { return 0.5f * r.uniform(); });
            if (i > 0) vec(b + "att.v0", {C}, [](std::int64_t, Rng &r) { return 1.0f + 0.2f * r.uniform(); });
            vec(b + "att.k_k", {C}, [](std::int64_t, Rng &r) { return 0.85f + 0.1f * r.uniform(); });
            vec(b + "att.k_a", {C}, [](std::int64_t, Rng &r) { return 1.0f + 0.1f * r.uniform(); });
            lora(b + "att.w", g.d_w);
            lora(b + "att.a", g.d_a);
            if (i > 0) lora(b + "att.v", g.d_v);
            lora(b + "att.g", g.d_g);
            vec2(b + "att.r_k", H, N, [](std::int64_t, Rng &r) { return 0.1f * r.uniform(); });
            for (const char *m : {"receptance", "key", "value", "output"}) matrix(b + "att." + m + ".weight", C, C);
            vec_ln(b + "att.ln_x");
            vec(b + "ffn.x_k", {C}, [](std::int64_t, Rng &r) { return 0.5f + 0.5f * r.uniform(); });
            matrix(b + "ffn.key.weight", F, C);
            matrix(b + "ffn.value.weight", C, F);
        }
        vec_ln("ln_out");
        matrix("head.weight", V, C, -1.0f, MatrixRole::Head);
    }

    std::vector<rwkvx_named_tensor> named() const {
        std::vector<rwkvx_named_tensor> out(names_.size());
        for (std::size_t i = 0; i < names_.size(); ++i) {
            out[i].name = names_[i].c_str();
            out[i].tensor = tensors_[i];
        }
        return out;
    }

    std::int64_t n_params = 0, bytes_supplied = 0, block_matrix_params = 0, emb_row_bytes = 0, emb_bytes = 0;
    std::int64_t matrix_bytes = 0;  // every matrix but the embedding: what a token's matmuls read

    std::int64_t bytes_per_token() const { return bytes_supplied - emb_bytes + emb_row_bytes; }

  private:
    // ---- RWKV-4 ----
    // RWKV-4 169M Pile shape; decay in the canonical form w = -exp(d), d spread like BlinkDL's init.
    void build_rwkv4() {
        const std::int64_t C = g_.n_embd, V = g_.n_vocab, F = g_.ffn;
        matrix("emb.weight", V, C, 1.0f, MatrixRole::Embedding);
        vec_ln("blocks.0.ln0");
        for (int i = 0; i < g_.n_layer; ++i) {
            const std::string b = "blocks." + std::to_string(i) + ".";
            vec_ln(b + "ln1");
            vec_ln(b + "ln2");
            for (const char *x :
                 {"att.time_mix_k", "att.time_mix_v", "att.time_mix_r", "ffn.time_mix_k", "ffn.time_mix_r"})
                vec(b + x, {C}, [](std::int64_t, Rng &r) { return 0.5f + 0.5f * r.uniform(); });
            vec(b + "att.time_decay", {C}, [C](std::int64_t n, Rng &) {
                return -std::exp(-5.0f + 8.0f * static_cast<float>(n) / static_cast<float>(C - 1));
            });
            vec(b + "att.time_first", {C}, [](std::int64_t, Rng &r) { return 0.5f * r.uniform(); });
            for (const char *m : {"key", "value", "receptance", "output"}) matrix(b + "att." + m + ".weight", C, C);
            matrix(b + "ffn.key.weight", F, C);
            matrix(b + "ffn.value.weight", C, F);
            matrix(b + "ffn.receptance.weight", C, C);
        }
        vec_ln("ln_out");
        matrix("head.weight", V, C, -1.0f, MatrixRole::Head);
    }

    std::uint64_t seed_for(const std::string &name) const { return seed_ ^ fnv1a(name); }

    void add(const std::string &name, const rwkvx_tensor &t, std::int64_t elems) {
        names_.push_back(name);
        tensors_.push_back(t);
        n_params += elems;
        bytes_supplied += dtype_bytes_of(t.dtype, elems);
    }

    // [out, in] matrix in the dtype the format gives its role. scale > 0: U(-1,1)*scale; scale < 0:
    // U(-1,1)/sqrt(in).
    void matrix(const std::string &name, std::int64_t out, std::int64_t in, float scale = -1.0f,
                MatrixRole role = MatrixRole::Block) {
        const std::int64_t n = out * in;
        const int dt = matrix_dtype(dt_, role);
        const std::int64_t bytes = dtype_bytes_of(dt, n);
        bufs_.emplace_back(new HostBuf(static_cast<std::size_t>(bytes)));
        void *p = bufs_.back()->p;
        const float s = scale > 0 ? scale : 1.0f / std::sqrt(static_cast<float>(in));
        fill(p, dt, n, seed_for(name), [s](std::int64_t, Rng &r) { return s * r.uniform(); });
        add(name, make_tensor(p, dt, {out, in}), n);
        if (role == MatrixRole::Block || role == MatrixRole::Lora) block_matrix_params += n;
        if (role == MatrixRole::Embedding) {
            emb_bytes = bytes;
            emb_row_bytes = dtype_bytes_of(dt, in);
        } else {
            matrix_bytes += bytes;
        }
    }

    // LoRA pair: X1 [D, C] and X2 [C, D] (Linear layout: out, in).
    void lora(const std::string &prefix, std::int64_t d) {
        matrix(prefix + "1", d, g_.n_embd, -1.0f, MatrixRole::Lora);
        matrix(prefix + "2", g_.n_embd, d, -1.0f, MatrixRole::Lora);
    }

    template <class Gen>
    void vec(const std::string &name, std::initializer_list<std::int64_t> shape, Gen gen) {
        std::int64_t n = 1;
        for (auto d : shape) n *= d;
        bufs_.emplace_back(new HostBuf(static_cast<std::size_t>(n) * 4));
        void *p = bufs_.back()->p;
        fill(p, RWKVX_DTYPE_F32, n, seed_for(name), gen);
        add(name, make_tensor(p, RWKVX_DTYPE_F32, shape), n);
    }

    template <class Gen>
    void vec2(const std::string &name, std::int64_t a, std::int64_t b, Gen gen) {
        bufs_.emplace_back(new HostBuf(static_cast<std::size_t>(a * b) * 4));
        void *p = bufs_.back()->p;
        fill(p, RWKVX_DTYPE_F32, a * b, seed_for(name), gen);
        add(name, make_tensor(p, RWKVX_DTYPE_F32, {a, b}), a * b);
    }

    void vec_ln(const std::string &prefix) {
        const std::int64_t C = g_.n_embd;
        vec(prefix + ".weight", {C}, [](std::int64_t, Rng &r) { return 1.0f + 0.1f * r.uniform(); });
        vec(prefix + ".bias", {C}, [](std::int64_t, Rng &r) { return 0.1f * r.uniform(); });
    }

    Geometry g_;
    int dt_;
    std::uint64_t seed_;
    std::vector<std::string> names_;
    std::vector<rwkvx_tensor> tensors_;
    std::vector<std::unique_ptr<HostBuf>> bufs_;
};

// ---- helpers -----------------------------------------------------------------------------------

struct LogitCheck {
    bool finite = true;
    double rms = 0.0;
};

LogitCheck check_logits(const float *p, std::size_t n) {
    LogitCheck c;
    double ss = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        if (!std::isfinite(p[i])) {
            c.finite = false;
            continue;
        }
        ss += static_cast<double>(p[i]) * p[i];
    }
    c.rms = std::sqrt(ss / static_cast<double>(n ? n : 1));
    return c;
}

std::vector<std::int32_t> random_tokens(std::size_t n, int vocab, std::uint64_t seed) {
    Rng rng(seed);
    std::vector<std::int32_t> t(n);
    for (auto &x : t) x = static_cast<std::int32_t>(rng.next() % static_cast<std::uint64_t>(vocab));
    return t;
}

Peaks peaks_for(const std::map<int, Peaks> &peaks, int threads) {
    auto it = peaks.find(threads);
    return it == peaks.end() ? Peaks{} : it->second;
}

// ---- the benchmarks ------------------------------------------------------------------------------

// The times of `n` calls of `step`, after one untimed call.
template <class Step>
std::vector<double> time_calls(int n, Step &&step) {
    step();
    std::vector<double> times;
    for (int i = 0; i < n; ++i) {
        const Clock::time_point t0 = Clock::now();
        step();
        times.push_back(seconds_since(t0));
    }
    return times;
}

// matmul_only: when not null, each round also times that token right after the decode tokens.
DecodeRow bench_decode(const BenchConfig &cfg, rwkvx_model *model, const Geometry &g, int format, int threads,
                       std::int64_t bytes_per_token, const Peaks &pk, MatmulOnlyToken *matmul_only) {
    DecodeRow row;
    row.format = format;
    row.threads = threads;
    rwkvx_state *state = nullptr;
    RWKVX_BENCH_CHECK(rwkvx_state_create(model, &state));
    std::vector<float> logits(static_cast<std::size_t>(g.n_vocab));
    const int rounds = std::max(1, std::min(cfg.decode_rounds, cfg.decode_tokens));
    // Warm-up tokens, then per round one re-warming token and the round's timed ones.
    const auto tokens = random_tokens(static_cast<std::size_t>(cfg.decode_warmup + rounds + cfg.decode_tokens),
                                      g.n_vocab, cfg.seed + 1);
    std::size_t next = 0;
    auto eval_next = [&] {
        RWKVX_BENCH_CHECK(rwkvx_model_eval(model, state, &tokens[next++], 1, logits.data(), RWKVX_LOGITS_LAST));
    };
    for (int i = 0; i < cfg.decode_warmup; ++i) eval_next();
    ReadProbe local(threads, cfg.local_probe_bytes, true);
    std::vector<double> times, round_gbs, round_ratios, matmul_only_times, matmul_only_ratios, over_matmul_only;
    double best_gbs = 0;
    int done = 0;
    for (int r = 0; r < rounds; ++r) {
        const int n = (cfg.decode_tokens - done) / (rounds - r);
        // As many probe runs (in each way) as tokens, so that the round's two medians are alike.
        const ProbeResult bw = local.measure(std::max(n, 2));
        // The probe leaves the weights cold. On the Xeon VM the token right after it took 24-37 ms,
        // the next ones 18.5 (bf16, 1 thread); reading one line per 4 KiB page of the weights first
        // made it normal, so the cost is per page, from below the guest (no guest page faults).
        // Back-to-back decoding never pays it, so one untimed token re-warms the weights.
        const std::vector<double> round_times = time_calls(n, eval_next);
        done += n;
        // Its untimed call also lets the engine's spinning workers go to sleep (2 ms) first.
        const std::vector<double> bound_times =
            matmul_only ? time_calls(n, [&] { matmul_only->run(); }) : std::vector<double>{};
        if (cfg.decode_trace) {
            std::printf("  [%s t=%d round %d] probe %.2f GB/s (best %.2f), token ms:", dtype_name(format), threads, r,
                        bw.ok ? bw.median : 0.0, bw.ok ? bw.value : 0.0);
            for (double t : round_times) std::printf(" %.2f", t * 1e3);
            if (!bound_times.empty()) std::printf("; matmuls alone ms:");
            for (double t : bound_times) std::printf(" %.2f", t * 1e3);
            std::printf("\n");
        }
        times.insert(times.end(), round_times.begin(), round_times.end());
        if (bw.ok && !round_times.empty()) {
            round_gbs.push_back(bw.median);
            best_gbs = std::max(best_gbs, bw.value);
            const double floor_s = static_cast<double>(bytes_per_token) / (bw.median * 1e9);
            round_ratios.push_back(median_of(round_times) / floor_s);
            if (!bound_times.empty()) {
                const double bound_floor_s = static_cast<double>(matmul_only->bytes()) / (bw.median * 1e9);
                matmul_only_ratios.push_back(median_of(bound_times) / bound_floor_s);
                over_matmul_only.push_back(median_of(round_times) / median_of(bound_times));
            }
        }
        matmul_only_times.insert(matmul_only_times.end(), bound_times.begin(), bound_times.end());
    }
    row.rounds = rounds;
    if (!round_ratios.empty()) {
        row.local_gbs = median_of(round_gbs);
        row.local_ratio = median_of(round_ratios);
        row.best_ratio = min_of(times) / (static_cast<double>(bytes_per_token) / (best_gbs * 1e9));
        row.matmul_only_local_ratio = median_of(matmul_only_ratios);
        row.decode_over_matmul_only = median_of(over_matmul_only);
    }
    if (matmul_only) {
        row.matmul_only_ms = median_of(matmul_only_times) * 1e3;
        row.matmul_only_bytes = matmul_only->bytes();
    }
    rwkvx_state_free(state);
    const LogitCheck lc = check_logits(logits.data(), logits.size());
    row.finite = lc.finite;
    row.logit_rms = lc.rms;
    row.tokens = cfg.decode_tokens;
    row.bytes_per_token = bytes_per_token;
    row.ms_median = median_of(times) * 1e3;
    row.ms_min = min_of(times) * 1e3;
    row.tok_s = row.ms_median > 0 ? 1e3 / row.ms_median : 0;
    row.effective_gbs = static_cast<double>(bytes_per_token) / (row.ms_median * 1e-3) / 1e9;
    if (pk.read_gbs > 0) {
        row.floor_ms = static_cast<double>(bytes_per_token) / (pk.read_gbs * 1e9) * 1e3;
        row.ratio = row.ms_median / row.floor_ms;
    }
    return row;
}

PrefillRow bench_prefill(const BenchConfig &cfg, rwkvx_model *model, const Geometry &g, int format, int threads, int T,
                         std::int64_t block_matrix_params, const Peaks &pk) {
    PrefillRow row;
    row.format = format;
    row.threads = threads;
    row.T = T;
    rwkvx_state *state = nullptr;
    RWKVX_BENCH_CHECK(rwkvx_state_create(model, &state));
    std::vector<float> logits(static_cast<std::size_t>(g.n_vocab));
    const auto tokens =
        random_tokens(static_cast<std::size_t>(T), g.n_vocab, cfg.seed + 2 + static_cast<std::uint64_t>(T));
    // Warm-up at the full length: the first call of a new length grows the engine's scratch
    // buffers, and first-touching tens of MB of fresh pages cost up to ~0.3 s here (a VM maps guest
    // pages on first touch), a third of a T=512 prefill, which is not the steady state measured.
    for (int i = 0; i < cfg.prefill_warmup; ++i) {
        RWKVX_BENCH_CHECK(rwkvx_state_reset(state));
        RWKVX_BENCH_CHECK(rwkvx_model_eval(model, state, tokens.data(), T, logits.data(), RWKVX_LOGITS_LAST));
    }
    std::vector<double> times;
    double spent = 0.0;
    for (int r = 0; r < cfg.prefill_reps; ++r) {
        RWKVX_BENCH_CHECK(rwkvx_state_reset(state));
        const Clock::time_point t0 = Clock::now();
        RWKVX_BENCH_CHECK(rwkvx_model_eval(model, state, tokens.data(), T, logits.data(), RWKVX_LOGITS_LAST));
        times.push_back(seconds_since(t0));
        spent += times.back();
        if (spent + times.back() > cfg.prefill_budget_s) break;  // slow engine: fewer repetitions
    }
    rwkvx_state_free(state);
    row.finite = check_logits(logits.data(), logits.size()).finite;
    row.reps = static_cast<int>(times.size());
    row.s_median = median_of(times);
    row.s_min = min_of(times);
    row.tok_s = T / row.s_median;
    const double C = g.n_embd, V = g.n_vocab, N = g.head_size, L = g.n_layer;
    row.gemm_gflop = (2.0 * T * static_cast<double>(block_matrix_params) + 2.0 * C * V) / 1e9;
    // WKV-7: 9·N FLOP per channel-token; WKV-4: ~12 FLOP + 4 exp per channel-token (counted as 12).
    row.wkv_gflop = (g.arch == RWKVX_ARCH_RWKV4 ? 12.0 : 9.0 * N) * C * L * T / 1e9;
    row.gemm_gflops = row.gemm_gflop / row.s_median;
    if (pk.fma_gflops > 0) row.frac_fma = row.gemm_gflops / pk.fma_gflops;
    return row;
}

MatmulRow bench_matmul(const BenchConfig &cfg, rwkvx_context *ctx, int format, int threads, int M, int K, int N,
                       const Peaks &pk) {
    MatmulRow row;
    row.format = format;
    row.threads = threads;
    row.M = M;
    row.K = K;
    row.N = N;
    const int wdt = format_dtype(format);
    HostBuf xb(static_cast<std::size_t>(M) * K * 4),
        wb(static_cast<std::size_t>(dtype_bytes_of(wdt, static_cast<std::int64_t>(N) * K))),
        yb(static_cast<std::size_t>(M) * N * 4);
    fill(xb.p, RWKVX_DTYPE_F32, static_cast<std::int64_t>(M) * K, cfg.seed + 11,
         [](std::int64_t, Rng &r) { return r.uniform(); });
    const float s = 1.0f / std::sqrt(static_cast<float>(K));
    fill(wb.p, wdt, static_cast<std::int64_t>(N) * K, cfg.seed + 12,
         [s](std::int64_t, Rng &r) { return s * r.uniform(); });
    std::memset(yb.p, 0, yb.bytes);
    rwkvx_tensor x = make_tensor(xb.p, RWKVX_DTYPE_F32, {M, K});
    rwkvx_tensor w = make_tensor(wb.p, wdt, {N, K});
    rwkvx_tensor y = make_tensor(yb.p, RWKVX_DTYPE_F32, {M, N});
    RWKVX_BENCH_CHECK(rwkvx_matmul(ctx, &x, &w, &y));  // warm-up
    std::vector<double> times;
    for (int r = 0; r < cfg.matmul_reps; ++r) {
        const Clock::time_point t0 = Clock::now();
        RWKVX_BENCH_CHECK(rwkvx_matmul(ctx, &x, &w, &y));
        times.push_back(seconds_since(t0));
    }
    row.finite = check_logits(static_cast<const float *>(yb.p), static_cast<std::size_t>(M) * N).finite;
    row.reps = cfg.matmul_reps;
    row.ms_median = median_of(times) * 1e3;
    row.ms_min = min_of(times) * 1e3;
    const double flop = 2.0 * M * K * static_cast<double>(N);
    row.gflops = flop / (row.ms_median * 1e-3) / 1e9;
    if (pk.fma_gflops > 0) row.frac_fma = row.gflops / pk.fma_gflops;
    return row;
}

}  // namespace

void apply_peaks(const std::map<int, Peaks> &peaks, Results &res) {
    for (auto &d : res.decode) {
        const Peaks pk = peaks_for(peaks, d.threads);
        d.floor_ms = pk.read_gbs > 0 ? static_cast<double>(d.bytes_per_token) / (pk.read_gbs * 1e9) * 1e3 : 0.0;
        d.ratio = d.floor_ms > 0 ? d.ms_median / d.floor_ms : 0.0;
    }
    for (auto &p : res.prefill) {
        const Peaks pk = peaks_for(peaks, p.threads);
        p.frac_fma = pk.fma_gflops > 0 ? p.gemm_gflops / pk.fma_gflops : 0.0;
    }
    for (auto &m : res.matmul) {
        const Peaks pk = peaks_for(peaks, m.threads);
        m.frac_fma = pk.fma_gflops > 0 ? m.gflops / pk.fma_gflops : 0.0;
    }
}

SyntheticTensors::SyntheticTensors(const Geometry &g, int format, std::uint64_t seed)
    : model_(std::make_shared<SyntheticModel>(g, format, seed)) {}

std::vector<rwkvx_named_tensor> SyntheticTensors::named() const {
    return static_cast<const SyntheticModel *>(model_.get())->named();
}

void run_rwkv7_benchmarks(const BenchConfig &cfg, const std::map<int, Peaks> &peaks, Results &out) {
    Geometry g;
    g.n_layer = cfg.layers;
    if (cfg.arch == RWKVX_ARCH_RWKV4) {  // 169M Pile: no heads (info reports n_head 1, head_size C)
        g.arch = RWKVX_ARCH_RWKV4;
        g.n_vocab = 50277;
        g.n_head = 1;
        g.head_size = g.n_embd;
        g.d_w = g.d_a = g.d_v = g.d_g = 0;
    }
    out.geom = g;

    for (int format : cfg.formats) {
        std::unique_ptr<SyntheticModel> synth;
        ModelRow mrow;
        mrow.format = format;
        if (cfg.run_model) {
            std::fprintf(stderr, "[%s] generating synthetic weights ...\n", dtype_name(format));
            const Clock::time_point t0 = Clock::now();
            synth.reset(new SyntheticModel(g, format, cfg.seed));
            mrow.build_s = seconds_since(t0);
            mrow.n_params = synth->n_params;
            mrow.bytes_supplied = synth->bytes_supplied;
            mrow.bytes_per_token = synth->bytes_per_token();
            mrow.block_matrix_params = synth->block_matrix_params;
        }

        for (int threads : cfg.threads) {
            const Peaks pk = peaks_for(peaks, threads);
            for (std::size_t pi = 0; pi < cfg.resident.size(); ++pi) {
                const bool resident = cfg.resident[pi];
                const bool first_placement = pi == 0;
                if (!cfg.run_model && !first_placement) break;
                rwkvx_context *ctx = nullptr;
                RWKVX_BENCH_CHECK(rwkvx_context_create(RWKVX_BACKEND_CPU, threads,
                                                       resident ? RWKVX_CONTEXT_RESIDENT_WEIGHTS : 0, &ctx));
                const std::string described = rwkvx_context_describe(ctx);
                if (std::find(out.context_descriptions.begin(), out.context_descriptions.end(), described) ==
                    out.context_descriptions.end())
                    out.context_descriptions.push_back(described);
                const int got = rwkvx_context_threads(ctx);
                if (got != threads)
                    std::fprintf(stderr, "warning: asked for %d threads, context has %d\n", threads, got);

                if (cfg.run_model) {
                    const auto named = synth->named();
                    rwkvx_model *model = nullptr;
                    const Clock::time_point t0 = Clock::now();
                    RWKVX_BENCH_CHECK(
                        rwkvx_model_create(ctx, g.arch, named.data(), static_cast<std::int64_t>(named.size()), &model));
                    const double create_s = seconds_since(t0);
                    rwkvx_model_info info;
                    std::memset(&info, 0, sizeof info);
                    RWKVX_BENCH_CHECK(rwkvx_model_get_info(model, &info));
                    mrow.info_n_params = info.n_params;
                    mrow.info_weight_bytes = info.weight_bytes;
                    mrow.info_state_bytes = info.state_bytes;
                    if (info.n_layer != g.n_layer || info.n_embd != g.n_embd || info.n_vocab != g.n_vocab ||
                        info.ffn_size != g.ffn || info.n_head != g.n_head || info.head_size != g.head_size)
                        std::fprintf(stderr, "warning: model info geometry differs from the synthetic model\n");

                    const char *where = resident ? "resident" : "in-place";
                    std::fprintf(stderr, "[%s t=%d %s] decode ...\n", dtype_name(format), threads, where);
                    // Resident rows also time the same token's matmuls alone (decode's own layout).
                    std::unique_ptr<MatmulOnlyToken> matmul_only;
                    const std::int64_t matrix_bytes = synth->matrix_bytes;
                    if (resident) {
                        matmul_only.reset(new MatmulOnlyToken(g, format, threads));
                        if (!matmul_only->ok()) {
                            std::fprintf(stderr, "[%s t=%d] no matmul-only token: %s\n", dtype_name(format), threads,
                                         matmul_only->note().c_str());
                            matmul_only.reset();
                        } else if (matmul_only->bytes() != matrix_bytes) {
                            std::fprintf(stderr,
                                         "warning: the matmul-only token reads %lld bytes, the model's matrices "
                                         "(blocks and head) are %lld\n",
                                         static_cast<long long>(matmul_only->bytes()),
                                         static_cast<long long>(matrix_bytes));
                        }
                    }
                    DecodeRow d =
                        bench_decode(cfg, model, g, format, threads, mrow.bytes_per_token, pk, matmul_only.get());
                    matmul_only.reset();
                    d.create_s = create_s;
                    d.resident = resident;
                    if (!d.finite) ++out.non_finite;
                    std::fprintf(stderr, "[%s t=%d %s] decode %.2f ms/token (%.1f tok/s), ratio to local floor %.3f\n",
                                 dtype_name(format), threads, where, d.ms_median, d.tok_s, d.local_ratio);
                    out.decode.push_back(d);

                    // Prefill is compute-bound: placement barely matters, so only the first one runs it.
                    for (int T : cfg.prefill_lengths) {
                        if (T <= 0 || !first_placement) continue;
                        std::fprintf(stderr, "[%s t=%d] prefill T=%d ...\n", dtype_name(format), threads, T);
                        PrefillRow p = bench_prefill(cfg, model, g, format, threads, T, mrow.block_matrix_params, pk);
                        if (!p.finite) ++out.non_finite;
                        std::fprintf(stderr, "[%s t=%d] prefill T=%d %.3f s (%.1f tok/s)\n", dtype_name(format),
                                     threads, T, p.s_median, p.tok_s);
                        out.prefill.push_back(p);
                    }
                    rwkvx_model_free(model);
                }

                if (cfg.run_matmul && first_placement) {
                    std::fprintf(stderr, "[%s t=%d] matmul ...\n", dtype_name(format), threads);
                    const int C = g.n_embd, F = g.ffn;
                    for (const auto &shape : {std::array<int, 3>{512, C, F}, std::array<int, 3>{512, F, C}}) {
                        MatmulRow m = bench_matmul(cfg, ctx, format, threads, shape[0], shape[1], shape[2], pk);
                        if (!m.finite) ++out.non_finite;
                        out.matmul.push_back(m);
                    }
                }
                rwkvx_context_free(ctx);
            }
        }
        if (cfg.run_model) out.models.push_back(mrow);
    }
}

}  // namespace rwkvx_bench
