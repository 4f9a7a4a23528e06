// Portable widening of F16 / BF16 / F32 elements to float.
#include <cstdint>

#include "cpu/scalar/scalar.h"

namespace rwkvx {
namespace scalar {

void to_f32(WeightType t, const void *src, float *dst, int64_t n) {
    for (int64_t i = 0; i < n; i++) dst[i] = load_weight(t, src, i);
}

}  // namespace scalar
}  // namespace rwkvx
