// WKV-4 kernel tests: scalar and AVX2 contexts, 1 and 2 threads (and, when built with CUDA, CUDA
// contexts with host and device memory: device_mirror.h), against the float64 reference of
// wkv_reference.h (docs/numerics.md §2.5: 1e-5 relative), including extreme keys (±80, -inf),
// single-token calls and a 65,536-token run whose state must stay finite.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "check.h"
#include "device_mirror.h"
#include "rwkvx.h"
#include "wkv_reference.h"

namespace {

using Case = wkv_reference::Wkv4Case;

// Runs the kernel over the case in calls of `step` tokens, carrying the state.
std::vector<float> run(const device_mirror::Flavour &ctx, const Case &c, std::vector<float> &state, int64_t step) {
    std::vector<float> y(size_t(c.T * c.C));
    for (int64_t t0 = 0; t0 < c.T; t0 += step) {
        int64_t n = std::min(step, c.T - t0);
        rwkvx_wkv4_params p{n,
                            c.C,
                            c.w.data(),
                            c.u.data(),
                            c.k.data() + t0 * c.C,
                            c.v.data() + t0 * c.C,
                            state.data(),
                            y.data() + t0 * c.C};
        rwkvx_status s = device_mirror::wkv4(ctx, &p);
        if (s != RWKVX_OK) {
            expect(false, std::string("rwkvx_wkv4 failed: ") + rwkvx_last_error());
            break;
        }
    }
    return y;
}

void compare(const std::string &what, const std::vector<float> &y, const std::vector<double> &ref,
             const std::vector<float> &state, const std::vector<double> &ref_state, int64_t C, double tol) {
    double max_ref = 1, err = 0;
    bool finite = true;
    for (double r : ref) max_ref = std::max(max_ref, std::fabs(r));
    for (size_t i = 0; i < y.size(); i++) {
        finite = finite && std::isfinite(y[i]);
        err = worse(err, std::fabs(double(y[i]) - ref[i]));
    }
    // The kernel folds pp's rounding error into aa and bb, so compare what the state represents,
    // aa·e^pp and bb·e^pp, at the reference's pp, relative to bb's scale.
    double serr = 0;
    for (int64_t ch = 0; ch < C; ch++) {
        double pp = state[size_t(2 * C + ch)], pp_ref = ref_state[size_t(2 * C + ch)];
        double scale = std::max(1.0, std::fabs(ref_state[size_t(C + ch)]));
        finite = finite && std::isfinite(pp);
        for (int part = 0; part < 2; part++) {
            size_t i = size_t(part * C + ch);
            finite = finite && std::isfinite(state[i]);
            serr = std::max(serr, std::fabs(double(state[i]) * std::exp(pp - pp_ref) - ref_state[i]) / scale);
        }
    }
    char buf[256];
    std::snprintf(buf, sizeof buf, "%s: y error %.3g (max|y| %.3g), state error %.3g, finite %d", what.c_str(), err,
                  max_ref, serr, int(finite));
    expect(finite && err <= tol * max_ref && serr <= tol, buf);
    if (std::getenv("RWKVX_TEST_VERBOSE")) std::printf("%s\n", buf);
}

void check_case(const device_mirror::Flavour &ctx, const std::string &name, const Case &c, int64_t step,
                double tol = 1e-5) {
    std::vector<float> state = wkv_reference::wkv4_initial_state(c.C);
    std::vector<double> ref_state(state.begin(), state.end());
    std::vector<double> ref = wkv_reference::wkv4(c, ref_state);
    std::vector<float> y = run(ctx, c, state, step);
    compare(name, y, ref, state, ref_state, c.C, tol);
}

void test_errors(rwkvx_context *ctx) {
    expect(rwkvx_wkv4(ctx, nullptr) == RWKVX_ERROR_ARGUMENT, "NULL params is an argument error");
    float one = 1;
    rwkvx_wkv4_params p{1, 1, &one, &one, &one, &one, nullptr, &one};
    expect(rwkvx_wkv4(ctx, &p) == RWKVX_ERROR_ARGUMENT, "NULL state is an argument error");
    expect(std::string(rwkvx_last_error()).find("NULL") != std::string::npos, "message says NULL");
    p.n_channels = 0;
    expect(rwkvx_wkv4(ctx, &p) == RWKVX_ERROR_ARGUMENT, "0 channels is an argument error");
}

}  // namespace

int main() {
    const char *names[4] = {"avx2/1 thread", "avx2/2 threads", "scalar/1 thread", "scalar/2 threads"};
    std::vector<device_mirror::Flavour> ctx;
    for (int i = 0; i < 4; i++) {
        rwkvx_context *c = nullptr;
        rwkvx_context_create(RWKVX_BACKEND_CPU, i % 2 == 0 ? 1 : 2, i < 2 ? 0 : RWKVX_CONTEXT_FORCE_SCALAR, &c);
        ctx.push_back({c, names[i]});
    }
    device_mirror::add_cuda_flavours(ctx);
    std::mt19937 rng(1234);
    // C = 136: 8 blocks of 16 plus a block of 8, and enough work per call to split across threads;
    // C = 13 exercises the scalar tail of the vector kernel.
    Case plain = wkv_reference::make_wkv4(rng, 96, 136, 0.0);
    Case extreme = wkv_reference::make_wkv4(rng, 96, 136, 0.2);
    Case odd = wkv_reference::make_wkv4(rng, 40, 13, 0.1);
    Case long_run = wkv_reference::make_wkv4(rng, 65536, 24, 0.01, true);
    Case long_extreme = wkv_reference::make_wkv4(rng, 65536, 24, 0.01);
    for (size_t i = 0; i < ctx.size(); i++) {
        std::string n = ctx[i].name;
        check_case(ctx[i], n + " random", plain, plain.T);
        check_case(ctx[i], n + " extreme keys (+-80, -inf)", extreme, extreme.T);
        check_case(ctx[i], n + " extreme keys, T = 1 calls", extreme, 1);
        check_case(ctx[i], n + " C = 13", odd, odd.T);
        check_case(ctx[i], n + " 65536 tokens", long_run, long_run.T);
        check_case(ctx[i], n + " 65536 tokens in calls of 1000", long_run, 1000);
        // A +80 key outweighs everything after it for ~(80 - 3) / |w| tokens (up to ~1,600), and each of
        // those steps rescales aa and bb by a rounded e^err: a float32 floor of ~1e-4, not a kernel bug.
        check_case(ctx[i], n + " 65536 tokens with +-80 keys", long_extreme, long_extreme.T, 2e-4);
    }
    test_errors(ctx[0].ctx);
    device_mirror::free_all(ctx);
    return finish();
}
