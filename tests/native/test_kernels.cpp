// Native kernel tests: every kernel, in both its scalar and AVX2 form and with 1 and 2 threads (and,
// when built with CUDA, on CUDA contexts with host and device memory: device_mirror.h), against a
// float64 reference written here; plus the API's error reporting.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "check.h"
#include "device_mirror.h"
#include "half_floats.h"
#include "rwkvx.h"
#include "test_setup.h"

namespace {

// Floats starting `shift` elements past a 64-byte boundary.
struct AlignedFloats {
    std::vector<float> storage;
    float *data;
    AlignedFloats(size_t n, size_t shift) : storage(n + 16 + shift) {
        uintptr_t p = reinterpret_cast<uintptr_t>(storage.data());
        data = storage.data() + ((64 - p % 64) % 64) / sizeof(float) + shift;
    }
};

void test_matmul(Contexts &ctx, std::mt19937 &rng) {
    std::uniform_real_distribution<float> u(-1, 1);
    // {80, 768, 50} and {64, 96, 1000} are GEMMs, the latter of several column blocks (one partial)
    // that threads claim in chunks; {6, 200, 1300} a skinny product the threads split; the last a GEMV
    // as big as a vocabulary head (2^24 MACs and more), also claimed.
    // T = 2 .. 16 are skinny products on AVX2 (rows in passes of 16, each input row in turn), 17 a GEMM.
    const int64_t shapes[][3] = {{1, 37, 13},    {1, 768, 40},   {2, 200, 9},         {3, 64, 48},  {4, 64, 16},
                                 {7, 300, 33},   {13, 257, 70},  {16, 100, 45},       {17, 64, 33}, {80, 768, 50},
                                 {64, 96, 1000}, {6, 200, 1300}, {1, 256, 65536 + 40}};
    // The GEMV copies a misaligned input to an aligned buffer and uses an aligned one in place; weights
    // may start anywhere (rwkv.cpp files). Each shape runs once 64-byte aligned and once misaligned.
    for (int shifted = 0; shifted < 2; shifted++)
        for (auto &s : shapes) {
            int64_t T = s[0], K = s[1], N = s[2];
            AlignedFloats xbuf(size_t(T * K), shifted ? 3 : 0), wbuf(size_t(N * K), shifted ? 1 : 0);
            float *x = xbuf.data, *w = wbuf.data;
            for (size_t i = 0; i < size_t(T * K); i++) x[i] = u(rng);
            for (size_t i = 0; i < size_t(N * K); i++) w[i] = u(rng);
            std::vector<uint16_t> whb(size_t(N * K) + 1), wbb(size_t(N * K) + 1);
            uint16_t *wh = whb.data() + shifted, *wb = wbb.data() + shifted;  // 2-byte misaligned when shifted
            for (size_t i = 0; i < size_t(N * K); i++) {
                wh[i] = to_half(w[i]);
                wb[i] = to_bf16(w[i]);
            }
            for (int dtype = 0; dtype < 3; dtype++) {
                void *wd = dtype == 0 ? (void *)w : dtype == 1 ? (void *)wh : (void *)wb;
                std::vector<double> ref(size_t(T * N));
                double scale = 0;
                for (int64_t t = 0; t < T; t++)
                    for (int64_t n = 0; n < N; n++) {
                        double acc = 0, mag = 0;
                        for (int64_t k = 0; k < K; k++) {
                            size_t i = size_t(n * K + k);
                            double wv = dtype == 0 ? w[i] : dtype == 1 ? from_half(wh[i]) : from_bf16(wb[i]);
                            acc += double(x[size_t(t * K + k)]) * wv;
                            mag += std::fabs(double(x[size_t(t * K + k)]) * wv);
                        }
                        ref[size_t(t * N + n)] = acc;
                        scale = std::max(scale, mag);
                    }
                for (size_t c = 0; c < ctx.list.size(); c++) {
                    std::vector<float> y(size_t(T * N), NAN);
                    rwkvx_tensor tx = tensor(x, 0, {T, K}), tw = tensor(wd, dtype, {N, K}),
                                 ty = tensor(y.data(), 0, {T, N});
                    int st = device_mirror::matmul(ctx.list[c], &tx, &tw, &ty);
                    double err = 0;
                    for (size_t i = 0; i < y.size(); i++) err = worse(err, std::fabs(double(y[i]) - ref[i]));
                    char what[220];
                    std::snprintf(what, sizeof what,
                                  "matmul T=%ld K=%ld N=%ld dtype=%d %s%s: status %d, max err %.3g (bound %.3g)",
                                  long(T), long(K), long(N), dtype, ctx.list[c].name.c_str(),
                                  shifted ? " misaligned" : " aligned", st, err, 1e-6 * scale);
                    // fp32 accumulation over K terms: error well below 1e-6 of the sum of magnitudes.
                    expect(st == RWKVX_OK && err <= 1e-6 * scale, what);
                }
            }
        }
}

void test_wkv7(Contexts &ctx, std::mt19937 &rng) {
    std::uniform_real_distribution<float> u(-1, 1), dec(0.545f, 1.0f);
    // {1, 12, 64}: decode, each thread running several whole heads (and prefetching the next one's
    // state); N = 24, 40, 128: 64-value spans and a lone 8-value block; {4, 1, 64}: heads split in
    // value blocks between threads.
    const int cases[][3] = {{1, 1, 64},  {37, 2, 64}, {200, 3, 16}, {9, 2, 8},   {5, 1, 12},
                            {1, 12, 64}, {3, 7, 24},  {2, 9, 40},   {2, 3, 128}, {4, 1, 64}};
    for (auto &cs : cases) {
        int64_t T = cs[0];
        int H = cs[1], N = cs[2];
        int64_t C = int64_t(H) * N;
        std::vector<float> r(size_t(T * C)), w(r.size()), k(r.size()), v(r.size()), a(r.size()), b(r.size());
        for (size_t i = 0; i < r.size(); i++) {
            r[i] = u(rng);
            w[i] = dec(rng);
            k[i] = u(rng);
            v[i] = u(rng);
        }
        // a = -kk, b = kk*alpha with kk unit per head, as in the model (keeps the state bounded).
        for (int64_t t = 0; t < T; t++)
            for (int h = 0; h < H; h++) {
                double norm = 0;
                std::vector<float> kk(static_cast<size_t>(N));
                for (int j = 0; j < N; j++) norm += double(kk[size_t(j)] = u(rng)) * kk[size_t(j)];
                for (int j = 0; j < N; j++) {
                    size_t i = size_t(t * C + h * N + j);
                    float unit = float(kk[size_t(j)] / std::sqrt(norm));
                    a[i] = -unit;
                    b[i] = unit * (0.5f + 0.5f * u(rng));
                }
            }
        std::vector<float> state0(size_t(H) * N * N);
        for (auto &s : state0) s = 0.3f * u(rng);
        // float64 reference with S[i][j] = value i, key j; the kernel stores key-major.
        std::vector<double> S(state0.size()), yref(r.size());
        for (int h = 0; h < H; h++)
            for (int j = 0; j < N; j++)
                for (int i = 0; i < N; i++) S[size_t(h * N * N + i * N + j)] = state0[size_t(h * N * N + j * N + i)];
        for (int64_t t = 0; t < T; t++)
            for (int h = 0; h < H; h++) {
                size_t o = size_t(t * C + h * N);
                double *Sh = &S[size_t(h * N * N)];
                for (int i = 0; i < N; i++) {
                    double sa = 0;
                    for (int j = 0; j < N; j++) sa += Sh[i * N + j] * a[o + size_t(j)];
                    double y = 0;
                    for (int j = 0; j < N; j++) {
                        double s = Sh[i * N + j] * w[o + size_t(j)] + sa * b[o + size_t(j)] +
                                   double(v[o + size_t(i)]) * k[o + size_t(j)];
                        Sh[i * N + j] = s;
                        y += s * r[o + size_t(j)];
                    }
                    yref[o + size_t(i)] = y;
                }
            }
        double ymax = 1;
        for (double y : yref) ymax = std::max(ymax, std::fabs(y));
        for (size_t c = 0; c < ctx.list.size(); c++) {
            std::vector<float> state = state0, y(r.size(), NAN);
            rwkvx_wkv7_params p{T,        H,        N,        r.data(),     w.data(), k.data(),
                                v.data(), a.data(), b.data(), state.data(), y.data()};
            int st = device_mirror::wkv7(ctx.list[c], &p);
            double ey = 0, es = 0;
            for (size_t i = 0; i < y.size(); i++) ey = worse(ey, std::fabs(y[i] - yref[i]));
            for (int h = 0; h < H; h++)
                for (int j = 0; j < N; j++)
                    for (int i = 0; i < N; i++)
                        es = worse(es,
                                   std::fabs(state[size_t(h * N * N + j * N + i)] - S[size_t(h * N * N + i * N + j)]));
            char what[200];
            std::snprintf(what, sizeof what, "wkv7 T=%ld H=%d N=%d %s: status %d, y err %.3g, state err %.3g", long(T),
                          H, N, ctx.list[c].name.c_str(), st, ey, es);
            expect(st == RWKVX_OK && ey <= 2e-5 * ymax && es <= 2e-5 * ymax, what);
        }
    }
}

void test_group_norm(Contexts &ctx, std::mt19937 &rng) {
    std::uniform_real_distribution<float> u(-3, 3);
    const int64_t T = 5, C = 96;
    for (int groups : {1, 12}) {
        std::vector<float> x(static_cast<size_t>(T * C)), wt(static_cast<size_t>(C)), bs(static_cast<size_t>(C)),
            y(x.size());
        for (auto &v : x) v = u(rng);
        for (auto &v : wt) v = u(rng);
        for (auto &v : bs) v = u(rng);
        // float64 reference.
        std::vector<double> ref(x.size());
        int64_t G = C / groups;
        for (int64_t t = 0; t < T; t++)
            for (int64_t g = 0; g < groups; g++) {
                double mean = 0, var = 0;
                for (int64_t i = 0; i < G; i++) mean += x[size_t(t * C + g * G + i)];
                mean /= double(G);
                for (int64_t i = 0; i < G; i++) var += std::pow(x[size_t(t * C + g * G + i)] - mean, 2);
                var /= double(G);
                for (int64_t i = 0; i < G; i++) {
                    size_t q = size_t(t * C + g * G + i);
                    ref[q] = (x[q] - mean) / std::sqrt(var + 1e-5) * wt[size_t(g * G + i)] + bs[size_t(g * G + i)];
                }
            }
        // The first CPU context and the CUDA flavours.
        for (size_t c = 0; c < ctx.list.size(); c++) {
            if (c > 0 && !ctx.list[c].cuda) continue;
            std::fill(y.begin(), y.end(), NAN);
            rwkvx_tensor tx = tensor(x.data(), 0, {T, C}), tw = tensor(wt.data(), 0, {C}),
                         tb = tensor(bs.data(), 0, {C}), ty = tensor(y.data(), 0, {T, C});
            int st = device_mirror::group_norm(ctx.list[c], &tx, &tw, &tb, groups, 1e-5f, &ty);
            double err = 0;
            for (size_t q = 0; q < y.size(); q++) err = worse(err, std::fabs(ref[q] - y[q]));
            expect(st == RWKVX_OK && err < 1e-5, "group_norm groups=" + std::to_string(groups) + " " +
                                                     ctx.list[c].name + ": err " + std::to_string(err));
        }
    }
}

void test_errors(Contexts &ctx) {
    float x[6] = {0}, y[6] = {0};
    uint16_t w[4] = {0};
    rwkvx_tensor tx = tensor(x, 0, {2, 3}), tw = tensor(w, 1, {2, 2}), ty = tensor(y, 0, {2, 2});
    int st = rwkvx_matmul(ctx.list[0].ctx, &tx, &tw, &ty);
    std::string msg = rwkvx_last_error();
    expect(st == RWKVX_ERROR_SHAPE && msg.find("'w'") != std::string::npos && msg.find("[2, 2]") != std::string::npos,
           "matmul shape error names the tensor and shape: " + msg);
    st = rwkvx_matmul(nullptr, &tx, &tw, &ty);
    expect(st == RWKVX_ERROR_ARGUMENT && std::string(rwkvx_last_error()).find("ctx is NULL") != std::string::npos,
           "NULL ctx reported");
    rwkvx_context *bad = nullptr;
    st = rwkvx_context_create(7, 1, 0, &bad);
    expect(st == RWKVX_ERROR_ARGUMENT && bad == nullptr, "invalid backend rejected");
    rwkvx_model *model = nullptr;
    st = rwkvx_model_create(ctx.list[0].ctx, RWKVX_ARCH_RWKV7, nullptr, 0, &model);
    expect(st == RWKVX_ERROR_MISSING_TENSOR && std::string(rwkvx_last_error()).find("emb.weight") != std::string::npos,
           "empty model names the first missing tensor: " + std::string(rwkvx_last_error()));
    rwkvx_context *cuda = nullptr;
    st = rwkvx_context_create(RWKVX_BACKEND_CUDA, 1, 0, &cuda);
    rwkvx_context *autoc = nullptr;
    if (ctx.has_cuda()) {  // a usable device: CUDA and AUTO give CUDA contexts
        expect(st == RWKVX_OK && rwkvx_context_backend(cuda) == RWKVX_BACKEND_CUDA,
               "CUDA backend with a device is created: " + std::string(rwkvx_last_error()));
        rwkvx_context_free(cuda);
        st = rwkvx_context_create(RWKVX_BACKEND_AUTO, 1, 0, &autoc);
        expect(st == RWKVX_OK && rwkvx_context_backend(autoc) == RWKVX_BACKEND_CUDA,
               std::string("AUTO picks the device: ") + (autoc ? rwkvx_context_describe(autoc) : "?"));
    } else {
        expect(st == RWKVX_ERROR_UNSUPPORTED && cuda == nullptr,
               "CUDA backend without kernels/device is refused: " + std::string(rwkvx_last_error()));
        st = rwkvx_context_create(RWKVX_BACKEND_AUTO, 1, 0, &autoc);
        expect(
            st == RWKVX_OK && std::string(rwkvx_context_describe(autoc)).find("cuda:") != std::string::npos,
            std::string("AUTO falls back to the CPU and says why: ") + (autoc ? rwkvx_context_describe(autoc) : "?"));
    }
    rwkvx_context_free(autoc);
}

// A region published right after the pool starts must still reach every worker (a worker that
// read the generation counter late once missed it and hung the caller).
void test_pool_start_race(std::mt19937 &rng) {
    float x[64], w[64 * 32], y[32];
    for (auto &v : x) v = 1.0f;
    for (auto &v : w) v = 0.5f;
    bool ok = true;
    const int64_t live_before = rwkvx_live_handles();
    for (int i = 0; i < 300 && ok; i++) {
        rwkvx_context *c = nullptr;
        rwkvx_context_create(RWKVX_BACKEND_CPU, 2 + i % 3, 0, &c);
        rwkvx_tensor tx = tensor(x, 0, {1, 64}), tw = tensor(w, 0, {32, 64}), ty = tensor(y, 0, {1, 32});
        ok = rwkvx_matmul(c, &tx, &tw, &ty) == RWKVX_OK && y[31] == 32.0f;
        rwkvx_context_free(c);
    }
    expect(ok, "300 fresh contexts each run a region at once");
    expect(rwkvx_live_handles() == live_before, "freed contexts are no longer counted as live handles");
}

}  // namespace

int main() {
    std::mt19937 rng(1234);
    Contexts ctx;
    std::printf("contexts: %s | %s\n", rwkvx_context_describe(ctx.list[0].ctx),
                rwkvx_context_describe(ctx.list[2].ctx));
    test_matmul(ctx, rng);
    test_wkv7(ctx, rng);
    test_group_norm(ctx, rng);
    test_errors(ctx);
    test_pool_start_race(rng);
    return finish();
}
