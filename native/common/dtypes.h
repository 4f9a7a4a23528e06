// Element types (rwkvx_dtype) and their widening to float: shared by the API checks, the kernels and
// the attention drivers.
#pragma once
#include <cstdint>

#include "rwkvx.h"

namespace rwkvx {

// An rwkvx_dtype of weights or K/V rows (the same codes).
enum class WeightType : int32_t { F32 = 0, F16 = 1, BF16 = 2 };

// Bytes per element of an rwkvx_dtype.
inline int64_t dtype_bytes(int32_t dtype) {
    return dtype == RWKVX_DTYPE_F32 ? 4 : 2;
}

// Row j of an array of dtype elements whose rows are `stride` elements apart.
inline const char *row_ptr(const void *base, int32_t dtype, int64_t stride, int64_t j) {
    return static_cast<const char *>(base) + j * stride * dtype_bytes(dtype);
}

// IEEE half / bfloat16 -> float, bit-exact, no special instructions.
float half_to_float(uint16_t h);
inline float bf16_to_float(uint16_t b) {
    union {
        uint32_t u;
        float f;
    } v{uint32_t(b) << 16};
    return v.f;
}

}  // namespace rwkvx
