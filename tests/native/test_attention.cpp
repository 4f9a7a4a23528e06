// RWKV-X attention tests: full and sparse prefill, decode over the KV cache and its compression, in
// the scalar and AVX2 forms with 1 and 2 threads (and, when built with CUDA, on CUDA contexts with host
// and device memory: device_mirror.h), against a float64 reference written here (the sparse reference
// reuses the canonical fp32 chunk selection, re-implemented here from docs/rwkv-x.md §5.2).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <iterator>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "check.h"
#include "device_mirror.h"
#include "half_floats.h"
#include "rwkvx.h"
#include "test_setup.h"

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();

// Q/K/V of T tokens, H heads, D dims; K and V stored in dtype with `pad` extra poisoned rows after T.
struct Data {
    int64_t T;
    int H, D, dtype;
    std::vector<float> q;       // [T][H][D]
    std::vector<float> kf, vf;  // values as stored (rounded to dtype), [T+pad][H][D]
    std::vector<uint16_t> k16, v16;
    const void *k() const { return dtype == RWKVX_DTYPE_F32 ? (const void *)kf.data() : (const void *)k16.data(); }
    const void *v() const { return dtype == RWKVX_DTYPE_F32 ? (const void *)vf.data() : (const void *)v16.data(); }
    double K(int64_t t, int h, int d) const { return kf[size_t((t * H + h) * D + d)]; }
    double V(int64_t t, int h, int d) const { return vf[size_t((t * H + h) * D + d)]; }
    double Q(int64_t t, int h, int d) const { return q[size_t((t * H + h) * D + d)]; }
    // Re-rounds kf/vf to the dtype and fills the 16-bit copies.
    void store() {
        if (dtype == RWKVX_DTYPE_F32) return;
        k16.resize(kf.size());
        v16.resize(vf.size());
        for (size_t i = 0; i < kf.size(); i++) {
            k16[i] = dtype == RWKVX_DTYPE_F16 ? to_half(kf[i]) : to_bf16(kf[i]);
            v16[i] = dtype == RWKVX_DTYPE_F16 ? to_half(vf[i]) : to_bf16(vf[i]);
            kf[i] = dtype == RWKVX_DTYPE_F16 ? from_half(k16[i]) : from_bf16(k16[i]);
            vf[i] = dtype == RWKVX_DTYPE_F16 ? from_half(v16[i]) : from_bf16(v16[i]);
        }
    }
};

Data make_data(std::mt19937 &rng, int64_t T, int H, int D, int dtype, int64_t pad = 3, float qscale = 1.0f) {
    std::normal_distribution<float> n(0.0f, 1.0f);
    Data x{T, H, D, dtype, {}, {}, {}, {}, {}};
    x.q.resize(size_t(T * H * D));
    x.kf.resize(size_t((T + pad) * H * D));
    x.vf.resize(x.kf.size());
    for (auto &f : x.q) f = n(rng) * qscale;
    for (auto &f : x.kf) f = n(rng);
    for (auto &f : x.vf) f = n(rng);
    x.store();
    // Poison beyond T: must never be read.
    for (size_t i = size_t(T * H * D); i < x.kf.size(); i++) {
        x.kf[i] = x.vf[i] = std::numeric_limits<float>::quiet_NaN();
        if (dtype != RWKVX_DTYPE_F32) x.k16[i] = x.v16[i] = dtype == RWKVX_DTYPE_BF16 ? 0x7fc0 : 0x7e00;
    }
    return x;
}

// ---- reference -------------------------------------------------------------------------------

