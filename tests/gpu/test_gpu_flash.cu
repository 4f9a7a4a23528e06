// GPU tests of the tiled attention kernels: full causal prefill (native/cuda/flash_prefill.cu, FMA
// and tensor-core flavours) and the chunk-centric attention of sparse prefill
// (native/cuda/sparse_attend.cu), each against a float64 reference written here.
// Bounds (docs/numerics.md §2.7): F32 K/V 1e-5 absolute, 16-bit K/V on the FMA path 2e-5 (the
// reference uses the stored 16-bit values, widened exactly). The tensor-core path rounds q·scale·log2 e
// and P to the 16-bit type, so it follows FlashAttention's rule instead: its max error against
// float64 is at most twice that of a naive implementation in the same precision (naive16_attend
// below: the same rounded q, one softmax over all keys, P rounded, fp32 sums).
// Excluded keys contribute exactly nothing (docs/rwkv-x.md §5.6): ±Inf and NaN are planted in K and V
// of future tokens, of rows beyond the keys, and of chunks a query did not select; every row that
// cannot see a plant must stay finite and within its bound.
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "common/chunk_rules.h"
#include "cuda/cuda_kernels.h"
#include "gpu_test.h"

namespace {

using rwkvx::cuda::ChunkAttendParams;
using rwkvx::cuda::FlashParams;
using rwkvx::cuda::KvRows;

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

const char *dtype_name(int32_t dtype) {
    return dtype == RWKVX_DTYPE_F16 ? "F16" : dtype == RWKVX_DTYPE_BF16 ? "BF16" : "F32";
}

// x rounded to dtype (nearest even) and widened back: the value a 16-bit buffer holds.
float round_to(int32_t dtype, float x) {
    if (dtype == RWKVX_DTYPE_F16) return __half2float(__float2half_rn(x));
    if (dtype == RWKVX_DTYPE_BF16) return __bfloat162float(__float2bfloat16_rn(x));
    return x;
}

void store(std::vector<unsigned char> &img, int32_t dtype, size_t i, float x) {
    if (dtype == RWKVX_DTYPE_F16) {
        const __half h = __float2half_rn(x);
        std::memcpy(&img[i * 2], &h, 2);
    } else if (dtype == RWKVX_DTYPE_BF16) {
        const __nv_bfloat16 h = __float2bfloat16_rn(x);
        std::memcpy(&img[i * 2], &h, 2);
    } else {
        std::memcpy(&img[i * 4], &x, 4);
    }
}

// Keys and values of H heads: n valid rows per head, as a KV cache [H][cap][D] (rows n..cap-1 are
// poison: NaN keys, Inf values) or token-major rows [n][H][D]. k and v keep the stored values widened
// ([H][n][D], before any plant) for the references.
struct Kv {
    int32_t dtype;
    int H, D;
    int64_t n, cap;
    bool cache;
    int64_t stride, head_stride;
    std::vector<unsigned char> img_k, img_v;
    std::vector<float> k, v;

