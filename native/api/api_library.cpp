// Library-wide entry points: errors, version, CPU features.
#include "common/errors.h"
#include "common/live_handles.h"
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

}  // extern "C"
