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
    virtual int64_t export_bytes(const float *state, const StateExt &ext) const { return info().state_bytes; }
    virtual void export_ext(const float *state, const StateExt &ext, void *dst, int64_t dst_bytes) const {}
    virtual void import_ext(float *state, StateExt &ext, const void *src, int64_t src_bytes) const {}
};

}  // namespace rwkvx
