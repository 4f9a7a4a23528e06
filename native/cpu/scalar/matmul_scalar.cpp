// Portable matrix product: weight rows widened in pieces (quantized ones dequantized block by block),
// each dotted with every input row.
#include <cstdint>

#include "common/quant.h"
#include "cpu/scalar/scalar.h"

namespace rwkvx {
namespace scalar {

void matmul(const MatmulArgs &m, int64_t n0, int64_t n1) {
    float row[256];  // a multiple of the 32-element quantized blocks
    for (int64_t n = n0; n < n1; n++) {
        const char *wrow = static_cast<const char *>(m.w) + n * row_bytes(m.wtype, m.K);
        const bool in_block = m.blocked && n < blocked_rows(m.N) && !is_quantized(m.wtype);
        // Widen the weight row in pieces, then dot it with every input row.
        for (int64_t t = 0; t < m.T; t++) m.y[t * m.N + n] = 0.0f;
        for (int64_t k0 = 0; k0 < m.K; k0 += 256) {
            int64_t kc = m.K - k0 < 256 ? m.K - k0 : 256;
            if (is_quantized(m.wtype))  // whole blocks, split rows when resident (kernels.h)
                dequantize_blocks(m.wtype, wrow,
                                  m.blocked ? split_row_layout(m.wtype, m.K / kQuantBlock) : ggml_row_layout(m.wtype),
                                  k0 / kQuantBlock, kc / kQuantBlock, row);
            else if (in_block)  // a blocked row is strided: gather it
                for (int64_t k = 0; k < kc; k++)
                    row[k] = load_weight(m.wtype, m.w, weight_offset(true, m.wtype, m.N, m.K, n, k0 + k));
            else
                to_f32(m.wtype, wrow + row_bytes(m.wtype, k0), row, kc);
            for (int64_t t = 0; t < m.T; t++) {
                const float *x = m.x + t * m.K + k0;
                float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                int64_t k = 0;
                for (; k + 4 <= kc; k += 4) {
                    s0 += row[k] * x[k];
                    s1 += row[k + 1] * x[k + 1];
                    s2 += row[k + 2] * x[k + 2];
                    s3 += row[k + 3] * x[k + 3];
                }
                for (; k < kc; k++) s0 += row[k] * x[k];
                m.y[t * m.N + n] += (s0 + s2) + (s1 + s3);
            }
        }
    }
}

}  // namespace scalar
}  // namespace rwkvx
