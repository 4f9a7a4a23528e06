// Portable widening of F16 / BF16 / F32 elements and of quantized blocks to float.
#include <cstdint>

#include "common/quant.h"
#include "cpu/scalar/scalar.h"

namespace rwkvx {
namespace scalar {

void to_f32(WeightType t, const void *src, float *dst, int64_t n) {
    if (is_quantized(t)) return dequantize_row(t, src, n, dst);
    for (int64_t i = 0; i < n; i++) dst[i] = load_weight(t, src, i);
}

int64_t quant_prep_bytes(WeightType, int64_t) {
    return 0;
}

void quant_prep(WeightType, const float *, int64_t, int64_t, void *) {}

}  // namespace scalar
}  // namespace rwkvx
