// What every RWKV generation has around its blocks, bound the same way for each of them.
#pragma once
#include <cstdint>
#include <string>

#include "common/errors.h"
#include "model/tensor_set.h"

namespace rwkvx {

// Sets w.n_vocab and w.n_embd (from emb.weight), w.ffn_size (from the first FFN key), the embedding,
// the head and the two outer layer norms; returns the number of layers (blocks.<i>.ln1.weight present
// from 0 on, at least one). W is any architecture's weights struct with those members.
template <typename W>
int64_t bind_outer_weights(TensorSet &set, W &w) {
    const auto [n_vocab, n_embd] = set.dims2("emb.weight", "[n_vocab, n_embd]");
    w.n_vocab = n_vocab;
    w.n_embd = n_embd;
    const int64_t C = n_embd;
    w.ffn_size = set.dims2("blocks.0.ffn.key.weight", "[ffn_size, " + std::to_string(C) + "]")[0];
    w.emb = set.embedding("emb.weight", n_vocab, C);
    w.head = set.matrix("head.weight", n_vocab, C);
    w.ln0_w = set.vector("blocks.0.ln0.weight", C, w.aligned_copies);
    w.ln0_b = set.vector("blocks.0.ln0.bias", C, w.aligned_copies);
    w.ln_out_w = set.vector("ln_out.weight", C, w.aligned_copies);
    w.ln_out_b = set.vector("ln_out.bias", C, w.aligned_copies);
    int64_t n_layer = 0;
    while (set.has("blocks." + std::to_string(n_layer) + ".ln1.weight")) n_layer++;
    if (n_layer == 0) fail(RWKVX_ERROR_MISSING_TENSOR, "tensor 'blocks.0.ln1.weight' is missing");
    return n_layer;
}

}  // namespace rwkvx
