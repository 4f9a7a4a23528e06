// Element types (rwkvx_dtype) and their widening to float: shared by the API checks, the kernels and
// the attention drivers.
#pragma once
#include <cstdint>

#include "rwkvx.h"

namespace rwkvx {

// An rwkvx_dtype of weights or K/V rows (the same codes).
enum class WeightType : int32_t { F32 = 0, F16 = 1, BF16 = 2 };

// Bytes per element of an rwkvx_dtype.
inline int64_t dtype_bytes(int32_t dtype) { return dtype == RWKVX_DTYPE_F32 ? 4 : 2; }

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
