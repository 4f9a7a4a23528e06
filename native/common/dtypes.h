// Element types (rwkvx_dtype) and their widening to float: shared by the API checks, the kernels and
// the attention drivers. The quantized types are ggml's 32-element blocks (common/quant.h,
// docs/formats.md §1.9): sizes of whole tensors or rows of them go through tensor_bytes, never
// through an element count times dtype_bytes.
#pragma once
#include <cstdint>

#include "rwkvx.h"

namespace rwkvx {

// An rwkvx_dtype of weights or K/V rows (the same codes). K/V rows are F32, F16 or BF16 only.
enum class WeightType : int32_t { F32 = 0, F16 = 1, BF16 = 2, Q4_0 = 3, Q4_1 = 4, Q5_0 = 5, Q5_1 = 6, Q8_0 = 7 };

// Elements per quantized block (ggml's QK4_0 … QK8_0).
constexpr int64_t kQuantBlock = 32;

constexpr bool is_known_dtype(int32_t dtype) {
    return dtype >= RWKVX_DTYPE_F32 && dtype <= RWKVX_DTYPE_Q8_0;
}
constexpr bool is_quantized(int32_t dtype) {
    return dtype >= RWKVX_DTYPE_Q4_0 && dtype <= RWKVX_DTYPE_Q8_0;
}
constexpr bool is_quantized(WeightType t) {
    return is_quantized(int32_t(t));
}

// Bytes of one block of a quantized dtype (18, 20, 22, 24, 34); 0 for the element types.
constexpr int64_t quant_block_bytes(int32_t dtype) {
    return dtype == RWKVX_DTYPE_Q4_0   ? 18
           : dtype == RWKVX_DTYPE_Q4_1 ? 20
           : dtype == RWKVX_DTYPE_Q5_0 ? 22
           : dtype == RWKVX_DTYPE_Q5_1 ? 24
           : dtype == RWKVX_DTYPE_Q8_0 ? 34
                                       : 0;
}
constexpr int64_t quant_block_bytes(WeightType t) {
    return quant_block_bytes(int32_t(t));
}

// Bytes per element of an element type (F32, F16, BF16): K/V rows and unquantized weights only.
inline int64_t dtype_bytes(int32_t dtype) {
    return dtype == RWKVX_DTYPE_F32 ? 4 : 2;
}

// Bytes that n elements of dtype take (rwkvx_dtype_bytes): -1 for an unknown dtype, a negative n,
// a quantized n that is not a whole number of blocks, or a size past INT64_MAX.
inline int64_t tensor_bytes(int32_t dtype, int64_t n) {
    if (!is_known_dtype(dtype) || n < 0) return -1;
    if (is_quantized(dtype)) return n % kQuantBlock == 0 ? n / kQuantBlock * quant_block_bytes(dtype) : -1;
    const int64_t elem = dtype_bytes(dtype);
    return n <= INT64_MAX / elem ? n * elem : -1;
}
// Bytes of a row of `cols` elements of a weight (cols a multiple of 32 when quantized, as checked).
inline int64_t row_bytes(WeightType t, int64_t cols) {
    return tensor_bytes(int32_t(t), cols);
}

// Row j of an array of dtype elements whose rows are `stride` elements apart (element types only).
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
// float -> IEEE half, round to nearest even (subnormals, overflow to ±inf), bit-exact as F16C's
// vcvtps2ph with rounding mode 0: a NaN keeps its sign and top payload bits and becomes quiet.
uint16_t round_to_half(float f);

}  // namespace rwkvx
