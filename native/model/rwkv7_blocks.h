// The RWKV-7 block computation (embedding, layers, head) on a workspace of token rows, the rows of a
// pass of a batch (model/batch_rows.h), shared by the RWKV-7 model and the RWKV-X hybrid, which
// interleaves attention blocks between the layers.
#pragma once
#include <cstdint>
#include <vector>

#include "cpu/cpu_ops.h"
#include "model/batch_rows.h"
#include "model/model_ops.h"
#include "model/rwkv7.h"

namespace rwkvx {

// Per-token rows of the workspace ([T][C] each unless noted). x is the residual stream.
struct Rwkv7Buffers {
    float *x, *xx, *xr, *xw, *xk, *xv, *xa, *xg, *r, *k, *v, *w, *a, *g, *wa, *wb, *y, *v_first, *tmp;
    float *lw, *la, *lg, *lv;  // [T][lora_max]
    float *hidden;             // [T][hidden_size]
};

class Rwkv7Blocks {
  public:
    // hidden_min: at least this many hidden floats per token (the hybrid's attention channel mix).
    explicit Rwkv7Blocks(const Rwkv7Weights &w, int64_t hidden_min = 0);

    int64_t layer_state_floats() const { return 2 * w_.n_embd + w_.n_head * w_.head_size * w_.head_size; }
    // The workspace for T tokens (grown as needed; valid until the next call).
    Rwkv7Buffers buffers(int64_t T);
    // x = LayerNorm(emb[token]; ln0) for every row of the pass.
    void embed(CpuOps &ops, const Pass &p, Rwkv7Buffers &b) const;
    // Layer l over the pass's rows, each segment with its state's layer block (att shift, ffn shift,
    // wkv) at l * layer_state_floats().
    void layer(CpuOps &ops, size_t l, const Pass &p, Rwkv7Buffers &b) const;
    // The logits each segment asks for (model/batch_rows.h, head_segments).
    void head(CpuOps &ops, const Pass &p, Rwkv7Buffers &b);

  private:
    const Rwkv7Weights &w_;
    int64_t lora_max_ = 0, hidden_ = 0;
    std::vector<float> workspace_;  // used under the context lock only
    std::vector<float> head_rows_;  // logits of several sequences' rows before they are copied out; likewise
};

// x += value(relu(key(shift_mix(LN2(x))))^2): the RWKV-7 channel mix with its own token shift, each
// segment's at state + shift_offset (updated to its last row). Used by RWKV-7 blocks and by RWKV-X
// attention blocks.
struct ChannelMixWeights {
    const float *ln_w, *ln_b, *x_k;
    Matrix key, value;  // [F, C], [C, F]
};
void channel_mix(CpuOps &ops, const ChannelMixWeights &m, int64_t shift_offset, const Pass &p, Rwkv7Buffers &b,
                 int64_t C);

}  // namespace rwkvx