// Canonical chunk scores: fp32 sums in token order, mean = sum * (1/B), 8 FMA lanes, fixed tree.
float canon_dot(const float *q, const float *m, int n) {
    float p[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (int d = 0; d < n; d++) p[d % 8] = std::fma(q[d], m[d], p[d % 8]);
    return ((p[0] + p[4]) + (p[2] + p[6])) + ((p[1] + p[5]) + (p[3] + p[7]));
}

// Means [c][H][D] of the complete chunks of the first n tokens.
std::vector<float> canon_means(const Data &x, int64_t n, int B) {
    const int64_t nc = n / B, HD = int64_t(x.H) * x.D;
    std::vector<float> m(size_t(nc * HD), 0.0f);
    for (int64_t t = 0; t < nc * B; t++)
        for (int64_t i = 0; i < HD; i++) m[size_t((t / B) * HD + i)] += x.kf[size_t(t * HD + i)];
    for (auto &f : m) f *= 1.0f / float(B);
    return m;
}

// Top-k of chunks [0, n_cand): rank by score descending, ties to the higher index, NaN as -inf.
std::vector<int> canon_select(const std::vector<float> &scores, int k, bool *nan) {
    std::vector<int> idx;
    std::vector<bool> taken(scores.size(), false);
    for (int i = 0; i < k && i < int(scores.size()); i++) {
        int best = -1;
        float bs = 0;
        for (int c = 0; c < int(scores.size()); c++) {
            if (taken[size_t(c)]) continue;
            float s = scores[size_t(c)];
            if (std::isnan(s)) {
                *nan = true;
                s = -std::numeric_limits<float>::infinity();
            }
            if (best < 0 || s > bs || (s == bs && c > best)) best = c, bs = s;
        }
        taken[size_t(best)] = true;
    }
    for (int c = 0; c < int(scores.size()); c++)
        if (taken[size_t(c)]) idx.push_back(c);
    return idx;
}

// Selected past chunks of query t (head h; scope all: the shared one).
std::vector<int> ref_selection(const Data &x, const std::vector<float> &means, int64_t t, int h, int B, int k, bool all,
                               bool *nan) {
    const int64_t HD = int64_t(x.H) * x.D;
    std::vector<float> s;
    for (int64_t c = 0; c < t / B; c++) {
        if (all)
            s.push_back(canon_dot(&x.q[size_t(t * HD)], &means[size_t(c * HD)], int(HD)));
        else
            s.push_back(canon_dot(&x.q[size_t(t * HD + h * x.D)], &means[size_t(c * HD + h * x.D)], x.D));
    }
    return canon_select(s, k, nan);
}

// Softmax attention of query (t, h) over the given keys, float64.
void ref_attend(const Data &x, int64_t t, int h, const std::vector<int64_t> &keys, double *o, double *lse) {
    const double scale = 1.0 / std::sqrt(double(x.D));
    std::vector<double> s(keys.size());
    double mx = -INFINITY;
    for (size_t i = 0; i < keys.size(); i++) {
        double a = 0;
        for (int d = 0; d < x.D; d++) a += x.Q(t, h, d) * x.K(keys[i], h, d);
        s[i] = a * scale;
        if (s[i] > mx || std::isnan(s[i])) mx = s[i];
    }
    double l = 0;
    for (auto &v : s) l += (v = std::exp(v - mx));
    for (int d = 0; d < x.D; d++) {
        double a = 0;
        for (size_t i = 0; i < keys.size(); i++) a += s[i] * x.V(keys[i], h, d);
        o[d] = a / l;
    }
    *lse = mx + std::log(l);
}

// Keys of query t: full causal, or selected chunks + own chunk causally.
std::vector<int64_t> ref_keys(const Data &x, const std::vector<float> &means, int64_t t, int h, bool sparse, int B,
                              int k, bool all, bool *nan) {
    std::vector<int64_t> keys;
    if (!sparse) {
        for (int64_t j = 0; j <= t; j++) keys.push_back(j);
        return keys;
    }
    for (int c : ref_selection(x, means, t, h, B, k, all, nan))
        for (int64_t j = int64_t(c) * B; j < int64_t(c + 1) * B; j++) keys.push_back(j);
    for (int64_t j = (t / B) * B; j <= t; j++) keys.push_back(j);
    return keys;
}

rwkvx_attention_params params(const Data &x, float *o, float *lse, int mode, int B, int k, int scope) {
    rwkvx_attention_params p{};
    p.n_tokens = x.T;
    p.n_head = x.H;
    p.head_size = x.D;
    p.kv_dtype = x.dtype;
    p.mode = mode;
    p.causal = 1;
    p.chunk_size = B;
    p.top_k = k;
    p.scope = scope;
    p.q = x.q.data();
    p.k = x.k();
    p.v = x.v();
    p.o = o;
    p.lse = lse;
    return p;
}

double err_tol(int dtype) {
    return dtype == RWKVX_DTYPE_F32 ? 1e-5 : 2e-5;
}

// On CUDA, F16/BF16 K/V of head size 64 and 128 run on tensor cores, which round q and the softmax
// weights P to K/V's dtype (native/cuda/cuda_kernels.h, flash_prefill_mma): a few units of that
// dtype's rounding (2^-9 for BF16, 2^-11 for F16) on O(1) outputs and LSEs, not fp32's.
double err_tol(int dtype, int D, const device_mirror::Flavour &f) {
    if (f.cuda && dtype != RWKVX_DTYPE_F32 && (D == 64 || D == 128)) return dtype == RWKVX_DTYPE_BF16 ? 3e-2 : 8e-3;
    return err_tol(dtype);
}

std::string label(const Data &x, const char *what, int B, int k, int scope, const char *ctx) {
    char buf[200];
    std::snprintf(buf, sizeof buf, "%s T=%lld H=%d D=%d dtype=%d B=%d k=%d scope=%d [%s]", what, (long long)x.T, x.H,
                  x.D, x.dtype, B, k, scope, ctx);
    return buf;
}

// Runs a prefill in every context and compares every row with the reference. nan_row: (t, h) whose
// output must be NaN (all others finite); -1 = none.
void check_prefill(Contexts &ctxs, const Data &x, int mode, int B, int k, int scope, int64_t nan_t = -1, int nan_h = -1,
                   const Data *full_equal = nullptr) {
    const int64_t HD = int64_t(x.H) * x.D;
    std::vector<float> means = mode == RWKVX_ATTN_SPARSE ? canon_means(x, x.T, B) : std::vector<float>();
    bool ref_nan = false;
    std::vector<double> ro(size_t(x.T * HD)), rl(size_t(x.T * x.H));
    for (int64_t t = 0; t < x.T; t++)
        for (int h = 0; h < x.H; h++) {
            auto keys = ref_keys(x, means, t, h, mode == RWKVX_ATTN_SPARSE && !full_equal, B, k, scope == 1, &ref_nan);
            ref_attend(x, t, h, keys, &ro[size_t(t * HD + h * x.D)], &rl[size_t(t * x.H + h)]);
        }
    for (size_t ci = 0; ci < ctxs.list.size(); ci++) {
        std::vector<float> o(size_t(x.T * HD), -7.0f), lse(size_t(x.T * x.H), -7.0f);
        rwkvx_attention_params p = params(x, o.data(), lse.data(), mode, B, k, scope);
        rwkvx_status st = device_mirror::attention_prefill(ctxs.list[ci], &p);
        std::string name = label(x, mode ? "sparse prefill" : "full prefill", B, k, scope, ctxs.list[ci].name.c_str());
        expect(st == RWKVX_OK, name + ": status " + rwkvx_last_error());
        double worst = 0, worst_lse = 0;
        bool nan_ok = true;
        for (int64_t t = 0; t < x.T; t++)
            for (int h = 0; h < x.H; h++) {
                bool want_nan = t == nan_t && h == nan_h;
                for (int d = 0; d < x.D; d++) {
                    double got = o[size_t(t * HD + h * x.D + d)];
                    if (want_nan)
                        nan_ok &= std::isnan(got);
                    else if (!std::isfinite(got))
                        nan_ok = false, worst = INFINITY;
                    else
                        worst = worse(worst, std::fabs(got - ro[size_t(t * HD + h * x.D + d)]));
                }
                if (!want_nan)
                    worst_lse = worse(worst_lse, std::fabs(lse[size_t(t * x.H + h)] - rl[size_t(t * x.H + h)]));
            }
        expect(nan_ok, name + ": NaN confined to its row");
        const double tol = err_tol(x.dtype, x.D, ctxs.list[ci]);
        expect(worst <= tol, name + ": max |o - ref| = " + std::to_string(worst));
        expect(worst_lse <= tol, name + ": max |lse - ref| = " + std::to_string(worst_lse));
        if (mode == RWKVX_ATTN_SPARSE)
            expect(((p.diagnostics & RWKVX_ATTN_DIAG_NAN_SCORE) != 0) == ref_nan, name + ": NaN diagnostics flag");
    }
}

void test_full_prefill(Contexts &ctxs, std::mt19937 &rng) {
    for (int dtype : {RWKVX_DTYPE_F32, RWKVX_DTYPE_F16, RWKVX_DTYPE_BF16}) {
        check_prefill(ctxs, make_data(rng, 1, 2, 64, dtype), RWKVX_ATTN_FULL, 0, 0, 0);
        check_prefill(ctxs, make_data(rng, 150, 3, 64, dtype), RWKVX_ATTN_FULL, 0, 0, 0);
    }
    check_prefill(ctxs, make_data(rng, 70, 2, 16, RWKVX_DTYPE_F32), RWKVX_ATTN_FULL, 0, 0, 0);
    check_prefill(ctxs, make_data(rng, 67, 1, 48, RWKVX_DTYPE_F16), RWKVX_ATTN_FULL, 0, 0, 0);
    check_prefill(ctxs, make_data(rng, 40, 1, 256, RWKVX_DTYPE_BF16), RWKVX_ATTN_FULL, 0, 0, 0);
    // Large logits: online softmax must rescale correctly.
    check_prefill(ctxs, make_data(rng, 100, 2, 64, RWKVX_DTYPE_F32, 3, 6.0f), RWKVX_ATTN_FULL, 0, 0, 0);

    // T = 1: o = v0 exactly.
    Data x = make_data(rng, 1, 2, 64, RWKVX_DTYPE_F32);
    for (size_t ci = 0; ci < ctxs.list.size(); ci++) {
        std::vector<float> o(128);
        rwkvx_attention_params p = params(x, o.data(), nullptr, RWKVX_ATTN_FULL, 0, 0, 0);
        expect(device_mirror::attention_prefill(ctxs.list[ci], &p) == RWKVX_OK, "T=1 status");
        expect(std::memcmp(o.data(), x.vf.data(), 128 * 4) == 0,
               std::string("T=1: o == v0 exactly [") + ctxs.list[ci].name + "]");
    }
}

void test_sparse_prefill(Contexts &ctxs, std::mt19937 &rng) {
    for (int dtype : {RWKVX_DTYPE_F32, RWKVX_DTYPE_F16, RWKVX_DTYPE_BF16})
        for (int scope : {0, 1}) {
            Data x = make_data(rng, 203, 2, 64, dtype);  // T mod B != 0
            check_prefill(ctxs, x, RWKVX_ATTN_SPARSE, 16, 2, scope);
            check_prefill(ctxs, x, RWKVX_ATTN_SPARSE, 70, 1, scope);
        }
    Data x = make_data(rng, 90, 2, 32, RWKVX_DTYPE_F32);
    check_prefill(ctxs, x, RWKVX_ATTN_SPARSE, 1, 3, 0);    // B = 1
    check_prefill(ctxs, x, RWKVX_ATTN_SPARSE, 7, 0, 1);    // own chunk only
    check_prefill(ctxs, x, RWKVX_ATTN_SPARSE, 128, 2, 0);  // B > T
    // top_k >= chunks available (and T <= B): equals full attention.
    check_prefill(ctxs, x, RWKVX_ATTN_SPARSE, 16, 6, 0, -1, -1, &x);
    check_prefill(ctxs, x, RWKVX_ATTN_SPARSE, 100, 2, 1, -1, -1, &x);
    // Short path: T <= dense_below runs full.
    for (const auto &ctx : ctxs.first_and_cuda()) {
        std::vector<float> o(size_t(90 * 64)), of(o.size());
        rwkvx_attention_params p = params(x, o.data(), nullptr, RWKVX_ATTN_SPARSE, 8, 1, 0);
        p.dense_below = 90;
        device_mirror::attention_prefill(ctx, &p);
        rwkvx_attention_params f = params(x, of.data(), nullptr, RWKVX_ATTN_FULL, 0, 0, 0);
        device_mirror::attention_prefill(ctx, &f);
        expect(o == of, "sparse with T <= dense_below is the full kernel [" + ctx.name + "]");
    }

    // Ties: chunks 0 and 2 have identical keys (different values): the more recent one must win.
    {
        Data t = make_data(rng, 80, 2, 32, RWKVX_DTYPE_F32);
        const int B = 16, HD = 64;
        for (int i = 0; i < B * HD; i++) t.kf[size_t(2 * B * HD + i)] = t.kf[size_t(i)];
        for (int scope : {0, 1}) {
            std::vector<float> means = canon_means(t, t.T, B);
            bool nan = false;
            auto sel = ref_selection(t, means, 70, 0, B, 1, scope == 1, &nan);
            // The tie is exact by construction; make sure the reference really faced it.
            float s0 = canon_dot(&t.q[size_t(70 * HD)], &means[0], 32),
                  s2 = canon_dot(&t.q[size_t(70 * HD)], &means[size_t(2 * HD)], 32);
            expect(s0 == s2, "tie data has equal scores");
            check_prefill(ctxs, t, RWKVX_ATTN_SPARSE, B, 1, scope);
            check_prefill(ctxs, t, RWKVX_ATTN_SPARSE, B, 2, scope);
            (void)sel;
        }
    }
    // NaN in one query row: only that row is NaN; the NaN score ranks lowest and is reported.
    for (int scope : {0, 1}) {
        Data t = make_data(rng, 100, 2, 32, RWKVX_DTYPE_F32);
        t.q[size_t((77 * 2 + 1) * 32 + 5)] = std::numeric_limits<float>::quiet_NaN();
        check_prefill(ctxs, t, RWKVX_ATTN_SPARSE, 16, 2, scope, 77, 1);
        check_prefill(ctxs, t, RWKVX_ATTN_FULL, 0, 0, 0, 77, 1);
    }
    // Strided rows with poisoned gaps.
    for (const auto &ctx : ctxs.first_and_cuda()) {
        Data t = make_data(rng, 50, 2, 16, RWKVX_DTYPE_F32);
        const int64_t HD = 32, S = 40;
        std::vector<float> q(size_t(50 * S), NAN), k(size_t(50 * S), NAN), v(size_t(50 * S), NAN),
            o(size_t(50 * S), 5.0f);
        for (int64_t i = 0; i < 50; i++)
            for (int64_t j = 0; j < HD; j++) {
                q[size_t(i * S + j)] = t.q[size_t(i * HD + j)];
                k[size_t(i * S + j)] = t.kf[size_t(i * HD + j)];
                v[size_t(i * S + j)] = t.vf[size_t(i * HD + j)];
            }
        std::vector<float> dense(size_t(50 * HD));
        rwkvx_attention_params p = params(t, dense.data(), nullptr, RWKVX_ATTN_SPARSE, 8, 2, 0);
        device_mirror::attention_prefill(ctx, &p);
        p.q = q.data(), p.k = k.data(), p.v = v.data(), p.o = o.data();
        p.q_stride = p.k_stride = p.v_stride = p.o_stride = S;
        expect(device_mirror::attention_prefill(ctx, &p) == RWKVX_OK, "strided prefill status [" + ctx.name + "]");
        bool same = true;
        for (int64_t i = 0; i < 50; i++)
            for (int64_t j = 0; j < S; j++) {
                float want = j < HD ? dense[size_t(i * HD + j)] : 5.0f;
                same &= std::memcmp(&o[size_t(i * S + j)], &want, 4) == 0;
            }
        expect(same, "strided prefill equals the dense layout and leaves the gaps alone [" + ctx.name + "]");
    }
}

// Decode after appending t tokens equals prefill row t (and the reference), full and sparse.
void test_decode_consistency(Contexts &ctxs, std::mt19937 &rng) {
    for (int dtype : {RWKVX_DTYPE_F32, RWKVX_DTYPE_BF16})
        for (int mode : {RWKVX_ATTN_FULL, RWKVX_ATTN_SPARSE})
            for (int scope : {0, 1}) {
                if (mode == RWKVX_ATTN_FULL && scope == 1) continue;
                const int B = 16, k = 2;
                Data x = make_data(rng, 120, 3, 32, dtype);
                const int64_t HD = 96;
                for (size_t ci = 0; ci < ctxs.list.size(); ci++) {
                    std::vector<float> o(size_t(x.T * HD)), lse(size_t(x.T * 3));
                    rwkvx_attention_params p = params(x, o.data(), lse.data(), mode, B, k, scope);
                    device_mirror::attention_prefill(ctxs.list[ci], &p);
                    rwkvx_kv_cache_config cfg{3, 32, dtype, B, 200, 0, 0, 0};
                    rwkvx_kv_cache *cache = nullptr;
                    expect(rwkvx_kv_cache_create(ctxs.list[ci].ctx, &cfg, &cache) == RWKVX_OK, "cache create");
                    double worst = 0;
                    int64_t appended = 0;
                    for (int64_t t : {0, 1, 15, 16, 17, 47, 48, 64, 100, 119}) {
                        const int64_t esz = dtype == RWKVX_DTYPE_F32 ? 4 : 2;
                        device_mirror::kv_cache_append(ctxs.list[ci], cache, cfg,
                                                       (const char *)x.k() + appended * HD * esz,
                                                       (const char *)x.v() + appended * HD * esz, t - appended, 0, 0);
                        appended = t;
                        expect(rwkvx_kv_cache_length(cache) == t, "cache length after append");
                        std::vector<float> od(static_cast<size_t>(HD)), ld(3);
                        rwkvx_attention_params dp = params(x, od.data(), ld.data(), mode, B, k, scope);
                        dp.n_tokens = 1;
                        dp.q = &x.q[size_t(t * HD)];
                        dp.k = (const char *)x.k() + t * HD * esz;
                        dp.v = (const char *)x.v() + t * HD * esz;
                        rwkvx_status st = device_mirror::attention_decode(ctxs.list[ci], cache, &dp);
                        expect(st == RWKVX_OK, std::string("decode status: ") + rwkvx_last_error());
                        appended = t + 1;
                        for (int i = 0; i < HD; i++)
                            worst = worse(worst, double(std::fabs(od[size_t(i)] - o[size_t(t * HD + i)])));
                        for (int h = 0; h < 3; h++)
                            worst = worse(worst, double(std::fabs(ld[size_t(h)] - lse[size_t(t * 3 + h)])));
                    }
                    expect(worst <= 1e-5, label(x, "decode == prefill row", B, k, scope, ctxs.list[ci].name.c_str()) +
                                              " mode " + std::to_string(mode) + ": max diff " + std::to_string(worst));
                    rwkvx_kv_cache_free(cache);
                }
            }
}

// Several tokens per decode call continue the cache with the tiled prefill kernel: fed in uneven
// pieces (some of one token), every output row and LSE equals the one-call prefill's (itself checked
// against the float64 reference), in full and sparse mode, both scopes, all K/V dtypes, chunks
// smaller and larger than a 64-query tile, top_k 0 and more than the chunks; the cache ends with every
// token; a piece that does not fit is refused before anything changes.
struct ContinueCase {
    int dtype, mode, scope, B, k;
};

// Feeds x to a KV cache in `pieces` of tokens through rwkvx_attention_decode and compares every
// output with one rwkvx_attention_prefill of the whole sequence.
void check_pieces_equal_prefill(Contexts &ctxs, const Data &x, const ContinueCase &c,
                                const std::vector<int64_t> &pieces) {
    const int64_t H = x.H, D = x.D, HD = H * D, esz = c.dtype == RWKVX_DTYPE_F32 ? 4 : 2;
    for (size_t ci = 0; ci < ctxs.list.size(); ci++) {
        std::vector<float> o(size_t(x.T * HD)), lse(size_t(x.T * H));
        rwkvx_attention_params p = params(x, o.data(), lse.data(), c.mode, c.B, c.k, c.scope);
        expect(device_mirror::attention_prefill(ctxs.list[ci], &p) == RWKVX_OK,
               std::string("prefill: ") + rwkvx_last_error());
        rwkvx_kv_cache_config cfg{int32_t(H), int32_t(D), c.dtype, c.B, x.T, 0, 0, 0};
        rwkvx_kv_cache *cache = nullptr;
        expect(rwkvx_kv_cache_create(ctxs.list[ci].ctx, &cfg, &cache) == RWKVX_OK, "cache create");
        std::vector<float> od(size_t(x.T * HD), -7.0f), ld(size_t(x.T * H), -7.0f);
        int64_t t0 = 0;
        for (int64_t n : pieces) {
            rwkvx_attention_params dp = params(x, &od[size_t(t0 * HD)], &ld[size_t(t0 * H)], c.mode, c.B, c.k, c.scope);
            dp.n_tokens = n;
            dp.q = &x.q[size_t(t0 * HD)];
            dp.k = (const char *)x.k() + t0 * HD * esz;
            dp.v = (const char *)x.v() + t0 * HD * esz;
            expect(device_mirror::attention_decode(ctxs.list[ci], cache, &dp) == RWKVX_OK,
                   std::string("decode of ") + std::to_string(n) + " tokens: " + rwkvx_last_error());
            t0 += n;
        }
        expect(rwkvx_kv_cache_length(cache) == x.T, "the cache holds every token");
        double worst = 0;
        for (size_t i = 0; i < o.size(); i++) worst = worse(worst, double(std::fabs(od[i] - o[i])));
        for (size_t i = 0; i < lse.size(); i++) worst = worse(worst, double(std::fabs(ld[i] - lse[i])));
        if (std::isnan(worst)) worst = INFINITY;
        expect(worst <= err_tol(c.dtype, x.D, ctxs.list[ci]),
               label(x, "pieces == prefill", c.B, c.k, c.scope, ctxs.list[ci].name.c_str()) + " mode " +
                   std::to_string(c.mode) + ", " + std::to_string(pieces.size()) + " pieces: max diff " +
                   std::to_string(worst));
        rwkvx_attention_params full = params(x, od.data(), nullptr, c.mode, c.B, c.k, c.scope);
        full.n_tokens = 1;
        const std::string capacity = "capacity " + std::to_string(x.T);
        expect(device_mirror::attention_decode(ctxs.list[ci], cache, &full) == RWKVX_ERROR_ARGUMENT &&
                   std::strstr(rwkvx_last_error(), capacity.c_str()) != nullptr && rwkvx_kv_cache_length(cache) == x.T,
               std::string("a full cache refuses one more token: ") + rwkvx_last_error());
        rwkvx_kv_cache_free(cache);
    }
}

void test_decode_continues_cache(Contexts &ctxs, std::mt19937 &rng) {
    const ContinueCase cases[] = {
        {RWKVX_DTYPE_F32, RWKVX_ATTN_FULL, 0, 16, 2},   {RWKVX_DTYPE_F32, RWKVX_ATTN_SPARSE, 0, 16, 2},
        {RWKVX_DTYPE_F32, RWKVX_ATTN_SPARSE, 1, 16, 2}, {RWKVX_DTYPE_F16, RWKVX_ATTN_SPARSE, 0, 80, 1},
        {RWKVX_DTYPE_BF16, RWKVX_ATTN_SPARSE, 1, 8, 0}, {RWKVX_DTYPE_BF16, RWKVX_ATTN_SPARSE, 0, 8, 30},
        {RWKVX_DTYPE_F16, RWKVX_ATTN_FULL, 0, 8, 2},
    };
    for (const ContinueCase &c : cases)
        check_pieces_equal_prefill(ctxs, make_data(rng, 200, 3, 32, c.dtype), c, {37, 1, 26, 2, 70, 1, 63});
    // Full attention continuing a cache longer than the new tokens and than one key window (1024)
    // reads the cache a window at a time: 2 whole windows and a partial one here, with one and with
    // several query tiles.
    for (int dtype : {RWKVX_DTYPE_F32, RWKVX_DTYPE_BF16})
        check_pieces_equal_prefill(ctxs, make_data(rng, 2600, 2, 32, dtype), {dtype, RWKVX_ATTN_FULL, 0, 16, 2},
                                   {2300, 1, 150, 149});
}

// Compression keeps the window and, per head, the most-voted older tokens, in order; decode then
// attends exactly to [kept ; current].
void test_kv_compression(Contexts &ctxs, std::mt19937 &rng) {
    const int H = 2, D = 16, HD = 32;
    Data x = make_data(rng, 42, H, D, RWKVX_DTYPE_F32, 0);
    for (size_t ci = 0; ci < ctxs.list.size(); ci++) {
        rwkvx_kv_cache_config cfg{H, D, RWKVX_DTYPE_F32, 8, 64, 40, 8, 24};
        rwkvx_kv_cache *cache = nullptr;
        rwkvx_kv_cache_create(ctxs.list[ci].ctx, &cfg, &cache);
        device_mirror::kv_cache_append(ctxs.list[ci], cache, cfg, x.kf.data(), x.vf.data(), 41, 0, 0);
        std::vector<float> o(HD);
        rwkvx_attention_params p = params(x, o.data(), nullptr, RWKVX_ATTN_FULL, 8, 0, 0);
        p.n_tokens = 1;
        p.q = &x.q[41 * HD];
        p.k = &x.kf[41 * HD];
        p.v = &x.vf[41 * HD];
        expect(device_mirror::attention_decode(ctxs.list[ci], cache, &p) == RWKVX_OK, "decode with compression");
        expect(rwkvx_kv_cache_length(cache) == 25, "compressed to min_size, then one appended");
        double worst = 0;
        for (int h = 0; h < H; h++) {
            // Votes over the 33 older tokens from the one query.
            std::vector<double> s(33);
            double mx = -INFINITY, z = 0;
            for (int j = 0; j < 33; j++) {
                double a = 0;
                for (int d = 0; d < D; d++) a += x.Q(41, h, d) * x.K(j, h, d);
                s[size_t(j)] = a / 4.0;
                mx = std::max(mx, s[size_t(j)]);
            }
            for (double v : s) z += std::exp(v - mx);
            std::vector<int64_t> order(33);
            for (int j = 0; j < 33; j++) order[size_t(j)] = j;
            std::stable_sort(order.begin(), order.end(),
                             [&](int64_t a, int64_t b) { return s[size_t(a)] > s[size_t(b)]; });
            std::vector<int64_t> keys(order.begin(), order.begin() + 16);
            std::sort(keys.begin(), keys.end());
            for (int64_t j = 33; j <= 41; j++) keys.push_back(j);
            double ro[16], rl;
            ref_attend(x, 41, h, keys, ro, &rl);
            for (int d = 0; d < D; d++) worst = worse(worst, std::fabs(ro[d] - o[size_t(h * D + d)]));
        }
        expect(worst <= 1e-5, std::string("decode after compression matches the reference [") + ctxs.list[ci].name +
                                  "]: " + std::to_string(worst));
        rwkvx_kv_cache_free(cache);
    }
}

// ---- excluded keys contribute exactly nothing (docs/rwkv-x.md §5.6) ----------------------------
// One ±inf or NaN is planted in K or V of one token and head. A query row that cannot see that token
// (a future token, a chunk it did not select, a row beyond n, a stale cache row beyond the length)
// must equal the float64 reference over its own keys and be finite; the rows that do see it are not
// compared (IEEE semantics), but the planted token's own row must turn non-finite where the plant
// must show (a V plant in its dimension, a NaN key everywhere), proving the value was really there.

struct Plant {
    int64_t t;
    int h, d;
    bool in_k;
    float value;
};

const float kInf = std::numeric_limits<float>::infinity(), kQNaN = std::numeric_limits<float>::quiet_NaN();

std::string describe(const Plant &p) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%s[t=%lld h=%d d=%d] = %g", p.in_k ? "k" : "v", (long long)p.t, p.h, p.d,
                  double(p.value));
    return buf;
}

