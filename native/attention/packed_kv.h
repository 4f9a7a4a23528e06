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
    const float *kt;  // kt[d * kt_stride + j]: key j, dimension d; zero beyond T
    int64_t kt_stride;
    const float *v;  // v[j * D + d]
};

// K (transposed) and V of some chunks of `chunk` keys, every head, fp32, each chunk indexed from its
// first key. The sparse prefill packs only the chunks some query selected and the queries' own
// chunks, so a long KV cache it continues is not copied whole; the full prefill packs one chunk
// holding every key (PackedKv), or, continuing a long cache, one window of keys at a time.
class ChunkPackedKv {
  public:
    // chunks: ascending chunk indices; chunk c holds keys [first + c*chunk, min(first + (c+1)*chunk,
    // end)) of p.kv (end < 0: past + T).
    ChunkPackedKv(ThreadPool &pool, const KernelTable &kt, const Prefill &p, int64_t chunk,
                  const std::vector<int64_t> &chunks, int64_t first = 0, int64_t end = -1);
    // Chunk c (one of those packed) of head h: key first + c*chunk + j is index j.
    PackedHead head(int32_t h, int64_t c) const {
        const size_t s = size_t(slot_[size_t(c)]) * size_t(H_) + size_t(h);
        const float *v = v_in_place_
                             ? v_in_place_ + size_t(h) * size_t(v_head_stride_) + size_t(first_ + c * B_) * size_t(D_)
                             : v_.data() + s * size_t(B_) * size_t(D_);
        return {kt_.data() + s * size_t(D_) * size_t(B_pad_), B_pad_, v};
    }

  private:
    int64_t B_, B_pad_, first_;
    int32_t D_, H_;
    std::vector<int64_t> slot_;  // chunk -> its slot (-1: not packed)
    std::vector<float> kt_, v_;  // [slot][H][D][B_pad], [slot][H][B][D]
    // F32 values already stored [j][D] per head (a KV cache) are read in place, not copied: a long
    // cache would otherwise be duplicated for every call that continues it.
    const float *v_in_place_ = nullptr;
    int64_t v_head_stride_ = 0;
};

// Keys [first, end) of every head of p.kv, packed as one chunk: key first + j is index j.
class PackedKv {
  public:
    PackedKv(ThreadPool &pool, const KernelTable &kt, const Prefill &p, int64_t first, int64_t end)
        : all_(pool, kt, p, end - first, std::vector<int64_t>{0}, first, end) {}
    PackedHead head(int32_t h) const { return all_.head(h, 0); }

  private:
    ChunkPackedKv all_;
};

}  // namespace attn
}  // namespace rwkvx
