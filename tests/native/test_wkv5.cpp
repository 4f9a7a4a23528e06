// WKV-5/6 kernel tests: scalar and AVX2 contexts, 1 and 2 threads (and, when built with CUDA, CUDA
// contexts with host and device memory: device_mirror.h), constant (RWKV-5.2) and per-token (RWKV-6)
// decay, against a float64 reference written here; head sizes with and without a full vector.
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "check.h"
#include "device_mirror.h"
#include "rwkvx.h"

namespace {

struct Case {
    int64_t T;
    int32_t H, N;
    bool per_token;
    std::vector<float> r, k, v, w, u, state0;
};

Case make_case(int64_t T, int32_t H, int32_t N, bool per_token, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> d(-1.0f, 1.0f), dw(0.3f, 1.0f);
    Case c{T, H, N, per_token, {}, {}, {}, {}, {}, {}};
    const size_t n = size_t(T) * H * N;
    for (auto *vec : {&c.r, &c.k, &c.v}) {
        vec->resize(n);
        for (auto &x : *vec) x = d(rng);
    }
    c.w.resize(per_token ? n : size_t(H) * N);
    for (auto &x : c.w) x = dw(rng);
    c.u.resize(size_t(H) * N);
    for (auto &x : c.u) x = d(rng);
    c.state0.resize(size_t(H) * N * N);
    for (auto &x : c.state0) x = 0.5f * d(rng);
    return c;
}

// y_j = sum_i r_i (u_i k_i v_j + S[i][j]);  S[i][j] <- w_i S[i][j] + k_i v_j.
std::vector<double> reference(const Case &c, std::vector<double> &S) {
    const int64_t C = int64_t(c.H) * c.N;
    std::vector<double> y(size_t(c.T * C), 0.0);
    for (int64_t t = 0; t < c.T; t++)
        for (int h = 0; h < c.H; h++)
            for (int i = 0; i < c.N; i++) {
                const size_t o = size_t(t * C + h * c.N);
                const double ri = c.r[o + i], ki = c.k[o + i], ui = c.u[size_t(h * c.N + i)];
                const double wi = c.per_token ? c.w[o + i] : c.w[size_t(h * c.N + i)];
                for (int j = 0; j < c.N; j++) {
                    double &s = S[size_t((h * c.N + i) * c.N + j)];
                    y[o + j] += ri * (ui * ki * c.v[o + j] + s);
                    s = wi * s + ki * c.v[o + j];
                }
            }
    return y;
}

void check(const device_mirror::Flavour &f, const Case &c, const std::string &label) {
    rwkvx_context *ctx = f.ctx;
    std::vector<double> S(c.state0.begin(), c.state0.end());
    std::vector<double> want = reference(c, S);
    std::vector<float> state = c.state0, y(size_t(c.T) * c.H * c.N);
    rwkvx_wkv5_params p{c.T,        c.H,        c.N,        c.per_token ? 1 : 0, RWKVX_MEMORY_HOST, c.r.data(),
                        c.k.data(), c.v.data(), c.w.data(), c.u.data(),          state.data(),      y.data()};
    expect(device_mirror::wkv5(f, &p) == RWKVX_OK, label + ": call failed: " + rwkvx_last_error());
    double worst = 0;
    for (size_t i = 0; i < y.size(); i++) worst = worse(worst, std::fabs(y[i] - want[i]) / (1.0 + std::fabs(want[i])));
    for (size_t i = 0; i < state.size(); i++)
        worst = worse(worst, std::fabs(state[i] - S[i]) / (1.0 + std::fabs(S[i])));
    expect(worst <= 1e-5, label + ": relative error " + std::to_string(worst));
    // Bad arguments give a status, not a crash.
    rwkvx_wkv5_params bad = p;
    bad.w_per_token = 2;
    expect(rwkvx_wkv5(ctx, &bad) == RWKVX_ERROR_ARGUMENT, label + ": w_per_token 2 rejected");
    bad = p;
    bad.u = nullptr;
    expect(rwkvx_wkv5(ctx, &bad) == RWKVX_ERROR_ARGUMENT, label + ": NULL u rejected");
}

void run(const Case &c, int flags, int threads, const std::string &label) {
    rwkvx_context *ctx = nullptr;
    if (rwkvx_context_create(RWKVX_BACKEND_CPU, threads, flags, &ctx) != RWKVX_OK) {
        expect(false, label + ": context: " + rwkvx_last_error());
        return;
    }
    check({ctx, label}, c, label);
    rwkvx_context_free(ctx);
}

}  // namespace

int main() {
    // The CUDA flavours (if any) run the cases of the first CPU pass.
    std::vector<device_mirror::Flavour> cuda;
    device_mirror::add_cuda_flavours(cuda);
    unsigned seed = 1;
    for (int flags : {RWKVX_CONTEXT_FORCE_SCALAR, 0})
        for (int threads : {1, 2})
            for (bool per_token : {false, true})
                for (auto geo : {std::pair<int, int>{8, 8}, {2, 64}, {3, 12}, {1, 1}, {2, 24}, {1, 128}, {2, 72}})
                    for (int64_t T : {1, 5, 300}) {
                        Case c = make_case(T, geo.first, geo.second, per_token, seed++);
                        const std::string shape = std::string(per_token ? " v6" : " v5") + " H" +
                                                  std::to_string(geo.first) + " N" + std::to_string(geo.second) + " T" +
                                                  std::to_string(T);
                        run(c, flags, threads,
                            std::string(flags ? "scalar" : "auto") + " t" + std::to_string(threads) + shape);
                        if (flags == RWKVX_CONTEXT_FORCE_SCALAR && threads == 1)
                            for (const auto &f : cuda) check(f, c, f.name + shape);
                    }
    device_mirror::free_all(cuda);
    return finish();
}