// Writes the plant into the stored values (and their 16-bit copy; to_half does not encode infinities).
void plant(Data &x, const Plant &p) {
    const size_t i = size_t((p.t * x.H + p.h) * x.D + p.d);
    (p.in_k ? x.kf : x.vf)[i] = p.value;
    if (x.dtype == RWKVX_DTYPE_F32) return;
    uint16_t bits = std::isnan(p.value)
                        ? (x.dtype == RWKVX_DTYPE_F16 ? 0x7e00 : 0x7fc0)
                        : uint16_t((x.dtype == RWKVX_DTYPE_F16 ? 0x7c00 : 0x7f80) | (p.value < 0 ? 0x8000 : 0));
    (p.in_k ? x.k16 : x.v16)[i] = bits;
}

// The float64 reference of every row, which rows see the planted token, and which rows' selection met
// a NaN score.
struct PlantRef {
    std::vector<double> o, lse;
    std::vector<char> sees, nan;  // [T][H], [T]
};

PlantRef plant_reference(const Data &x, const Plant &p, bool sparse, int B, int k, int scope) {
    const int64_t HD = int64_t(x.H) * x.D;
    std::vector<float> means = sparse ? canon_means(x, x.T, B) : std::vector<float>();
    PlantRef r{std::vector<double>(size_t(x.T * HD)), std::vector<double>(size_t(x.T * x.H)),
               std::vector<char>(size_t(x.T * x.H)), std::vector<char>(size_t(x.T))};
    for (int64_t t = 0; t < x.T; t++)
        for (int h = 0; h < x.H; h++) {
            bool nan = false;
            auto keys = ref_keys(x, means, t, h, sparse, B, k, scope == 1, &nan);
            r.nan[size_t(t)] |= char(nan);
            r.sees[size_t(t * x.H + h)] = h == p.h && std::find(keys.begin(), keys.end(), p.t) != keys.end();
            ref_attend(x, t, h, keys, &r.o[size_t(t * HD + h * x.D)], &r.lse[size_t(t * x.H + h)]);
        }
    return r;
}

