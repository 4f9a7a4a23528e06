// Decode on several threads gives the same logits, bit for bit, as on one thread (RWKV-7 through the
// C ABI). With at least as many heads as threads, one token's LoRA second stage, gates, WKV
// recurrence and output gating run per head in one parallel region (rwkv7_blocks.cpp); this checks
// that path against the serial one for weights used in place (row-major) and resident (blocked),
// with the AVX2 and the scalar kernels, and with more threads than heads (the general path).
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "check.h"
#include "rwkvx.h"
#include "synthetic_rwkv7.h"

namespace {

// 8 heads of 64. V is not a multiple of 32, so the resident head has row-major tail rows. The LoRA
// ranks put the second stage of layers 1-2 just at the size that is split between threads (C·256
// multiply-adds) and layer 0's, which has no value LoRA, below it: both paths run in every model.
constexpr Rwkv7Sizes kSizes{512, 64, 300, 1024, 3, 64, 64, 96, 32};
constexpr int kTokens = 12;

// Logits after each of kTokens single-token steps, or empty if a call failed.
std::vector<float> decode(int threads, int flags, Tensors &w, std::string &error) {
    std::vector<float> out;
    rwkvx_context *ctx = nullptr;
    rwkvx_model *model = nullptr;
    rwkvx_state *state = nullptr;
    auto named = w.named();
    bool ok = rwkvx_context_create(RWKVX_BACKEND_CPU, threads, flags, &ctx) == RWKVX_OK &&
              rwkvx_model_create(ctx, RWKVX_ARCH_RWKV7, named.data(), int64_t(named.size()), &model) == RWKVX_OK &&
              rwkvx_state_create(model, &state) == RWKVX_OK;
    std::vector<float> logits(size_t(kSizes.vocab));
    for (int i = 0; ok && i < kTokens; i++) {
        const int32_t token = (i * 37 + 11) % int32_t(kSizes.vocab);
        ok = rwkvx_model_eval(model, state, &token, 1, logits.data(), RWKVX_LOGITS_LAST) == RWKVX_OK;
        out.insert(out.end(), logits.begin(), logits.end());
    }
    if (!ok) {
        error = rwkvx_last_error();
        out.clear();
    }
    rwkvx_state_free(state);
    rwkvx_model_free(model);
    rwkvx_context_free(ctx);
    return out;
}

bool finite_and_varied(const std::vector<float> &v) {
    for (float x : v)
        if (!std::isfinite(x)) return false;
    return !v.empty() && v.front() != v.back();
}

}  // namespace

int main() {
    Tensors w = synthetic_rwkv7(kSizes);
    for (int kernels : {0, RWKVX_CONTEXT_FORCE_SCALAR})
        for (int placement : {0, RWKVX_CONTEXT_RESIDENT_WEIGHTS}) {
            const int flags = kernels | placement;
            const std::string what = std::string(kernels ? "scalar" : "default") + " kernels, " +
                                     (placement ? "resident" : "in-place") + " weights";
            std::string error;
            const std::vector<float> serial = decode(1, flags, w, error);
            expect(finite_and_varied(serial), what + ", 1 thread: finite logits " + error);
            for (int threads : {2, 3, 8, 9}) {
                const std::vector<float> parallel = decode(threads, flags, w, error);
                int64_t differing = 0;
                for (size_t i = 0; i < serial.size() && i < parallel.size(); i++) differing += serial[i] != parallel[i];
                expect(parallel.size() == serial.size() && differing == 0,
                       what + ", " + std::to_string(threads) + " threads: " + std::to_string(differing) +
                           " logits differ from 1 thread " + error);
            }
        }
    return finish();
}
