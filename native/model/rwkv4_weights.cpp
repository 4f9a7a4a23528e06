#include <cmath>

#include "common/errors.h"
#include "common/tensors.h"
#include "model/outer_weights.h"
#include "model/rwkv4.h"

namespace rwkvx {

namespace {
// The canonical decay is already -exp(d): a positive or non-finite value means a reader forgot to convert.
void check_decay(const float *w, int64_t C, const std::string &name) {
    for (int64_t i = 0; i < C; i++)
        if (!(w[i] < 0.0f) || !std::isfinite(w[i]))
            fail(RWKVX_ERROR_ARGUMENT, "tensor '" + name + "': element " + std::to_string(i) + " is " +
                                           std::to_string(w[i]) + "; expected a finite negative decay w = -exp(d)");
}
}  // namespace

Rwkv4Weights bind_rwkv4(const rwkvx_named_tensor *tensors, int64_t n, bool owned) {
    TensorSet set(tensors, n, owned);
    Rwkv4Weights w;

    const int64_t n_layer = bind_outer_weights(set, w);
    const int64_t C = w.n_embd, F = w.ffn_size;

    for (int64_t i = 0; i < n_layer; i++) {
        const std::string p = "blocks." + std::to_string(i) + ".";
        auto vec = [&](const std::string &name) { return set.vector(p + name, C, w.aligned_copies); };
        Rwkv4Layer L{};
        L.ln1_w = vec("ln1.weight");
        L.ln1_b = vec("ln1.bias");
        L.ln2_w = vec("ln2.weight");
        L.ln2_b = vec("ln2.bias");
        L.att_mix_k = vec("att.time_mix_k");
        L.att_mix_v = vec("att.time_mix_v");
        L.att_mix_r = vec("att.time_mix_r");
        L.time_decay = vec("att.time_decay");
        check_decay(L.time_decay, C, p + "att.time_decay");
        L.time_first = vec("att.time_first");
        L.key = set.matrix(p + "att.key.weight", C, C);
        L.value = set.matrix(p + "att.value.weight", C, C);
        L.receptance = set.matrix(p + "att.receptance.weight", C, C);
        L.output = set.matrix(p + "att.output.weight", C, C);
        L.ffn_mix_k = vec("ffn.time_mix_k");
        L.ffn_mix_r = vec("ffn.time_mix_r");
        L.ffn_key = set.matrix(p + "ffn.key.weight", F, C);
        L.ffn_value = set.matrix(p + "ffn.value.weight", C, F);
        L.ffn_receptance = set.matrix(p + "ffn.receptance.weight", C, C);
        w.layers.push_back(L);
    }
    set.reject_unused("RWKV-4");
    w.n_params = set.params;
    w.weight_bytes = set.bytes;
    return w;
}

}  // namespace rwkvx
