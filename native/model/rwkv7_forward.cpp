#include <algorithm>
#include <cstring>

#include "model/rwkv7.h"
#include "model/rwkv7_blocks.h"

namespace rwkvx {

namespace {

// Rows per pass (a long prefill's slice): bounds the workspace, long enough for GEMM efficiency.
constexpr int64_t kSliceTokens = 512;

class Rwkv7Model final : public Model {
  public:
    explicit Rwkv7Model(Rwkv7Weights w) : w_(std::move(w)), blocks_(w_) {
        info_ = model_info(RWKVX_ARCH_RWKV7, w_, w_.n_head, w_.head_size,
                           blocks_.layer_state_floats() * int64_t(w_.layers.size()) * 4);
    }

    const rwkvx_model_info &info() const override { return info_; }

    void reset_state(float *state) const override { std::memset(state, 0, size_t(info_.state_bytes)); }

    void eval(CpuOps &ops, float *state, const int32_t *tokens, int64_t n_tokens, float *logits,
              int32_t logits_mode) override {
        const BatchSeq one{state, nullptr, tokens, n_tokens, logits, logits_mode};
        eval_batch(ops, &one, 1);
    }

    void eval_batch(CpuOps &ops, const BatchSeq *seqs, int64_t n) override {
        check_batch_tokens(seqs, n, w_.n_vocab);
        for_each_pass(planner_.plan(seqs, n, kSliceTokens, w_.n_vocab), [&](const Pass &p) {
            Rwkv7Buffers b = blocks_.buffers(p.rows);
            blocks_.embed(ops, p, b);
            for (size_t l = 0; l < w_.layers.size(); l++) blocks_.layer(ops, l, p, b);
            blocks_.head(ops, p, b);
        });
    }

  private:
    Rwkv7Weights w_;
    Rwkv7Blocks blocks_;
    BatchPlanner planner_;
    rwkvx_model_info info_;
};

}  // namespace

std::unique_ptr<Model> make_rwkv7(Rwkv7Weights weights) {
    return std::make_unique<Rwkv7Model>(std::move(weights));
}

}  // namespace rwkvx
