// ggml's quantized blocks (docs/formats.md §1.9): 32 consecutive elements of a row each, in the
// layouts of rwkv.cpp's format-101 files. The reference quantizer (rwkvx_quantize) reproduces ggml's
// reference rounding rules bit for bit, and the widening here is the exact definition every kernel
// must agree with (the scalar kernels call it).
#pragma once
#include <cstdint>

#include "common/dtypes.h"

namespace rwkvx {

// The blocks, byte for byte as in the files. d and m are binary16; q of element j (0..31) is the low
// nibble of qs[j] for j < 16 and the high nibble of qs[j - 16] otherwise; Q5's fifth bit of element j
// is bit j of the little-endian 32-bit qh.
struct BlockQ4_0 {
    uint16_t d;
    uint8_t qs[16];
};
struct BlockQ4_1 {
    uint16_t d, m;
    uint8_t qs[16];
};
struct BlockQ5_0 {
    uint16_t d;
    uint8_t qh[4];
    uint8_t qs[16];
};
struct BlockQ5_1 {
    uint16_t d, m;
    uint8_t qh[4];
    uint8_t qs[16];
};
struct BlockQ8_0 {
    uint16_t d;
    int8_t qs[32];
};
static_assert(sizeof(BlockQ4_0) == 18 && sizeof(BlockQ4_1) == 20 && sizeof(BlockQ5_0) == 22 &&
                  sizeof(BlockQ5_1) == 24 && sizeof(BlockQ8_0) == 34,
              "ggml block sizes");
static_assert(alignof(BlockQ4_0) == 2 && alignof(BlockQ8_0) == 2, "blocks are read with memcpy, not aligned loads");

// Where the fields of a row's blocks lie: field F of block b at byte F_at + b * F_step of the row.
// ggml's layout (files, weights in place) keeps each block's fields together, so every step is the
// block size. The split layout (resident weights, cpu/kernels.h) stores a row's d's, then its m's,
// then its qh's, then its quants (16 bytes per block, Q8_0 32), each as a packed array: the same
// bytes, with the scales of 8 blocks in one vector load.
struct QuantRowLayout {
    int64_t d_at, d_step, m_at, m_step, qh_at, qh_step, qs_at, qs_step;
};
QuantRowLayout ggml_row_layout(WeightType type);
QuantRowLayout split_row_layout(WeightType type, int64_t blocks_per_row);

// The 32 integer levels of block `b` of a row and its scale and offset: x[j] = d * q[j] + m, with the
// zero point folded into the levels (Q4_0: q - 8, Q5_0: q - 16) and m = 0 for the _0 types. Every
// product d * q is exact in float32; only + m (the _1 types) rounds.
struct BlockLevels {
    float d, m;
    int32_t q[32];
};
void block_levels(WeightType type, const void *row, const QuantRowLayout &layout, int64_t block, BlockLevels &out);

// Widens n elements (a multiple of 32) of quantized data in ggml's layout: x = d * q (+ m), the float
// operations of ggml's dequantize_row_* (mul, then add).
void dequantize_row(WeightType type, const void *src, int64_t n, float *dst);
// The same for `count` blocks from block b0 of a row in either layout.
void dequantize_blocks(WeightType type, const void *row, const QuantRowLayout &layout, int64_t b0, int64_t count,
                       float *dst);
// Rewrites `rows` rows of `cols` elements from ggml's layout into the split one, in place.
void split_quantized_rows(WeightType type, void *data, int64_t rows, int64_t cols);

// Quantizes n floats (a multiple of 32) with ggml's reference rules (quantize_row_*_ref), block by
// block: same float32 operations in the same order, same truncating conversions, d and m rounded to
// binary16 to nearest even. Finite inputs only (the caller checks).
void quantize_row(WeightType type, const float *src, int64_t n, void *dst);

}  // namespace rwkvx