// Checks output rows [t0, t1) (o and lse dense, row t0 first) against the reference.
void expect_unseen_rows(const Data &x, const Plant &p, const PlantRef &ref, const float *o, const float *lse,
                        int64_t t0, int64_t t1, const std::string &name, double tol) {
    const int64_t HD = int64_t(x.H) * x.D;
    double worst = 0;
    bool finite = true;
    int64_t unseen = 0;
    for (int64_t t = t0; t < t1; t++)
        for (int h = 0; h < x.H; h++) {
            if (ref.sees[size_t(t * x.H + h)]) continue;
            unseen++;
            for (int d = 0; d < x.D; d++) {
                const double got = o[size_t((t - t0) * HD + h * x.D + d)];
                finite &= std::isfinite(got);
                worst = worse(worst, std::fabs(got - ref.o[size_t(t * HD + h * x.D + d)]));
            }
            const double l = lse[size_t((t - t0) * x.H + h)];
            finite &= std::isfinite(l);
            worst = worse(worst, std::fabs(l - ref.lse[size_t(t * x.H + h)]));
        }
    if (std::isnan(worst)) worst = INFINITY;
    expect(finite && worst <= tol, name + " " + describe(p) + ": " + std::to_string(unseen) +
                                       " rows that cannot see it: all finite " + std::to_string(finite) +
                                       ", max |o, lse - ref| " + std::to_string(worst));
    if (p.t >= t0 && p.t < t1 && (!p.in_k || std::isnan(p.value))) {
        const double own = o[size_t((p.t - t0) * HD + p.h * x.D + (p.in_k ? 0 : p.d))];
        expect(!std::isfinite(own), name + " " + describe(p) + ": the planted token's own row shows it");
    }
}

