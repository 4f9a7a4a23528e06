// Definitions behind the opaque handles of rwkvx.h.
#pragma once
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/live_handles.h"
#include "common/resident_weights.h"
#include "common/thread_pool.h"
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

// Where the GPU stands, filled by the CUDA unit (or its stand-in when CUDA is not compiled in).
struct CudaProbe {
    bool usable = false;
    std::string reason;  // why not, or the device name
};
CudaProbe probe_cuda();

// The tensors a new model binds: the caller's own (borrowed), or for a context created with
// RWKVX_CONTEXT_RESIDENT_WEIGHTS copies that `model` then owns.
struct PlacedTensors {
    const rwkvx_named_tensor *tensors;
    int64_t count;
    bool owned;  // the model's own copy: binders may re-lay matrices out (blocked layout)
};
PlacedTensors place_weights(rwkvx_model &model, const rwkvx_named_tensor *tensors, int64_t n_tensors);

}  // namespace rwkvx

struct rwkvx_context {
    rwkvx::LiveHandle live;
    std::unique_ptr<rwkvx::ThreadPool> pool;
    std::unique_ptr<rwkvx::CpuOps> ops;
    std::string description;
    bool resident_weights = false;  // RWKVX_CONTEXT_RESIDENT_WEIGHTS
    // Compute calls hold this: the pool runs one region at a time.
    std::mutex mutex;
};

struct rwkvx_model {
    rwkvx::LiveHandle live;
    rwkvx_context *ctx;
    std::unique_ptr<rwkvx::ResidentWeights> resident;  // declared before impl: outlives it
    std::unique_ptr<rwkvx::Model> impl;
};

struct rwkvx_state {
    rwkvx::LiveHandle live;
    const rwkvx_model *model;
    std::vector<float> data;  // CPU backend: host floats in the export layout
    std::unique_ptr<rwkvx::StateExt> ext;  // RWKV-X: KV caches (then data holds the fixed-size part)
};