    Kv(std::mt19937 &rng, int32_t dtype_, int H_, int D_, int64_t n_, bool cache_)
        : dtype(dtype_), H(H_), D(D_), n(n_), cap(cache_ ? n_ + 7 : n_), cache(cache_) {
        stride = cache ? D : int64_t(H) * D;
        head_stride = cache ? cap * D : D;
        const size_t elems = size_t(cache ? int64_t(H) * cap * D : n * H * D);
        const size_t eb = dtype == RWKVX_DTYPE_F32 ? 4 : 2;
        img_k.assign(elems * eb, 0);
        img_v.assign(elems * eb, 0);
        k.resize(size_t(H * n * D));
        v.resize(size_t(H * n * D));
        std::normal_distribution<float> nd(0.0f, 1.0f);
        for (int h = 0; h < H; h++)
            for (int64_t j = 0; j < cap; j++)
                for (int d = 0; d < D; d++) {
                    const bool valid = j < n;
                    const float kx = valid ? round_to(dtype, nd(rng)) : kNaN;
                    const float vx = valid ? round_to(dtype, nd(rng)) : kInf;
                    store(img_k, dtype, at(h, j, d), kx);
                    store(img_v, dtype, at(h, j, d), vx);
                    if (valid) {
                        k[size_t((h * n + j) * D + d)] = kx;
                        v[size_t((h * n + j) * D + d)] = vx;
                    }
                }
    }
    size_t at(int h, int64_t j, int d) const { return size_t(h * head_stride + j * stride + d); }
    float K(int h, int64_t j, int d) const { return k[size_t((h * n + j) * D + d)]; }
    float V(int h, int64_t j, int d) const { return v[size_t((h * n + j) * D + d)]; }
    // Overwrites the stored row (h, j) of K or V with x everywhere (the references keep the old one).
    void plant(bool in_k, int h, int64_t j, float x) {
        for (int d = 0; d < D; d++) store(in_k ? img_k : img_v, dtype, at(h, j, d), x);
    }
};

// Float64 softmax attention of one query row over the given keys of head h.
void ref_attend(const Kv &kv, int h, const float *q, double scale, const std::vector<int64_t> &keys, double *o,
                double *lse) {
    const int D = kv.D;
    std::vector<double> s(keys.size());
    double mx = -INFINITY;
    for (size_t i = 0; i < keys.size(); i++) {
        double dot = 0;
        for (int d = 0; d < D; d++) dot += double(q[d]) * kv.K(h, keys[i], d);
        s[i] = scale * dot;
        mx = std::max(mx, s[i]);
    }
    double l = 0;
    for (int d = 0; d < D; d++) o[d] = 0;
    for (size_t i = 0; i < keys.size(); i++) {
        const double p = std::exp(s[i] - mx);
        l += p;
        for (int d = 0; d < D; d++) o[d] += p * kv.V(h, keys[i], d);
    }
    for (int d = 0; d < D; d++) o[d] /= l;
    *lse = mx + std::log(l);
}

// The same in the precision of the tensor-core kernels: q·(scale·log2 e) rounded to the K/V type,
// fp32 scores and sums, P rounded to the K/V type before it multiplies V.
void naive16_attend(const Kv &kv, int h, const float *q, float scale, const std::vector<int64_t> &keys, double *o,
                    double *lse) {
    const int D = kv.D;
    const float f = scale * 1.4426950408889634f;
    std::vector<float> qr(static_cast<size_t>(D)), s(keys.size());
    for (int d = 0; d < D; d++) qr[size_t(d)] = round_to(kv.dtype, q[d] * f);
    float mx = -INFINITY;
    for (size_t i = 0; i < keys.size(); i++) {
        float dot = 0;
        for (int d = 0; d < D; d++) dot = std::fma(qr[size_t(d)], kv.K(h, keys[i], d), dot);
        s[i] = dot;
        mx = std::max(mx, dot);
    }
    float l = 0;
    std::vector<float> acc(static_cast<size_t>(D), 0.0f);
    for (size_t i = 0; i < keys.size(); i++) {
        const float p = std::exp2(s[i] - mx);
        l += p;
        const float pr = round_to(kv.dtype, p);
        for (int d = 0; d < D; d++) acc[size_t(d)] = std::fma(pr, kv.V(h, keys[i], d), acc[size_t(d)]);
    }
    for (int d = 0; d < D; d++) o[d] = acc[size_t(d)] / l;
    *lse = (mx + std::log2(l)) * 0.6931471805599453;
}

// Max errors of a kernel and of the naive 16-bit implementation against float64.
struct Errors {
    double o = 0, lse = 0, naive_o = 0, naive_lse = 0;
    void add(const Errors &e) {
        o = worse(o, e.o);
        lse = worse(lse, e.lse);
        naive_o = worse(naive_o, e.naive_o);
        naive_lse = worse(naive_lse, e.naive_lse);
    }
};

// Compares row (t, h) of o/lse with the float64 reference over keys (and, when naive, the naive
// implementation's error too).
void compare_row(const Kv &kv, int h, const float *q, float scale, const std::vector<int64_t> &keys, const float *o,
                 float lse, bool naive, Errors &err) {
    const int D = kv.D;
    std::vector<double> ro(static_cast<size_t>(D)), no(static_cast<size_t>(D));
    double rl = 0, nl = 0;
    ref_attend(kv, h, q, scale, keys, ro.data(), &rl);
    for (int d = 0; d < D; d++) err.o = worse(err.o, std::fabs(double(o[d]) - ro[size_t(d)]));
    err.lse = worse(err.lse, std::fabs(double(lse) - rl));
    if (naive) {
        naive16_attend(kv, h, q, scale, keys, no.data(), &nl);
        for (int d = 0; d < D; d++) err.naive_o = worse(err.naive_o, std::fabs(no[size_t(d)] - ro[size_t(d)]));
        err.naive_lse = worse(err.naive_lse, std::fabs(nl - rl));
    }
}

// A key planted with a non-finite K or V.
struct Plant {
    bool in_k;
    int h;
    int64_t pos;
    float x;
};

struct Run {
    std::vector<float> o, lse;
};

// The image preceded by `shift` zero elements.
std::vector<unsigned char> shifted(const std::vector<unsigned char> &img, int32_t dtype, int shift) {
    std::vector<unsigned char> out(size_t(shift) * (dtype == RWKVX_DTYPE_F32 ? 4 : 2), 0);
    out.insert(out.end(), img.begin(), img.end());
    return out;
}

// Device copies of q and the K/V images, and NaN-filled o and lse. misalign: K and V start one
// element after a 16-byte boundary (the kernels' path without 16-byte copies).
struct DeviceCase {
    gpu_test::Device<float> q, o, lse;
    gpu_test::Device<unsigned char> k, v;
    size_t offset;
    DeviceCase(const std::vector<float> &q_, const Kv &kv, size_t o_elems, size_t lse_elems, bool misalign = false)
        : q(q_),
          o(o_elems),
          lse(lse_elems),
          k(shifted(kv.img_k, kv.dtype, misalign ? 1 : 0)),
          v(shifted(kv.img_v, kv.dtype, misalign ? 1 : 0)),
          offset(misalign ? (kv.dtype == RWKVX_DTYPE_F32 ? 4 : 2) : 0) {
        GPU_CHECK(cudaMemset(o.ptr, 0xff, o.n * sizeof(float)));  // all-ones words are NaN
        GPU_CHECK(cudaMemset(lse.ptr, 0xff, lse.n * sizeof(float)));
    }
    KvRows rows(const Kv &kv) const {
        return KvRows{k.ptr + offset, v.ptr + offset, kv.dtype, kv.stride, kv.stride, kv.head_stride};
    }
};

std::vector<float> random_queries(std::mt19937 &rng, int64_t T, int64_t q_stride) {
    std::normal_distribution<float> nd(0.0f, 1.0f);
    std::vector<float> q(size_t(T * q_stride));
    for (float &x : q) x = nd(rng);
    return q;
}

// ---- full causal prefill --------------------------------------------------------------------------

enum class Path { Dispatch, Fma, Mma };

struct FullCase {
    int32_t dtype;
    int D, H;
    int64_t T, past;
    bool cache;
    Path path;
    float scale_mul = 1.0f;        // larger logits exercise the online rescaling
    std::vector<Plant> plants;     // positions < past + T
    int64_t nan_row = -1;          // a query row made NaN in head 0
    bool misalign = false;         // K/V not 16-byte aligned
    std::vector<int> check_heads;  // the heads compared with the reference (empty: all)
};

// Runs one case; folds the errors of every row that sees no plant into err. Returns false on a
// launch failure.
bool run_full(std::mt19937 &rng, const FullCase &c, bool naive, Errors &err) {
    Kv kv(rng, c.dtype, c.H, c.D, c.past + c.T, c.cache);
    for (const Plant &pl : c.plants) kv.plant(pl.in_k, pl.h, pl.pos, pl.x);
    const int64_t q_stride = int64_t(c.H) * c.D + 4, o_stride = int64_t(c.H) * c.D + 8;
    std::vector<float> q = random_queries(rng, c.T, q_stride);
    if (c.nan_row >= 0) q[size_t(c.nan_row * q_stride + 3)] = kNaN;
    const float scale = c.scale_mul / std::sqrt(float(c.D));
    DeviceCase dev(q, kv, size_t(c.T * o_stride), size_t(c.T * c.H), c.misalign);
    FlashParams p{};
    p.T = c.T;
    p.past = c.past;
    p.H = c.H;
    p.D = c.D;
    p.scale = scale;
    p.q = dev.q.ptr;
    p.q_stride = q_stride;
    p.kv = dev.rows(kv);
    p.o = dev.o.ptr;
    p.o_stride = o_stride;
    p.lse = dev.lse.ptr;
    try {
        if (c.path == Path::Fma)
            rwkvx::cuda::flash_prefill_fma(p, nullptr);
        else if (c.path == Path::Mma)
            rwkvx::cuda::flash_prefill_mma(p, nullptr);
        else
            rwkvx::cuda::flash_prefill(p, nullptr);
        GPU_CHECK(cudaDeviceSynchronize());
    } catch (const std::exception &e) {
        expect(false, std::string("flash_prefill threw: ") + e.what());
        return false;
    }
    const std::vector<float> o = dev.o.download(), lse = dev.lse.download();
    std::vector<int64_t> keys;
    for (int64_t t = 0; t < c.T; t++) {
        const int64_t pos = c.past + t;
        keys.resize(size_t(pos + 1));
        for (int64_t j = 0; j <= pos; j++) keys[size_t(j)] = j;
        for (int h = 0; h < c.H; h++) {
            if (!c.check_heads.empty() &&
                std::find(c.check_heads.begin(), c.check_heads.end(), h) == c.check_heads.end())
                continue;
            const float *orow = &o[size_t(t * o_stride + h * c.D)];
            const float *qrow = &q[size_t(t * q_stride + h * c.D)];
            const float l = lse[size_t(t * c.H + h)];
            if (t == c.nan_row && h == 0) {
                bool all_nan = true;
                for (int d = 0; d < c.D; d++) all_nan = all_nan && std::isnan(orow[d]);
                expect(all_nan, "flash: the NaN query row's output is NaN (t " + std::to_string(t) + ")");
                continue;
            }
            bool sees_plant = false;
            for (const Plant &pl : c.plants) {
                if (pl.h != h || pl.pos > pos) continue;
                sees_plant = true;
                if (pl.pos == pos) {  // the planted token's own row must show it
                    bool nonfinite = !std::isfinite(l);
                    for (int d = 0; d < c.D; d++) nonfinite = nonfinite || !std::isfinite(orow[d]);
                    expect(nonfinite, "flash: the row of a planted token (" + std::to_string(pos) + ", head " +
                                          std::to_string(h) + ") is non-finite");
                }
            }
            if (sees_plant) continue;
            compare_row(kv, h, qrow, scale, keys, orow, l, naive, err);
        }
    }
    return true;
}

// Checks a group's errors against its bound and prints its line.
void report(const std::string &name, int cases, const Errors &e, bool naive_rule, double tol) {
    bool ok;
    char line[320];
    if (naive_rule) {
        ok = e.o <= 2 * e.naive_o + 1e-6 && e.lse <= 2 * e.naive_lse + 1e-6;
        std::snprintf(line, sizeof line,
                      "%-44s %3d cases  o err %.2e (naive16 %.2e)  lse err %.2e (naive16 %.2e)  bound 2x naive  %s",
                      name.c_str(), cases, e.o, e.naive_o, e.lse, e.naive_lse, ok ? "ok" : "FAIL");
    } else {
        ok = e.o <= tol && e.lse <= tol;
        std::snprintf(line, sizeof line, "%-44s %3d cases  o err %.2e  lse err %.2e  bound %.0e  %s", name.c_str(),
                      cases, e.o, e.lse, tol, ok ? "ok" : "FAIL");
    }
    std::printf("%s\n", line);
    expect(ok, name);
}

void test_full(std::mt19937 &rng) {
    const int64_t Ts[] = {1, 63, 64, 65, 300, 1000};
    for (int32_t dtype : {RWKVX_DTYPE_F32, RWKVX_DTYPE_F16, RWKVX_DTYPE_BF16}) {
        for (int D : {16, 64, 128, 256}) {
            std::vector<Path> paths{Path::Fma};
            if (dtype != RWKVX_DTYPE_F32 && (D == 64 || D == 128)) paths = {Path::Mma, Path::Fma};
            for (Path path : paths) {
                Errors group;
                int cases = 0;
                for (int64_t T : Ts) {
                    // Token-major rows without a past, and a cache continued after 45 keys; the longest
                    // case only as a cache with one head.
                    for (int layout = 0; layout < 2; layout++) {
                        if (T == 1000 && layout == 0) continue;
                        FullCase c{dtype, D, T == 1000 ? 1 : 2, T, layout ? 45 : 0, layout == 1, path};
                        if (T == 300) c.scale_mul = 4.0f;
                        c.misalign = layout == 0 && (T == 65 || T == 300);
                        Errors e;
                        if (!run_full(rng, c, path == Path::Mma, e)) continue;
                        cases++;
                        if (path == Path::Mma) {  // the 2x rule per case
                            const bool ok = e.o <= 2 * e.naive_o + 1e-6 && e.lse <= 2 * e.naive_lse + 1e-6;
                            expect(ok, std::string("flash mma ") + dtype_name(dtype) + " D " + std::to_string(D) +
                                           " T " + std::to_string(T) + " past " + std::to_string(c.past) + ": o err " +
                                           std::to_string(e.o) + " naive " + std::to_string(e.naive_o) + ", lse err " +
                                           std::to_string(e.lse) + " naive " + std::to_string(e.naive_lse));
                        }
                        group.add(e);
                    }
                }
                if (path == Path::Mma) {
                    // Enough tiles for the 128-query (8-warp) tiles: ceil(T / 128) * H >= 2 * SMs; three
                    // heads are checked.
                    FullCase c{dtype, D, 40, 1000, 45, true, path};
                    c.check_heads = {0, 21, 39};
                    Errors e;
                    if (run_full(rng, c, true, e)) {
                        cases++;
                        expect(e.o <= 2 * e.naive_o + 1e-6 && e.lse <= 2 * e.naive_lse + 1e-6,
                               std::string("flash mma 128-row tiles ") + dtype_name(dtype) + " D " + std::to_string(D) +
                                   ": o err " + std::to_string(e.o) + " naive " + std::to_string(e.naive_o));
                        group.add(e);
                    }
                }
                const std::string name = std::string("flash_prefill_") + (path == Path::Mma ? "mma" : "fma") + " " +
                                         dtype_name(dtype) + " D=" + std::to_string(D);
                report(name, cases, group, path == Path::Mma, dtype == RWKVX_DTYPE_F32 ? 1e-5 : 2e-5);
            }
        }
    }
    // The dispatcher picks a path that works for every dtype and head size.
    {
        Errors e;
        int cases = 0;
        for (int32_t dtype : {RWKVX_DTYPE_F32, RWKVX_DTYPE_BF16})
            for (int D : {48, 128}) {
                FullCase c{dtype, D, 3, 130, 20, true, Path::Dispatch};
                Errors one;
                if (run_full(rng, c, false, one)) cases++;
                e.add(one);
            }
        std::printf("%-44s %3d cases  o err %.2e  lse err %.2e  (finite, < 2e-2)\n", "flash_prefill dispatch", cases,
                    e.o, e.lse);
        expect(e.o < 2e-2 && e.lse < 2e-2, "flash_prefill dispatch");
    }
}

// Non-finite K and V at future tokens (inside and beyond a tile's diagonal block), rows beyond the
// keys (the cache's poison), and a NaN query row.
void test_full_masked(std::mt19937 &rng) {
    for (int32_t dtype : {RWKVX_DTYPE_F32, RWKVX_DTYPE_F16, RWKVX_DTYPE_BF16}) {
        for (int D : {16, 64, 128}) {
            std::vector<Path> paths{Path::Fma};
            if (dtype != RWKVX_DTYPE_F32 && D != 16) paths = {Path::Mma, Path::Fma};
            for (Path path : paths) {
                Errors e;
                int cases = 0;
                for (int64_t past : {int64_t(0), int64_t(45)}) {
                    // With a past on tensor cores: 96 heads, so the 128-query tiles run (heads 0..2 checked).
                    const bool wide = past > 0 && path == Path::Mma;
                    FullCase c{dtype, D, wide ? 96 : 3, 300, past, past > 0, path};
                    if (wide) c.check_heads = {0, 1, 2};
                    // Token 150 sits in the middle of the 128..191 tile's diagonal; 64 starts a tile;
                    // the last token is seen only by itself.
                    c.plants = {{false, 1, past + 150, kInf},
                                {true, 0, past + 150, kNaN},
                                {false, 2, past + 64, kNaN},
                                {true, 2, past + 64 + 1, kInf},
                                {false, 0, past + 299, -kInf}};
                    c.nan_row = 70;
                    Errors one;
                    if (!run_full(rng, c, path == Path::Mma, one)) continue;
                    cases++;
                    if (path == Path::Mma)
                        expect(one.o <= 2 * one.naive_o + 1e-6 && one.lse <= 2 * one.naive_lse + 1e-6,
                               std::string("flash masked mma ") + dtype_name(dtype) + " D " + std::to_string(D));
                    e.add(one);
                }
                const std::string name = std::string("flash ") + (path == Path::Mma ? "mma" : "fma") +
                                         " masked Inf/NaN plants " + dtype_name(dtype) + " D=" + std::to_string(D);
                report(name, cases, e, path == Path::Mma, dtype == RWKVX_DTYPE_F32 ? 1e-5 : 2e-5);
            }
        }
    }
}

// ---- chunk-centric sparse attention ---------------------------------------------------------------

struct SparseCase {
    int32_t dtype;
    int D, H;
    int64_t T, past;
    int B, top_k, scope;
    bool cache;
    std::vector<Plant> plants;
};

bool run_sparse(std::mt19937 &rng, const SparseCase &c, bool naive, Errors &err) {
    const int64_t T = c.T, P = c.past, B = c.B;
    Kv kv(rng, c.dtype, c.H, c.D, P + T, c.cache);
    for (const Plant &pl : c.plants) kv.plant(pl.in_k, pl.h, pl.pos, pl.x);
    const int64_t q_stride = int64_t(c.H) * c.D, o_stride = int64_t(c.H) * c.D;
    const std::vector<float> q = random_queries(rng, T, q_stride);
    const float scale = 1.0f / std::sqrt(float(c.D));

    // Selections (rules::TopK over random scores: ascending, count <= min(top_k, candidates)) and
    // their buckets, as sparse_prefill.cpp builds them.
    const int32_t Hs = c.scope == RWKVX_ATTN_SCOPE_ALL ? 1 : c.H;
    const int kp = c.top_k, kpp = kp > 0 ? kp : 1;
    const int64_t n_full = (P + T) / B;
    std::vector<int32_t> sel(size_t(T * Hs * kpp), -1), count(size_t(T * Hs), 0);
    std::uniform_real_distribution<float> ud(-1.0f, 1.0f);
    for (int64_t t = 0; t < T; t++)
        for (int hs = 0; hs < Hs; hs++) {
            rwkvx::rules::TopK<rwkvx::rules::kMaxTopK> top(kp);
            for (int64_t ch = 0; ch < (P + t) / B; ch++) top.offer(ud(rng), int32_t(ch));
            count[size_t(t * Hs + hs)] = top.ascending(&sel[size_t((t * Hs + hs) * kpp)]);
        }
    std::vector<int64_t> bucket_off(size_t(Hs * (n_full + 1)), 0), bucket(size_t(T * Hs * kpp), 0);
    for (int hs = 0; hs < Hs; hs++) {
        int64_t *off = &bucket_off[size_t(hs * (n_full + 1))];
        int64_t *ent = &bucket[size_t(hs * T * kpp)];
        for (int64_t t = 0; t < T; t++)
            for (int i = 0; i < count[size_t(t * Hs + hs)]; i++) off[sel[size_t((t * Hs + hs) * kpp + i)] + 1]++;
        for (int64_t ch = 0; ch < n_full; ch++) off[ch + 1] += off[ch];
        std::vector<int64_t> fill(off, off + n_full);
        for (int64_t t = 0; t < T; t++)
            for (int i = 0; i < count[size_t(t * Hs + hs)]; i++)
                ent[fill[size_t(sel[size_t((t * Hs + hs) * kpp + i)])]++] = t * kp + i;
    }

    DeviceCase dev(q, kv, size_t(T * o_stride), size_t(T * c.H));
    gpu_test::Device<int64_t> d_off(bucket_off), d_bucket(bucket);
    gpu_test::Device<int32_t> d_sel(sel), d_count(count);
    gpu_test::Device<float> d_part(size_t(std::max<int64_t>(1, T * c.H * kp * (c.D + 2))));
    GPU_CHECK(cudaMemset(d_part.ptr, 0xff, d_part.n * sizeof(float)));
    ChunkAttendParams p{};
    p.f.T = T;
    p.f.past = P;
    p.f.H = c.H;
    p.f.D = c.D;
    p.f.scale = scale;
    p.f.q = dev.q.ptr;
    p.f.q_stride = q_stride;
    p.f.kv = dev.rows(kv);
    p.f.o = dev.o.ptr;
    p.f.o_stride = o_stride;
    p.f.lse = dev.lse.ptr;
    p.B = c.B;
    p.top_k = kp;
    p.scope = c.scope;
    p.n_full = n_full;
    p.bucket_off = d_off.ptr;
    p.bucket = d_bucket.ptr;
    p.sel = d_sel.ptr;
    p.count = d_count.ptr;
    p.part = d_part.ptr;
    try {
        rwkvx::cuda::attend_selected_chunks(p, nullptr);
        rwkvx::cuda::attend_own_chunk_and_merge(p, nullptr);
        GPU_CHECK(cudaDeviceSynchronize());
    } catch (const std::exception &e) {
        expect(false, std::string("sparse attention threw: ") + e.what());
        return false;
    }
    const std::vector<float> o = dev.o.download(), lse = dev.lse.download();
    std::vector<int64_t> keys;
    for (int64_t t = 0; t < T; t++)
        for (int h = 0; h < c.H; h++) {
            const int hs = c.scope == RWKVX_ATTN_SCOPE_ALL ? 0 : h;
            const int64_t pos = P + t;
            keys.clear();
            for (int i = 0; i < count[size_t(t * Hs + hs)]; i++) {
                const int64_t ch = sel[size_t((t * Hs + hs) * kpp + i)];
                for (int64_t j = ch * B; j < ch * B + B; j++) keys.push_back(j);
            }
            for (int64_t j = pos / B * B; j <= pos; j++) keys.push_back(j);
            bool sees_plant = false;
            for (const Plant &pl : c.plants)
                sees_plant = sees_plant || (pl.h == h && std::find(keys.begin(), keys.end(), pl.pos) != keys.end());
            if (sees_plant) continue;
            compare_row(kv, h, &q[size_t(t * q_stride + h * c.D)], scale, keys, &o[size_t(t * o_stride + h * c.D)],
                        lse[size_t(t * c.H + h)], naive, err);
        }
    return true;
}

void test_sparse(std::mt19937 &rng) {
    struct Flavour {
        int32_t dtype;
        int D;
    };
    // FMA fp32, FMA 16-bit (D 48), tensor cores BF16 D 64 and F16 D 128.
    const Flavour flavours[] = {
        {RWKVX_DTYPE_F32, 64}, {RWKVX_DTYPE_F16, 48}, {RWKVX_DTYPE_BF16, 64}, {RWKVX_DTYPE_F16, 128}};
    for (const Flavour &fl : flavours) {
        const bool mma = rwkvx::cuda::flash_mma_supports(fl.dtype, fl.D);
        for (int B : {16, 100}) {
            for (int scope : {RWKVX_ATTN_SCOPE_HEAD, RWKVX_ATTN_SCOPE_ALL}) {
                Errors e;
                int cases = 0;
                // top_k 0 (own chunk only), 2, and 8 (more than the candidates when B is 100).
                for (int top_k : {0, 2, 8}) {
                    for (int64_t past : {int64_t(0), int64_t(37)}) {
                        SparseCase c{fl.dtype, fl.D, 3, 300, past, B, top_k, scope, past > 0, {}};
                        // Inf/NaN keys and values that most rows must not see: in the middle of a chunk
                        // (future rows of the own chunk, queries not selecting it) and in a chunk's first key.
                        c.plants = {{false, 1, past + 203, kInf},
                                    {true, 0, past + 140, kNaN},
                                    {false, 2, int64_t(B) * 2, kNaN}};
                        Errors one;
                        if (!run_sparse(rng, c, mma, one)) continue;
                        cases++;
                        if (mma)
                            expect(one.o <= 2 * one.naive_o + 1e-6 && one.lse <= 2 * one.naive_lse + 1e-6,
                                   std::string("sparse mma ") + dtype_name(fl.dtype) + " D " + std::to_string(fl.D) +
                                       " B " + std::to_string(B) + " top_k " + std::to_string(top_k) + " scope " +
                                       std::to_string(scope) + " past " + std::to_string(past) + ": o err " +
                                       std::to_string(one.o) + " naive " + std::to_string(one.naive_o));
                        e.add(one);
                    }
                }
                const std::string name = std::string("sparse ") + (mma ? "mma " : "fma ") + dtype_name(fl.dtype) +
                                         " D=" + std::to_string(fl.D) + " B=" + std::to_string(B) +
                                         (scope == RWKVX_ATTN_SCOPE_ALL ? " scope ALL" : " scope HEAD");
                report(name, cases, e, mma, fl.dtype == RWKVX_DTYPE_F32 ? 1e-5 : 2e-5);
            }
        }
    }
}

}  // namespace

int main() {
    if (!gpu_test::device_available()) return gpu_test::no_device_exit();
    std::mt19937 rng(20240611);
    test_full(rng);
    test_full_masked(rng);
    test_sparse(rng);
    return finish();
}
