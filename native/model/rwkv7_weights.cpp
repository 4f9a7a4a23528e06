#include "common/errors.h"
#include "common/tensors.h"
#include "model/outer_weights.h"
#include "model/rwkv7.h"

namespace rwkvx {

Rwkv7Weights bind_rwkv7(const rwkvx_named_tensor *tensors, int64_t n, bool owned) {
    TensorSet set(tensors, n, owned);
    Rwkv7Weights w;

    const int64_t n_layer = bind_outer_weights(set, w);
    const int64_t C = w.n_embd, F = w.ffn_size;
    const rwkvx_tensor &r_k = set.get("blocks.0.att.r_k");
    check_valid(r_k, "blocks.0.att.r_k");
    if (r_k.ndim != 2 || r_k.shape[0] * r_k.shape[1] != C)
        fail(RWKVX_ERROR_SHAPE, "tensor 'blocks.0.att.r_k': expected [n_head, head_size] with n_head*head_size = " +
                                    std::to_string(C) + ", found " + shape_string(r_k));
    w.n_head = r_k.shape[0];
    w.head_size = r_k.shape[1];

    for (int64_t i = 0; i < n_layer; i++) {
        const std::string p = "blocks." + std::to_string(i) + ".";
        Rwkv7Layer L{};
        L.ln1_w = set.vector(p + "ln1.weight", C, w.aligned_copies);
        L.ln1_b = set.vector(p + "ln1.bias", C, w.aligned_copies);
        L.ln2_w = set.vector(p + "ln2.weight", C, w.aligned_copies);
        L.ln2_b = set.vector(p + "ln2.bias", C, w.aligned_copies);
        L.x_r = set.vector(p + "att.x_r", C, w.aligned_copies);
        L.x_w = set.vector(p + "att.x_w", C, w.aligned_copies);
        L.x_k = set.vector(p + "att.x_k", C, w.aligned_copies);
        L.x_v = set.vector(p + "att.x_v", C, w.aligned_copies);
        L.x_a = set.vector(p + "att.x_a", C, w.aligned_copies);
        L.x_g = set.vector(p + "att.x_g", C, w.aligned_copies);
        L.w0 = set.vector(p + "att.w0", C, w.aligned_copies);
        L.a0 = set.vector(p + "att.a0", C, w.aligned_copies);
        // LoRA ranks come from the shapes; the two halves must agree.
        L.w1 = set.matrix(p + "att.w1", -1, C);
        L.w2 = set.matrix(p + "att.w2", C, L.w1.rows);
        L.a1 = set.matrix(p + "att.a1", -1, C);
        L.a2 = set.matrix(p + "att.a2", C, L.a1.rows);
        L.g1 = set.matrix(p + "att.g1", -1, C);
        L.g2 = set.matrix(p + "att.g2", C, L.g1.rows);
        if (i > 0) {
            L.v0 = set.vector(p + "att.v0", C, w.aligned_copies);
            L.v1 = set.matrix(p + "att.v1", -1, C);
            L.v2 = set.matrix(p + "att.v2", C, L.v1.rows);
        } else if (set.has(p + "att.v0") || set.has(p + "att.v1") || set.has(p + "att.v2")) {
            fail(RWKVX_ERROR_ARGUMENT, "layer 0 must not have att.v0/v1/v2 (value residual starts at layer 1)");
        }
        L.k_k = set.vector(p + "att.k_k", C, w.aligned_copies);
        L.k_a = set.vector(p + "att.k_a", C, w.aligned_copies);
        L.r_k = set.vector(p + "att.r_k", C, w.aligned_copies);
        L.receptance = set.matrix(p + "att.receptance.weight", C, C);
        L.key = set.matrix(p + "att.key.weight", C, C);
        L.value = set.matrix(p + "att.value.weight", C, C);
        L.output = set.matrix(p + "att.output.weight", C, C);
        L.ln_x_w = set.vector(p + "att.ln_x.weight", C, w.aligned_copies);
        L.ln_x_b = set.vector(p + "att.ln_x.bias", C, w.aligned_copies);
        L.ffn_x_k = set.vector(p + "ffn.x_k", C, w.aligned_copies);
        L.ffn_key = set.matrix(p + "ffn.key.weight", F, C);
        L.ffn_value = set.matrix(p + "ffn.value.weight", C, F);
        w.layers.push_back(L);
    }
    set.reject_unused("RWKV-7");
    w.n_params = set.params;
    w.weight_bytes = set.bytes;
    return w;
}

}  // namespace rwkvx
