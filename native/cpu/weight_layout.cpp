#include "cpu/weight_layout.h"

#include <cstring>
#include <vector>

namespace rwkvx {

namespace {
template <class E>
void block_typed(WeightType type, E *data, int64_t N, int64_t K) {
    std::vector<E> rows(size_t(kBlockRows * K));  // one block, row-major
    for (int64_t b = 0; b < blocked_rows(N) / kBlockRows; b++) {
        E *dst = data + b * kBlockRows * K;
        std::memcpy(rows.data(), dst, rows.size() * sizeof(E));
        for (int64_t r = 0; r < kBlockRows; r++) {
            const int64_t slot = weight_offset(true, type, N, K, b * kBlockRows + r, 0) - b * kBlockRows * K;
            const E *src = rows.data() + r * K;
            for (int64_t k = 0; k < K; k++) dst[k * kBlockRows + slot] = src[k];
        }
    }
}
}  // namespace

void block_weights(WeightType type, void *data, int64_t N, int64_t K) {
    if (type == WeightType::F32)
        block_typed(type, static_cast<uint32_t *>(data), N, K);
    else
        block_typed(type, static_cast<uint16_t *>(data), N, K);
}

}  // namespace rwkvx
