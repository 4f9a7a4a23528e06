// Definitions behind the opaque handles of rwkvx.h.
#pragma once
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "common/in_use.h"
#include "common/live_handles.h"
#include "common/resident_weights.h"
#include "common/thread_pool.h"
#include "cpu/cpu_ops.h"
#include "model/model.h"
#include "rwkvx.h"

struct rwkvx_context {
    rwkvx::LiveHandle live;
    std::unique_ptr<rwkvx::ThreadPool> pool;
    std::unique_ptr<rwkvx::CpuOps> ops;  // models run here whatever the backend (the CUDA model is to come)
    // Kernel, attention and KV-cache calls run here: the CPU backend over ops, or CUDA. Declared after
    // ops, so destroyed before it.
    std::unique_ptr<rwkvx::Backend> backend;
    std::string description;
    bool resident_weights = false;  // RWKVX_CONTEXT_RESIDENT_WEIGHTS
    // Compute calls hold this: the pool runs one region at a time.
    std::mutex mutex;
    // rwkvx_context_free refuses while this is not 0: live models and API KV caches made with the
    // context, plus the calls in flight that take the context itself (creation, kernels, attention).
    // rwkvx_model_eval is not counted: it runs on a live model, which is counted.
    rwkvx::UseCount users;
    std::atomic<int64_t> n_models{0}, n_caches{0};  // for the refusal's message
};

struct rwkvx_model {
    rwkvx::LiveHandle live;
    rwkvx_context *ctx;
    // rwkvx_model_free refuses while this is not 0: live states of the model plus the calls in flight
    // that take the model without holding one of its states (rwkvx_model_get_info, rwkvx_state_create).
    // rwkvx_model_eval is not counted: it holds one of the model's states (the state's in-use flag) for
    // its whole duration, and that state is counted and cannot be freed meanwhile.
    mutable rwkvx::UseCount users;
    mutable std::atomic<int64_t> n_states{0};          // for the refusal's message
    std::unique_ptr<rwkvx::ResidentWeights> resident;  // declared before impl: outlives it
    std::unique_ptr<rwkvx::Model> impl;
};

struct rwkvx_state {
    rwkvx::LiveHandle live;
    const rwkvx_model *model;
    std::vector<float> data;               // CPU backend: host floats in the export layout
    std::unique_ptr<rwkvx::StateExt> ext;  // RWKV-X: KV caches (then data holds the fixed-size part)
    bool grows = false;                    // set at creation: ext is non-null (RWKV-X)
    // Held by every call that reads or writes the state (even through a const pointer).
    mutable rwkvx::InUseFlag in_use;
    // rwkvx_state_size: the export size as of the last call that completed (fixed unless grows).
    rwkvx::Published export_bytes;
};

// A KV cache made by rwkvx_kv_cache_create: its storage lives on the context's backend.
struct rwkvx_kv_cache {
    rwkvx::LiveHandle live;
    rwkvx_context *ctx;
    std::unique_ptr<rwkvx::KvStore> store;
    // Held by every call that reads or writes the cache; the length as of the last such call that
    // completed, for rwkvx_kv_cache_length.
    rwkvx::InUseFlag in_use;
    rwkvx::Published published_len;
};

namespace rwkvx {

// Refuses a memory space the context cannot serve: `what` names the field ("params.memory").
void check_memory(const rwkvx_context &ctx, int32_t memory, const std::string &what);

// The tensors a new model binds: the caller's own (borrowed), or for a context created with
// RWKVX_CONTEXT_RESIDENT_WEIGHTS copies that `model` then owns.
struct PlacedTensors {
    const rwkvx_named_tensor *tensors;
    int64_t count;
    bool owned;  // the model's own copy: binders may re-lay matrices out (blocked layout)
};
PlacedTensors place_weights(rwkvx_model &model, const rwkvx_named_tensor *tensors, int64_t n_tensors);

// Counts a model that creation is about to hand out on its context: the context's free refuses
// until the model is freed. Call it while the creating call still counts itself on the context.
void count_new_model(rwkvx_model &model);

}  // namespace rwkvx
