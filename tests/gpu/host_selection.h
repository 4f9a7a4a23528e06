// The host side of the GPU chunk-selection tests (test_gpu_selection.cu, test_gpu_sparse.cu): the
// shape of a case, key rows of one dtype, and the CPU's chunk selection over them (rules:: sums and
// means, the kernel table's scores8 and attn::select_top_k, exactly as
// native/attention/sparse_prefill.cpp runs them).
#pragma once
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "../native/half_floats.h"
#include "attention/chunk_select.h"
#include "common/chunk_rules.h"
#include "cpu/kernels.h"
#include "rwkvx.h"

namespace host_selection {

// The shape of a selection call: the keys' dtype, H heads of size D, chunks of B keys, top_k chunks per
// query and selection head (scope: one per head, or one over all heads), T queries after `past` keys.
struct Shape {
    int32_t dtype, H, D, B, top_k, scope;
    int64_t T, past;
};

// "F16 H=2 D=64 B=48 k=2 HEAD T=500 past=0".
inline std::string describe(const Shape &s) {
    const char *dt[] = {"F32", "F16", "BF16"};
    return std::string(dt[s.dtype]) + " H=" + std::to_string(s.H) + " D=" + std::to_string(s.D) +
           " B=" + std::to_string(s.B) + " k=" + std::to_string(s.top_k) +
           (s.scope == RWKVX_ATTN_SCOPE_ALL ? " ALL" : " HEAD") + " T=" + std::to_string(s.T) +
           " past=" + std::to_string(s.past);
}

// Rows of one dtype: element (row j, head h, dim d) at h * head_stride + j * stride + d, stored in
// `bytes` and widened (exactly) in `f`.
struct Rows {
    int32_t dtype;
    int64_t stride, head_stride;
    std::vector<uint8_t> bytes;
    std::vector<float> f;
    int64_t at(int64_t j, int32_t h, int32_t d) const { return h * head_stride + j * stride + d; }
};

// src rounded to the dtype (F32, F16 or BF16).
inline Rows make_rows(int32_t dtype, int64_t stride, int64_t head_stride, const std::vector<float> &src,
                      const rwkvx::KernelTable &kt) {
    const int64_t n = int64_t(src.size());
    Rows r{dtype, stride, head_stride, {}, std::vector<float>(src.size())};
    const int64_t eb = dtype == RWKVX_DTYPE_F32 ? 4 : 2;
    r.bytes.resize(size_t(n * eb));
    for (int64_t i = 0; i < n; i++) {
        if (dtype == RWKVX_DTYPE_F32) {
            std::memcpy(&r.bytes[size_t(4 * i)], &src[size_t(i)], 4);
        } else {
            const uint16_t h = dtype == RWKVX_DTYPE_F16 ? to_half(src[size_t(i)]) : to_bf16(src[size_t(i)]);
            std::memcpy(&r.bytes[size_t(2 * i)], &h, 2);
        }
    }
    kt.to_f32(rwkvx::WeightType(dtype), r.bytes.data(), r.f.data(), n);
    return r;
}

struct Selection {
    std::vector<float> means;  // [n_full][H][D]
    std::vector<float> sums;   // [H][slots][D], every chunk (the last one partial)
    std::vector<int32_t> sel;  // [T][Hs][top_k]
    std::vector<int32_t> count;
    bool nan = false;
};

// The CPU's selection (native/attention/sparse_prefill.cpp steps 1-2, decode.cpp's sums) for T queries
// q_stride apart that follow `past` cached keys.
inline Selection select(const rwkvx::KernelTable &kt, const Rows &k, const std::vector<float> &q, int64_t q_stride,
                        int64_t T, int64_t past, int32_t H, int32_t D, int32_t B, int32_t top_k, int32_t scope,
                        int64_t slots) {
    namespace rules = rwkvx::rules;
    Selection s;
    const int64_t n_full = (past + T) / B, HD = int64_t(H) * D;
    const int32_t Hs = scope == RWKVX_ATTN_SCOPE_ALL ? 1 : H;
    s.sums.assign(size_t(int64_t(H) * slots * D), 0.0f);
    for (int32_t h = 0; h < H; h++)
        for (int64_t j = 0; j < past + T; j++)
            for (int32_t d = 0; d < D; d++) {
                float &sum = s.sums[size_t((h * slots + j / B) * D + d)];
                sum = rules::add_rn(sum, k.f[size_t(k.at(j, h, d))]);
            }
    const float inv_b = rules::inv_chunk(B);
    s.means.assign(size_t(n_full * HD), 0.0f);
    for (int64_t c = 0; c < n_full; c++)
        for (int32_t h = 0; h < H; h++)
            for (int32_t d = 0; d < D; d++)
                s.means[size_t(c * HD + h * D + d)] = rules::chunk_mean(s.sums[size_t((h * slots + c) * D + d)], inv_b);
    const int kp = top_k;
    s.sel.assign(size_t(T * Hs * (kp > 0 ? kp : 1)), -1);
    s.count.assign(size_t(T * Hs), 0);
    std::vector<float> scores(size_t(n_full > 0 ? n_full : 1));
    for (int64_t t = 0; t < T; t++) {
        const float *qt = q.data() + t * q_stride;
        const int64_t n_cand = (past + t) / B;
        for (int32_t hs = 0; hs < Hs; hs++) {
            const int len = scope == RWKVX_ATTN_SCOPE_ALL ? int(HD) : D;
            if (kp > 0 && n_cand > 0)
                kt.scores8(qt + int64_t(hs) * D, &s.means[size_t(int64_t(hs) * D)], HD, n_cand, len, scores.data());
            s.count[size_t(t * Hs + hs)] = rwkvx::attn::select_top_k(
                n_cand, kp, [&](int64_t c) { return scores[size_t(c)]; }, &s.sel[size_t((t * Hs + hs) * kp)], &s.nan);
        }
    }
    return s;
}

}  // namespace host_selection
