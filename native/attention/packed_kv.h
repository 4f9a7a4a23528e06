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

// K (transposed) and V of some chunks of B keys, every head, fp32, each chunk indexed from its first
// key. The sparse prefill reads only the chunks some query selected and the queries' own chunks, so
// a long KV cache it continues is not copied whole.
class ChunkPackedKv {
  public:
    // chunks: ascending chunk indices; chunk c holds keys [c*B, min((c+1)*B, past + T)) of p.kv.
    ChunkPackedKv(ThreadPool &pool, const AttnKernels &kt, const Prefill &p, const std::vector<int64_t> &chunks);
    // Chunk c (one of those packed) of head h: key c*B + j is index j.
    PackedHead head(int32_t h, int64_t c) const {
        const size_t s = size_t(slot_[size_t(c)]) * size_t(H_) + size_t(h);
        const float *v = v_in_place_ ? v_in_place_ + size_t(h) * size_t(v_head_stride_) + size_t(c * B_) * size_t(D_)
                                     : v_.data() + s * size_t(B_) * size_t(D_);
        return {kt_.data() + s * size_t(D_) * size_t(B_pad_), B_pad_, v};
    }

  private:
    int64_t B_, B_pad_;
    int32_t D_, H_;
    std::vector<int64_t> slot_;  // chunk -> its slot (-1: not packed)
    std::vector<float> kt_, v_;  // [slot][H][D][B_pad], [slot][H][B][D]
    const float *v_in_place_ = nullptr;  // as in PackedKv
    int64_t v_head_stride_ = 0;
};

}  // namespace attn
}  // namespace rwkvx
