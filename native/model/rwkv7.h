// RWKV-7 ("Goose", x070): weights bound from named tensors, and the forward pass on the CPU.
#pragma once
#include <memory>
#include <vector>

#include "cpu/kernels.h"
#include "model/model.h"
#include "model/tensor_set.h"

namespace rwkvx {

struct Rwkv7Layer {
    const float *ln1_w, *ln1_b, *ln2_w, *ln2_b;
    const float *x_r, *x_w, *x_k, *x_v, *x_a, *x_g;
    const float *w0, *a0, *v0;  // v0 is null on layer 0
    Matrix w1, w2, a1, a2, v1, v2, g1, g2;
    const float *k_k, *k_a, *r_k;
    Matrix receptance, key, value, output;
    const float *ln_x_w, *ln_x_b;
    const float *ffn_x_k;
    Matrix ffn_key, ffn_value;
};

struct Rwkv7Weights {
    int64_t n_embd = 0, n_head = 0, head_size = 0, n_vocab = 0, ffn_size = 0;
    Matrix emb, head;
    const float *ln0_w, *ln0_b, *ln_out_w, *ln_out_b;
    std::vector<Rwkv7Layer> layers;
    int64_t n_params = 0, weight_bytes = 0;
    // Aligned copies of vectors that arrived misaligned (vectors are small; matrices stay in place).
    std::vector<std::vector<float>> aligned_copies;
};

// Binds and validates the named tensors; errors name the tensor and expected vs found.
// owned: the tensors are the model's resident copy (see TensorSet).
Rwkv7Weights bind_rwkv7(const rwkvx_named_tensor *tensors, int64_t n, bool owned = false);

std::unique_ptr<Model> make_rwkv7(Rwkv7Weights weights);

}  // namespace rwkvx
