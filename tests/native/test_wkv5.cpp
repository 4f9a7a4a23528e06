// WKV-5/6 kernel tests: scalar and AVX2 contexts, 1 and 2 threads (and, when built with CUDA, CUDA
// contexts with host and device memory: device_mirror.h), constant (RWKV-5.2) and per-token (RWKV-6)
// decay, against the float64 reference of wkv_reference.h; head sizes with and without a full vector.
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "check.h"
#include "device_mirror.h"
#include "rwkvx.h"
#include "wkv_reference.h"

namespace {

using Case = wkv_reference::Wkv5Case;

void check(const device_mirror::Flavour &f, const Case &c, const std::string &label) {
    rwkvx_context *ctx = f.ctx;
    std::vector<double> S;
    std::vector<double> want = wkv_reference::wkv5(c, S);
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
                        std::mt19937 case_rng(seed++);
                        Case c = wkv_reference::make_wkv5(case_rng, T, geo.first, geo.second, per_token);
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
