#include "attention/packed_kv.h"

#include <algorithm>

#include "common/thread_pool.h"

namespace rwkvx {
namespace attn {

ChunkPackedKv::ChunkPackedKv(ThreadPool &pool, const KernelTable &kt, const Prefill &p, int64_t chunk,
                             const std::vector<int64_t> &chunks, int64_t first, int64_t end)
    : B_(chunk), B_pad_((chunk + 15) / 16 * 16 + 16), first_(first), D_(p.D), H_(p.H) {
    const int64_t n_keys = (end < 0 ? p.past + p.T : end) - first, D = p.D;
    slot_.assign(size_t((n_keys + B_ - 1) / B_), -1);
    for (size_t i = 0; i < chunks.size(); i++) slot_[size_t(chunks[i])] = int64_t(i);
    const bool v_rows = p.kv.dtype == 0 && p.kv.v_stride == D;  // F32 rows of D: read in place
    const WeightType dtype = WeightType(p.kv.dtype);
    if (v_rows) {
        v_in_place_ = static_cast<const float *>(p.kv.v);
        v_head_stride_ = p.kv.head_stride;
    } else {
        // Rows past the last key of a partial chunk stay zero (never read: pv stops at the key count).
        v_.assign(chunks.size() * size_t(H_) * size_t(B_) * size_t(D), 0.0f);
    }
    // Zero beyond each chunk's keys: qk reads on to the next multiple of 16 columns (kernels.h).
    kt_.assign(chunks.size() * size_t(H_) * size_t(D) * size_t(B_pad_), 0.0f);
    pool.parallel_for(int64_t(chunks.size()) * H_, 1, [&](int64_t b, int64_t e) {
        std::vector<float> row(size_t(D) * 8);
        for (int64_t item = b; item < e; item++) {
            const int64_t c = chunks[size_t(item / H_)], h = item % H_;
            float *kth = kt_.data() + size_t(item) * size_t(D) * size_t(B_pad_);
            const int64_t n = std::min(B_, n_keys - c * B_);
            // Eight keys at a time: each transposed store run then fills 8 consecutive floats.
            for (int64_t j0 = 0; j0 < n; j0 += 8) {
                const int m = int(std::min<int64_t>(8, n - j0));
                for (int i = 0; i < m; i++) {
                    const int64_t key = first + c * B_ + j0 + i;
                    kt.to_f32(dtype, row_ptr(p.kv.k, p.kv.dtype, 1, key * p.kv.k_stride + h * p.kv.head_stride),
                              &row[size_t(i) * size_t(D)], int(D));
                    if (!v_rows)
                        kt.to_f32(dtype, row_ptr(p.kv.v, p.kv.dtype, 1, key * p.kv.v_stride + h * p.kv.head_stride),
                                  v_.data() + (size_t(item) * size_t(B_) + size_t(j0 + i)) * size_t(D), int(D));
                }
                for (int64_t d = 0; d < D; d++)
                    for (int i = 0; i < m; i++) kth[size_t(d * B_pad_ + j0 + i)] = row[size_t(i * D + d)];
            }
        }
    });
}

}  // namespace attn
}  // namespace rwkvx
