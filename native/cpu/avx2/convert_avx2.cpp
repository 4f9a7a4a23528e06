// AVX2 widening of F16 / BF16 / F32 elements and quantized blocks to float (F16C for half). Compiled
// with -mavx2 -mfma -mf16c.
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "cpu/avx2/avx2.h"
#include "cpu/avx2/simd_avx2.h"

namespace rwkvx {
namespace avx2 {

void to_f32(WeightType t, const void *src, float *dst, int64_t n) {
    int64_t i = 0;
    switch (t) {
        case WeightType::F32:
            std::memcpy(dst, src, size_t(n) * 4);
            return;
        case WeightType::F16:
            for (; i + 8 <= n; i += 8) _mm256_storeu_ps(dst + i, load8<WeightType::F16>(src, i));
            for (; i < n; i++) dst[i] = load1<WeightType::F16>(src, i);
            return;
        case WeightType::BF16:
            for (; i + 8 <= n; i += 8) _mm256_storeu_ps(dst + i, load8<WeightType::BF16>(src, i));
            for (; i < n; i++) dst[i] = load1<WeightType::BF16>(src, i);
            return;
        default:
            widen_blocks(t, src, ggml_row_layout(t), 0, n / kQuantBlock, dst);
            return;
    }
}

}  // namespace avx2
}  // namespace rwkvx
