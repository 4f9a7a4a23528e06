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
#include "model/model.h"
#include "rwkvx.h"

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
    std::vector<float> data;               // CPU backend: host floats in the export layout
    std::unique_ptr<rwkvx::StateExt> ext;  // RWKV-X: KV caches (then data holds the fixed-size part)
};

namespace rwkvx {

// The tensors a new model binds: the caller's own (borrowed), or for a context created with
// RWKVX_CONTEXT_RESIDENT_WEIGHTS copies that `model` then owns.
struct PlacedTensors {
    const rwkvx_named_tensor *tensors;
    int64_t count;
    bool owned;  // the model's own copy: binders may re-lay matrices out (blocked layout)
};
PlacedTensors place_weights(rwkvx_model &model, const rwkvx_named_tensor *tensors, int64_t n_tensors);

}  // namespace rwkvx
