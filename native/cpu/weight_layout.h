// Rewrites a row-major weight matrix into the blocked layout (kernels.h) in place. Only for memory
// the library owns (resident weights): the caller's tensors are never modified.
#pragma once
#include <cstdint>

#include "cpu/kernels.h"

namespace rwkvx {

void block_weights(WeightType type, void *data, int64_t N, int64_t K);

}  // namespace rwkvx
