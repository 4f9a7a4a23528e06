#include <cmath>

#include "common/errors.h"
#include "common/tensors.h"
#include "model/outer_weights.h"
#include "model/rwkv56.h"

namespace rwkvx {

namespace {
// The canonical RWKV-5.2 decay is the multiplier exp(-exp(d)): anything outside (0, 1] means a reader
// forgot to convert.
void check_multiplier(const float *w, int64_t n, const std::string &name) {
    for (int64_t i = 0; i < n; i++)
        if (!(w[i] > 0.0f && w[i] <= 1.0f))
            fail(RWKVX_ERROR_ARGUMENT, "tensor '" + name + "': element " + std::to_string(i) + " is " +
                                           std::to_string(w[i]) +
                                           "; expected a decay multiplier exp(-exp(d)) in (0, 1]");
}

void check_finite(const float *w, int64_t n, const std::string &name) {
    for (int64_t i = 0; i < n; i++)
        if (!std::isfinite(w[i]))
            fail(RWKVX_ERROR_ARGUMENT, "tensor '" + name + "': element " + std::to_string(i) + " is not finite");
}
}  // namespace

Rwkv56Weights bind_rwkv56(int32_t arch, const rwkvx_named_tensor *tensors, int64_t n, bool owned) {
    TensorSet set(tensors, n, owned);
    Rwkv56Weights w;
    w.arch = arch;
    const bool v6 = arch == RWKVX_ARCH_RWKV6;
    const char *arch_name = v6 ? "RWKV-6" : "RWKV-5.2";

    const int64_t n_layer = bind_outer_weights(set, w);
    const int64_t C = w.n_embd, F = w.ffn_size;
    // Heads: time_faaaa is [H, N] (rwkv.cpp files: [H, N, 1]).
    const rwkvx_tensor &u0 = set.get("blocks.0.att.time_faaaa");
    check_valid(u0, "blocks.0.att.time_faaaa");
    if (u0.ndim < 2 || u0.shape[0] < 1 || u0.shape[0] * u0.shape[1] != C || (u0.ndim == 3 && u0.shape[2] != 1))
        fail(RWKVX_ERROR_SHAPE,
             "tensor 'blocks.0.att.time_faaaa': expected shape [n_head, head_size] with n_head * "
             "head_size = " +
                 std::to_string(C) + ", found " + shape_string(u0));
    w.n_head = u0.shape[0];
    w.head_size = u0.shape[1];

    if (v6) {
        const rwkvx_tensor &w1 = set.get("blocks.0.att.time_maa_w1");
        const rwkvx_tensor &d1 = set.get("blocks.0.att.time_decay_w1");
        check_valid(w1, "blocks.0.att.time_maa_w1");
        check_valid(d1, "blocks.0.att.time_decay_w1");
        if (w1.ndim != 2 || w1.shape[0] % 5 != 0 || w1.shape[0] == 0)
            fail(RWKVX_ERROR_SHAPE, "tensor 'blocks.0.att.time_maa_w1': expected shape [5*D, " + std::to_string(C) +
                                        "], found " + shape_string(w1));
        if (d1.ndim != 2 || d1.shape[0] < 1)
            fail(RWKVX_ERROR_SHAPE, "tensor 'blocks.0.att.time_decay_w1': expected shape [Dw, " + std::to_string(C) +
                                        "], found " + shape_string(d1));
        w.maa_rank = w1.shape[0] / 5;
        w.decay_rank = d1.shape[0];
    }

    for (int64_t i = 0; i < n_layer; i++) {
        const std::string p = "blocks." + std::to_string(i) + ".";
        auto vec = [&](const std::string &name) { return set.vector(p + name, C, w.aligned_copies); };
        Rwkv56Layer L{};
        L.ln1_w = vec("ln1.weight");
        L.ln1_b = vec("ln1.bias");
        L.ln2_w = vec("ln2.weight");
        L.ln2_b = vec("ln2.bias");
        if (v6) {
            L.maa_x = vec("att.time_maa_x");
            L.maa_w = vec("att.time_maa_w");
            L.maa_k = vec("att.time_maa_k");
            L.maa_v = vec("att.time_maa_v");
            L.maa_r = vec("att.time_maa_r");
            L.maa_g = vec("att.time_maa_g");
            L.maa_w1 = set.matrix(p + "att.time_maa_w1", 5 * w.maa_rank, C);
            std::vector<Matrix> w2 = set.stacked(p + "att.time_maa_w2", 5, C, w.maa_rank);
            for (int q = 0; q < 5; q++) L.maa_w2[q] = w2[size_t(q)];
            L.decay_w1 = set.matrix(p + "att.time_decay_w1", w.decay_rank, C);
            L.decay_w2 = set.matrix(p + "att.time_decay_w2", C, w.decay_rank);
            L.time_decay = vec("att.time_decay");
            check_finite(L.time_decay, C, p + "att.time_decay");
            L.ffn_mix_k = vec("ffn.time_maa_k");
            L.ffn_mix_r = vec("ffn.time_maa_r");
        } else {
            L.mix_k = vec("att.time_mix_k");
            L.mix_v = vec("att.time_mix_v");
            L.mix_r = vec("att.time_mix_r");
            L.mix_g = vec("att.time_mix_g");
            L.time_decay = vec("att.time_decay");
            check_multiplier(L.time_decay, C, p + "att.time_decay");
            L.ffn_mix_k = vec("ffn.time_mix_k");
            L.ffn_mix_r = vec("ffn.time_mix_r");
        }
        const rwkvx_tensor &u = set.get(p + "att.time_faaaa");
        check_valid(u, p + "att.time_faaaa");
        if (u.ndim < 2 || u.shape[0] != w.n_head || numel(u) != C)
            fail(RWKVX_ERROR_SHAPE, "tensor '" + p + "att.time_faaaa': expected shape [" + std::to_string(w.n_head) +
                                        ", " + std::to_string(w.head_size) + "], found " + shape_string(u));
        L.time_faaaa = vec("att.time_faaaa");
        L.receptance = set.matrix(p + "att.receptance.weight", C, C);
        L.key = set.matrix(p + "att.key.weight", C, C);
        L.value = set.matrix(p + "att.value.weight", C, C);
        L.gate = set.matrix(p + "att.gate.weight", C, C);
        L.output = set.matrix(p + "att.output.weight", C, C);
        L.ln_x_w = vec("att.ln_x.weight");
        L.ln_x_b = vec("att.ln_x.bias");
        L.ffn_key = set.matrix(p + "ffn.key.weight", F, C);
        L.ffn_value = set.matrix(p + "ffn.value.weight", C, F);
        L.ffn_receptance = set.matrix(p + "ffn.receptance.weight", C, C);
        w.layers.push_back(L);
    }
    set.reject_unused(arch_name);
    w.n_params = set.params;
    w.weight_bytes = set.bytes;
    return w;
}

}  // namespace rwkvx
