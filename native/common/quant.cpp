// Reference quantization and widening of ggml's blocks. Built with -ffp-contract=off (CMakeLists.txt):
// the products and sums below round one by one, as in ggml's reference quantizer, so the bytes match
// rwkv.cpp's files.
#include "common/quant.h"

#include <cmath>
#include <cstring>
#include <vector>

namespace rwkvx {

namespace {

// (int8_t)v or (uint8_t)v of a float as x86-64 compilers emit it: a truncating conversion to 32 bits
// (cvttss2si, which gives INT32_MIN for NaN and out-of-range values), then its low byte. In range this
// is C's truncation; outside it, it is what the reference quantizer's undefined conversions produce
// on the machines that make rwkv.cpp's files (a block whose scale overflows 1/d, e.g. all |x| < 3e-39).
int32_t truncate_x86(float v) {
    return v >= -2147483648.0f && v < 2147483648.0f ? int32_t(v) : INT32_MIN;
}
int8_t to_int8(float v) {
    return int8_t(uint8_t(uint32_t(truncate_x86(v)) & 0xff));
}
uint8_t to_uint8(float v) {
    return uint8_t(uint32_t(truncate_x86(v)) & 0xff);
}
int min_int(int a, int b) {
    return a < b ? a : b;
}

// The element of largest magnitude (the first one on ties), signed: the _0 types' scale reference.
float signed_absmax(const float *x) {
    float amax = 0.0f, max = 0.0f;
    for (int j = 0; j < 32; j++)
        if (amax < std::fabs(x[j])) {
            amax = std::fabs(x[j]);
            max = x[j];
        }
    return max;
}

void min_max(const float *x, float &min, float &max) {
    min = 3.402823466e+38f;
    max = -3.402823466e+38f;
    for (int j = 0; j < 32; j++) {
        if (x[j] < min) min = x[j];
        if (x[j] > max) max = x[j];
    }
}

void store_half(uint16_t &dst, float f) {
    dst = round_to_half(f);
}

void quantize_q4_0(const float *x, BlockQ4_0 &y) {
    const float d = signed_absmax(x) / -8;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    store_half(y.d, d);
    for (int j = 0; j < 16; j++) {
        const float x0 = x[j] * id, x1 = x[16 + j] * id;
        const uint8_t q0 = uint8_t(min_int(15, to_int8(x0 + 8.5f)));
        const uint8_t q1 = uint8_t(min_int(15, to_int8(x1 + 8.5f)));
        y.qs[j] = uint8_t(q0 | (q1 << 4));
    }
}

void quantize_q4_1(const float *x, BlockQ4_1 &y) {
    float min, max;
    min_max(x, min, max);
    const float d = (max - min) / 15;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    store_half(y.d, d);
    store_half(y.m, min);
    for (int j = 0; j < 16; j++) {
        const float x0 = (x[j] - min) * id, x1 = (x[16 + j] - min) * id;
        const uint8_t q0 = uint8_t(min_int(15, to_int8(x0 + 0.5f)));
        const uint8_t q1 = uint8_t(min_int(15, to_int8(x1 + 0.5f)));
        y.qs[j] = uint8_t(q0 | (q1 << 4));
    }
}

// Low nibbles into qs, fifth bits into qh (element j at bit j).
template <class Block>
void pack5(const uint8_t (&q)[32], Block &y) {
    uint32_t qh = 0;
    for (int j = 0; j < 16; j++) {
        y.qs[j] = uint8_t((q[j] & 0x0f) | ((q[16 + j] & 0x0f) << 4));
        qh |= uint32_t((q[j] & 0x10u) >> 4) << j;
        qh |= uint32_t((q[16 + j] & 0x10u) >> 4) << (j + 16);
    }
    const uint8_t bytes[4] = {uint8_t(qh), uint8_t(qh >> 8), uint8_t(qh >> 16), uint8_t(qh >> 24)};
    std::memcpy(y.qh, bytes, 4);
}

void quantize_q5_0(const float *x, BlockQ5_0 &y) {
    const float d = signed_absmax(x) / -16;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    store_half(y.d, d);
    uint8_t q[32];
    for (int j = 0; j < 32; j++) q[j] = uint8_t(min_int(31, to_int8(x[j] * id + 16.5f)));
    pack5(q, y);
}

void quantize_q5_1(const float *x, BlockQ5_1 &y) {
    float min, max;
    min_max(x, min, max);
    const float d = (max - min) / 31;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    store_half(y.d, d);
    store_half(y.m, min);
    uint8_t q[32];
    for (int j = 0; j < 32; j++) q[j] = to_uint8((x[j] - min) * id + 0.5f);  // no clamp, as in ggml
    pack5(q, y);
}

void quantize_q8_0(const float *x, BlockQ8_0 &y) {
    float amax = 0.0f;
    for (int j = 0; j < 32; j++) {
        const float a = std::fabs(x[j]);
        amax = amax > a ? amax : a;
    }
    const float d = amax / 127;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    store_half(y.d, d);
    for (int j = 0; j < 32; j++) y.qs[j] = to_int8(std::round(x[j] * id));
}

template <class Block>
void store_block(void *dst, int64_t b, const Block &y) {
    std::memcpy(static_cast<char *>(dst) + b * int64_t(sizeof(Block)), &y, sizeof(Block));
}

// Field reads at any byte offset (rows of rwkv.cpp files start anywhere).
float half_field(const uint8_t *p) {
    uint16_t h;
    std::memcpy(&h, p, 2);
    return half_to_float(h);
}
uint32_t u32_field(const uint8_t *p) {
    return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

constexpr bool has_min(WeightType t) {
    return t == WeightType::Q4_1 || t == WeightType::Q5_1;
}
constexpr bool has_high_bits(WeightType t) {
    return t == WeightType::Q5_0 || t == WeightType::Q5_1;
}

}  // namespace

QuantRowLayout ggml_row_layout(WeightType t) {
    const int64_t bb = quant_block_bytes(t);
    const int64_t m_at = has_min(t) ? 2 : 0, qh_at = 2 + m_at, qs_at = qh_at + (has_high_bits(t) ? 4 : 0);
    return {0, bb, m_at, bb, qh_at, bb, qs_at, bb};
}

QuantRowLayout split_row_layout(WeightType t, int64_t nb) {
    const int64_t m_at = 2 * nb, qh_at = m_at + (has_min(t) ? 2 * nb : 0);
    const int64_t qs_at = qh_at + (has_high_bits(t) ? 4 * nb : 0);
    return {0, 2, m_at, 2, qh_at, 4, qs_at, t == WeightType::Q8_0 ? 32 : 16};
}

void block_levels(WeightType type, const void *row, const QuantRowLayout &L, int64_t b, BlockLevels &out) {
    const uint8_t *base = static_cast<const uint8_t *>(row);
    const uint8_t *qs = base + L.qs_at + b * L.qs_step;
    out.d = half_field(base + L.d_at + b * L.d_step);
    out.m = has_min(type) ? half_field(base + L.m_at + b * L.m_step) : 0.0f;
    if (type == WeightType::Q8_0) {
        for (int j = 0; j < 32; j++) out.q[j] = int8_t(qs[j]);
        return;
    }
    const uint32_t qh = has_high_bits(type) ? u32_field(base + L.qh_at + b * L.qh_step) : 0;
    const int32_t zero = type == WeightType::Q4_0 ? 8 : type == WeightType::Q5_0 ? 16 : 0;
    for (int j = 0; j < 16; j++) {
        out.q[j] = int32_t((qs[j] & 0x0f) | ((qh >> j) & 1) << 4) - zero;
        out.q[16 + j] = int32_t((qs[j] >> 4) | ((qh >> (16 + j)) & 1) << 4) - zero;
    }
}

void dequantize_blocks(WeightType type, const void *row, const QuantRowLayout &layout, int64_t b0, int64_t count,
                       float *dst) {
    BlockLevels L;
    for (int64_t b = 0; b < count; b++) {
        block_levels(type, row, layout, b0 + b, L);
        float *y = dst + b * kQuantBlock;
        if (has_min(type))
            for (int j = 0; j < 32; j++) y[j] = float(L.q[j]) * L.d + L.m;
        else
            for (int j = 0; j < 32; j++) y[j] = float(L.q[j]) * L.d;
    }
}

void dequantize_row(WeightType type, const void *src, int64_t n, float *dst) {
    dequantize_blocks(type, src, ggml_row_layout(type), 0, n / kQuantBlock, dst);
}

void split_quantized_rows(WeightType type, void *data, int64_t rows, int64_t cols) {
    const int64_t nb = cols / kQuantBlock, rb = nb * quant_block_bytes(type);
    const QuantRowLayout from = ggml_row_layout(type), to = split_row_layout(type, nb);
    const int64_t qs_bytes = type == WeightType::Q8_0 ? 32 : 16;
    std::vector<uint8_t> copy(static_cast<size_t>(rb));
    for (int64_t r = 0; r < rows; r++) {
        uint8_t *row = static_cast<uint8_t *>(data) + r * rb;
        std::memcpy(copy.data(), row, size_t(rb));
        for (int64_t b = 0; b < nb; b++) {
            std::memcpy(row + to.d_at + b * to.d_step, &copy[size_t(from.d_at + b * from.d_step)], 2);
            if (has_min(type))
                std::memcpy(row + to.m_at + b * to.m_step, &copy[size_t(from.m_at + b * from.m_step)], 2);
            if (has_high_bits(type))
                std::memcpy(row + to.qh_at + b * to.qh_step, &copy[size_t(from.qh_at + b * from.qh_step)], 4);
            std::memcpy(row + to.qs_at + b * to.qs_step, &copy[size_t(from.qs_at + b * from.qs_step)],
                        size_t(qs_bytes));
        }
    }
}

void quantize_row(WeightType type, const float *src, int64_t n, void *dst) {
    for (int64_t b = 0; b < n / kQuantBlock; b++) {
        const float *x = src + b * kQuantBlock;
        switch (type) {
            case WeightType::Q4_0: {
                BlockQ4_0 y;
                quantize_q4_0(x, y);
                store_block(dst, b, y);
                break;
            }
            case WeightType::Q4_1: {
                BlockQ4_1 y;
                quantize_q4_1(x, y);
                store_block(dst, b, y);
                break;
            }
            case WeightType::Q5_0: {
                BlockQ5_0 y;
                quantize_q5_0(x, y);
                store_block(dst, b, y);
                break;
            }
            case WeightType::Q5_1: {
                BlockQ5_1 y;
                quantize_q5_1(x, y);
                store_block(dst, b, y);
                break;
            }
            case WeightType::Q8_0: {
                BlockQ8_0 y;
                quantize_q8_0(x, y);
                store_block(dst, b, y);
                break;
            }
            default:
                return;
        }
    }
}

}  // namespace rwkvx
