// RWKV-X: RWKV-7 blocks interleaved with sparse-attention blocks (docs/rwkv-x.md §2.1, §2.3).
#pragma once
#include <memory>
#include <vector>

#include "model/model.h"
#include "model/rwkv7.h"

namespace rwkvx {

struct AttnBlock {
    const float *ln1_w, *ln1_b, *ln2_w, *ln2_b;
    Matrix q, k, v, o;  // att.receptance/key/value/output.weight [C,C]
    const float *ffn_x_k;
    Matrix ffn_key, ffn_value;
};

struct HybridWeights {
    Rwkv7Weights rwkv;
    std::vector<AttnBlock> attn;
    int64_t interval = 0;  // RWKV blocks per attention block (R / A)
    std::vector<std::vector<float>> aligned_copies;
};

// Binds the RWKV-7 names and the moba.j.* names; checks R % A == 0 and the shapes.
// owned: the tensors are the model's resident copy (see TensorSet).
HybridWeights bind_hybrid(const rwkvx_named_tensor *tensors, int64_t n, bool owned = false);

// Validates the knobs (clear errors) against the weights' geometry.
void check_hybrid_config(const rwkvx_hybrid_config &cfg);
rwkvx_hybrid_config default_hybrid_config();

std::unique_ptr<Model> make_hybrid(HybridWeights weights, const rwkvx_hybrid_config &cfg);

}  // namespace rwkvx
