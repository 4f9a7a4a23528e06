#include "attention/packed_kv.h"

#include "common/thread_pool.h"

namespace rwkvx {
namespace attn {

PackedKv::PackedKv(ThreadPool &pool, const AttnKernels &kt, const Prefill &p)
    : T_(p.past + p.T), T_pad_((T_ + 15) / 16 * 16 + 16), D_(p.D),
      kt_(size_t(p.H) * size_t(p.D) * size_t(T_pad_), 0.0f) {
    const int32_t D = p.D;
    const bool v_rows = p.kv.dtype == 0 && p.kv.v_stride == D;  // F32, row j of a head at j * D
    if (v_rows) {
        v_in_place_ = static_cast<const float *>(p.kv.v);
        v_head_stride_ = p.kv.head_stride;
    } else {
        v_.resize(size_t(p.H) * size_t(T_) * size_t(p.D));
    }
    pool.parallel_for(p.H, 1, [&](int64_t h0, int64_t h1) {
        std::vector<float> row(size_t(D) * 8);
        for (int64_t h = h0; h < h1; h++) {
            float *kth = kt_.data() + size_t(h) * size_t(D) * size_t(T_pad_);
            float *vh = v_rows ? nullptr : v_.data() + size_t(h) * size_t(T_) * size_t(D);
            for (int64_t j0 = 0; j0 < T_; j0 += 8) {
                const int n = int(T_ - j0 < 8 ? T_ - j0 : 8);
                // Eight keys at a time: each transposed store run then fills 8 consecutive floats.
                for (int i = 0; i < n; i++)
                    kt.widen(p.kv.dtype, row_ptr(p.kv.k, p.kv.dtype, 1, (j0 + i) * p.kv.k_stride + h * p.kv.head_stride),
                             &row[size_t(i) * D], D);
                for (int d = 0; d < D; d++)
                    for (int i = 0; i < n; i++) kth[size_t(d) * size_t(T_pad_) + size_t(j0 + i)] = row[size_t(i) * D + d];
                for (int i = 0; i < n && !v_rows; i++)
                    kt.widen(p.kv.dtype, row_ptr(p.kv.v, p.kv.dtype, 1, (j0 + i) * p.kv.v_stride + h * p.kv.head_stride),
                             vh + size_t(j0 + i) * size_t(D), D);
            }
        }
    });
}

}  // namespace attn
}  // namespace rwkvx
