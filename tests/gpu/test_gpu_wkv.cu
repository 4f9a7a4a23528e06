// GPU tests of the recurrences and dense ops (native/cuda/wkv.cu, native/cuda/dense.cu): each
// launcher called directly on device buffers and checked against a float64 reference (for WKV-4 and
// WKV-5/6 the CPU tests' tests/native/wkv_reference.h, the others written here), with the bounds of
// docs/numerics.md §2 (the CPU kernels' bounds): WKV-7 recurrent and chunked (against float64,
// against each other, and split into two calls), WKV-4 (extreme and -inf keys), WKV-5/6 (both decay
// modes), matmul (each weight dtype, GEMV and GEMM, edges and misalignment) and group norm (1 and H
// groups, in place). Inputs are poisoned with NaN past their extent and outputs pre-filled with NaN,
// so an out-of-range read or an unwritten output fails.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "../native/half_floats.h"
#include "../native/wkv_reference.h"
#include "cuda/cuda_kernels.h"
#include "gpu_test.h"

using gpu_test::Device;

namespace {

using Rng = std::mt19937;

// Largest |got - want| over n elements, NaN-propagating (worse() in check.h).
double max_abs_diff(const float *got, const double *want, size_t n) {
    double e = 0;
    for (size_t i = 0; i < n; i++) e = worse(e, std::fabs(double(got[i]) - want[i]));
    return e;
}
double max_abs_diff(const float *got, const float *want, size_t n) {
    double e = 0;
    for (size_t i = 0; i < n; i++) e = worse(e, std::fabs(double(got[i]) - double(want[i])));
    return e;
}
double max_abs(const std::vector<double> &v) {
    double m = 0;
    for (double x : v) m = std::max(m, std::fabs(x));
    return m;
}

// A host vector copied to the device with `pad` NaN elements after it.
Device<float> poisoned(const std::vector<float> &h, size_t pad) {
    std::vector<float> p(h);
    p.resize(h.size() + pad, NAN);
    return Device<float>(p);
}

void sync_or_die(const char *what) {
    cudaError_t e = cudaDeviceSynchronize();
    if (e != cudaSuccess) {
        std::printf("CUDA error after %s: %s\n", what, cudaGetErrorName(e));
        std::exit(1);
    }
}

// ---- WKV-7 -------------------------------------------------------------------------------------------

struct Wkv7Case {
    int64_t T;
    int H, N;
    std::vector<float> r, w, k, v, a, b, state0;  // [T][H][N]; state key-major [H][N][N]
};

// Inputs as in the model (docs/numerics.md §2.4): decays in [0.545, 1), a = -kk and b = kk * alpha
// with kk unit per head, initial state 0.3 * U(-1, 1). wide_decays: decays anywhere in the API's
// (0, 1] instead, e^-U(0, 20) with one in ten exactly 1 (the chunked form's products underflow).
Wkv7Case make_wkv7(Rng &rng, int64_t T, int H, int N, bool wide_decays = false) {
    std::uniform_real_distribution<float> u(-1, 1), dec(0.545f, 1.0f), wide(0.0f, 20.0f), p01(0.0f, 1.0f);
    Wkv7Case c{T, H, N, {}, {}, {}, {}, {}, {}, {}};
    const size_t n = size_t(T) * H * N;
    for (auto *vec : {&c.r, &c.w, &c.k, &c.v, &c.a, &c.b}) vec->resize(n);
    for (size_t i = 0; i < n; i++) {
        c.r[i] = u(rng);
        c.w[i] = !wide_decays ? dec(rng) : p01(rng) < 0.1f ? 1.0f : std::exp(-wide(rng));
        c.k[i] = u(rng);
        c.v[i] = u(rng);
    }
    std::vector<float> kk(static_cast<size_t>(N));
    for (int64_t t = 0; t < T; t++)
        for (int h = 0; h < H; h++) {
            double norm = 0;
            for (int j = 0; j < N; j++) norm += double(kk[size_t(j)] = u(rng)) * kk[size_t(j)];
            for (int j = 0; j < N; j++) {
                const size_t i = size_t((t * H + h) * N + j);
                const float unit = float(kk[size_t(j)] / std::sqrt(norm));
                c.a[i] = -unit;
                c.b[i] = unit * (0.5f + 0.5f * u(rng));
            }
        }
    c.state0.resize(size_t(H) * N * N);
    for (auto &s : c.state0) s = 0.3f * u(rng);
    return c;
}

// Float64 recurrence over all tokens; S is key-major like the kernel's state.
std::vector<double> ref_wkv7(const Wkv7Case &c, std::vector<double> &S) {
    const int N = c.N;
    const int64_t C = int64_t(c.H) * N;
    S.assign(c.state0.begin(), c.state0.end());
    std::vector<double> y(size_t(c.T * C));
    std::vector<double> sa(static_cast<size_t>(N));
    for (int64_t t = 0; t < c.T; t++)
        for (int h = 0; h < c.H; h++) {
            const size_t o = size_t(t * C + h * N);
            double *Sh = &S[size_t(h) * N * N];  // Sh[j * N + i]: key j, value i
            for (int i = 0; i < N; i++) {
                double acc = 0;
                for (int j = 0; j < N; j++) acc += Sh[j * N + i] * c.a[o + size_t(j)];
                sa[size_t(i)] = acc;
            }
            for (int i = 0; i < N; i++) {
                double acc = 0;
                for (int j = 0; j < N; j++) {
                    double &s = Sh[j * N + i];
                    s = s * c.w[o + size_t(j)] + sa[size_t(i)] * c.b[o + size_t(j)] +
                        double(c.v[o + size_t(i)]) * c.k[o + size_t(j)];
                    acc += s * c.r[o + size_t(j)];
                }
                y[o + size_t(i)] = acc;
            }
        }
    return y;
}

enum class Wkv7Form { Recurrent, Chunked, Auto };
const char *form_name(Wkv7Form f) {
    return f == Wkv7Form::Recurrent ? "recurrent" : f == Wkv7Form::Chunked ? "chunked" : "auto";
}

struct Wkv7Result {
    std::vector<float> y, state;
};

// Runs the form over the case in calls starting at the given token offsets (e.g. {0, T1}), carrying
// the state on the device.
Wkv7Result run_wkv7(const Wkv7Case &c, Wkv7Form form, const std::vector<int64_t> &starts) {
    const size_t C = size_t(c.H) * c.N, n = size_t(c.T) * C;
    // One token row of NaN after the inputs: a chunk padded past T must not read it.
    Device<float> r = poisoned(c.r, C), w = poisoned(c.w, C), k = poisoned(c.k, C), v = poisoned(c.v, C),
                  a = poisoned(c.a, C), b = poisoned(c.b, C), state(c.state0), y(std::vector<float>(n + C, NAN));
    for (size_t s = 0; s < starts.size(); s++) {
        const int64_t t0 = starts[s], t1 = s + 1 < starts.size() ? starts[s + 1] : c.T;
        const size_t o = size_t(t0) * C;
        rwkvx_wkv7_params p{t1 - t0,   c.H,       c.N,       r.ptr + o, w.ptr + o,           k.ptr + o, v.ptr + o,
                            a.ptr + o, b.ptr + o, state.ptr, y.ptr + o, RWKVX_MEMORY_DEVICE, 0};
        if (form == Wkv7Form::Recurrent)
            rwkvx::cuda::wkv7_recurrent(p, nullptr);
        else if (form == Wkv7Form::Chunked)
            rwkvx::cuda::wkv7_chunked(p, nullptr);
        else
            rwkvx::cuda::wkv7(p, nullptr);
    }
    sync_or_die("wkv7");
    Wkv7Result out{y.download(), state.download()};
    const bool tail_untouched = std::isnan(out.y[n]) && std::isnan(out.y[n + C - 1]);
    expect(tail_untouched, "wkv7 wrote past its output");
    out.y.resize(n);
    return out;
}

void test_wkv7(Rng &rng) {
    // N = 32, 64, 128: the register kernels; 48, 20, 1 and 256: the global-memory kernel (chunked: any
    // N <= 128, and the recurrent form above). {400, 64, 128}: the chunked form in several workspace
    // windows. A fourth entry 1: wide decays.
    const int cases[][4] = {{1, 2, 64},   {7, 2, 64},     {300, 2, 64},    {1000, 2, 64},  {1, 2, 48},  {7, 2, 48},
                            {300, 2, 48}, {1000, 2, 48},  {40, 2, 32},     {300, 1, 128},  {37, 3, 20}, {50, 3, 1},
                            {20, 1, 256}, {400, 64, 128}, {300, 2, 64, 1}, {100, 2, 48, 1}};
    const double tol = 2e-5;  // docs/numerics.md §2.4, relative to max(1, max |y_ref|)
    double worst = 0;
    for (auto &cs : cases) {
        const int64_t T = cs[0];
        const int H = cs[1], N = cs[2];
        const bool wide = cs[3] != 0;
        const Wkv7Case c = make_wkv7(rng, T, H, N, wide);
        std::vector<double> S_ref;
        const std::vector<double> y_ref = ref_wkv7(c, S_ref);
        const double scale = std::max(1.0, max_abs(y_ref));  // for y and the state alike (§2.4)
        const std::string name = "wkv7 T=" + std::to_string(T) + " H=" + std::to_string(H) + " N=" + std::to_string(N) +
                                 (wide ? " wide decays" : "");
        const int64_t split = T / 3 + 1;  // not a multiple of the chunk
        Wkv7Result one[2];
        std::string line;
        for (Wkv7Form f : {Wkv7Form::Recurrent, Wkv7Form::Chunked, Wkv7Form::Auto}) {
            const Wkv7Result res = run_wkv7(c, f, {0});
            const double ey = max_abs_diff(res.y.data(), y_ref.data(), y_ref.size()) / scale;
            const double es = max_abs_diff(res.state.data(), S_ref.data(), S_ref.size()) / scale;
            expect(ey <= tol && es <= tol,
                   name + " " + form_name(f) + ": y err " + std::to_string(ey) + ", state err " + std::to_string(es));
            worst = worse(worst, std::max(ey, es));
            char buf[96];
            std::snprintf(buf, sizeof buf, " %s %.2e/%.2e", form_name(f), ey, es);
            line += buf;
            if (f == Wkv7Form::Auto) break;
            one[f == Wkv7Form::Chunked] = res;
            if (T > 1) {  // the state carried between two calls
                const Wkv7Result two = run_wkv7(c, f, {0, split});
                const double dy = max_abs_diff(two.y.data(), res.y.data(), res.y.size()) / scale;
                const double ds = max_abs_diff(two.state.data(), res.state.data(), res.state.size()) / scale;
                expect(dy <= tol && ds <= tol, name + " " + form_name(f) + " split at " + std::to_string(split) +
                                                   " vs one call: y " + std::to_string(dy) + ", state " +
                                                   std::to_string(ds));
                worst = worse(worst, std::max(dy, ds));
                std::snprintf(buf, sizeof buf, " (split %.2e/%.2e)", dy, ds);
                line += buf;
            }
        }
        const double dy = max_abs_diff(one[1].y.data(), one[0].y.data(), y_ref.size()) / scale;
        const double ds = max_abs_diff(one[1].state.data(), one[0].state.data(), S_ref.size()) / scale;
        expect(dy <= tol && ds <= tol,
               name + " chunked vs recurrent: y " + std::to_string(dy) + ", state " + std::to_string(ds));
        worst = worse(worst, std::max(dy, ds));
        std::printf("  %s:%s; chunked-recurrent %.2e/%.2e\n", name.c_str(), line.c_str(), dy, ds);
    }
    std::printf("wkv7: %zu cases, worst scaled error %.3e (bound %.0e)\n", sizeof cases / sizeof cases[0], worst, tol);
}

// ---- WKV-4 -------------------------------------------------------------------------------------------

using wkv_reference::make_wkv4;
using wkv_reference::Wkv4Case;

void test_wkv4(Rng &rng) {
    struct Spec {
        int64_t T, C;
        double extremes;
        bool neg_inf_only;
        int64_t step;  // tokens per call
        double tol;    // docs/numerics.md §2.5
    };
    // The cases of tests/native/test_wkv4.cpp: random keys, 20% extremes (±80, -inf) in one call and
    // one token per call, C = 13, 65,536 tokens with 1% -inf keys (one call, calls of 1000), and with
    // 1% ±80 keys (the float32 floor of ~1e-4 of §2.5); plus a wide C over several blocks.
    const Spec specs[] = {{96, 136, 0.0, false, 96, 1e-5},     {96, 136, 0.2, false, 96, 1e-5},
                          {96, 136, 0.2, false, 1, 1e-5},      {40, 13, 0.1, false, 40, 1e-5},
                          {300, 1000, 0.0, false, 300, 1e-5},  {65536, 24, 0.01, true, 65536, 1e-5},
                          {65536, 24, 0.01, true, 1000, 1e-5}, {65536, 24, 0.01, false, 65536, 2e-4}};
    double worst = 0;
    for (const Spec &sp : specs) {
        const Wkv4Case c = make_wkv4(rng, sp.T, sp.C, sp.extremes, sp.neg_inf_only);
        const std::vector<float> state0 = wkv_reference::wkv4_initial_state(sp.C);
        std::vector<double> S_ref(state0.begin(), state0.end());
        const std::vector<double> y_ref = wkv_reference::wkv4(c, S_ref);

        Device<float> w(c.w), u(c.u), k = poisoned(c.k, size_t(sp.C)), v = poisoned(c.v, size_t(sp.C)), state(state0),
                                      y(std::vector<float>(size_t(sp.T * sp.C), NAN));
        for (int64_t t0 = 0; t0 < sp.T; t0 += sp.step) {
            const int64_t n = std::min(sp.step, sp.T - t0);
            const size_t o = size_t(t0 * sp.C);
            rwkvx_wkv4_params p{n, sp.C, w.ptr, u.ptr, k.ptr + o, v.ptr + o, state.ptr, y.ptr + o, RWKVX_MEMORY_DEVICE,
                                0};
            rwkvx::cuda::wkv4(p, nullptr);
        }
        sync_or_die("wkv4");
        const std::vector<float> yg = y.download(), sg = state.download();
        const double ey = max_abs_diff(yg.data(), y_ref.data(), y_ref.size()) / std::max(1.0, max_abs(y_ref));
        // States compared by what they represent: aa * e^pp and bb * e^pp (docs/numerics.md §2.5).
        double es = 0;
        bool finite = true;
        for (int64_t ch = 0; ch < sp.C; ch++) {
            const double pp = sg[size_t(2 * sp.C + ch)], pp_ref = S_ref[size_t(2 * sp.C + ch)];
            const double f = std::exp(pp - pp_ref), den = std::max(1.0, std::fabs(S_ref[size_t(sp.C + ch)]));
            es = worse(es, std::fabs(sg[size_t(ch)] * f - S_ref[size_t(ch)]) / den);
            es = worse(es, std::fabs(sg[size_t(sp.C + ch)] * f - S_ref[size_t(sp.C + ch)]) / den);
            for (int q = 0; q < 3; q++) finite = finite && std::isfinite(sg[size_t(q * sp.C + ch)]);
        }
        const std::string name = "wkv4 T=" + std::to_string(sp.T) + " C=" + std::to_string(sp.C) +
                                 " extremes=" + std::to_string(sp.extremes) + (sp.neg_inf_only ? " (-inf)" : "") +
                                 " step=" + std::to_string(sp.step);
        expect(finite && ey <= sp.tol && es <= sp.tol,
               name + ": y err " + std::to_string(ey) + ", state err " + std::to_string(es));
        std::printf("  %s: y %.2e, state %.2e (bound %.0e)\n", name.c_str(), ey, es, sp.tol);
        worst = worse(worst, std::max(ey, es) / sp.tol);
    }
    std::printf("wkv4: %zu cases, worst error / bound %.3f\n", sizeof specs / sizeof specs[0], worst);
}

// ---- WKV-5 / WKV-6 -----------------------------------------------------------------------------------

using wkv_reference::make_wkv5;
using wkv_reference::Wkv5Case;

void test_wkv5(Rng &rng) {
    const int shapes[][2] = {{2, 64}, {2, 48}, {1, 32}, {1, 128}, {3, 12}, {1, 1}};
    const double tol = 1e-5;  // docs/numerics.md §2.6: |got - want| / (1 + |want|)
    double worst = 0;
    int n_cases = 0;
    for (auto &sh : shapes)
        for (int64_t T : {1, 5, 300})
            for (bool per_token : {false, true}) {
                const Wkv5Case c = make_wkv5(rng, T, sh[0], sh[1], per_token);
                std::vector<double> S_ref;
                const std::vector<double> y_ref = wkv_reference::wkv5(c, S_ref);
                const size_t C = size_t(c.H) * c.N;
                Device<float> r = poisoned(c.r, C), k = poisoned(c.k, C), v = poisoned(c.v, C), w = poisoned(c.w, C),
                              u(c.u), state(c.state0), y(std::vector<float>(size_t(T) * C, NAN));
                // Two calls (1 token, then the rest) when T > 1: the state carries over.
                const int64_t split = T > 1 ? 1 : T;
                for (int part = 0; part < 2; part++) {
                    const int64_t t0 = part == 0 ? 0 : split, t1 = part == 0 ? split : T;
                    if (t1 <= t0) continue;
                    const size_t o = size_t(t0) * C;
                    rwkvx_wkv5_params p{t1 - t0,
                                        c.H,
                                        c.N,
                                        per_token ? 1 : 0,
                                        RWKVX_MEMORY_DEVICE,
                                        r.ptr + o,
                                        k.ptr + o,
                                        v.ptr + o,
                                        per_token ? w.ptr + o : w.ptr,
                                        u.ptr,
                                        state.ptr,
                                        y.ptr + o};
                    rwkvx::cuda::wkv5(p, nullptr);
                }
                sync_or_die("wkv5");
                const std::vector<float> yg = y.download(), sg = state.download();
                double e = 0;
                for (size_t i = 0; i < y_ref.size(); i++)
                    e = worse(e, std::fabs(double(yg[i]) - y_ref[i]) / (1 + std::fabs(y_ref[i])));
                for (size_t i = 0; i < S_ref.size(); i++)
                    e = worse(e, std::fabs(double(sg[i]) - S_ref[i]) / (1 + std::fabs(S_ref[i])));
                expect(e <= tol, "wkv5 H=" + std::to_string(c.H) + " N=" + std::to_string(c.N) +
                                     " T=" + std::to_string(T) + (per_token ? " per-token w" : " per-channel w") +
                                     ": err " + std::to_string(e));
                worst = worse(worst, e);
                n_cases++;
            }
    std::printf(
        "wkv5: %d cases (H x N in {2x64, 2x48, 1x32, 1x128, 3x12, 1x1}, T 1/5/300, both decay modes), "
        "worst error %.3e (bound %.0e)\n",
        n_cases, worst, tol);
}

// ---- matmul ------------------------------------------------------------------------------------------

const char *dtype_name(int32_t d) {
    return d == RWKVX_DTYPE_F32 ? "F32" : d == RWKVX_DTYPE_F16 ? "F16" : "BF16";
}

void test_matmul(Rng &rng) {
    struct Shape {
        int64_t T, N, K;
        int x_offset, w_offset;  // elements: misaligned starts
    };
    // T = 1: the GEMV (16-byte loads when aligned); T > 1: the 64 x 64 GEMM, and the 128 x 128 one for
    // {1500, 1600, 40} (12 x 13 large tiles, enough for GPUs with up to 156 multiprocessors).
    const Shape shapes[] = {{1, 67, 45, 0, 0},     {1, 256, 512, 0, 0}, {1, 100, 257, 0, 0}, {1, 96, 512, 1, 0},
                            {1, 96, 512, 0, 1},    {1, 4099, 64, 0, 0}, {37, 67, 45, 0, 0},  {37, 200, 300, 0, 0},
                            {130, 129, 64, 1, 1},  {64, 64, 32, 0, 0},  {3, 5, 0, 0, 0},     {2, 1, 1, 0, 0},
                            {1500, 1600, 40, 1, 1}};
    std::uniform_real_distribution<float> u(-1, 1);
    double worst = 0;
    int n_cases = 0;
    for (int32_t dtype : {RWKVX_DTYPE_F32, RWKVX_DTYPE_F16, RWKVX_DTYPE_BF16})
        for (const Shape &s : shapes) {
            std::vector<float> x(size_t(s.T * s.K)), wv(size_t(s.N * s.K));  // wv: the weights' exact values
            for (auto &e : x) e = u(rng);
            std::vector<uint16_t> w16(wv.size());
            for (size_t i = 0; i < wv.size(); i++) {
                const float f = u(rng);
                if (dtype == RWKVX_DTYPE_F16) {
                    w16[i] = to_half(f);
                    wv[i] = from_half(w16[i]);
                } else if (dtype == RWKVX_DTYPE_BF16) {
                    w16[i] = to_bf16(f);
                    wv[i] = from_bf16(w16[i]);
                } else {
                    wv[i] = f;
                }
            }
            // Device copies with NaN before (misalignment) and after (overreads) the data.
            const size_t pad = 64;
            std::vector<float> xh(size_t(s.x_offset) + x.size() + pad, NAN);
            std::copy(x.begin(), x.end(), xh.begin() + s.x_offset);
            Device<float> xd(xh), yd(std::vector<float>(size_t(s.T * s.N), NAN));
            const void *w_ptr;
            Device<float> w32(dtype == RWKVX_DTYPE_F32 ? size_t(s.w_offset) + wv.size() + pad : 0);
            Device<uint16_t> w16d(dtype == RWKVX_DTYPE_F32 ? 0 : size_t(s.w_offset) + w16.size() + pad);
            if (dtype == RWKVX_DTYPE_F32) {
                std::vector<float> h(size_t(s.w_offset) + wv.size() + pad, NAN);
                std::copy(wv.begin(), wv.end(), h.begin() + s.w_offset);
                w32.upload(h);
                w_ptr = w32.ptr + s.w_offset;
            } else {
                std::vector<uint16_t> h(size_t(s.w_offset) + w16.size() + pad, 0x7e00);  // NaN in F16 and BF16
                std::copy(w16.begin(), w16.end(), h.begin() + s.w_offset);
                w16d.upload(h);
                w_ptr = w16d.ptr + s.w_offset;
            }
            rwkvx::MatmulCall call{dtype, w_ptr, s.N, s.K, xd.ptr + s.x_offset, s.T, yd.ptr, rwkvx::Memory::Device};
            rwkvx::cuda::matmul(call, nullptr);
            sync_or_die("matmul");
            const std::vector<float> y = yd.download();
            // docs/numerics.md §2.1: max |y - y_ref| <= 1e-6 * max_n sum_k |x_k w_nk|.
            double err = 0, sum_abs = 0;
            for (int64_t t = 0; t < s.T; t++)
                for (int64_t n = 0; n < s.N; n++) {
                    double ref = 0, abs_sum = 0;
                    for (int64_t k = 0; k < s.K; k++) {
                        const double p = double(x[size_t(t * s.K + k)]) * wv[size_t(n * s.K + k)];
                        ref += p;
                        abs_sum += std::fabs(p);
                    }
                    sum_abs = std::max(sum_abs, abs_sum);
                    err = worse(err, std::fabs(double(y[size_t(t * s.N + n)]) - ref));
                }
            const double bound = 1e-6 * sum_abs, scaled = sum_abs > 0 ? err / sum_abs : err;
            expect(err <= bound, std::string("matmul ") + dtype_name(dtype) + " T=" + std::to_string(s.T) +
                                     " N=" + std::to_string(s.N) + " K=" + std::to_string(s.K) + " offsets " +
                                     std::to_string(s.x_offset) + "/" + std::to_string(s.w_offset) + ": err " +
                                     std::to_string(err) + " > " + std::to_string(bound));
            worst = worse(worst, scaled);
            n_cases++;
        }
    std::printf(
        "matmul: %d cases (F32/F16/BF16, GEMV and GEMM, edges, misaligned), worst err / max sum|x w| "
        "%.3e (bound 1e-6)\n",
        n_cases, worst);
}

// ---- group norm --------------------------------------------------------------------------------------

void test_group_norm(Rng &rng) {
    struct Spec {
        int64_t T, C;
        int groups;
        float eps;
    };
    const Spec specs[] = {{5, 96, 1, 1e-5f},   {5, 96, 12, 1e-5f},    {3, 128, 2, 64e-5f},
                          {7, 2048, 1, 1e-5f}, {4, 4096, 64, 64e-5f}, {1, 33, 3, 1e-5f}};
    std::uniform_real_distribution<float> u(-3, 3);
    double worst = 0;
    int n_cases = 0;
    for (const Spec &s : specs)
        for (bool in_place : {false, true}) {
            std::vector<float> x(size_t(s.T * s.C)), wt(size_t(s.C)), bs(size_t(s.C));
            for (auto &e : x) e = u(rng);
            for (auto &e : wt) e = u(rng);
            for (auto &e : bs) e = u(rng);
            Device<float> xd = poisoned(x, 64), wd(wt), bd(bs), yd(std::vector<float>(x.size(), NAN));
            float *y_ptr = in_place ? xd.ptr : yd.ptr;
            rwkvx::GroupNormCall call{xd.ptr, wd.ptr, bd.ptr, y_ptr, s.T, s.C, s.groups, s.eps, rwkvx::Memory::Device};
            rwkvx::cuda::group_norm(call, nullptr);
            sync_or_die("group_norm");
            std::vector<float> y = (in_place ? xd : yd).download();
            y.resize(x.size());
            const int64_t G = s.C / s.groups;
            double err = 0;
            for (int64_t t = 0; t < s.T; t++)
                for (int64_t g = 0; g < s.groups; g++) {
                    double mean = 0, var = 0;
                    for (int64_t i = 0; i < G; i++) mean += x[size_t(t * s.C + g * G + i)];
                    mean /= double(G);
                    for (int64_t i = 0; i < G; i++) var += std::pow(x[size_t(t * s.C + g * G + i)] - mean, 2);
                    var /= double(G);
                    for (int64_t i = 0; i < G; i++) {
                        const size_t q = size_t(t * s.C + g * G + i);
                        const double ref = (x[q] - mean) / std::sqrt(var + double(s.eps)) * wt[size_t(g * G + i)] +
                                           bs[size_t(g * G + i)];
                        err = worse(err, std::fabs(ref - y[q]));
                    }
                }
            expect(err < 1e-5, "group_norm T=" + std::to_string(s.T) + " C=" + std::to_string(s.C) +
                                   " groups=" + std::to_string(s.groups) + (in_place ? " in place" : "") + ": err " +
                                   std::to_string(err));
            worst = worse(worst, err);
            n_cases++;
        }
    std::printf("group_norm: %d cases (1 and H groups, in place and not), worst abs error %.3e (bound 1e-5)\n", n_cases,
                worst);
}

}  // namespace

int main() {
    if (!gpu_test::device_available()) return gpu_test::no_device_exit();
    Rng rng(20240607);
    test_wkv7(rng);
    test_wkv4(rng);
    test_wkv5(rng);
    test_matmul(rng);
    test_group_norm(rng);
    return finish();
}