// Prefill of x with one plant, in every context.
void check_planted_prefill(Contexts &ctxs, Data x, const Plant &p, int mode, int B, int k, int scope) {
    plant(x, p);
    const bool sparse = mode == RWKVX_ATTN_SPARSE;
    const PlantRef ref = plant_reference(x, p, sparse, B, k, scope);
    bool ref_nan = false;
    for (char c : ref.nan) ref_nan |= c != 0;
    const int64_t HD = int64_t(x.H) * x.D;
    for (size_t ci = 0; ci < ctxs.list.size(); ci++) {
        std::vector<float> o(size_t(x.T * HD), -7.0f), lse(size_t(x.T * x.H), -7.0f);
        rwkvx_attention_params prm = params(x, o.data(), lse.data(), mode, B, k, scope);
        const std::string name =
            label(x, sparse ? "masked sparse prefill" : "masked full prefill", B, k, scope, ctxs.list[ci].name.c_str());
        expect(device_mirror::attention_prefill(ctxs.list[ci], &prm) == RWKVX_OK,
               name + ": status " + rwkvx_last_error());
        expect_unseen_rows(x, p, ref, o.data(), lse.data(), 0, x.T, name, err_tol(x.dtype, x.D, ctxs.list[ci]));
        if (sparse)
            expect(((prm.diagnostics & RWKVX_ATTN_DIAG_NAN_SCORE) != 0) == ref_nan,
                   name + " " + describe(p) + ": NaN diagnostics flag");
    }
}

