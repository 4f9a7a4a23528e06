// K and V of every head widened to fp32 once per prefill call, in the layouts the tile kernels
// read: K transposed ([D][T_pad] per head, so scores vectorise over keys) and V row-major
// ([T][D] per head). Without it every 64-query tile re-gathered and re-transposed the strided
// K/V rows of all earlier keys, which cost more than the arithmetic.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "attention/attention_params.h"

namespace rwkvx {
namespace attn {

// Keys and values of one head, fp32.
struct PackedHead {
    const float *kt;      // kt[d * kt_stride + j]: key j, dimension d; zero beyond T
    int64_t kt_stride;
    const float *v;       // v[j * D + d]
};

class PackedKv {
  public:
    // Packs keys [0, past + T) of every head of p.kv; heads split across the pool.
    PackedKv(ThreadPool &pool, const AttnKernels &kt, const Prefill &p);
    PackedHead head(int32_t h) const {
        const float *v = v_in_place_ ? v_in_place_ + std::size_t(h) * std::size_t(v_head_stride_)
                                     : v_.data() + std::size_t(h) * std::size_t(T_) * std::size_t(D_);
        return {kt_.data() + std::size_t(h) * std::size_t(D_) * std::size_t(T_pad_), T_pad_, v};
    }

  private:
    int64_t T_, T_pad_;
    int32_t D_;
    std::vector<float> kt_, v_;
    // F32 values already stored [j][D] per head (a KV cache) are read in place, not copied: a long
    // cache would otherwise be duplicated for every call that continues it.
    const float *v_in_place_ = nullptr;
    int64_t v_head_stride_ = 0;
};

}  // namespace attn
}  // namespace rwkvx
