// GPU tests of the device KV cache and split-K decode (native/cuda/kv_cache.cu, native/cuda/decode.cu)
// against references written here: the chunk sums bit for bit against a host fp32 token-order sum
// (docs/rwkv-x.md §5.2 rule 1), decode against float64 attention over exactly the keys the rules
// select (the selection re-done on the host with common/chunk_rules.h from the same fp32 sums), decode
// after appends against the float64 causal row, planted ±Inf/NaN in excluded keys (docs/rwkv-x.md
// §5.6), and the SnapKV-like compression (docs/rwkv-x.md §6.2). Tolerances: docs/numerics.md §2.7.
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "common/chunk_rules.h"
#include "common/errors.h"
#include "cuda/cuda_kernels.h"
#include "gpu_test.h"

using gpu_test::Device;
using rwkvx::cuda::DecodeParams;
using rwkvx::cuda::KvDevice;

namespace {

const char *dtype_name(int dtype) {
    return dtype == RWKVX_DTYPE_F32 ? "F32" : dtype == RWKVX_DTYPE_F16 ? "F16" : "BF16";
}
size_t esize(int dtype) {
    return dtype == RWKVX_DTYPE_F32 ? 4 : 2;
}
// Bound on |o - o_ref| and |lse - lse_ref| (docs/numerics.md §2.7): 16-bit K/V get the extra margin.
double tolerance(int dtype) {
    return dtype == RWKVX_DTYPE_F32 ? 1e-5 : 2e-5;
}

// ---- data ------------------------------------------------------------------------------------------

struct Rng {
    uint64_t s;
    explicit Rng(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 1) {}
    uint64_t next() {
        uint64_t z = (s += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    // Uniform with unit variance.
    float unit() { return float((double(next() >> 11) * 0x1.0p-53 * 2.0 - 1.0) * 1.7320508075688772); }
};

// Rounds x to dtype, stores its bits at element i of raw and returns the stored value widened.
float store(std::vector<uint8_t> &raw, int dtype, size_t i, float x) {
    if (dtype == RWKVX_DTYPE_F32) {
        std::memcpy(&raw[i * 4], &x, 4);
        return x;
    }
    if (dtype == RWKVX_DTYPE_F16) {
        const __half h = __float2half_rn(x);
        std::memcpy(&raw[i * 2], &h, 2);
        return __half2float(h);
    }
    const __nv_bfloat16 b = __float2bfloat16_rn(x);
    std::memcpy(&raw[i * 2], &b, 2);
    return __bfloat162float(b);
}

// n tokens of K and V rows [n][H][D] in dtype (raw bits) and their widened values.
struct Tokens {
    int64_t n;
    int H, D, dtype;
    std::vector<uint8_t> k_raw, v_raw;
    std::vector<float> k, v;
    Tokens(int64_t n_, int H_, int D_, int dtype_, uint64_t seed, float k_amp = 1.0f)
        : n(n_),
          H(H_),
          D(D_),
          dtype(dtype_),
          k_raw(size_t(n_ * H_ * D_) * esize(dtype_)),
          v_raw(k_raw.size()),
          k(size_t(n_ * H_ * D_)),
          v(k.size()) {
        Rng r(seed);
        for (size_t i = 0; i < k.size(); i++) {
            k[i] = store(k_raw, dtype, i, k_amp * r.unit());
            v[i] = store(v_raw, dtype, i, r.unit());
        }
    }
    size_t at(int64_t t, int h, int d = 0) const { return size_t((t * H + h) * D + d); }
    void set_k(int64_t t, int h, int d, float x) { k[at(t, h, d)] = store(k_raw, dtype, at(t, h, d), x); }
    void set_v(int64_t t, int h, int d, float x) { v[at(t, h, d)] = store(v_raw, dtype, at(t, h, d), x); }
    const float *k_row(int64_t t, int h) const { return &k[at(t, h)]; }
    const float *v_row(int64_t t, int h) const { return &v[at(t, h)]; }
};

std::vector<float> random_q(int H, int D, uint64_t seed, float amp = 1.0f) {
    Rng r(seed);
    std::vector<float> q(size_t(H) * D);
    for (float &x : q) x = amp * r.unit();
    return q;
}

// A device cache with every row poisoned with NaN (0xFF.. is a NaN in F32, F16 and BF16).
struct DevCache {
    KvDevice c;
    Device<uint8_t> k, v;
    Device<float> sums;
    DevCache(int H, int D, int dtype, int B, int64_t capacity)
        : k(size_t(H) * capacity * D * esize(dtype)), v(k.n), sums(size_t(H) * (capacity / B + 1) * D) {
        c = KvDevice{k.ptr, v.ptr, sums.ptr, H, D, dtype, B, capacity, capacity / B + 1};
        poison();
    }
    void poison() {
        GPU_CHECK(cudaMemset(k.ptr, 0xFF, k.n));
        GPU_CHECK(cudaMemset(v.ptr, 0xFF, v.n));
    }
    // Rows [0, n) of tok appended in one call after clearing the sums.
    void fill(const Tokens &tok, int64_t n) {
        Device<uint8_t> dk(tok.k_raw), dv(tok.v_raw);
        rwkvx::cuda::kv_clear_sums(c, nullptr);
        if (n > 0)
            rwkvx::cuda::kv_append(c, 0, dk.ptr, dv.ptr, n, int64_t(tok.H) * tok.D, int64_t(tok.H) * tok.D, nullptr);
        GPU_CHECK(cudaDeviceSynchronize());
    }
};

// Host fp32 chunk sums [H][slots][D] of a cache whose row r of head h is key(h, r): token order,
// correctly rounded adds (the rule the device must match bit for bit).
std::vector<float> host_sums(int H, int D, int B, int64_t slots, int64_t len,
                             const std::function<const float *(int, int64_t)> &key) {
    std::vector<float> s(size_t(H) * slots * D, 0.0f);
    for (int h = 0; h < H; h++)
        for (int64_t r = 0; r < len; r++) {
            const float *kr = key(h, r);
            float *sum = &s[size_t((h * slots + r / B) * D)];
            for (int d = 0; d < D; d++) sum[d] = rwkvx::rules::add_rn(sum[d], kr[d]);
        }
    return s;
}

// The CPU decode's selection (native/attention/decode.cpp) from fp32 sums with the shared rules:
// per selection head the ascending chunk list; *nan set on a NaN score.
std::vector<std::vector<int32_t>> host_select(const std::vector<float> &q, const std::vector<float> &sums, int H, int D,
                                              int B, int64_t slots, int64_t len, int top_k, int scope, bool *nan) {
    namespace rules = rwkvx::rules;
    const int64_t n_full = len / B;
    const int Hs = scope == RWKVX_ATTN_SCOPE_ALL ? 1 : H;
    const float inv_b = rules::inv_chunk(B);
    std::vector<std::vector<int32_t>> sel(static_cast<size_t>(Hs));
    std::vector<float> mean(static_cast<size_t>(D));
    for (int hs = 0; hs < Hs; hs++) {
        if (top_k <= 0 || n_full <= 0) continue;
        rules::TopK<rules::kMaxTopK> top(top_k);
        for (int64_t c = 0; c < n_full; c++) {
            float part[8] = {0, 0, 0, 0, 0, 0, 0, 0};
            const int h0 = Hs == 1 ? 0 : hs, h1 = Hs == 1 ? H : hs + 1;
            for (int h = h0; h < h1; h++) {
                for (int d = 0; d < D; d++)
                    mean[size_t(d)] = rules::chunk_mean(sums[size_t((h * slots + c) * D + d)], inv_b);
                rules::dot8_accumulate(&q[size_t(h) * D], mean.data(), D, part);
            }
            top.offer(rules::tree8(part), int32_t(c));
        }
        if (top.saw_nan) *nan = true;
        std::vector<int32_t> out(size_t(top.count));
        top.ascending(out.data());
        sel[size_t(hs)] = out;
    }
    return sel;
}

// float64 softmax attention of one query row over the given key/value rows.
void attend_ref(const float *q, const std::vector<const float *> &ks, const std::vector<const float *> &vs, int D,
                double scale, double *o, double *lse) {
    std::vector<double> s(ks.size());
    double mx = -INFINITY;
    for (size_t j = 0; j < ks.size(); j++) {
        double dot = 0;
        for (int d = 0; d < D; d++) dot += double(q[d]) * double(ks[j][d]);
        s[j] = scale * dot;
        mx = std::max(mx, s[j]);
    }
    double z = 0;
    for (double &x : s) z += (x = std::exp(x - mx));
    for (int d = 0; d < D; d++) {
        double a = 0;
        for (size_t j = 0; j < ks.size(); j++) a += s[j] * double(vs[j][d]);
        o[d] = a / z;
    }
    *lse = mx + std::log(z);
}

struct Ref {
    std::vector<double> o, lse;
    bool nan = false;
};

// Reference decode step: cache rows r < len of head h are key(h, r) / val(h, r) with sums `sums`;
// the new token is row 0 of nw. Keys: FULL [0, len) ; new. SPARSE [selected chunks ascending ;
// [n_full*B, len) ; new].
Ref ref_decode(int H, int D, int B, int64_t slots, int64_t len, const std::vector<float> &sums,
               const std::function<const float *(int, int64_t)> &key,
               const std::function<const float *(int, int64_t)> &val, const std::vector<float> &q, const Tokens &nw,
               bool sparse, int top_k, int scope, double scale) {
    Ref r;
    r.o.resize(size_t(H) * D);
    r.lse.resize(size_t(H));
    std::vector<std::vector<int32_t>> sel;
    if (sparse) sel = host_select(q, sums, H, D, B, slots, len, top_k, scope, &r.nan);
    for (int h = 0; h < H; h++) {
        std::vector<const float *> ks, vs;
        auto add = [&](int64_t row) {
            ks.push_back(key(h, row));
            vs.push_back(val(h, row));
        };
        if (sparse) {
            const int64_t n_full = len / B;
            if (top_k > 0 && n_full > 0)
                for (int32_t c : sel[size_t(scope == RWKVX_ATTN_SCOPE_ALL ? 0 : h)])
                    for (int64_t j = int64_t(c) * B; j < int64_t(c + 1) * B; j++) add(j);
            for (int64_t j = n_full * B; j < len; j++) add(j);
        } else {
            for (int64_t j = 0; j < len; j++) add(j);
        }
        ks.push_back(nw.k_row(0, h));
        vs.push_back(nw.v_row(0, h));
        attend_ref(&q[size_t(h) * D], ks, vs, D, scale, &r.o[size_t(h) * D], &r.lse[size_t(h)]);
    }
    return r;
}

struct Out {
    std::vector<float> o, lse;
    uint32_t diag = 0;
    bool ok = true;
};

// The device buffers of one decode step: the query, the new token's K/V, the outputs, the flag word.
struct StepBuffers {
    Device<float> q, o, lse;
    Device<uint8_t> k_new, v_new;
    Device<uint32_t> diag;
    StepBuffers(const std::vector<float> &q_host, const Tokens &nw, int H, int D)
        : q(q_host), o(size_t(H) * D), lse(static_cast<size_t>(H)), k_new(nw.k_raw), v_new(nw.v_raw), diag(1) {}
    // A step over the first len rows of the cache c.
    DecodeParams params(const KvDevice &c, int64_t len, bool sparse, int top_k, int scope, float scale) const {
        return DecodeParams{q.ptr, c, len, k_new.ptr, v_new.ptr, o.ptr, lse.ptr, sparse, top_k, scope, scale, diag.ptr};
    }
};

// One device decode step; outputs pre-filled with NaN so an unwritten element fails.
Out run_decode(const KvDevice &c, int64_t len, const std::vector<float> &q, const Tokens &nw, bool sparse, int top_k,
               int scope, float scale) {
    Out out;
    StepBuffers b(q, nw, c.H, c.D);
    GPU_CHECK(cudaMemset(b.o.ptr, 0xFF, b.o.n * sizeof(float)));
    GPU_CHECK(cudaMemset(b.lse.ptr, 0xFF, b.lse.n * sizeof(float)));
    try {
        rwkvx::cuda::decode_step(b.params(c, len, sparse, top_k, scope, scale), nullptr);
        GPU_CHECK(cudaDeviceSynchronize());
    } catch (const rwkvx::Error &e) {
        expect(false, std::string("decode_step threw: ") + e.what());
        out.ok = false;
    }
    out.o = b.o.download();
    out.lse = b.lse.download();
    out.diag = b.diag.download()[0];
    return out;
}

// Worst scaled error of o and lse against the reference (<= 1 passes; NaN/Inf fail).
double compare(const Out &out, const Ref &ref, double tol) {
    double e = gpu_test::scaled_error(out.o.data(), ref.o.data(), out.o.size(), tol, 0.0);
    e = worse(e, gpu_test::scaled_error(out.lse.data(), ref.lse.data(), out.lse.size(), tol, 0.0));
    for (float x : out.o) e = std::isfinite(x) ? e : worse(e, INFINITY);
    return out.ok ? e : INFINITY;
}

struct Group {
    const char *name;
    int cases = 0;
    double worst = 0;
    void add(double e, const std::string &what) {
        cases++;
        worst = worse(worst, e);
        expect(e <= 1.0, std::string(name) + ": " + what + " scaled error " + std::to_string(e));
    }
    void print(const char *extra = "") const {
        std::printf("%-34s %4d cases, worst scaled error %.3g%s\n", name, cases, worst, extra);
    }
};

std::string case_name(int dtype, int H, int D, int B, int64_t len, bool sparse, int top_k, int scope) {
    return std::string(dtype_name(dtype)) + " H" + std::to_string(H) + " D" + std::to_string(D) + " B" +
           std::to_string(B) + " len " + std::to_string(len) +
           (sparse ? std::string(" sparse top_k ") + std::to_string(top_k) +
                         (scope == RWKVX_ATTN_SCOPE_ALL ? " ALL" : " HEAD")
                   : std::string(" full"));
}

// ---- 1. append in pieces: sums bit for bit, rows equal ---------------------------------------------

void test_append() {
    int cases = 0, bad_sums = 0, bad_rows = 0;
    const int64_t pieces[] = {1, 5, 37, 100, 250, 1, 306};  // 700 tokens
    for (int dtype : {RWKVX_DTYPE_F32, RWKVX_DTYPE_F16, RWKVX_DTYPE_BF16})
        for (auto shape : {std::pair<int, int>{64, 16}, {48, 100}, {256, 7}}) {
            const int H = 3, D = shape.first, B = shape.second;
            const int64_t n = 700, cap = 800;
            Tokens tok(n, H, D, dtype, 11 + D + B + dtype);
            DevCache dc(H, D, dtype, B, cap);
            // Strided sources (token strides beyond H*D), K and V with different strides.
            const int64_t ks = int64_t(H) * D + 8, vs = int64_t(H) * D + 24;
            std::vector<uint8_t> sk(size_t(n * ks) * esize(dtype), 0xFF), sv(size_t(n * vs) * esize(dtype), 0xFF);
            for (int64_t t = 0; t < n; t++) {
                std::memcpy(&sk[size_t(t * ks) * esize(dtype)], &tok.k_raw[tok.at(t, 0) * esize(dtype)],
                            size_t(H * D) * esize(dtype));
                std::memcpy(&sv[size_t(t * vs) * esize(dtype)], &tok.v_raw[tok.at(t, 0) * esize(dtype)],
                            size_t(H * D) * esize(dtype));
            }
            Device<uint8_t> dk(sk), dv(sv);
            try {
                rwkvx::cuda::kv_clear_sums(dc.c, nullptr);
                int64_t len = 0;
                for (int64_t piece : pieces) {
                    rwkvx::cuda::kv_append(dc.c, len, dk.ptr + size_t(len * ks) * esize(dtype),
                                           dv.ptr + size_t(len * vs) * esize(dtype), piece, ks, vs, nullptr);
                    len += piece;
                }
                GPU_CHECK(cudaDeviceSynchronize());
            } catch (const rwkvx::Error &e) {
                expect(false, std::string("kv_append threw: ") + e.what());
            }
            const std::vector<float> want =
                host_sums(H, D, B, dc.c.slots, n, [&](int h, int64_t r) { return tok.k_row(r, h); });
            const std::vector<float> got = dc.sums.download();
            const bool sums_equal = std::memcmp(want.data(), got.data(), want.size() * sizeof(float)) == 0;
            // Rows [0, n) equal the tokens, rows beyond untouched (still the poison bytes).
            const std::vector<uint8_t> gk = dc.k.download(), gv = dc.v.download();
            bool rows_equal = true;
            const size_t rb = size_t(D) * esize(dtype);
            for (int h = 0; h < H; h++)
                for (int64_t r = 0; r < cap; r++) {
                    const size_t off = size_t(h * cap + r) * rb;
                    if (r < n) {
                        rows_equal &= std::memcmp(&gk[off], &tok.k_raw[tok.at(r, h) * esize(dtype)], rb) == 0;
                        rows_equal &= std::memcmp(&gv[off], &tok.v_raw[tok.at(r, h) * esize(dtype)], rb) == 0;
                    } else {
                        for (size_t b = 0; b < rb; b++) rows_equal &= gk[off + b] == 0xFF && gv[off + b] == 0xFF;
                    }
                }
            const std::string what =
                std::string(dtype_name(dtype)) + " D" + std::to_string(D) + " B" + std::to_string(B);
            expect(sums_equal, "append: chunk sums differ from the host token-order sums, " + what);
            expect(rows_equal, "append: cache rows differ, " + what);
            cases++;
            bad_sums += !sums_equal;
            bad_rows += !rows_equal;
        }
    std::printf("%-34s %4d cases, sums not bitwise %d, rows wrong %d\n", "append in pieces (sums, rows)", cases,
                bad_sums, bad_rows);
}

// ---- 2. decode, full and sparse, against float64 ---------------------------------------------------

void decode_cases(Group &g, int dtype, int H, int D, int B, const std::vector<int64_t> &lens,
                  const std::vector<int> &top_ks, uint64_t seed) {
    const int64_t max_len = *std::max_element(lens.begin(), lens.end());
    Tokens tok(max_len, H, D, dtype, seed);
    DevCache dc(H, D, dtype, B, max_len + 3);
    const float scale = 1.0f / std::sqrt(float(D));
    for (int64_t len : lens) {
        dc.poison();
        dc.fill(tok, len);
        const std::vector<float> sums =
            host_sums(H, D, B, dc.c.slots, len, [&](int h, int64_t r) { return tok.k_row(r, h); });
        auto key = [&](int h, int64_t r) { return tok.k_row(r, h); };
        auto val = [&](int h, int64_t r) { return tok.v_row(r, h); };
        struct Mode {
            bool sparse;
            int top_k, scope;
        };
        std::vector<Mode> modes = {{false, 0, 0}};
        for (int tk : top_ks)
            for (int scope : {RWKVX_ATTN_SCOPE_HEAD, RWKVX_ATTN_SCOPE_ALL}) modes.push_back({true, tk, scope});
        uint64_t s = seed * 1000 + uint64_t(len);
        for (const Mode &m : modes) {
            const std::vector<float> q = random_q(H, D, ++s);
            const Tokens nw(1, H, D, dtype, ++s);
            const Out out = run_decode(dc.c, len, q, nw, m.sparse, m.top_k, m.scope, scale);
            const Ref ref =
                ref_decode(H, D, B, dc.c.slots, len, sums, key, val, q, nw, m.sparse, m.top_k, m.scope, scale);
            const std::string what = case_name(dtype, H, D, B, len, m.sparse, m.top_k, m.scope);
            g.add(compare(out, ref, tolerance(dtype)), what);
            expect(out.diag == (ref.nan ? uint32_t(RWKVX_ATTN_DIAG_NAN_SCORE) : 0u), "diag word, " + what);
        }
    }
}

void test_decode() {
    Group g{"decode full/sparse vs float64"};
    for (int dtype : {RWKVX_DTYPE_F32, RWKVX_DTYPE_F16, RWKVX_DTYPE_BF16})
        for (int D : {64, 128})
            for (int B : {16, 100})
                decode_cases(g, dtype, 3, D, B, {1, B - 1, B, 5 * B + 7, 2600}, {0, 3, 64},
                             uint64_t(100 + dtype * 10 + D + B));
    g.print();
    // Other head sizes (the lane guards), many heads (grid limits) and a large top_k below the chunks.
    Group w{"decode other shapes"};
    decode_cases(w, RWKVX_DTYPE_F32, 2, 48, 16, {1, 16, 87, 700}, {0, 3, 64}, 7);
    decode_cases(w, RWKVX_DTYPE_BF16, 2, 256, 32, {1, 33, 1500}, {3, 20}, 8);
    decode_cases(w, RWKVX_DTYPE_F16, 2, 16, 8, {5, 8, 300}, {2, 64}, 9);
    decode_cases(w, RWKVX_DTYPE_F16, 4096, 64, 16, {1, 37}, {1}, 10);
    w.print();
}

// ---- 3. decode after appending t tokens equals the causal row t ------------------------------------

void test_decode_after_append() {
    Group g{"decode after appends vs causal rows"};
    for (int dtype : {RWKVX_DTYPE_F32, RWKVX_DTYPE_BF16}) {
        const int H = 2, D = 64, B = 16, top_k = 2;
        const int64_t T = 130;
        Tokens tok(T, H, D, dtype, 300 + dtype);
        const float scale = 1.0f / std::sqrt(float(D));
        DevCache dc(H, D, dtype, B, T);
        Device<uint8_t> dk(tok.k_raw), dv(tok.v_raw);
        rwkvx::cuda::kv_clear_sums(dc.c, nullptr);
        auto key = [&](int h, int64_t r) { return tok.k_row(r, h); };
        auto val = [&](int h, int64_t r) { return tok.v_row(r, h); };
        const size_t row_bytes = size_t(H) * D * esize(dtype);
        for (int64_t t = 0; t < T; t++) {
            const std::vector<float> q = random_q(H, D, 5000 + t);
            // Token t as the new row (its own Tokens with the same bits).
            Tokens nw(1, H, D, dtype, 1);
            std::memcpy(nw.k_raw.data(), &tok.k_raw[size_t(t) * row_bytes], row_bytes);
            std::memcpy(nw.v_raw.data(), &tok.v_raw[size_t(t) * row_bytes], row_bytes);
            std::copy(tok.k.begin() + tok.at(t, 0), tok.k.begin() + tok.at(t + 1, 0), nw.k.begin());
            std::copy(tok.v.begin() + tok.at(t, 0), tok.v.begin() + tok.at(t + 1, 0), nw.v.begin());
            const std::vector<float> sums = host_sums(H, D, B, dc.c.slots, t, key);
            const Out full = run_decode(dc.c, t, q, nw, false, 0, 0, scale);
            // Row t of full causal attention: keys 0..t.
            const Ref causal = ref_decode(H, D, B, dc.c.slots, t, sums, key, val, q, nw, false, 0, 0, scale);
            g.add(compare(full, causal, tolerance(dtype)), case_name(dtype, H, D, B, t, false, 0, 0));
            for (int scope : {RWKVX_ATTN_SCOPE_HEAD, RWKVX_ATTN_SCOPE_ALL}) {
                const Out sp = run_decode(dc.c, t, q, nw, true, top_k, scope, scale);
                const Ref ref = ref_decode(H, D, B, dc.c.slots, t, sums, key, val, q, nw, true, top_k, scope, scale);
                g.add(compare(sp, ref, tolerance(dtype)), case_name(dtype, H, D, B, t, true, top_k, scope));
            }
            try {
                rwkvx::cuda::kv_append(dc.c, t, dk.ptr + size_t(t) * row_bytes, dv.ptr + size_t(t) * row_bytes, 1,
                                       int64_t(H) * D, int64_t(H) * D, nullptr);
            } catch (const rwkvx::Error &e) {
                expect(false, std::string("kv_append threw: ") + e.what());
            }
        }
        GPU_CHECK(cudaDeviceSynchronize());
        const std::vector<float> want = host_sums(H, D, B, dc.c.slots, T, key), got = dc.sums.download();
        expect(std::memcmp(want.data(), got.data(), want.size() * sizeof(float)) == 0,
               std::string("sums after one-token appends not bitwise, ") + dtype_name(dtype));
    }
    g.print();
}

// ---- 4. planted Inf/NaN in excluded keys -------------------------------------------------------------

void test_planted() {
    Group g{"planted Inf/NaN in excluded keys"};
    int flagged = 0;
    for (int dtype : {RWKVX_DTYPE_F32, RWKVX_DTYPE_F16, RWKVX_DTYPE_BF16})
        for (int B : {16, 70})
            for (int scope : {RWKVX_ATTN_SCOPE_HEAD, RWKVX_ATTN_SCOPE_ALL})
                for (int64_t len : {int64_t(5 * B + 7), int64_t(18 * B + 3)}) {
                    const int H = 3, D = 64, top_k = 3;
                    const float scale = 1.0f / std::sqrt(float(D));
                    Tokens tok(len, H, D, dtype, 700 + uint64_t(B + len + scope + dtype));
                    // NaN in one key of chunk 1 (every head): its chunk's sum and score are NaN, so it
                    // ranks lowest and is flagged.
                    for (int h = 0; h < H; h++) tok.set_k(B + 2, h, 5, NAN);
                    const std::vector<float> q = random_q(H, D, 900 + uint64_t(len));
                    const Tokens nw(1, H, D, dtype, 901 + uint64_t(len));
                    auto key = [&](int h, int64_t r) { return tok.k_row(r, h); };
                    auto val = [&](int h, int64_t r) { return tok.v_row(r, h); };
                    DevCache dc(H, D, dtype, B, len + 40);  // rows beyond len stay NaN
                    const std::vector<float> sums = host_sums(H, D, B, dc.c.slots, len, key);
                    bool nan = false;
                    const auto sel = host_select(q, sums, H, D, B, dc.c.slots, len, top_k, scope, &nan);
                    // ±Inf and NaN in the values of an unselected complete chunk of each head (values do
                    // not enter the sums, so the selection stays).
                    for (int h = 0; h < H; h++) {
                        const auto &sh = sel[size_t(scope == RWKVX_ATTN_SCOPE_ALL ? 0 : h)];
                        for (int64_t c = len / B - 1; c >= 0; c--)
                            if (c != 1 && std::find(sh.begin(), sh.end(), int32_t(c)) == sh.end()) {
                                tok.set_v(c * B + 3, h, 0, INFINITY);
                                tok.set_v(c * B + 4, h, 1, -INFINITY);
                                tok.set_v(c * B + 5, h, 2, NAN);
                                break;
                            }
                    }
                    dc.fill(tok, len);
                    for (int tk : {0, top_k}) {
                        const Out out = run_decode(dc.c, len, q, nw, true, tk, scope, scale);
                        const Ref ref =
                            ref_decode(H, D, B, dc.c.slots, len, sums, key, val, q, nw, true, tk, scope, scale);
                        const std::string what = case_name(dtype, H, D, B, len, true, tk, scope);
                        g.add(compare(out, ref, tolerance(dtype)), what);
                        expect(out.diag == (ref.nan ? uint32_t(RWKVX_ATTN_DIAG_NAN_SCORE) : 0u), "diag word, " + what);
                        expect(ref.nan == (tk > 0), "the reference flags the planted NaN key, " + what);
                        flagged += out.diag != 0;
                    }
                }
    g.print((", NaN-score flags " + std::to_string(flagged)).c_str());
}

// ---- 5. compression ------------------------------------------------------------------------------------

void test_compress() {
    Group g{"decode after compression"};
    int cases = 0, near_ties = 0;
    for (int dtype : {RWKVX_DTYPE_F32, RWKVX_DTYPE_BF16})
        for (int n_q : {0, 1, 4}) {
            const int H = 3, D = 64, B = 16;
            const int64_t len = 200, window = 24, min_size = 72, cap = 230;
            const int64_t past = len - window, keep = min_size - window;
            const float scale = 1.0f / std::sqrt(float(D));
            Tokens tok(len, H, D, dtype, 1200 + uint64_t(n_q + dtype));
            // Value element 0 carries the token id as t/256 (exact in BF16 for t < 256, and O(1) like the
            // other values) to identify the kept rows.
            for (int64_t t = 0; t < len; t++)
                for (int h = 0; h < H; h++) tok.set_v(t, h, 0, float(t) / 256.0f);
            std::vector<float> q(size_t(std::max(n_q, 1)) * H * D);
            {
                Rng r(1300 + uint64_t(n_q));
                for (float &x : q) x = 2.5f * r.unit();  // peaked votes: few near-ties
            }
            DevCache dc(H, D, dtype, B, cap);
            dc.fill(tok, len);
            Device<float> dq(q);
            try {
                rwkvx::cuda::kv_compress(dc.c, len, window, min_size, dq.ptr, n_q, int64_t(H) * D, scale, nullptr);
                GPU_CHECK(cudaDeviceSynchronize());
            } catch (const rwkvx::Error &e) {
                expect(false, std::string("kv_compress threw: ") + e.what());
            }
            const std::string what = std::string(dtype_name(dtype)) + " n_q " + std::to_string(n_q);
            // Host votes in double, ranked with the CPU's comparator.
            std::vector<std::vector<int64_t>> want(static_cast<size_t>(H));
            std::vector<std::vector<double>> votes(size_t(H), std::vector<double>(size_t(past), 0.0));
            for (int h = 0; h < H; h++) {
                std::vector<double> s(static_cast<size_t>(past));
                for (int i = 0; i < n_q; i++) {
                    double mx = -INFINITY, z = 0;
                    for (int64_t j = 0; j < past; j++) {
                        double dot = 0;
                        for (int d = 0; d < D; d++)
                            dot += double(q[size_t((i * H + h) * D + d)]) * tok.k[tok.at(j, h, d)];
                        s[size_t(j)] = scale * dot;
                        mx = std::max(mx, s[size_t(j)]);
                    }
                    for (double x : s) z += std::exp(x - mx);
                    for (int64_t j = 0; j < past; j++) votes[size_t(h)][size_t(j)] += std::exp(s[size_t(j)] - mx) / z;
                }
                const auto &vh = votes[size_t(h)];
                std::vector<int64_t> order(static_cast<size_t>(past));
                for (int64_t j = 0; j < past; j++) order[size_t(j)] = j;
                std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
                    return vh[size_t(a)] > vh[size_t(b)] || (vh[size_t(a)] == vh[size_t(b)] && a > b);
                });
                want[size_t(h)].assign(order.begin(), order.begin() + keep);
                std::sort(want[size_t(h)].begin(), want[size_t(h)].end());
            }
            // The device's kept tokens, read from the value ids.
            const std::vector<uint8_t> gk = dc.k.download(), gv = dc.v.download();
            Tokens kept(min_size, H, D, dtype, 1);  // row r of head h: the cache's row r after compression
            std::vector<std::vector<int64_t>> ids(static_cast<size_t>(H));
            bool rows_ok = true, order_ok = true, set_ok = true;
            const size_t eb = esize(dtype), rb = size_t(D) * eb;
            for (int h = 0; h < H; h++) {
                for (int64_t r = 0; r < min_size; r++) {
                    const size_t off = size_t(h * cap + r) * rb;
                    std::memcpy(&kept.k_raw[kept.at(r, h) * eb], &gk[off], rb);
                    std::memcpy(&kept.v_raw[kept.at(r, h) * eb], &gv[off], rb);
                    for (int d = 0; d < D; d++) {
                        float x;
                        if (dtype == RWKVX_DTYPE_F32) {
                            std::memcpy(&x, &kept.k_raw[kept.at(r, h, d) * 4], 4);
                            kept.k[kept.at(r, h, d)] = x;
                            std::memcpy(&x, &kept.v_raw[kept.at(r, h, d) * 4], 4);
                            kept.v[kept.at(r, h, d)] = x;
                        } else {
                            __nv_bfloat16 b;
                            std::memcpy(&b, &kept.k_raw[kept.at(r, h, d) * 2], 2);
                            kept.k[kept.at(r, h, d)] = __bfloat162float(b);
                            std::memcpy(&b, &kept.v_raw[kept.at(r, h, d) * 2], 2);
                            kept.v[kept.at(r, h, d)] = __bfloat162float(b);
                        }
                    }
                    const float idf = kept.v[kept.at(r, h, 0)] * 256.0f;
                    const int64_t id = int64_t(idf);
                    if (!(idf >= 0 && idf < float(len)) || float(id) != idf) {
                        rows_ok = false;
                        ids[size_t(h)].push_back(0);
                        continue;
                    }
                    ids[size_t(h)].push_back(id);
                    rows_ok &= std::memcmp(&kept.k_raw[kept.at(r, h) * eb], &tok.k_raw[tok.at(id, h) * eb], rb) == 0;
                    rows_ok &= std::memcmp(&kept.v_raw[kept.at(r, h) * eb], &tok.v_raw[tok.at(id, h) * eb], rb) == 0;
                }
                const auto &id = ids[size_t(h)];
                for (int64_t r = 0; r < keep; r++)
                    order_ok &= id[size_t(r)] < past && (r == 0 || id[size_t(r)] > id[size_t(r - 1)]);
                for (int64_t r = keep; r < min_size; r++) order_ok &= id[size_t(r)] == past + (r - keep);
                // The kept older tokens: the host's set, or a swap across a near-tie of the votes.
                const std::vector<int64_t> got(id.begin(), id.begin() + keep);
                if (got != want[size_t(h)]) {
                    const auto &vh = votes[size_t(h)];
                    double min_in = INFINITY, max_out = -INFINITY;
                    for (int64_t j : got) min_in = std::min(min_in, vh[size_t(j)]);
                    for (int64_t j = 0; j < past; j++)
                        if (std::find(got.begin(), got.end(), j) == got.end())
                            max_out = std::max(max_out, vh[size_t(j)]);
                    const bool near_tie = min_in >= max_out - 1e-6 * std::max(1.0, max_out);
                    near_ties += near_tie;
                    set_ok &= near_tie;
                }
            }
            expect(rows_ok, "compress: kept rows are not the original rows, " + what);
            expect(order_ok, "compress: kept tokens not in order / window not last, " + what);
            expect(set_ok, "compress: kept tokens are not the most voted, " + what);
            // The sums rebuilt over the compressed rows in token order (every other slot zero).
            const std::vector<float> want_sums =
                host_sums(H, D, B, dc.c.slots, min_size, [&](int h, int64_t r) { return kept.k_row(r, h); });
            const std::vector<float> got_sums = dc.sums.download();
            expect(std::memcmp(want_sums.data(), got_sums.data(), want_sums.size() * sizeof(float)) == 0,
                   "compress: sums not rebuilt bit for bit, " + what);
            cases++;
            // Decode over the compressed cache.
            auto key = [&](int h, int64_t r) { return kept.k_row(r, h); };
            auto val = [&](int h, int64_t r) { return kept.v_row(r, h); };
            const std::vector<float> q1 = random_q(H, D, 1400 + uint64_t(n_q));
            const Tokens nw(1, H, D, dtype, 1401 + uint64_t(n_q));
            for (bool sparse : {false, true}) {
                const Out out = run_decode(dc.c, min_size, q1, nw, sparse, 2, RWKVX_ATTN_SCOPE_HEAD, scale);
                const Ref ref = ref_decode(H, D, B, dc.c.slots, min_size, want_sums, key, val, q1, nw, sparse, 2,
                                           RWKVX_ATTN_SCOPE_HEAD, scale);
                g.add(compare(out, ref, tolerance(dtype)), "after compression " + what);
            }
        }
    // Nothing happens at or below min_size.
    {
        const int H = 2, D = 64, B = 16, dtype = RWKVX_DTYPE_F16;
        Tokens tok(72, H, D, dtype, 1500);
        DevCache dc(H, D, dtype, B, 100);
        dc.fill(tok, 72);
        const std::vector<uint8_t> k0 = dc.k.download();
        const std::vector<float> s0 = dc.sums.download();
        Device<float> dq(random_q(H, D, 1501));
        rwkvx::cuda::kv_compress(dc.c, 72, 8, 72, dq.ptr, 1, int64_t(H) * D, 0.125f, nullptr);
        GPU_CHECK(cudaDeviceSynchronize());
        expect(dc.k.download() == k0 && dc.sums.download() == s0, "compress at min_size changed the cache");
    }
    std::printf("%-34s %4d cases, near-tie swaps %d\n", "compression (rows, order, sums)", cases, near_ties);
    g.print();
}

// ---- 6. a 128K-token cache: sparse vs full time, and both outputs --------------------------------------

__global__ void fill_random_bf16(__nv_bfloat16 *x, int64_t n, uint64_t seed) {
    for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < n; i += int64_t(gridDim.x) * blockDim.x) {
        uint64_t z = (uint64_t(i) + seed) * 0x9E3779B97F4A7C15ull;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        x[i] = __float2bfloat16_rn(float((double(z >> 11) * 0x1.0p-53 * 2.0 - 1.0) * 1.7320508075688772));
    }
}

