// RWKV-5.2 and RWKV-6: weights bound from named tensors (rwkvx.h, RWKV-5 / RWKV-6 section) and the
// forward pass on the CPU. The two share the attention core (WKV-5 recurrence, GroupNorm, silu gate)
// and differ in token shift, decay and channel-mix mixing.
#pragma once
#include <memory>
#include <vector>

#include "cpu/kernels.h"
#include "model/model.h"
#include "model/tensor_set.h"

namespace rwkvx {

struct Rwkv56Layer {
    const float *ln1_w, *ln1_b, *ln2_w, *ln2_b;
    // RWKV-5.2: out = x*mix + prev*(1-mix) for k, v, r, g.
    const float *mix_k = nullptr, *mix_v = nullptr, *mix_r = nullptr, *mix_g = nullptr;
    // RWKV-6: data-dependent token shift; maa_* for w, k, v, r, g and the shared maa_x.
    const float *maa_x = nullptr, *maa_w = nullptr, *maa_k = nullptr, *maa_v = nullptr, *maa_r = nullptr,
                *maa_g = nullptr;
    Matrix maa_w1;     // [5D, C]
    Matrix maa_w2[5];  // each [C, D]: slices of time_maa_w2 [5, C, D]
    Matrix decay_w1;   // [Dw, C]
    Matrix decay_w2;   // [C, Dw]
    // RWKV-5.2: w = exp(-exp(d)) per channel; RWKV-6: raw d (w_t = exp(-exp(d + lora_t))).
    const float *time_decay;
    const float *time_faaaa;  // u, [H][N]
    Matrix receptance, key, value, gate, output;
    const float *ln_x_w, *ln_x_b;
    const float *ffn_mix_k, *ffn_mix_r;  // time_mix_* (v5.2) or time_maa_* (v6)
    Matrix ffn_key, ffn_value, ffn_receptance;
};

struct Rwkv56Weights {
    int32_t arch = 0;  // RWKVX_ARCH_RWKV5 or RWKVX_ARCH_RWKV6
    int64_t n_embd = 0, n_vocab = 0, ffn_size = 0, n_head = 0, head_size = 0;
    int64_t maa_rank = 0, decay_rank = 0;  // RWKV-6 LoRA ranks D and Dw
    Matrix emb, head;
    const float *ln0_w, *ln0_b, *ln_out_w, *ln_out_b;
    std::vector<Rwkv56Layer> layers;
    int64_t n_params = 0, weight_bytes = 0;
    std::vector<std::vector<float>> aligned_copies;
};

// Binds and validates the named tensors of arch 5 (RWKV-5.2) or 6; errors name the tensor.
// owned: the tensors are the model's resident copy (see TensorSet).
Rwkv56Weights bind_rwkv56(int32_t arch, const rwkvx_named_tensor *tensors, int64_t n, bool owned = false);

std::unique_ptr<Model> make_rwkv56(Rwkv56Weights weights);

}  // namespace rwkvx
