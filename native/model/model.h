// What a model architecture implements (RWKV-4, RWKV-5.2/6, RWKV-7, the hybrid): the interface behind
// the rwkvx_model and rwkvx_state handles of api/.
#pragma once
#include <cstdint>
#include <memory>

#include "cpu/cpu_ops.h"
#include "rwkvx.h"

namespace rwkvx {

// The part of a state that is not fixed-size host floats (RWKV-X: KV caches that grow). Owned by
// rwkvx_state; null for the fixed-size architectures.
class StateExt {
  public:
    virtual ~StateExt() = default;
    virtual std::unique_ptr<StateExt> clone() const = 0;
};

// One sequence of a batched eval: its state (host floats, plus the extension of growing states), its
// tokens and where its logits go.
struct BatchSeq {
    float *state;
    StateExt *ext;  // null for the fixed-size architectures
    const int32_t *tokens;
    int64_t n_tokens;  // >= 1
    float *logits;     // as logits_mode asks (null for NONE)
    int32_t logits_mode;
};

// What a model architecture implements. Weights stay where the caller put them (borrowed).
class Model {
  public:
    virtual ~Model() = default;
    virtual const rwkvx_model_info &info() const = 0;
    // Host floats of a state (rwkvx_state_export layout).
    int64_t state_floats() const { return info().state_bytes / 4; }
    // Writes the start-of-sequence state.
    virtual void reset_state(float *state) const = 0;
    // Runs tokens; ops come from the context (whose lock the caller holds).
    virtual void eval(CpuOps &ops, float *state, const int32_t *tokens, int64_t n_tokens, float *logits,
                      int32_t logits_mode) = 0;

    // Growing states (RWKV-X) override these; they are only called when the state has an extension.
    virtual std::unique_ptr<StateExt> make_state_ext() const { return nullptr; }
    virtual void reset_ext(float *state, StateExt &ext) const { reset_state(state); }
    virtual void eval_ext(CpuOps &ops, float *state, StateExt &ext, const int32_t *tokens, int64_t n_tokens,
                          float *logits, int32_t logits_mode) {
        eval(ops, state, tokens, n_tokens, logits, logits_mode);
    }
    // Runs n independent sequences (distinct states) as one call. Each sequence's state and logits
    // equal its own eval's up to float32 rounding. This default runs them one after another; the
    // architectures override it with one pass over the weights for the whole batch.
    virtual void eval_batch(CpuOps &ops, const BatchSeq *seqs, int64_t n) {
        for (int64_t i = 0; i < n; i++) {
            const BatchSeq &s = seqs[i];
            if (s.ext != nullptr)
                eval_ext(ops, s.state, *s.ext, s.tokens, s.n_tokens, s.logits, s.logits_mode);
            else
                eval(ops, s.state, s.tokens, s.n_tokens, s.logits, s.logits_mode);
        }
    }
    virtual int64_t export_bytes(const float *state, const StateExt &ext) const { return info().state_bytes; }
    virtual void export_ext(const float *state, const StateExt &ext, void *dst, int64_t dst_bytes) const {}
    virtual void import_ext(float *state, StateExt &ext, const void *src, int64_t src_bytes) const {}
};

// What info() returns, filled the same way for every architecture from its weights W, which have the
// members every binder sets (n_embd, n_vocab, ffn_size, head, layers, n_params, weight_bytes).
template <typename W>
rwkvx_model_info model_info(int32_t arch, const W &w, int64_t n_head, int64_t head_size, int64_t state_bytes) {
    rwkvx_model_info info{};
    info.arch = arch;
    info.n_layer = int32_t(w.layers.size());
    info.n_embd = int32_t(w.n_embd);
    info.n_head = int32_t(n_head);
    info.head_size = int32_t(head_size);
    info.n_vocab = int32_t(w.n_vocab);
    info.ffn_size = int32_t(w.ffn_size);
    info.weight_dtype = int32_t(w.head.type);
    info.n_params = w.n_params;
    info.weight_bytes = w.weight_bytes;
    info.state_bytes = state_bytes;
    return info;
}

}  // namespace rwkvx