void test_masked_prefill(Contexts &ctxs, std::mt19937 &rng) {
    // Full: the case (v[10] = inf; rows 0..9 turned NaN), future keys inside a diagonal block
    // and in later tiles, and rows beyond T (the buffers' padding).
    const Plant full_plants[] = {
        {10, 0, 3, false, kInf},   {10, 1, 0, true, kInf},    {70, 1, 5, false, kQNaN}, {100, 0, 7, true, kQNaN},
        {140, 1, 31, true, -kInf}, {149, 0, 0, false, -kInf}, {150, 1, 2, false, kInf}, {151, 0, 2, true, kInf},
    };
    for (int dtype : {RWKVX_DTYPE_F32, RWKVX_DTYPE_F16, RWKVX_DTYPE_BF16}) {
        const Data x = make_data(rng, 150, 2, 32, dtype, 3);
        for (const Plant &p : full_plants) check_planted_prefill(ctxs, x, p, RWKVX_ATTN_FULL, 0, 0, 0);
        const Data y = make_data(rng, 20, 1, 64, dtype, 2);  // one tile: everything in the diagonal block
        for (const Plant &p :
             {Plant{10, 0, 17, false, kInf}, Plant{10, 0, 0, true, kQNaN}, Plant{20, 0, 1, false, kInf}})
            check_planted_prefill(ctxs, y, p, RWKVX_ATTN_FULL, 0, 0, 0);
    }
    // Sparse: future tokens of the own chunk, chunks not selected (or not yet complete), rows beyond T;
    // chunks smaller than a tile and larger than one (own chunk in two tiles).
    const Plant sparse_plants[] = {
        {50, 0, 3, false, kInf}, {131, 1, 8, false, kQNaN}, {37, 1, 30, true, kInf},
        {90, 0, 6, true, kQNaN}, {200, 0, 12, true, -kInf}, {203, 1, 4, false, kInf},
    };
    for (int dtype : {RWKVX_DTYPE_F32, RWKVX_DTYPE_F16, RWKVX_DTYPE_BF16})
        for (int scope : {0, 1}) {
            const Data x = make_data(rng, 203, 2, 32, dtype, 3);
            for (const Plant &p : sparse_plants) {
                check_planted_prefill(ctxs, x, p, RWKVX_ATTN_SPARSE, 16, 2, scope);
                check_planted_prefill(ctxs, x, p, RWKVX_ATTN_SPARSE, 70, 1, scope);
            }
        }
}

