#include "attention/chunk_select.h"

namespace rwkvx {
namespace attn {

void add_key(const KernelTable &kt, const void *k, int32_t dtype, int D, float *sum, float *tmp) {
    kt.to_f32(WeightType(dtype), k, tmp, D);
    for (int d = 0; d < D; d++) sum[d] = rules::add_rn(sum[d], tmp[d]);
}

}  // namespace attn
}  // namespace rwkvx
