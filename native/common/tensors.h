// Checks on rwkvx_tensor views at the API boundary, with messages that name the tensor.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "common/dtypes.h"
#include "rwkvx.h"

namespace rwkvx {

std::string shape_string(const rwkvx_tensor &t);
std::string dtype_name(int32_t dtype);
int64_t numel(const rwkvx_tensor &t);

// Rank 1..4, known dtype, non-negative dims, data present, contiguous row-major; a quantized tensor's
// last dimension is a multiple of 32 (whole blocks).
void check_valid(const rwkvx_tensor &t, const std::string &name);
// Refuses a quantized tensor where only floating point is allowed (vectors, mixes, norms, decays),
// naming the tensor and its type.
void check_float_type(const rwkvx_tensor &t, const std::string &name);
// A contiguous [rows, cols] matrix of any weight type, quantized ones included (rows/cols < 0: any).
WeightType check_matrix(const rwkvx_tensor &t, const std::string &name, int64_t rows, int64_t cols);
// A contiguous F32 tensor of exactly `count` elements, any rank (a quantized one: check_float_type's
// error).
const float *check_vector(const rwkvx_tensor &t, const std::string &name, int64_t count);

}  // namespace rwkvx
