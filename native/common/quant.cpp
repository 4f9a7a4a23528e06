// Reference quantization and widening of ggml's blocks. Built with -ffp-contract=off (CMakeLists.txt):
// the products and sums below round one by one, as in ggml's reference quantizer, so the bytes match
// rwkv.cpp's files.
#include "common/quant.h"

#include <cmath>
#include <cstring>

namespace rwkvx {

namespace {

float half_at(uint16_t h) {
    return half_to_float(h);
}

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

// Block b of a row, copied out: rows may start at any byte (rwkv.cpp files are packed).
template <class Block>
Block block_at(const void *row, int64_t b) {
    Block y;
    std::memcpy(&y, static_cast<const char *>(row) + b * int64_t(sizeof(Block)), sizeof(Block));
    return y;
}

template <class Block>
void store_block(void *dst, int64_t b, const Block &y) {
    std::memcpy(static_cast<char *>(dst) + b * int64_t(sizeof(Block)), &y, sizeof(Block));
}

// The 32 fifth bits of a Q5 block, element j at bit j.
uint32_t high_bits(const uint8_t (&qh)[4]) {
    return uint32_t(qh[0]) | uint32_t(qh[1]) << 8 | uint32_t(qh[2]) << 16 | uint32_t(qh[3]) << 24;
}

}  // namespace

void block_levels(WeightType type, const void *row, int64_t b, BlockLevels &out) {
    out.m = 0.0f;
    switch (type) {
        case WeightType::Q4_0: {
            const auto y = block_at<BlockQ4_0>(row, b);
            out.d = half_at(y.d);
            for (int j = 0; j < 16; j++) out.q[j] = (y.qs[j] & 0x0f) - 8, out.q[16 + j] = (y.qs[j] >> 4) - 8;
            return;
        }
        case WeightType::Q4_1: {
            const auto y = block_at<BlockQ4_1>(row, b);
            out.d = half_at(y.d);
            out.m = half_at(y.m);
            for (int j = 0; j < 16; j++) out.q[j] = y.qs[j] & 0x0f, out.q[16 + j] = y.qs[j] >> 4;
            return;
        }
        case WeightType::Q5_0: {
            const auto y = block_at<BlockQ5_0>(row, b);
            const uint32_t qh = high_bits(y.qh);
            out.d = half_at(y.d);
            for (int j = 0; j < 16; j++) {
                out.q[j] = int32_t((y.qs[j] & 0x0f) | ((qh >> j) & 1) << 4) - 16;
                out.q[16 + j] = int32_t((y.qs[j] >> 4) | ((qh >> (16 + j)) & 1) << 4) - 16;
            }
            return;
        }
        case WeightType::Q5_1: {
            const auto y = block_at<BlockQ5_1>(row, b);
            const uint32_t qh = high_bits(y.qh);
            out.d = half_at(y.d);
            out.m = half_at(y.m);
            for (int j = 0; j < 16; j++) {
                out.q[j] = int32_t((y.qs[j] & 0x0f) | ((qh >> j) & 1) << 4);
                out.q[16 + j] = int32_t((y.qs[j] >> 4) | ((qh >> (16 + j)) & 1) << 4);
            }
            return;
        }
        case WeightType::Q8_0: {
            const auto y = block_at<BlockQ8_0>(row, b);
            out.d = half_at(y.d);
            for (int j = 0; j < 32; j++) out.q[j] = y.qs[j];
            return;
        }
        default:
            out.d = 0.0f;
            for (int j = 0; j < 32; j++) out.q[j] = 0;
            return;
    }
}

void dequantize_row(WeightType type, const void *src, int64_t n, float *dst) {
    BlockLevels L;
    const bool offset = type == WeightType::Q4_1 || type == WeightType::Q5_1;
    for (int64_t b = 0; b < n / kQuantBlock; b++) {
        block_levels(type, src, b, L);
        float *y = dst + b * kQuantBlock;
        if (offset)
            for (int j = 0; j < 32; j++) y[j] = float(L.q[j]) * L.d + L.m;
        else
            for (int j = 0; j < 32; j++) y[j] = float(L.q[j]) * L.d;
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
