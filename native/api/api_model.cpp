// Models and states.
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "api/handles.h"
#include "common/errors.h"
#include "model/hybrid.h"
#include "model/rwkv4.h"
#include "model/rwkv56.h"
#include "model/rwkv7.h"

using namespace rwkvx;

namespace {
void require_state(const rwkvx_state *s, const char *name) {
    RWKVX_REQUIRE_ARG(s != nullptr, std::string(name) + " is NULL");
}

// Holds a state for a call (or throws RWKVX_ERROR_IN_USE "another call is using <what>"); on leaving,
// publishes the state's export size for rwkvx_state_size, then releases the state.
class StateUse {
  public:
    StateUse(const rwkvx_state *s, const char *what) : state_(const_cast<rwkvx_state &>(*s)), scope_(s->in_use, what) {}
    ~StateUse() {
        if (state_.grows) state_.export_bytes.set(state_.model->impl->export_bytes(state_.data.data(), *state_.ext));
    }
    StateUse(const StateUse &) = delete;
    StateUse &operator=(const StateUse &) = delete;

  private:
    rwkvx_state &state_;
    InUseScope scope_;  // released after the destructor's body has published the size
};

std::string plural(int64_t n, const char *one, const char *many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}
}  // namespace

namespace rwkvx {
void count_new_model(rwkvx_model &model) {
    model.ctx->users.add();
    model.ctx->n_models.fetch_add(1);
}

PlacedTensors place_weights(rwkvx_model &model, const rwkvx_named_tensor *tensors, int64_t n_tensors) {
    // Models run on the CPU (the CUDA model is to come): their tensors must be host memory.
    for (int64_t i = 0; tensors != nullptr && i < n_tensors; i++)
        if (tensors[i].tensor.memory != RWKVX_MEMORY_HOST)
            fail(tensors[i].tensor.memory == RWKVX_MEMORY_DEVICE ? RWKVX_ERROR_UNSUPPORTED : RWKVX_ERROR_ARGUMENT,
                 "tensor '" + std::string(tensors[i].name ? tensors[i].name : "#" + std::to_string(i)) +
                     "': memory is " +
                     (tensors[i].tensor.memory == RWKVX_MEMORY_DEVICE
                          ? std::string("DEVICE; models are created from host tensors")
                          : std::to_string(tensors[i].tensor.memory) + ", not an rwkvx_memory"));
    if (!model.ctx->resident_weights) return {tensors, n_tensors, false};
    model.resident = std::make_unique<ResidentWeights>(tensors, n_tensors);
    return {model.resident->tensors().data(), int64_t(model.resident->tensors().size()), true};
}
}  // namespace rwkvx

