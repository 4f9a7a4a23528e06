// The bitwise-defined chunk-selection rules of docs/rwkv-x.md §5.2, written once for the host and the
// device (`__host__ __device__` under nvcc): fp32 chunk means, the 8 lane-strided FMA partials with the
// fixed reduction tree, and the top-k ranking (descending, ties to the newer chunk, NaN lowest and
// flagged, ±0 equal). The CPU drivers (native/attention, native/cpu) and the CUDA selection kernels
// (native/cuda/chunk_select.cu) both use these functions, so the rules cannot drift apart.
//
// Every operation is a single correctly rounded fp32 add, mul or fma: on the device through the
// __fadd_rn/__fmul_rn/__fmaf_rn intrinsics (which nvcc never contracts or flushes), on the host
// through plain operators in a build with -ffp-contract=off and std::fma.
#pragma once
#include <cmath>
#include <cstdint>

#if defined(__CUDACC__)
#define RWKVX_HD __host__ __device__ __forceinline__
#else
#define RWKVX_HD inline
#endif

namespace rwkvx {
namespace rules {

RWKVX_HD float add_rn(float a, float b) {
#if defined(__CUDA_ARCH__)
    return __fadd_rn(a, b);
#else
    return a + b;
#endif
}

RWKVX_HD float mul_rn(float a, float b) {
#if defined(__CUDA_ARCH__)
    return __fmul_rn(a, b);
#else
    return a * b;
#endif
}

RWKVX_HD float fma_rn(float a, float b, float c) {
#if defined(__CUDA_ARCH__)
    return __fmaf_rn(a, b, c);
#else
    return std::fma(a, b, c);
#endif
}

// 1/B in fp32, correctly rounded; the mean is sum * (1/B), a multiplication.
RWKVX_HD float inv_chunk(int32_t B) {
#if defined(__CUDA_ARCH__)
    return __fdiv_rn(1.0f, float(B));
#else
    return 1.0f / float(B);
#endif
}

RWKVX_HD float chunk_mean(float sum, float inv_b) {
    return mul_rn(sum, inv_b);
}

// Lane-strided partials: p[d mod 8] = fma(q[d], mean[d], p[d mod 8]) for d ascending. Heads are fed
// one after another into the same partials for the all-heads scope (head sizes are multiples of 16,
// so lanes line up with the concatenated vector).
RWKVX_HD void dot8_accumulate(const float *q, const float *mean, int D, float p[8]) {
    for (int d = 0; d < D; d++) p[d & 7] = fma_rn(q[d], mean[d], p[d & 7]);
}

// The fixed reduction tree of the 8 partials.
RWKVX_HD float tree8(const float p[8]) {
    return add_rn(add_rn(add_rn(p[0], p[4]), add_rn(p[2], p[6])), add_rn(add_rn(p[1], p[5]), add_rn(p[3], p[7])));
}

// Top-k over candidate chunks offered in ascending index. Holds up to kMax entries in rank order.
template <int kMax>
struct TopK {
    float score[kMax];
    int32_t chunk[kMax];
    int k = 0, count = 0;
    bool saw_nan = false;

    RWKVX_HD explicit TopK(int k_) : k(k_ < kMax ? k_ : kMax) {}

    // Ranks chunk c with score s: descending, a newcomer displaces an equal score (ties go to the
    // newer chunk; +0 == -0), a NaN ranks as -inf and is remembered.
    RWKVX_HD void offer(float s, int32_t c) {
        if (k <= 0) return;
        if (s != s) {
            saw_nan = true;
            s = -INFINITY;
        }
        if (count == k && !(s >= score[k - 1])) return;
        int pos = count < k ? count : k - 1;
        while (pos > 0 && s >= score[pos - 1]) {
            score[pos] = score[pos - 1];
            chunk[pos] = chunk[pos - 1];
            pos--;
        }
        score[pos] = s;
        chunk[pos] = c;
        if (count < k) count++;
    }

    // Writes the selected chunks in ascending order (the processing and merge order); returns how many.
    RWKVX_HD int ascending(int32_t *out) const {
        for (int i = 0; i < count; i++) out[i] = chunk[i];
        for (int i = 1; i < count; i++)
            for (int j = i; j > 0 && out[j - 1] > out[j]; j--) {
                int32_t t = out[j];
                out[j] = out[j - 1];
                out[j - 1] = t;
            }
        return count;
    }
};

// Most past chunks a query may select (rwkvx_attention_params.top_k).
constexpr int kMaxTopK = 64;

}  // namespace rules
}  // namespace rwkvx
