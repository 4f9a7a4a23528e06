// Direct access to the kernels, validated at the boundary.
#include <initializer_list>

#include "api/handles.h"
#include "common/errors.h"
#include "common/tensors.h"
#include "cpu/kernels.h"

using namespace rwkvx;

namespace {
const float *f32_data(const rwkvx_tensor *t, const char *name) {
    RWKVX_REQUIRE_ARG(t != nullptr, std::string(name) + " is NULL");
    check_valid(*t, name);
    if (t->dtype != RWKVX_DTYPE_F32)
        fail(RWKVX_ERROR_SHAPE,
             std::string("tensor '") + name + "': expected dtype F32, found " + dtype_name(t->dtype));
    return static_cast<const float *>(t->data);
}

int64_t rows_of(const rwkvx_tensor &t) {
    return t.ndim == 1 ? 1 : t.shape[0];
}
int64_t last_dim(const rwkvx_tensor &t) {
    return t.shape[t.ndim - 1];
}

// The tensors of one call share a memory space the context serves (each was checked by check_valid).
void check_same_memory(const rwkvx_context &ctx, std::initializer_list<const rwkvx_tensor *> ts,
                       std::initializer_list<const char *> names) {
    const rwkvx_tensor *first = *ts.begin();
    auto name = names.begin();
    for (const rwkvx_tensor *t : ts) {
        if (t->memory != first->memory)
            fail(RWKVX_ERROR_ARGUMENT,
                 std::string("tensor '") + *name + "' is in " + (t->memory == RWKVX_MEMORY_DEVICE ? "DEVICE" : "HOST") +
                     " memory but '" + *names.begin() + "' in " +
                     (first->memory == RWKVX_MEMORY_DEVICE ? "DEVICE" : "HOST") + "; one call takes one memory space");
        ++name;
    }
    check_memory(ctx, first->memory, std::string("tensor '") + *names.begin() + "': memory");
}
}  // namespace