// Decode, one token per call and several (a cache continued by the tiled kernels, in uneven pieces).
// The cache first holds the whole sequence and is reset, so rows beyond its length hold the future
// tokens, plant included, while the sequence is fed again.
void check_planted_decode(Contexts &ctxs, Data x, const Plant &p, int mode, int B, int k, int scope,
                          const std::vector<int64_t> &pieces) {
    plant(x, p);
    const bool sparse = mode == RWKVX_ATTN_SPARSE;
    const PlantRef ref = plant_reference(x, p, sparse, B, k, scope);
    const int64_t HD = int64_t(x.H) * x.D, esz = x.dtype == RWKVX_DTYPE_F32 ? 4 : 2;
    for (size_t ci = 0; ci < ctxs.list.size(); ci++) {
        rwkvx_kv_cache_config cfg{x.H, x.D, x.dtype, B > 0 ? B : 16, x.T, 0, 0, 0};
        rwkvx_kv_cache *cache = nullptr;
        expect(rwkvx_kv_cache_create(ctxs.list[ci].ctx, &cfg, &cache) == RWKVX_OK, "cache create");
        device_mirror::kv_cache_append(ctxs.list[ci], cache, cfg, x.k(), x.v(), x.T, 0, 0);
        rwkvx_kv_cache_reset(cache);
        std::vector<float> o(size_t(x.T * HD), -7.0f), lse(size_t(x.T * x.H), -7.0f);
        const std::string name =
            label(x, sparse ? "masked sparse decode" : "masked full decode", B, k, scope, ctxs.list[ci].name.c_str()) +
            " in " + std::to_string(pieces.size()) + " calls";
        bool flags_ok = true;
        int64_t t0 = 0;
        for (int64_t n : pieces) {
            rwkvx_attention_params dp = params(x, &o[size_t(t0 * HD)], &lse[size_t(t0 * x.H)], mode, B, k, scope);
            dp.n_tokens = n;
            dp.q = &x.q[size_t(t0 * HD)];
            dp.k = (const char *)x.k() + t0 * HD * esz;
            dp.v = (const char *)x.v() + t0 * HD * esz;
            expect(device_mirror::attention_decode(ctxs.list[ci], cache, &dp) == RWKVX_OK,
                   name + ": decode status " + rwkvx_last_error());
            bool ref_nan = false;
            for (int64_t t = t0; t < t0 + n; t++) ref_nan |= ref.nan[size_t(t)] != 0;
            if (sparse) flags_ok &= ((dp.diagnostics & RWKVX_ATTN_DIAG_NAN_SCORE) != 0) == ref_nan;
            t0 += n;
        }
        expect(t0 == x.T, "pieces cover the sequence");
        expect_unseen_rows(x, p, ref, o.data(), lse.data(), 0, x.T, name, err_tol(x.dtype, x.D, ctxs.list[ci]));
        expect(flags_ok, name + " " + describe(p) + ": NaN diagnostics flag of every call");
        rwkvx_kv_cache_free(cache);
    }
}

