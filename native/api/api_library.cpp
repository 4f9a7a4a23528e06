// Library-wide entry points: errors, version, CPU features, element types and quantization.
#include <cmath>
#include <string>

#include "common/errors.h"
#include "common/live_handles.h"
#include "common/quant.h"
#include "common/tensors.h"
#include "cpu/dispatch.h"
#include "rwkvx.h"

#ifndef RWKVX_VERSION_STRING
#define RWKVX_VERSION_STRING "0.0.0"
#endif

namespace rwkvx {
std::atomic<int64_t> &live_handle_count() {
    static std::atomic<int64_t> count{0};
    return count;
}
}  // namespace rwkvx

extern "C" {

RWKVX_API int64_t rwkvx_live_handles(void) {
    return rwkvx::live_handle_count().load();
}

RWKVX_API const char *rwkvx_last_error(void) {
    return rwkvx::last_error_cstr();
}

RWKVX_API const char *rwkvx_status_name(int32_t status) {
    switch (status) {
        case RWKVX_OK:
            return "RWKVX_OK";
        case RWKVX_ERROR_ARGUMENT:
            return "RWKVX_ERROR_ARGUMENT";
        case RWKVX_ERROR_SHAPE:
            return "RWKVX_ERROR_SHAPE";
        case RWKVX_ERROR_MISSING_TENSOR:
            return "RWKVX_ERROR_MISSING_TENSOR";
        case RWKVX_ERROR_UNSUPPORTED:
            return "RWKVX_ERROR_UNSUPPORTED";
        case RWKVX_ERROR_OUT_OF_MEMORY:
            return "RWKVX_ERROR_OUT_OF_MEMORY";
        case RWKVX_ERROR_BACKEND:
            return "RWKVX_ERROR_BACKEND";
        case RWKVX_ERROR_INTERNAL:
            return "RWKVX_ERROR_INTERNAL";
        case RWKVX_ERROR_IN_USE:
            return "RWKVX_ERROR_IN_USE";
        default:
            return "RWKVX_ERROR_UNKNOWN_STATUS";
    }
}

RWKVX_API const char *rwkvx_version(void) {
    return RWKVX_VERSION_STRING;
}

RWKVX_API int32_t rwkvx_abi_version(void) {
    return RWKVX_ABI_VERSION;
}

RWKVX_API uint32_t rwkvx_cpu_features(void) {
    return rwkvx::detect_cpu_features();
}

RWKVX_API int64_t rwkvx_dtype_bytes(int32_t dtype, int64_t n) {
    return rwkvx::tensor_bytes(dtype, n);
}

RWKVX_API rwkvx_status rwkvx_quantize(int32_t dtype, const float *src, int64_t n, void *dst, int64_t dst_bytes) {
    using namespace rwkvx;
    return guarded("rwkvx_quantize", [&] {
        RWKVX_REQUIRE_ARG(is_quantized(dtype),
                          "dtype " + dtype_name(dtype) + " is not a quantized type (Q4_0 .. Q8_0)");
        RWKVX_REQUIRE_ARG(n >= 0 && n % kQuantBlock == 0,
                          "n = " + std::to_string(n) + " is not a whole number of 32-element blocks");
        RWKVX_REQUIRE_ARG(dst_bytes == tensor_bytes(dtype, n),
                          "dst_bytes is " + std::to_string(dst_bytes) + "; " + std::to_string(n) + " elements of " +
                              dtype_name(dtype) + " take " + std::to_string(tensor_bytes(dtype, n)));
        if (n == 0) return;
        RWKVX_REQUIRE_ARG(src != nullptr && dst != nullptr, src == nullptr ? "src is NULL" : "dst is NULL");
        // ggml's rules turn a NaN or an infinity into a block of garbage: refuse, naming the element.
        for (int64_t i = 0; i < n; i++)
            if (!std::isfinite(src[i]))
                fail(RWKVX_ERROR_ARGUMENT, "element " + std::to_string(i) + " of src is " + std::to_string(src[i]) +
                                               "; only finite values can be quantized");
        quantize_row(WeightType(dtype), src, n, dst);
    });
}

RWKVX_API rwkvx_status rwkvx_dequantize(int32_t dtype, const void *src, int64_t n, float *dst) {
    using namespace rwkvx;
    return guarded("rwkvx_dequantize", [&] {
        RWKVX_REQUIRE_ARG(is_known_dtype(dtype), "dtype " + std::to_string(dtype) + " is not an rwkvx_dtype");
        RWKVX_REQUIRE_ARG(n >= 0, "n is negative: " + std::to_string(n));
        RWKVX_REQUIRE_ARG(
            !is_quantized(dtype) || n % kQuantBlock == 0,
            "n = " + std::to_string(n) + " is not a whole number of 32-element " + dtype_name(dtype) + " blocks");
        if (n == 0) return;
        RWKVX_REQUIRE_ARG(src != nullptr && dst != nullptr, src == nullptr ? "src is NULL" : "dst is NULL");
        // Every kernel table widens bit-exactly (cpu/kernels.h): the fastest one this CPU runs.
        select_kernels(false).to_f32(WeightType(dtype), src, dst, n);
    });
}

}  // extern "C"