extern "C" {

RWKVX_API rwkvx_status rwkvx_matmul(rwkvx_context *ctx, const rwkvx_tensor *x, const rwkvx_tensor *w, rwkvx_tensor *y) {
    return guarded("rwkvx_matmul", [&] {
        RWKVX_REQUIRE_ARG(ctx != nullptr, "ctx is NULL");
        CallScope call(ctx->users);
        RWKVX_REQUIRE_ARG(w != nullptr, "w is NULL");
        const float *xd = f32_data(x, "x");
        float *yd = const_cast<float *>(f32_data(y, "y"));
        if (x->ndim != 2 || y->ndim != 2)
            fail(RWKVX_ERROR_SHAPE,
                 "x and y must be 2-D [T, K] and [T, N]; found x " + shape_string(*x) + ", y " + shape_string(*y));
        WeightType wt = check_matrix(*w, "w", -1, x->shape[1]);
        if (is_quantized(wt) && ctx->backend->kind() == RWKVX_BACKEND_CUDA)
            fail(RWKVX_ERROR_UNSUPPORTED,
                 "w is " + dtype_name(w->dtype) + ": quantized weights run on the CPU for now (use a CPU context)");
        if (y->shape[0] != x->shape[0] || y->shape[1] != w->shape[0])
            fail(RWKVX_ERROR_SHAPE, "y: expected shape [" + std::to_string(x->shape[0]) + ", " +
                                        std::to_string(w->shape[0]) + "], found " + shape_string(*y));
        check_same_memory(*ctx, {x, w, y}, {"x", "w", "y"});
        std::lock_guard<std::mutex> lock(ctx->mutex);
        ctx->backend->matmul(
            MatmulCall{int32_t(wt), w->data, w->shape[0], w->shape[1], xd, x->shape[0], yd, Memory(x->memory)});
    });
}

RWKVX_API rwkvx_status rwkvx_group_norm(rwkvx_context *ctx, const rwkvx_tensor *x, const rwkvx_tensor *weight,
                                        const rwkvx_tensor *bias, int32_t n_groups, float eps, rwkvx_tensor *y) {
    return guarded("rwkvx_group_norm", [&] {
        RWKVX_REQUIRE_ARG(ctx != nullptr, "ctx is NULL");
        CallScope call(ctx->users);
        const float *xd = f32_data(x, "x");
        float *yd = const_cast<float *>(f32_data(y, "y"));
        const int64_t C = last_dim(*x), T = rows_of(*x);
        if (x->ndim > 2 || y->ndim != x->ndim || rows_of(*y) != T || last_dim(*y) != C)
            fail(RWKVX_ERROR_SHAPE,
                 "x and y must be [T, C] of the same shape; found x " + shape_string(*x) + ", y " + shape_string(*y));
        RWKVX_REQUIRE_ARG(weight != nullptr && bias != nullptr, "weight and bias must not be NULL");
        const float *wd = check_vector(*weight, "weight", C);
        const float *bd = check_vector(*bias, "bias", C);
        RWKVX_REQUIRE_ARG(n_groups >= 1 && C % n_groups == 0,
                          "n_groups " + std::to_string(n_groups) + " does not divide C = " + std::to_string(C));
        RWKVX_REQUIRE_ARG(eps >= 0.0f, "eps is negative");
        check_same_memory(*ctx, {x, weight, bias, y}, {"x", "weight", "bias", "y"});
        std::lock_guard<std::mutex> lock(ctx->mutex);
        ctx->backend->group_norm(GroupNormCall{xd, wd, bd, yd, T, C, n_groups, eps, Memory(x->memory)});
    });
}

RWKVX_API rwkvx_status rwkvx_wkv7(rwkvx_context *ctx, const rwkvx_wkv7_params *p) {
    return guarded("rwkvx_wkv7", [&] {
        RWKVX_REQUIRE_ARG(ctx != nullptr, "ctx is NULL");
        CallScope call(ctx->users);
        RWKVX_REQUIRE_ARG(p != nullptr, "params is NULL");
        RWKVX_REQUIRE_ARG(p->n_tokens >= 0, "n_tokens is negative");
        RWKVX_REQUIRE_ARG(
            p->n_head >= 1 && p->head_size >= 1 && p->head_size <= 4096,
            "n_head " + std::to_string(p->n_head) + " / head_size " + std::to_string(p->head_size) + " out of range");
        RWKVX_REQUIRE_ARG(p->r && p->w && p->k && p->v && p->a && p->b && p->state && p->y,
                          "a pointer in rwkvx_wkv7_params is NULL");
        RWKVX_REQUIRE_ARG(p->reserved == 0, "reserved is " + std::to_string(p->reserved) + "; must be 0");
        check_memory(*ctx, p->memory, "params.memory");
        std::lock_guard<std::mutex> lock(ctx->mutex);
        ctx->backend->wkv7(*p);
    });
}

RWKVX_API rwkvx_status rwkvx_wkv4(rwkvx_context *ctx, const rwkvx_wkv4_params *p) {
    return guarded("rwkvx_wkv4", [&] {
        RWKVX_REQUIRE_ARG(ctx != nullptr, "ctx is NULL");
        CallScope call(ctx->users);
        RWKVX_REQUIRE_ARG(p != nullptr, "params is NULL");
        RWKVX_REQUIRE_ARG(p->n_tokens >= 0, "n_tokens is negative");
        RWKVX_REQUIRE_ARG(p->n_channels >= 1,
                          "n_channels is " + std::to_string(p->n_channels) + "; at least 1 is needed");
        RWKVX_REQUIRE_ARG(p->time_decay && p->time_first && p->k && p->v && p->state && p->y,
                          "a pointer in rwkvx_wkv4_params is NULL");
        RWKVX_REQUIRE_ARG(p->reserved == 0, "reserved is " + std::to_string(p->reserved) + "; must be 0");
        check_memory(*ctx, p->memory, "params.memory");
        std::lock_guard<std::mutex> lock(ctx->mutex);
        ctx->backend->wkv4(*p);
    });
}

RWKVX_API rwkvx_status rwkvx_wkv5(rwkvx_context *ctx, const rwkvx_wkv5_params *p) {
    return guarded("rwkvx_wkv5", [&] {
        RWKVX_REQUIRE_ARG(ctx != nullptr, "ctx is NULL");
        CallScope call(ctx->users);
        RWKVX_REQUIRE_ARG(p != nullptr, "params is NULL");
        RWKVX_REQUIRE_ARG(p->n_tokens >= 0, "n_tokens is negative");
        RWKVX_REQUIRE_ARG(
            p->n_head >= 1 && p->head_size >= 1 && p->head_size <= 4096,
            "n_head " + std::to_string(p->n_head) + " / head_size " + std::to_string(p->head_size) + " out of range");
        RWKVX_REQUIRE_ARG(p->w_per_token == 0 || p->w_per_token == 1,
                          "w_per_token is " + std::to_string(p->w_per_token) + "; expected 0 or 1");
        RWKVX_REQUIRE_ARG(p->r && p->k && p->v && p->w && p->u && p->state && p->y,
                          "a pointer in rwkvx_wkv5_params is NULL");
        check_memory(*ctx, p->memory, "params.memory");
        std::lock_guard<std::mutex> lock(ctx->mutex);
        ctx->backend->wkv5(*p);
    });
}

}  // extern "C"