void test_masked_decode(Contexts &ctxs, std::mt19937 &rng) {
    const Plant plants[] = {
        {40, 1, 9, false, kInf},   {100, 1, 21, true, kInf},   {20, 0, 0, true, kQNaN},
        {136, 1, 2, false, kQNaN}, {150, 0, 11, false, -kInf}, {199, 0, 31, true, kQNaN},
    };
    const std::vector<int64_t> one_by_one(200, 1), uneven = {37, 1, 26, 2, 70, 1, 63};
    struct Mode {
        int mode, B, k, scope;
    };
    const Mode modes[] = {{RWKVX_ATTN_FULL, 0, 0, 0},
                          {RWKVX_ATTN_SPARSE, 16, 2, 0},
                          {RWKVX_ATTN_SPARSE, 16, 2, 1},
                          {RWKVX_ATTN_SPARSE, 80, 1, 0}};
    for (int dtype : {RWKVX_DTYPE_F32, RWKVX_DTYPE_F16, RWKVX_DTYPE_BF16}) {
        const Data x = make_data(rng, 200, 2, 32, dtype, 0);
        for (const Mode &m : modes)
            for (size_t i = 0; i < std::size(plants); i++) {
                if (i % 2 == 0)  // one token per call (decode_step; 200 calls): every other plant
                    check_planted_decode(ctxs, x, plants[i], m.mode, m.B, m.k, m.scope, one_by_one);
                check_planted_decode(ctxs, x, plants[i], m.mode, m.B, m.k, m.scope, uneven);
            }
    }
    // Full attention continuing a cache longer than one key window (1024 keys at a time): rows of
    // the windowed pass that precede the plant in their diagonal block.
    check_planted_decode(ctxs, make_data(rng, 2600, 2, 32, RWKVX_DTYPE_F32, 0), {2400, 1, 3, false, kInf},
                         RWKVX_ATTN_FULL, 0, 0, 0, {2300, 1, 150, 149});
}

void test_errors(Contexts &ctxs) {
    std::mt19937 rng(3);
    Data x = make_data(rng, 4, 1, 32, RWKVX_DTYPE_F32);
    std::vector<float> o(128);
    auto run = [&](std::function<void(rwkvx_attention_params &)> alter, rwkvx_status want, const char *needle) {
        rwkvx_attention_params p = params(x, o.data(), nullptr, RWKVX_ATTN_SPARSE, 2, 1, 0);
        alter(p);
        rwkvx_status st = rwkvx_attention_prefill(ctxs.list[0].ctx, &p);
        expect(st == want && std::strstr(rwkvx_last_error(), needle) != nullptr,
               std::string("error '") + needle + "': got " + rwkvx_status_name(st) + " " + rwkvx_last_error());
    };
    run([](auto &p) { p.head_size = 40; }, RWKVX_ERROR_UNSUPPORTED, "multiple of 16");
    run([](auto &p) { p.head_size = 272; }, RWKVX_ERROR_UNSUPPORTED, "head_size");
    run([](auto &p) { p.kv_dtype = 9; }, RWKVX_ERROR_SHAPE, "dtype");
    run([](auto &p) { p.causal = 0; }, RWKVX_ERROR_ARGUMENT, "causal");
    run([](auto &p) { p.top_k = 65; }, RWKVX_ERROR_ARGUMENT, "top_k");
    run([](auto &p) { p.chunk_size = 0; }, RWKVX_ERROR_ARGUMENT, "chunk_size");
    run([](auto &p) { p.scope = 2; }, RWKVX_ERROR_ARGUMENT, "scope");
    run([](auto &p) { p.q = nullptr; }, RWKVX_ERROR_ARGUMENT, "NULL");
    run([](auto &p) { p.k_stride = 8; }, RWKVX_ERROR_ARGUMENT, "k_stride");
    rwkvx_kv_cache_config cfg{1, 32, RWKVX_DTYPE_F16, 2, 3, 0, 0, 0};
    rwkvx_kv_cache *cache = nullptr;
    expect(rwkvx_kv_cache_create(ctxs.list[0].ctx, &cfg, &cache) == RWKVX_OK, "cache create");
    expect(rwkvx_kv_cache_append(cache, x.kf.data(), x.vf.data(), 4, 0, 0, RWKVX_MEMORY_HOST) == RWKVX_ERROR_ARGUMENT &&
               std::strstr(rwkvx_last_error(), "capacity"),
           "append beyond capacity fails");
    rwkvx_attention_params p = params(x, o.data(), nullptr, RWKVX_ATTN_SPARSE, 2, 1, 0);
    p.n_tokens = 1;
    expect(rwkvx_attention_decode(ctxs.list[0].ctx, cache, &p) == RWKVX_ERROR_SHAPE, "decode dtype mismatch");
    rwkvx_kv_cache_free(cache);
    cfg = {1, 32, RWKVX_DTYPE_F32, 2, 10, 8, 4, 3};
    expect(rwkvx_kv_cache_create(ctxs.list[0].ctx, &cfg, &cache) == RWKVX_ERROR_ARGUMENT, "bad knobs rejected");
}

}  // namespace

int main() {
    Contexts ctxs;
    std::mt19937 rng(20250501);
    test_full_prefill(ctxs, rng);
    test_sparse_prefill(ctxs, rng);
    test_decode_consistency(ctxs, rng);
    test_decode_continues_cache(ctxs, rng);
    test_kv_compression(ctxs, rng);
    test_masked_prefill(ctxs, rng);
    test_masked_decode(ctxs, rng);
    test_errors(ctxs);
    return finish();
}
