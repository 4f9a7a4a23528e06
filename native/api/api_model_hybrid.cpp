// RWKV-X model creation with explicit inference knobs.
#include "api/handles.h"
#include "common/errors.h"
#include "model/hybrid.h"

using namespace rwkvx;

extern "C" {

RWKVX_API rwkvx_status rwkvx_hybrid_config_defaults(rwkvx_hybrid_config *out) {
    return guarded("rwkvx_hybrid_config_defaults", [&] {
        RWKVX_REQUIRE_ARG(out != nullptr, "out is NULL");
        *out = default_hybrid_config();
    });
}

RWKVX_API rwkvx_status rwkvx_model_create_hybrid(rwkvx_context *ctx, const rwkvx_named_tensor *tensors,
                                                 int64_t n_tensors, const rwkvx_hybrid_config *config,
                                                 rwkvx_model **out_model) {
    return guarded("rwkvx_model_create_hybrid", [&] {
        RWKVX_REQUIRE_ARG(out_model != nullptr, "out_model is NULL");
        *out_model = nullptr;
        RWKVX_REQUIRE_ARG(ctx != nullptr, "ctx is NULL");
        CallScope call(ctx->users);
        const rwkvx_hybrid_config cfg = config ? *config : default_hybrid_config();
        check_hybrid_config(cfg);
        auto model = std::make_unique<rwkvx_model>();
        model->ctx = ctx;
        const PlacedTensors placed = place_weights(*model, tensors, n_tensors);
        model->impl = make_hybrid(bind_hybrid(placed.tensors, placed.count, placed.owned), cfg);
        count_new_model(*model);
        *out_model = model.release();
    });
}

}  // extern "C"