void test_long_cache() {
    const int H = 32, D = 128, B = 64, top_k = 8, dtype = RWKVX_DTYPE_BF16;
    const int64_t pattern = 8192, reps = 16, tail = 37, len = pattern * reps + tail;
    const float scale = 1.0f / std::sqrt(float(D));
    DevCache dc(H, D, dtype, B, len + B);
    Device<uint8_t> src_k(size_t(pattern) * H * D * 2), src_v(src_k.n);
    fill_random_bf16<<<1024, 256>>>(reinterpret_cast<__nv_bfloat16 *>(src_k.ptr), int64_t(pattern) * H * D, 1);
    fill_random_bf16<<<1024, 256>>>(reinterpret_cast<__nv_bfloat16 *>(src_v.ptr), int64_t(pattern) * H * D, 77777777);
    GPU_CHECK(cudaGetLastError());
    rwkvx::cuda::kv_clear_sums(dc.c, nullptr);
    for (int64_t r = 0; r < reps; r++)
        rwkvx::cuda::kv_append(dc.c, r * pattern, src_k.ptr, src_v.ptr, pattern, int64_t(H) * D, int64_t(H) * D,
                               nullptr);
    rwkvx::cuda::kv_append(dc.c, reps * pattern, src_k.ptr, src_v.ptr, tail, int64_t(H) * D, int64_t(H) * D, nullptr);
    GPU_CHECK(cudaDeviceSynchronize());

    // Host copy of the pattern; row r of the cache is pattern row r mod 8192 (8192 is a multiple of B,
    // so chunk c's sum is pattern chunk c mod 128's, and the repeated chunks tie: the newest win).
    Tokens tok(pattern, H, D, dtype, 1);
    tok.k_raw = src_k.download();
    tok.v_raw = src_v.download();
    for (size_t i = 0; i < tok.k.size(); i++) {
        __nv_bfloat16 b;
        std::memcpy(&b, &tok.k_raw[i * 2], 2);
        tok.k[i] = __bfloat162float(b);
        std::memcpy(&b, &tok.v_raw[i * 2], 2);
        tok.v[i] = __bfloat162float(b);
    }
    auto key = [&](int h, int64_t r) { return tok.k_row(r % pattern, h); };
    auto val = [&](int h, int64_t r) { return tok.v_row(r % pattern, h); };
    const std::vector<float> pat_sums = host_sums(H, D, B, pattern / B + 1, pattern, key);
    std::vector<float> sums(size_t(H) * dc.c.slots * D, 0.0f);
    for (int h = 0; h < H; h++)
        for (int64_t c = 0; c <= len / B; c++) {
            const int64_t pc = c % (pattern / B);
            for (int d = 0; d < D; d++) {
                float s = pat_sums[size_t((h * (pattern / B + 1) + pc) * D + d)];
                if (c == len / B) {  // the partial last chunk: the first `tail` rows of pattern chunk 0
                    s = 0.0f;
                    for (int64_t r = 0; r < tail; r++) s = rwkvx::rules::add_rn(s, tok.k[tok.at(r, h, d)]);
                }
                sums[size_t((h * dc.c.slots + c) * D + d)] = s;
            }
        }
    expect(dc.sums.download() == sums, "128K cache: sums not bitwise after 17 appends");

    Group g{"128K cache full/sparse vs float64"};
    const std::vector<float> q = random_q(H, D, 4242);
    const Tokens nw(1, H, D, dtype, 4243);
    for (int scope : {RWKVX_ATTN_SCOPE_HEAD, RWKVX_ATTN_SCOPE_ALL}) {
        const Out out = run_decode(dc.c, len, q, nw, true, top_k, scope, scale);
        const Ref ref = ref_decode(H, D, B, dc.c.slots, len, sums, key, val, q, nw, true, top_k, scope, scale);
        g.add(compare(out, ref, tolerance(dtype)), case_name(dtype, H, D, B, len, true, top_k, scope));
    }
    {
        const Out out = run_decode(dc.c, len, q, nw, false, 0, 0, scale);
        const Ref ref = ref_decode(H, D, B, dc.c.slots, len, sums, key, val, q, nw, false, 0, 0, scale);
        g.add(compare(out, ref, tolerance(dtype)), case_name(dtype, H, D, B, len, false, 0, 0));
    }
    g.print();

    // Timing (informational; the sparse step reads ~top_k*B + remainder keys instead of 128K).
    const StepBuffers step(q, nw, H, D);
    auto time_us = [&](bool sparse) {
        const DecodeParams p = step.params(dc.c, len, sparse, top_k, RWKVX_ATTN_SCOPE_HEAD, scale);
        for (int i = 0; i < 3; i++) rwkvx::cuda::decode_step(p, nullptr);
        cudaEvent_t a, b;
        GPU_CHECK(cudaEventCreate(&a));
        GPU_CHECK(cudaEventCreate(&b));
        const int iters = 20;
        GPU_CHECK(cudaEventRecord(a));
        for (int i = 0; i < iters; i++) rwkvx::cuda::decode_step(p, nullptr);
        GPU_CHECK(cudaEventRecord(b));
        GPU_CHECK(cudaEventSynchronize(b));
        float ms = 0;
        GPU_CHECK(cudaEventElapsedTime(&ms, a, b));
        cudaEventDestroy(a);
        cudaEventDestroy(b);
        return 1000.0 * ms / iters;
    };
    try {
        const double full = time_us(false), sparse = time_us(true);
        std::printf("%-34s full %.1f us, sparse %.1f us, speed-up %.1fx (target >= 10x)%s\n", "128K cache decode time",
                    full, sparse, full / sparse, full / sparse >= 10 ? "" : "  WARN: below target");
    } catch (const rwkvx::Error &e) {
        expect(false, std::string("timing threw: ") + e.what());
    }
}

}  // namespace

int main() {
    if (!gpu_test::device_available()) return gpu_test::no_device_exit();
    test_append();
    test_decode();
    test_decode_after_append();
    test_planted();
    test_compress();
    test_long_cache();
    return finish();
}