extern "C" {

RWKVX_API rwkvx_status rwkvx_model_create(rwkvx_context *ctx, int32_t arch, const rwkvx_named_tensor *tensors,
                                          int64_t n_tensors, rwkvx_model **out_model) {
    return guarded("rwkvx_model_create", [&] {
        RWKVX_REQUIRE_ARG(out_model != nullptr, "out_model is NULL");
        *out_model = nullptr;
        RWKVX_REQUIRE_ARG(ctx != nullptr, "ctx is NULL");
        CallScope call(ctx->users);
        if (arch == RWKVX_ARCH_HYBRID) {  // RWKV-X with the default knobs
            auto model = std::make_unique<rwkvx_model>();
            model->ctx = ctx;
            const PlacedTensors placed = place_weights(*model, tensors, n_tensors);
            model->impl = make_hybrid(bind_hybrid(placed.tensors, placed.count, placed.owned), default_hybrid_config());
            count_new_model(*model);
            *out_model = model.release();
            return;
        }
        if (arch != RWKVX_ARCH_RWKV7 && arch != RWKVX_ARCH_RWKV4 && arch != RWKVX_ARCH_RWKV5 &&
            arch != RWKVX_ARCH_RWKV6)
            fail(RWKVX_ERROR_UNSUPPORTED,
                 "architecture " + std::to_string(arch) +
                     " is not supported (known: 4 = RWKV-4, 5 = RWKV-5.2, 6 = RWKV-6, 7 = RWKV-7)");
        auto model = std::make_unique<rwkvx_model>();
        model->ctx = ctx;
        const PlacedTensors placed = place_weights(*model, tensors, n_tensors);
        if (arch == RWKVX_ARCH_RWKV4)
            model->impl = make_rwkv4(bind_rwkv4(placed.tensors, placed.count, placed.owned));
        else if (arch == RWKVX_ARCH_RWKV7)
            model->impl = make_rwkv7(bind_rwkv7(placed.tensors, placed.count, placed.owned));
        else
            model->impl = make_rwkv56(bind_rwkv56(arch, placed.tensors, placed.count, placed.owned));
        count_new_model(*model);
        *out_model = model.release();
    });
}

RWKVX_API rwkvx_status rwkvx_model_free(rwkvx_model *model) {
    return guarded("rwkvx_model_free", [&] {
        if (model == nullptr) return;
        // The check sees every state (an eval in flight holds one) and every other call on the model in
        // flight; what it cannot see is a call that starts after the free (the caller's error).
        if (model->users.get() != 0) {
            const int64_t states = model->n_states.load();
            const int64_t calls = model->users.get() - states;
            fail(RWKVX_ERROR_IN_USE, "the model still has " + plural(states, "state", "states") +
                                         (calls > 0 ? " and " + plural(calls, "call", "calls") + " in flight" : "") +
                                         "; free its states first (nothing was freed)");
        }
        rwkvx_context *ctx = model->ctx;
        delete model;
        ctx->n_models.fetch_sub(1);
        ctx->users.remove();
    });
}

RWKVX_API rwkvx_status rwkvx_model_get_info(const rwkvx_model *model, rwkvx_model_info *out) {
    return guarded("rwkvx_model_get_info", [&] {
        RWKVX_REQUIRE_ARG(model != nullptr, "model is NULL");
        RWKVX_REQUIRE_ARG(out != nullptr, "out is NULL");
        CallScope call(model->users);
        *out = model->impl->info();
    });
}

RWKVX_API rwkvx_status rwkvx_model_eval(rwkvx_model *model, rwkvx_state *state, const int32_t *tokens, int64_t n_tokens,
                                        float *logits, int32_t logits_mode) {
    return guarded("rwkvx_model_eval", [&] {
        RWKVX_REQUIRE_ARG(model != nullptr, "model is NULL");
        require_state(state, "state");
        // Holding the state keeps the model alive for the call: the state is one of the model's counted
        // dependents, and rwkvx_state_free refuses while the state is held. So the model needs no count
        // of its evals in flight (model is only touched once it is known to be the state's).
        StateUse use(state, "the state");
        RWKVX_REQUIRE_ARG(state->model == model, "state belongs to a different model");
        RWKVX_REQUIRE_ARG(n_tokens >= 1, "n_tokens is " + std::to_string(n_tokens) + "; at least 1 token is needed");
        RWKVX_REQUIRE_ARG(tokens != nullptr, "tokens is NULL");
        RWKVX_REQUIRE_ARG(logits_mode >= RWKVX_LOGITS_NONE && logits_mode <= RWKVX_LOGITS_ALL,
                          "logits_mode " + std::to_string(logits_mode) + " is not an rwkvx_logits_mode (0..2)");
        RWKVX_REQUIRE_ARG(logits != nullptr || logits_mode == RWKVX_LOGITS_NONE, "logits is NULL");
        std::lock_guard<std::mutex> lock(model->ctx->mutex);
        if (state->ext)
            model->impl->eval_ext(*model->ctx->ops, state->data.data(), *state->ext, tokens, n_tokens, logits,
                                  logits_mode);
        else
            model->impl->eval(*model->ctx->ops, state->data.data(), tokens, n_tokens, logits, logits_mode);
    });
}

RWKVX_API rwkvx_status rwkvx_model_eval_batch(rwkvx_model *model, const rwkvx_batch_item *items, int64_t n_items) {
    return guarded("rwkvx_model_eval_batch", [&] {
        RWKVX_REQUIRE_ARG(model != nullptr, "model is NULL");
        RWKVX_REQUIRE_ARG(items != nullptr, "items is NULL");
        RWKVX_REQUIRE_ARG(n_items >= 1, "n_items is " + std::to_string(n_items) + "; at least 1 item is needed");
        // Every item is checked, and every state held, before anything runs: a failure changes nothing.
        std::vector<std::unique_ptr<StateUse>> uses;
        std::vector<BatchSeq> seqs;
        uses.reserve(size_t(n_items));
        seqs.reserve(size_t(n_items));
        for (int64_t i = 0; i < n_items; i++) {
            const rwkvx_batch_item &it = items[i];
            const std::string at = "items[" + std::to_string(i) + "]: ";
            RWKVX_REQUIRE_ARG(it.state != nullptr, at + "state is NULL");
            for (int64_t j = 0; j < i; j++)
                RWKVX_REQUIRE_ARG(items[j].state != it.state,
                                  at + "state is also items[" + std::to_string(j) + "]'s; each item needs its own");
            uses.push_back(
                std::make_unique<StateUse>(it.state, ("the state of " + at.substr(0, at.size() - 2)).c_str()));
            RWKVX_REQUIRE_ARG(it.state->model == model, at + "state belongs to a different model");
            // As in rwkvx_model_eval, the model is only touched once a state it owns is held (which keeps
            // it alive).
            const int64_t n_vocab = model->impl->info().n_vocab;
            RWKVX_REQUIRE_ARG(it.n_tokens >= 1,
                              at + "n_tokens is " + std::to_string(it.n_tokens) + "; at least 1 token is needed");
            RWKVX_REQUIRE_ARG(it.tokens != nullptr, at + "tokens is NULL");
            RWKVX_REQUIRE_ARG(
                it.logits_mode >= RWKVX_LOGITS_NONE && it.logits_mode <= RWKVX_LOGITS_ALL,
                at + "logits_mode " + std::to_string(it.logits_mode) + " is not an rwkvx_logits_mode (0..2)");
            RWKVX_REQUIRE_ARG(it.logits != nullptr || it.logits_mode == RWKVX_LOGITS_NONE, at + "logits is NULL");
            RWKVX_REQUIRE_ARG(it.reserved == 0, at + "reserved is " + std::to_string(it.reserved) + ", must be 0");
            for (int64_t t = 0; t < it.n_tokens; t++)
                RWKVX_REQUIRE_ARG(it.tokens[t] >= 0 && it.tokens[t] < n_vocab,
                                  at + "token " + std::to_string(it.tokens[t]) + " at position " + std::to_string(t) +
                                      " is out of range [0, " + std::to_string(n_vocab) + ")");
            seqs.push_back(BatchSeq{it.state->data.data(), it.state->ext.get(), it.tokens, it.n_tokens, it.logits,
                                    it.logits_mode});
        }
        std::lock_guard<std::mutex> lock(model->ctx->mutex);
        model->impl->eval_batch(*model->ctx->ops, seqs.data(), n_items);
    });
}

RWKVX_API rwkvx_status rwkvx_state_create(const rwkvx_model *model, rwkvx_state **out_state) {
    return guarded("rwkvx_state_create", [&] {
        RWKVX_REQUIRE_ARG(out_state != nullptr, "out_state is NULL");
        *out_state = nullptr;
        RWKVX_REQUIRE_ARG(model != nullptr, "model is NULL");
        CallScope call(model->users);
        auto s = std::make_unique<rwkvx_state>();
        s->model = model;
        s->data.resize(size_t(model->impl->state_floats()));
        model->impl->reset_state(s->data.data());
        s->ext = model->impl->make_state_ext();
        s->grows = s->ext != nullptr;
        s->export_bytes.set(s->grows ? model->impl->export_bytes(s->data.data(), *s->ext)
                                     : int64_t(s->data.size()) * 4);
        model->users.add();  // before the call's own count goes: the model never looks free meanwhile
        model->n_states.fetch_add(1);
        *out_state = s.release();
    });
}

RWKVX_API rwkvx_status rwkvx_state_free(rwkvx_state *state) {
    return guarded("rwkvx_state_free", [&] {
        if (state == nullptr) return;
        // Never released: once held here, no other call can start using the state before it is gone.
        if (!state->in_use.try_acquire())
            fail(RWKVX_ERROR_IN_USE, "another call is using the state (nothing was freed)");
        const rwkvx_model *model = state->model;
        delete state;
        model->n_states.fetch_sub(1);
        model->users.remove();
    });
}

RWKVX_API rwkvx_status rwkvx_state_reset(rwkvx_state *state) {
    return guarded("rwkvx_state_reset", [&] {
        require_state(state, "state");
        StateUse use(state, "the state");
        if (state->ext)
            state->model->impl->reset_ext(state->data.data(), *state->ext);
        else
            state->model->impl->reset_state(state->data.data());
    });
}

RWKVX_API rwkvx_status rwkvx_state_copy(rwkvx_state *dst, const rwkvx_state *src) {
    return guarded("rwkvx_state_copy", [&] {
        require_state(dst, "dst");
        require_state(src, "src");
        // Never waits, so holding two states cannot deadlock with a copy the other way round.
        StateUse use_dst(dst, "dst");
        if (dst == src) return;
        StateUse use_src(src, "src");
        RWKVX_REQUIRE_ARG(dst->model == src->model, "dst and src belong to different models");
        dst->data = src->data;
        if (src->ext) dst->ext = src->ext->clone();
    });
}

// A read of the size that the last completed call published: never waits for, nor races with, a
// call in flight (which may be growing the state's caches).
RWKVX_API int64_t rwkvx_state_size(const rwkvx_state *state) {
    return state ? state->export_bytes.get() : 0;
}

RWKVX_API rwkvx_status rwkvx_state_export(const rwkvx_state *state, void *dst, int64_t dst_bytes) {
    return guarded("rwkvx_state_export", [&] {
        require_state(state, "state");
        RWKVX_REQUIRE_ARG(dst != nullptr, "dst is NULL");
        StateUse use(state, "the state");
        if (state->ext) return state->model->impl->export_ext(state->data.data(), *state->ext, dst, dst_bytes);
        int64_t need = int64_t(state->data.size()) * 4;
        RWKVX_REQUIRE_ARG(dst_bytes == need,
                          "dst_bytes is " + std::to_string(dst_bytes) + ", state needs " + std::to_string(need));
        std::memcpy(dst, state->data.data(), size_t(need));
    });
}

RWKVX_API rwkvx_status rwkvx_state_import(rwkvx_state *state, const void *src, int64_t src_bytes) {
    return guarded("rwkvx_state_import", [&] {
        require_state(state, "state");
        RWKVX_REQUIRE_ARG(src != nullptr, "src is NULL");
        StateUse use(state, "the state");
        if (state->ext) return state->model->impl->import_ext(state->data.data(), *state->ext, src, src_bytes);
        int64_t need = int64_t(state->data.size()) * 4;
        RWKVX_REQUIRE_ARG(src_bytes == need,
                          "src_bytes is " + std::to_string(src_bytes) + ", state needs " + std::to_string(need));
        const float *f = static_cast<const float *>(src);
        for (size_t i = 0; i < state->data.size(); i++) {
            float v;
            std::memcpy(&v, f + i, 4);
            if (!std::isfinite(v)) fail(RWKVX_ERROR_ARGUMENT, "state value #" + std::to_string(i) + " is not finite");
        }
        std::memcpy(state->data.data(), src, size_t(need));
    });
}

}  // extern "C"
