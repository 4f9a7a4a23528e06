// RWKV-4: weights bound from named tensors (rwkvx.h, RWKV-4 section), and the forward pass on the CPU.
#pragma once
#include <memory>
#include <vector>

#include "cpu/kernels.h"
#include "model/model.h"
#include "model/tensor_set.h"

namespace rwkvx {

struct Rwkv4Layer {
    const float *ln1_w, *ln1_b, *ln2_w, *ln2_b;
    const float *att_mix_k, *att_mix_v, *att_mix_r;
    const float *time_decay;  // w = -exp(raw decay), all negative
    const float *time_first;  // u
    Matrix key, value, receptance, output;
    const float *ffn_mix_k, *ffn_mix_r;
    Matrix ffn_key, ffn_value, ffn_receptance;
};

struct Rwkv4Weights {
    int64_t n_embd = 0, n_vocab = 0, ffn_size = 0;
    Matrix emb, head;
    const float *ln0_w, *ln0_b, *ln_out_w, *ln_out_b;
    std::vector<Rwkv4Layer> layers;
    int64_t n_params = 0, weight_bytes = 0;
    // Aligned copies of vectors that arrived misaligned (vectors are small; matrices stay in place).
    std::vector<std::vector<float>> aligned_copies;
};

// Binds and validates the named tensors; errors name the tensor and expected vs found.
// owned: the tensors are the model's resident copy (see TensorSet).
Rwkv4Weights bind_rwkv4(const rwkvx_named_tensor *tensors, int64_t n, bool owned = false);

std::unique_ptr<Model> make_rwkv4(Rwkv4Weights weights);

}  // namespace rwkvx
