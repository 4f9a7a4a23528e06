// Quantized weights (ggml's Q4_0, Q4_1, Q5_0, Q5_1, Q8_0 blocks; docs/formats.md §1.9) through the C
// ABI: rwkvx_dtype_bytes; rwkvx_dequantize of hand-built blocks against values computed by hand and
// against a block decoder written here from the layout; rwkvx_quantize against bytes derived by hand
// from ggml's rules, and its round trip; rwkvx_matmul with quantized weights against float64 over the
// dequantized weights on every kernel table (bounds: docs/numerics.md §2.9); the GEMM against the F32
// GEMM over the dequantized weights (bitwise), GEMV against GEMM, thread counts; the errors; and whole
// models (RWKV-4, 5.2, 6, 7 and RWKV-X) with quantized matrices, against the same models built from
// the dequantized floats.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "check.h"
#include "common/quant.h"
#include "cpu/dispatch.h"
#include "cpu/kernels.h"
#include "rwkvx.h"
#include "synthetic_rwkv56.h"
#include "synthetic_rwkv7.h"

namespace {

using Bytes = std::vector<uint8_t>;

const int32_t kTypes[] = {RWKVX_DTYPE_Q4_0, RWKVX_DTYPE_Q4_1, RWKVX_DTYPE_Q5_0, RWKVX_DTYPE_Q5_1, RWKVX_DTYPE_Q8_0};

const char *type_name(int32_t t) {
    static const char *names[] = {"F32", "F16", "BF16", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0"};
    return t >= 0 && t < 8 ? names[t] : "?";
}
int64_t block_bytes(int32_t t) {
    const int64_t sizes[] = {0, 0, 0, 18, 20, 22, 24, 34};
    return sizes[t];
}
bool has_min(int32_t t) {
    return t == RWKVX_DTYPE_Q4_1 || t == RWKVX_DTYPE_Q5_1;
}

// IEEE half -> double, exact (written here, independent of the library).
double half_value(uint16_t h) {
    const int e = (h >> 10) & 0x1f, m = h & 0x3ff;
    double v = e == 0 ? std::ldexp(m, -24) : e == 31 ? (m ? NAN : INFINITY) : std::ldexp(1024 + m, e - 25);
    return (h & 0x8000) ? -v : v;
}
uint16_t read16(const uint8_t *p) {
    return uint16_t(p[0] | p[1] << 8);
}

// One block's fields as the layout defines them (docs/formats.md §1.9): d, m (0 for the _0 types) and
// the 32 levels q, with the _0 types' zero points taken off (q − 8 for Q4_0, q − 16 for Q5_0).
struct BlockFields {
    double d, m;
    int q[32];
};
BlockFields block_fields(int32_t t, const uint8_t *b) {
    BlockFields f{half_value(read16(b)), has_min(t) ? half_value(read16(b + 2)) : 0.0, {}};
    const uint8_t *qs = b + (t == RWKVX_DTYPE_Q4_0 ? 2 : t == RWKVX_DTYPE_Q4_1 ? 4 : t == RWKVX_DTYPE_Q5_0 ? 6 : 8);
    const uint8_t *qh = b + (t == RWKVX_DTYPE_Q5_0 ? 2 : 4);
    for (int j = 0; j < 32; j++) {
        int q;
        if (t == RWKVX_DTYPE_Q8_0) {
            q = int8_t(b[2 + j]);
        } else {
            q = j < 16 ? qs[j] & 15 : qs[j - 16] >> 4;
            if (t == RWKVX_DTYPE_Q5_0 || t == RWKVX_DTYPE_Q5_1) q |= ((qh[j / 8] >> (j % 8)) & 1) << 4;
            if (t == RWKVX_DTYPE_Q4_0) q -= 8;
            if (t == RWKVX_DTYPE_Q5_0) q -= 16;
        }
        f.q[j] = q;
    }
    return f;
}

// The 32 values of one block: x = d·q, or d·q + m rounded once to float32 for the _1 types.
std::vector<double> decode_block(int32_t t, const uint8_t *b) {
    const BlockFields f = block_fields(t, b);
    std::vector<double> x(32);
    for (int j = 0; j < 32; j++) x[size_t(j)] = has_min(t) ? double(float(f.q[j] * f.d + f.m)) : f.q[j] * f.d;
    return x;
}

std::vector<float> dequantize(int32_t t, const void *src, int64_t n) {
    std::vector<float> out(size_t(n), NAN);
    if (rwkvx_dequantize(t, src, n, out.data()) != RWKVX_OK) out.assign(size_t(n), NAN);
    return out;
}

Bytes quantize(int32_t t, const std::vector<float> &x) {
    Bytes out(size_t(rwkvx_dtype_bytes(t, int64_t(x.size()))));
    if (rwkvx_quantize(t, x.data(), int64_t(x.size()), out.data(), int64_t(out.size())) != RWKVX_OK) out.clear();
    return out;
}

std::string hex(const Bytes &b) {
    std::string s;
    for (uint8_t v : b) s += fmt("%02x", v);
    return s;
}

// ---- sizes -------------------------------------------------------------------------------------

void test_dtype_bytes() {
    expect(rwkvx_dtype_bytes(RWKVX_DTYPE_F32, 5) == 20 && rwkvx_dtype_bytes(RWKVX_DTYPE_F16, 5) == 10 &&
               rwkvx_dtype_bytes(RWKVX_DTYPE_BF16, 0) == 0,
           "dtype_bytes of the element types");
    for (int32_t t : kTypes) {
        expect(rwkvx_dtype_bytes(t, 64) == 2 * block_bytes(t) && rwkvx_dtype_bytes(t, 0) == 0,
               fmt("dtype_bytes(%s, 64) = %lld", type_name(t), (long long)rwkvx_dtype_bytes(t, 64)));
        expect(rwkvx_dtype_bytes(t, 33) == -1 && rwkvx_dtype_bytes(t, 16) == -1 && rwkvx_dtype_bytes(t, -32) == -1,
               fmt("dtype_bytes(%s) of part of a block or a negative count is -1", type_name(t)));
        expect(rwkvx_dtype_bytes(t, int64_t(32) << 40) == block_bytes(t) << 40, "dtype_bytes of a huge count");
    }
    expect(rwkvx_dtype_bytes(8, 32) == -1 && rwkvx_dtype_bytes(-1, 32) == -1, "dtype_bytes of unknown dtypes is -1");
    expect(rwkvx_dtype_bytes(RWKVX_DTYPE_F32, INT64_MAX / 2) == -1, "dtype_bytes past INT64_MAX is -1");
}

// ---- dequantization ----------------------------------------------------------------------------

// A block from its fields: d (and m), the 32 levels q as stored (Q4: 0..15, Q5: 0..31, Q8: int8).
Bytes make_block(int32_t t, uint16_t d, uint16_t m, const int (&q)[32]) {
    Bytes b(size_t(block_bytes(t)), 0);
    b[0] = uint8_t(d), b[1] = uint8_t(d >> 8);
    size_t at = 2;
    if (has_min(t)) b[2] = uint8_t(m), b[3] = uint8_t(m >> 8), at = 4;
    if (t == RWKVX_DTYPE_Q8_0) {
        for (int j = 0; j < 32; j++) b[size_t(2 + j)] = uint8_t(int8_t(q[j]));
        return b;
    }
    if (t == RWKVX_DTYPE_Q5_0 || t == RWKVX_DTYPE_Q5_1) {
        uint32_t qh = 0;
        for (int j = 0; j < 32; j++) qh |= uint32_t((q[j] >> 4) & 1) << j;
        for (int i = 0; i < 4; i++) b[at + size_t(i)] = uint8_t(qh >> (8 * i));
        at += 4;
    }
    for (int j = 0; j < 16; j++) b[at + size_t(j)] = uint8_t((q[j] & 15) | (q[16 + j] & 15) << 4);
    return b;
}

void check_block(const std::string &what, int32_t t, const Bytes &block, const std::vector<double> &want) {
    for (int shift = 0; shift < 2; shift++) {  // rows start at any byte in rwkv.cpp files
        Bytes buf(block.size() + 1);
        std::memcpy(buf.data() + shift, block.data(), block.size());
        const std::vector<float> got = dequantize(t, buf.data() + shift, 32);
        int bad = 0;
        for (int j = 0; j < 32; j++)
            if (!(double(got[size_t(j)]) == want[size_t(j)])) bad++;
        expect(bad == 0, fmt("%s %s%s: %d of 32 values differ (element 0: %.9g, want %.9g)", type_name(t), what.c_str(),
                             shift ? " at an odd address" : "", bad, double(got[0]), want[0]));
    }
}

void test_dequantize_hand_built() {
    int ramp16[32], ramp32[32], signed8[32], zero[32] = {};
    for (int j = 0; j < 32; j++) ramp16[j] = j % 16, ramp32[j] = j, signed8[j] = j * 8 - 128;
    std::vector<double> want(32);

    // Q4_0: d = 1 (0x3c00): x = q − 8.
    for (int j = 0; j < 32; j++) want[size_t(j)] = j % 16 - 8;
    check_block("d=1 ramp", RWKVX_DTYPE_Q4_0, make_block(RWKVX_DTYPE_Q4_0, 0x3c00, 0, ramp16), want);
    // The largest half, 65504 (0x7bff): −8·65504 = −524032 and 7·65504 = 458528.
    for (int j = 0; j < 32; j++) want[size_t(j)] = (j % 16 - 8) * 65504.0;
    check_block("d=65504", RWKVX_DTYPE_Q4_0, make_block(RWKVX_DTYPE_Q4_0, 0x7bff, 0, ramp16), want);
    // The smallest subnormal half, 2^-24 (0x0001), negative (0x8001): x = −(q − 8)·2^-24.
    for (int j = 0; j < 32; j++) want[size_t(j)] = -(j % 16 - 8) * std::ldexp(1.0, -24);
    check_block("d=-2^-24", RWKVX_DTYPE_Q4_0, make_block(RWKVX_DTYPE_Q4_0, 0x8001, 0, ramp16), want);
    // All bytes zero: d = 0, every value (−8)·0 = 0 (a negative zero, equal to 0).
    std::fill(want.begin(), want.end(), 0.0);
    for (int32_t t : kTypes) check_block("all-zero block", t, make_block(t, 0, 0, zero), want);

    // Q4_1: d = 0.5 (0x3800), m = −2 (0xc000): x = q/2 − 2, from −2 up to 5.5.
    for (int j = 0; j < 32; j++) want[size_t(j)] = (j % 16) * 0.5 - 2.0;
    check_block("d=0.5 m=-2", RWKVX_DTYPE_Q4_1, make_block(RWKVX_DTYPE_Q4_1, 0x3800, 0xc000, ramp16), want);
    // Q4_1 minimum-offset block: d = 0, m = 3 (0x4200): every value 3.
    std::fill(want.begin(), want.end(), 3.0);
    check_block("d=0 m=3", RWKVX_DTYPE_Q4_1, make_block(RWKVX_DTYPE_Q4_1, 0, 0x4200, ramp16), want);
    // d·q + m rounds once: d = 1, m = 2^-24 (0x0001): q + 2^-24 is q in float32 for q >= 1 (the
    // 2^-24 is below half an ulp), 2^-24 for q = 0.
    for (int j = 0; j < 32; j++) want[size_t(j)] = j % 16 == 0 ? std::ldexp(1.0, -24) : j % 16;
    check_block("d=1 m=2^-24 (rounded sum)", RWKVX_DTYPE_Q4_1, make_block(RWKVX_DTYPE_Q4_1, 0x3c00, 0x0001, ramp16),
                want);

    // Q5_0: d = 0.25 (0x3400), q = j (the fifth bit set from element 16 on): x = (j − 16)/4.
    for (int j = 0; j < 32; j++) want[size_t(j)] = (j - 16) * 0.25;
    check_block("d=0.25 ramp", RWKVX_DTYPE_Q5_0, make_block(RWKVX_DTYPE_Q5_0, 0x3400, 0, ramp32), want);
    // Fifth bits in a pattern that tells bit order apart: 0x9b3c5a71, low nibbles j mod 16.
    {
        int q[32];
        const uint32_t qh = 0x9b3c5a71u;
        for (int j = 0; j < 32; j++) q[j] = (j % 16) | int((qh >> j) & 1) << 4;
        for (int j = 0; j < 32; j++) want[size_t(j)] = -(q[j] - 16);  // d = −1 (0xbc00)
        const Bytes b = make_block(RWKVX_DTYPE_Q5_0, 0xbc00, 0, q);
        expect(b[2] == 0x71 && b[3] == 0x5a && b[4] == 0x3c && b[5] == 0x9b,
               "Q5_0 qh is little-endian, element j at bit j");
        check_block("d=-1 patterned high bits", RWKVX_DTYPE_Q5_0, b, want);
    }
    // Q5_1: d = 2 (0x4000), m = −31 (0xcfc0): x = 2q − 31, from −31 to 31.
    for (int j = 0; j < 32; j++) want[size_t(j)] = 2.0 * j - 31.0;
    check_block("d=2 m=-31", RWKVX_DTYPE_Q5_1, make_block(RWKVX_DTYPE_Q5_1, 0x4000, 0xcfc0, ramp32), want);
    // Q5_1 with the largest half as d and m = 65504: up to 31·65504 + 65504 = 2096128.
    for (int j = 0; j < 32; j++) want[size_t(j)] = (j + 1) * 65504.0;
    check_block("d=m=65504", RWKVX_DTYPE_Q5_1, make_block(RWKVX_DTYPE_Q5_1, 0x7bff, 0x7bff, ramp32), want);

    // Q8_0: d = 65504 with −128 .. 120: −128·65504 = −8384512.
    for (int j = 0; j < 32; j++) want[size_t(j)] = (j * 8 - 128) * 65504.0;
    check_block("d=65504", RWKVX_DTYPE_Q8_0, make_block(RWKVX_DTYPE_Q8_0, 0x7bff, 0, signed8), want);
    // Subnormal d = 3·2^-24 (0x0003).
    for (int j = 0; j < 32; j++) want[size_t(j)] = (j * 8 - 128) * 3 * std::ldexp(1.0, -24);
    check_block("d=3*2^-24", RWKVX_DTYPE_Q8_0, make_block(RWKVX_DTYPE_Q8_0, 0x0003, 0, signed8), want);
}

// Random bytes (any d, m, nibbles and bits; d and m kept finite) decoded by the library and by
// decode_block, many blocks at once so the vector kernels' loops and tails run.
void test_dequantize_random(std::mt19937 &rng) {
    for (int32_t t : kTypes)
        for (int64_t blocks : {1, 3, 8, 37}) {
            Bytes data(size_t(blocks * block_bytes(t)) + 1);
            for (auto &v : data) v = uint8_t(rng());
            uint8_t *src = data.data() + 1;  // odd address
            for (int64_t b = 0; b < blocks; b++) {
                uint8_t *blk = src + b * block_bytes(t);
                blk[1] &= 0x7b;  // exponent below 31: finite d
                if (has_min(t)) blk[3] &= 0xfb;
            }
            const std::vector<float> got = dequantize(t, src, blocks * 32);
            int bad = 0;
            for (int64_t b = 0; b < blocks; b++) {
                const std::vector<double> want = decode_block(t, src + b * block_bytes(t));
                for (int j = 0; j < 32; j++)
                    if (!(double(got[size_t(b * 32 + j)]) == want[size_t(j)])) bad++;
            }
            expect(bad == 0, fmt("dequantize %s, %lld random blocks: %d values differ from the layout's definition",
                                 type_name(t), (long long)blocks, bad));
        }
    // The element types widen exactly too (F16 subnormal, infinity; BF16 a shift).
    const uint16_t halves[4] = {0x0001, 0x7c00, 0xfbff, 0x3555};
    std::vector<float> got = dequantize(RWKVX_DTYPE_F16, halves, 4);
    expect(double(got[0]) == std::ldexp(1.0, -24) && std::isinf(got[1]) && got[2] == -65504.0f &&
               double(got[3]) == half_value(0x3555),
           "dequantize F16");
    got = dequantize(RWKVX_DTYPE_BF16, halves, 4);
    expect(got[3] == 0x1.aap-21f && got[1] == 0x1p121f && got[0] == 0x1p-133f, "dequantize BF16");
}

// ---- quantization rules ------------------------------------------------------------------------

// Bytes derived by hand from ggml's reference rules (docs/formats.md §1.9): Q4_0 d = max/−8 (max =
// the first element of largest magnitude, signed), q = min(15, trunc(x/d + 8.5)); Q4_1 d = (max −
// min)/15, q = min(15, trunc((x − min)/d + 0.5)); Q5_0 d = max/−16, q = min(31, trunc(x/d + 16.5));
// Q5_1 d = (max − min)/31, q = trunc((x − min)/d + 0.5); Q8_0 d = max|x|/127, q = roundf(x/d)
// (halves away from zero). d and m are then rounded to binary16.
void expect_bytes(const std::string &what, int32_t t, const std::vector<float> &x, const Bytes &want) {
    const Bytes got = quantize(t, x);
    expect(got == want,
           fmt("quantize %s %s: got %s, want %s", type_name(t), what.c_str(), hex(got).c_str(), hex(want).c_str()));
}

void test_quantize_rules() {
    std::vector<float> x(32);
    // Q4_0, d = 1 (max = −8 first): x = j − 8 for j < 16 gives q = j; the second half checks ties
    // (trunc(x + 8.5) rounds halves up: 0.5 -> 9, −0.5 -> 8, −7.5 -> 1, 6.5 -> 15), 7.4 -> 15 and the
    // clamp at 15 (7.9 -> 16.4 -> 15).
    {
        const float tail[16] = {0.5f,   -0.5f, -7.5f, 6.5f, 7.4f,  7.9f, 0.0f,  1.49f,
                                -1.51f, 3.0f,  -3.0f, 2.5f, -2.5f, 0.1f, -0.1f, 5.5f};
        const int qt[16] = {9, 8, 1, 15, 15, 15, 8, 9, 6, 11, 5, 11, 6, 8, 8, 14};
        for (int j = 0; j < 16; j++) x[size_t(j)] = float(j - 8), x[size_t(16 + j)] = tail[j];
        Bytes want = {0x00, 0x3c};
        for (int j = 0; j < 16; j++) want.push_back(uint8_t(j | qt[j] << 4));
        expect_bytes("d=1 ties and clamp", RWKVX_DTYPE_Q4_0, x, want);
    }
    // Q4_0 with a positive largest value first (8 at element 0, −8 later): d = −1, so 8 -> q = 0 and
    // −8 -> trunc(8 + 8.5) = 16, clamped to 15 (it decodes to −7: the _0 types lose the far end).
    {
        std::fill(x.begin(), x.end(), 0.0f);
        x[0] = 8.0f, x[1] = -8.0f, x[2] = 1.0f;
        Bytes want = {0x00, 0xbc, 0x00, 0x0f, 0x07};  // d = −1; q0 = 0, q1 = 15, q2 = trunc(−1 + 8.5) = 7
        for (int j = 3; j < 16; j++) want.push_back(0x88);
        want[2] |= 0x80, want[3] |= 0x80, want[4] |= 0x80;  // elements 16-18 are 0 -> 8
        expect_bytes("positive max first, clamped opposite end", RWKVX_DTYPE_Q4_0, x, want);
    }
    // Q4_0 all equal (3): d = 3/−8 = −0.375 (0xb600), 3·(1/−0.375) + 8.5 = 0.5 -> q = 0 everywhere.
    {
        std::fill(x.begin(), x.end(), 3.0f);
        Bytes want = {0x00, 0xb6};
        want.resize(18, 0x00);
        expect_bytes("all equal", RWKVX_DTYPE_Q4_0, x, want);
    }
    // Q4_1 all equal (3): d = 0, m = 3 (0x4200), q = trunc(0 + 0.5) = 0.
    {
        std::fill(x.begin(), x.end(), 3.0f);
        Bytes want = {0x00, 0x00, 0x00, 0x42};
        want.resize(20, 0x00);
        expect_bytes("all equal", RWKVX_DTYPE_Q4_1, x, want);
    }
    // Q4_1 negative block: min −10 (m = 0xc900), max −2.5, d = 7.5/15 = 0.5 (0x3800), 1/d = 2; q =
    // trunc(2(x + 10) + 0.5): −10 -> 0, −2.5 -> 15, −6.25 -> trunc(8.0) = 8, −9.8 -> trunc(0.9) = 0,
    // −9.7 -> trunc(1.1) = 1, −2.6 (element 17, high nibble of byte 1) -> trunc(15.3) = 15.
    {
        std::fill(x.begin(), x.end(), -10.0f);
        x[1] = -2.5f, x[2] = -6.25f, x[3] = -9.8f, x[4] = -9.7f, x[17] = -2.6f;
        Bytes want = {0x00, 0x38, 0x00, 0xc9, 0x00, 0xff, 0x08, 0x00, 0x01};
        want.resize(20, 0x00);
        expect_bytes("negative block", RWKVX_DTYPE_Q4_1, x, want);
    }
    // Q5_0, d = 1 (max −16 first): x = j − 16 gives q = j: low nibbles j mod 16 in both halves, fifth
    // bits set for elements 16..31 (qh = 0xffff0000).
    {
        for (int j = 0; j < 32; j++) x[size_t(j)] = float(j - 16);
        Bytes want = {0x00, 0x3c, 0x00, 0x00, 0xff, 0xff};
        for (int j = 0; j < 16; j++) want.push_back(uint8_t(j | j << 4));
        expect_bytes("d=1 ramp", RWKVX_DTYPE_Q5_0, x, want);
    }
    // Q5_1 ties: min 0, max 31, d = 1: 2.5 -> trunc(3.0) = 3, 30.6 -> 31, 16.49 -> 16. Fifth bits of
    // elements 1, 3 (31) and 20 (16): qh = 0x0010000a; low nibbles 15, 3, 15 in bytes 1-3, element
    // 20's 0 in the high nibble of byte 4.
    {
        std::fill(x.begin(), x.end(), 0.0f);
        x[1] = 31.0f, x[2] = 2.5f, x[3] = 30.6f, x[20] = 16.49f;
        Bytes want = {0x00, 0x3c, 0x00, 0x00, 0x0a, 0x00, 0x10, 0x00, 0x00, 0x0f, 0x03, 0x0f};
        want.resize(24, 0x00);
        expect_bytes("ties", RWKVX_DTYPE_Q5_1, x, want);
    }
    // Q8_0 ties away from zero: max|x| = 127 gives d = 1; 2.5 -> 3, −2.5 -> −3, 0.5 -> 1, −0.5 -> −1.
    {
        std::fill(x.begin(), x.end(), 0.0f);
        x[0] = -127.0f, x[1] = 2.5f, x[2] = -2.5f, x[3] = 0.5f, x[4] = -0.5f, x[5] = 126.5f;
        Bytes want = {0x00, 0x3c, 0x81, 0x03, 0xfd, 0x01, 0xff, 0x7f};
        want.resize(34, 0x00);
        expect_bytes("ties away from zero", RWKVX_DTYPE_Q8_0, x, want);
    }
    // Q8_0 with one huge value: 1000 at element 7, the rest 1: d = 1000/127 = 7.874 -> binary16 7.875
    // (0x47e0); 1000·(127/1000) = 127, 1·0.127 -> 0.
    {
        std::fill(x.begin(), x.end(), 1.0f);
        x[7] = 1000.0f;
        Bytes want = {0xe0, 0x47};
        want.resize(34, 0x00);
        want[2 + 7] = 127;
        expect_bytes("one huge value", RWKVX_DTYPE_Q8_0, x, want);
    }
    // All zero: Q4_0 and Q5_0 get d = 0/−8 = −0 (0x8000), 1/d is skipped (id = 0), q = trunc(8.5) = 8
    // and trunc(16.5) = 16 (fifth bits all set); Q4_1, Q5_1 and Q8_0 are all zero bytes.
    {
        std::fill(x.begin(), x.end(), 0.0f);
        Bytes q40 = {0x00, 0x80}, q50 = {0x00, 0x80, 0xff, 0xff, 0xff, 0xff};
        q40.resize(18, 0x88), q50.resize(22, 0x00);
        expect_bytes("all zero", RWKVX_DTYPE_Q4_0, x, q40);
        expect_bytes("all zero", RWKVX_DTYPE_Q5_0, x, q50);
        expect_bytes("all zero", RWKVX_DTYPE_Q4_1, x, Bytes(20, 0));
        expect_bytes("all zero", RWKVX_DTYPE_Q5_1, x, Bytes(24, 0));
        expect_bytes("all zero", RWKVX_DTYPE_Q8_0, x, Bytes(34, 0));
    }
}

// quantize -> dequantize: every element within half a step of the stored scale d_h, plus what rounding
// d (and the minimum m) to binary16 moves the levels: |x − x̂| <= |d_h|/2 + q_max·e(d_h) + e(m_h), with
// e(v) = max(2^-11·|v|, 2^-25) half a binary16 ulp (absolute below 2^-14, where halves are subnormal)
// and q_max the largest |level| (8, 15, 16, 31, 127). The _0 types have one more level below zero than
// above (−8..7, −16..15) and map the largest magnitude to the bottom one: an element of the opposite
// sign beyond top + 1/2 steps is clamped to the top level, and its error is |x| − top·|d_h| (<= |d_h|).
void test_round_trip(std::mt19937 &rng) {
    std::normal_distribution<float> nd(0.0f, 1.0f);
    for (int32_t t : kTypes) {
        const double q_max = t == RWKVX_DTYPE_Q4_0   ? 8
                             : t == RWKVX_DTYPE_Q4_1 ? 15
                             : t == RWKVX_DTYPE_Q5_0 ? 16
                             : t == RWKVX_DTYPE_Q5_1 ? 31
                                                     : 127;
        const double top = t == RWKVX_DTYPE_Q4_0 ? 7 : t == RWKVX_DTYPE_Q5_0 ? 15 : 1e9;  // the clamped end
        auto half_ulp = [](double v) { return std::max(std::ldexp(std::fabs(v), -11), std::ldexp(1.0, -25)); };
        for (float scale : {1.0f, 1e-3f, 300.0f, 6e-5f, 1e-7f}) {
            const int64_t n = 32 * 64;
            std::vector<float> x(static_cast<size_t>(n));
            for (auto &v : x) v = scale * nd(rng);
            const Bytes q = quantize(t, x);
            const std::vector<float> y = dequantize(t, q.data(), n);
            double worst = 0;
            int clamped = 0;
            for (int64_t b = 0; b < n / 32; b++) {
                const uint8_t *blk = q.data() + b * block_bytes(t);
                const double d = std::fabs(half_value(read16(blk)));
                const double m = has_min(t) ? half_value(read16(blk + 2)) : 0.0;
                const double slack = q_max * half_ulp(d) + (has_min(t) ? half_ulp(m) : 0.0) + 1e-300;
                for (int j = 0; j < 32; j++) {
                    const size_t i = size_t(b * 32 + j);
                    const double ax = std::fabs(double(x[i]));
                    double step = d / 2;
                    if (ax > (top + 0.5) * d) step = ax - top * d, clamped++;
                    worst = worse(worst, std::fabs(double(x[i]) - double(y[i])) / (step + slack));
                }
            }
            expect(q.size() == size_t(rwkvx_dtype_bytes(t, n)) && worst <= 1.0,
                   fmt("round trip %s, values of scale %g: worst error / bound = %.3g (%d clamped)", type_name(t),
                       double(scale), worst, clamped));
        }
    }
}

// ---- matmul ------------------------------------------------------------------------------------

rwkvx_tensor tensor(void *data, int32_t dtype, std::vector<int64_t> shape) {
    rwkvx_tensor t{};
    t.data = data;
    t.dtype = dtype;
    t.ndim = int32_t(shape.size());
    int64_t stride = 1;
    for (int i = t.ndim - 1; i >= 0; i--) {
        t.shape[i] = shape[size_t(i)];
        t.strides[i] = stride;
        stride *= shape[size_t(i)];
    }
    return t;
}

struct Context {
    rwkvx_context *ctx = nullptr;
    std::string name;
    bool vector = false;  // the AVX2 table: 8-bit inputs in single-token products
};
struct Contexts {
    std::vector<Context> list;
    Contexts() {
        const bool avx2 = (rwkvx_cpu_features() & (RWKVX_CPU_AVX2 | RWKVX_CPU_FMA | RWKVX_CPU_F16C)) ==
                          (RWKVX_CPU_AVX2 | RWKVX_CPU_FMA | RWKVX_CPU_F16C);
        const char *names[3] = {"default/2 threads", "default/1 thread", "scalar/2 threads"};
        const int threads[3] = {2, 1, 2}, flags[3] = {0, 0, RWKVX_CONTEXT_FORCE_SCALAR};
        for (int i = 0; i < 3; i++) {
            Context c;
            rwkvx_context_create(RWKVX_BACKEND_CPU, threads[i], flags[i], &c.ctx);
            c.name = names[i];
            c.vector = avx2 && i < 2;
            list.push_back(c);
        }
    }
    ~Contexts() {
        for (auto &c : list) rwkvx_context_free(c.ctx);
    }
};

std::vector<float> run_matmul(rwkvx_context *ctx, const float *x, int64_t T, int64_t K, const void *w, int32_t dtype,
                              int64_t N, int *status) {
    std::vector<float> y(size_t(T * N), NAN);
    rwkvx_tensor tx = tensor(const_cast<float *>(x), RWKVX_DTYPE_F32, {T, K}),
                 tw = tensor(const_cast<void *>(w), dtype, {N, K}), ty = tensor(y.data(), RWKVX_DTYPE_F32, {T, N});
    *status = rwkvx_matmul(ctx, &tx, &tw, &ty);
    return y;
}

// Per output (t, n), with w = d·q + m the dequantized weights, c the centre of the levels the
// single-token kernels multiply (8 for Q4_1, 16 for Q5_1; the _0 types' q already has its zero point
// off) and z the 4- or 5-bit types' zero point (8, 16; 0 for Q8_0), which the kernel over split rows
// (resident weights) takes off only after multiplying the stored, unsigned levels:
//   float rounding, any summation order:  F = 2·(K + 64)·u·Σ_k (|d q_k| + |m| + 2z|d|)·(|x_k| + δ_b)
//   8-bit inputs (AVX2 single-token products): A = Σ_b δ_b·Σ_{k in b} |d_b (q_k − c)|, δ_b = max_{k in b}
//   |x_k|·(1/254 + 2^-22), half a step of the input block's 8-bit scale max|x|/127 (docs/numerics.md §2.9).
struct Bounds {
    std::vector<double> F, A;  // [T][N]
};
Bounds matmul_bounds(int32_t t, const Bytes &w, const float *x, int64_t T, int64_t K, int64_t N) {
    Bounds bd{std::vector<double>(size_t(T * N)), std::vector<double>(size_t(T * N))};
    const int64_t nb = K / 32, u_steps = 2 * (K + 64);
    const int c = t == RWKVX_DTYPE_Q4_1 ? 8 : t == RWKVX_DTYPE_Q5_1 ? 16 : 0;
    const int z = t == RWKVX_DTYPE_Q8_0 ? 0 : t == RWKVX_DTYPE_Q4_0 || t == RWKVX_DTYPE_Q4_1 ? 8 : 16;
    std::vector<double> delta(static_cast<size_t>(nb));
    for (int64_t r = 0; r < T; r++) {
        const float *xr = x + r * K;
        for (int64_t b = 0; b < nb; b++) {
            double amax = 0;
            for (int j = 0; j < 32; j++) amax = std::max(amax, std::fabs(double(xr[b * 32 + j])));
            delta[size_t(b)] = amax * (1.0 / 254 + std::ldexp(1.0, -22));
        }
        for (int64_t n = 0; n < N; n++) {
            double F = 0, A = 0;
            for (int64_t b = 0; b < nb; b++) {
                const BlockFields f = block_fields(t, w.data() + (n * nb + b) * block_bytes(t));
                const double d = std::fabs(f.d);
                for (int j = 0; j < 32; j++) {
                    F += (d * std::abs(f.q[j]) + std::fabs(f.m) + 2 * z * d) *
                         (std::fabs(double(xr[b * 32 + j])) + delta[size_t(b)]);
                    A += d * std::abs(f.q[j] - c) * delta[size_t(b)];
                }
            }
            bd.F[size_t(r * N + n)] = F * u_steps * std::ldexp(1.0, -24);
            bd.A[size_t(r * N + n)] = A;
        }
    }
    return bd;
}

void test_matmul(Contexts &cs, std::mt19937 &rng) {
    std::uniform_real_distribution<float> u(-1, 1);
    // Single-token products from a handful of rows to one as big as a vocabulary head (claimed in
    // chunks by the threads), skinny products (T up to 16: 8-bit inputs on AVX2, as single tokens),
    // GEMMs (from T = 17 on AVX2) of one and of several column blocks; K = 32 is a single block.
    const int64_t shapes[][3] = {{1, 768, 40},         {1, 32, 3},   {2, 96, 33},   {3, 256, 17},
                                 {1, 256, 65536 + 40}, {4, 64, 16},  {7, 320, 33},  {13, 256, 70},
                                 {16, 96, 40},         {17, 64, 33}, {64, 96, 1000}};
    for (int32_t t : kTypes) {
        double worst_A = 0, worst_rel = 0;  // measured AVX2 single-token error / A, / Σ|w x|
        for (int shifted = 0; shifted < 2; shifted++)
            for (auto &s : shapes) {
                const int64_t T = s[0], K = s[1], N = s[2];
                if (shifted && N > 4096) continue;
                std::vector<float> wf(size_t(N * K)), xs(size_t(T * K + 3));
                for (auto &v : wf) v = u(rng);
                float *x = xs.data() + (shifted ? 3 : 0);
                for (int64_t i = 0; i < T * K; i++) x[i] = u(rng) * (i % 97 == 0 ? 8.0f : 1.0f);
                const Bytes wq = quantize(t, wf);
                Bytes wbuf(wq.size() + 1);  // one byte off when shifted: blocks at odd addresses
                std::memcpy(wbuf.data() + shifted, wq.data(), wq.size());
                const void *w = wbuf.data() + shifted;
                const std::vector<float> wd = dequantize(t, wq.data(), N * K);
                std::vector<double> ref(size_t(T * N)), mag(size_t(T * N));
                for (int64_t r = 0; r < T; r++)
                    for (int64_t n = 0; n < N; n++) {
                        double acc = 0, m = 0;
                        for (int64_t k = 0; k < K; k++) {
                            acc += double(wd[size_t(n * K + k)]) * double(x[r * K + k]);
                            m += std::fabs(double(wd[size_t(n * K + k)]) * double(x[r * K + k]));
                        }
                        ref[size_t(r * N + n)] = acc, mag[size_t(r * N + n)] = m;
                    }
                const Bounds bd = matmul_bounds(t, wq, x, T, K, N);
                std::vector<std::vector<float>> outs;
                for (const Context &c : cs.list) {
                    int st = 0, st_f = 0;
                    const std::vector<float> y = run_matmul(c.ctx, x, T, K, w, t, N, &st);
                    const std::vector<float> yf = run_matmul(c.ctx, x, T, K, wd.data(), RWKVX_DTYPE_F32, N, &st_f);
                    const bool rounded_inputs = c.vector && T < rwkvx::avx2_kernels().gemm_min_rows;
                    double worst = 0;
                    for (size_t i = 0; i < y.size(); i++) {
                        const double err = std::fabs(double(y[i]) - ref[i]);
                        const double bound = bd.F[i] + (rounded_inputs ? bd.A[i] : 0.0);
                        worst = worse(worst, err / bound);
                        if (rounded_inputs && !std::isnan(err)) {
                            worst_A = std::max(worst_A, err / bd.A[i]);
                            worst_rel = std::max(worst_rel, err / mag[i]);
                        }
                    }
                    const std::string what =
                        fmt("matmul %s T=%lld K=%lld N=%lld %s%s", type_name(t), (long long)T, (long long)K,
                            (long long)N, c.name.c_str(), shifted ? " misaligned" : "");
                    expect(st == RWKVX_OK && st_f == RWKVX_OK && worst <= 1.0,
                           fmt("%s: status %d, worst error / bound = %.3g", what.c_str(), st, worst));
                    // Products over float inputs (GEMMs, and every scalar product) widen the blocks
                    // into the same floats as rwkvx_dequantize and sum them as the F32 kernel does.
                    if (!rounded_inputs)
                        expect(std::memcmp(y.data(), yf.data(), y.size() * 4) == 0,
                               what + ": equals the F32 product over the dequantized weights, bit for bit");
                    outs.push_back(y);
                }
                // The summation order is fixed per output: the thread count changes nothing.
                expect(std::memcmp(outs[0].data(), outs[1].data(), outs[0].size() * 4) == 0,
                       fmt("matmul %s T=%lld N=%lld: 2 threads equal 1 thread bit for bit", type_name(t), (long long)T,
                           (long long)N));
                // Many-row products against single-token products of the same rows: bit for bit
                // below the GEMM threshold (every row computed alone), within the bounds from it on.
                if (T > 1) {
                    for (const Context &c : cs.list) {
                        int st = 0;
                        const std::vector<float> many = run_matmul(c.ctx, x, T, K, w, t, N, &st);
                        const bool gemm = c.vector && T >= rwkvx::avx2_kernels().gemm_min_rows;
                        double worst = 0;
                        bool same = true;
                        for (int64_t r = 0; r < T; r++) {
                            int st1 = 0;
                            const std::vector<float> one = run_matmul(c.ctx, x + r * K, 1, K, w, t, N, &st1);
                            const Bounds b1 = matmul_bounds(t, wq, x + r * K, 1, K, N);
                            same = same && std::memcmp(one.data(), many.data() + r * N, size_t(N) * 4) == 0;
                            for (int64_t n = 0; n < N; n++) {
                                const double bound = 2 * b1.F[size_t(n)] + (c.vector ? b1.A[size_t(n)] : 0.0);
                                worst = worse(
                                    worst, std::fabs(double(one[size_t(n)]) - double(many[size_t(r * N + n)])) / bound);
                            }
                        }
                        if (gemm)
                            expect(worst <= 1.0, fmt("matmul %s T=%lld N=%lld %s: single-token rows vs GEMM, worst / "
                                                     "bound = %.3g",
                                                     type_name(t), (long long)T, (long long)N, c.name.c_str(), worst));
                        else
                            expect(same, fmt("matmul %s T=%lld N=%lld %s: every row equals its single-token product "
                                             "bit for bit",
                                             type_name(t), (long long)T, (long long)N, c.name.c_str()));
                    }
                }
            }
        if (cs.list[0].vector)
            std::printf("%s single-token products with 8-bit inputs: worst error = %.3f A = %.2e of sum |w x|\n",
                        type_name(t), worst_A, worst_rel);
    }
}

// The kernel tables directly (internal, linked from the CPU layer): the split rows of resident
// weights against ggml's layout and float64, on the scalar table and the AVX2 table of both vendor
// tunings, for row lengths that leave a partial group of 8 blocks (K = 32, 96, 320) and column
// ranges as threads split them.
void test_split_rows(std::mt19937 &rng) {
    std::uniform_real_distribution<float> u(-1, 1);
    struct Table {
        const rwkvx::KernelTable *k;
        const char *name;
        bool vector;
    };
    const bool avx2 = (rwkvx::detect_cpu_features() & (RWKVX_CPU_AVX2 | RWKVX_CPU_FMA | RWKVX_CPU_F16C)) ==
                      (RWKVX_CPU_AVX2 | RWKVX_CPU_FMA | RWKVX_CPU_F16C);
    std::vector<Table> tables = {{&rwkvx::scalar_kernels(), "scalar", false}};
    if (avx2) {
        tables.push_back({&rwkvx::avx2_kernels_tuned_for(true), "avx2 (AMD tuning)", true});
        tables.push_back({&rwkvx::avx2_kernels_tuned_for(false), "avx2 (Intel tuning)", true});
    }
    for (int32_t t : kTypes)
        for (int64_t K : {32, 96, 320, 768})
            for (int64_t T = 1; T <= 17; T++) {
                const int64_t N = 37;
                std::vector<float> wf(size_t(N * K)), x(size_t(T * K));
                for (auto &v : wf) v = u(rng);
                for (auto &v : x) v = u(rng);
                const Bytes wq = quantize(t, wf);
                Bytes split = wq;
                rwkvx::split_quantized_rows(rwkvx::WeightType(t), split.data(), N, K);
                expect(split != wq || K == 32,
                       fmt("%s K=%lld: split rows differ from ggml's", type_name(t), (long long)K));
                const std::vector<float> wd = dequantize(t, wq.data(), N * K);
                const Bounds bd = matmul_bounds(t, wq, x.data(), T, K, N);
                for (const Table &tab : tables) {
                    std::vector<float> y_ggml(size_t(T * N), NAN), y_split(size_t(T * N), NAN);
                    for (int blocked = 0; blocked < 2; blocked++) {
                        float *y = blocked ? y_split.data() : y_ggml.data();
                        rwkvx::MatmulArgs m{
                            rwkvx::WeightType(t), blocked ? split.data() : wq.data(), N, K, x.data(), T, y,
                            blocked == 1};
                        for (int64_t n0 : {int64_t(0), int64_t(16), int64_t(32)})  // ranges as threads take them
                            tab.k->matmul(m, n0, n0 == 0 ? 16 : n0 == 16 ? 32 : N);
                    }
                    const bool rounded = tab.vector && T < tab.k->gemm_min_rows;
                    double worst = 0;
                    for (int64_t r = 0; r < T; r++)
                        for (int64_t n = 0; n < N; n++) {
                            double ref = 0;
                            for (int64_t k = 0; k < K; k++)
                                ref += double(wd[size_t(n * K + k)]) * double(x[size_t(r * K + k)]);
                            const size_t i = size_t(r * N + n);
                            const double bound = bd.F[i] + (rounded ? bd.A[i] : 0.0);
                            worst = worse(worst, std::fabs(double(y_split[i]) - ref) / bound);
                            worst = worse(worst, std::fabs(double(y_ggml[i]) - ref) / bound);
                        }
                    expect(worst <= 1.0, fmt("%s %s K=%lld T=%lld: split and ggml rows, worst error / bound = %.3g",
                                             type_name(t), tab.name, (long long)K, (long long)T, worst));
                    // Both layouts run the same arithmetic in the same order.
                    expect(std::memcmp(y_split.data(), y_ggml.data(), y_split.size() * 4) == 0,
                           fmt("%s %s K=%lld T=%lld: split rows equal ggml's bit for bit", type_name(t), tab.name,
                               (long long)K, (long long)T));
                    // Below the GEMM threshold every row is computed alone: as in a single-row product.
                    if (T > 1 && T < tab.k->gemm_min_rows) {
                        bool same = true;
                        std::vector<float> one(static_cast<size_t>(N));
                        for (int64_t r = 0; r < T; r++) {
                            rwkvx::MatmulArgs m{rwkvx::WeightType(t), split.data(), N, K, x.data() + r * K, 1,
                                                one.data(),           true};
                            for (int64_t n0 : {int64_t(0), int64_t(16), int64_t(32)})
                                tab.k->matmul(m, n0, n0 == 0 ? 16 : n0 == 16 ? 32 : N);
                            same = same && std::memcmp(one.data(), y_split.data() + r * N, size_t(N) * 4) == 0;
                        }
                        expect(same, fmt("%s %s K=%lld T=%lld: every row equals its single-row product bit for bit",
                                         type_name(t), tab.name, (long long)K, (long long)T));
                    }
                }
            }
}

// ---- errors --------------------------------------------------------------------------------------

bool fails_with(int status, int want, const char *needle) {
    return status == want && std::strstr(rwkvx_last_error(), needle) != nullptr;
}

void test_errors(Contexts &cs) {
    std::vector<float> x(96, 0.5f), y(8);
    Bytes w(size_t(rwkvx_dtype_bytes(RWKVX_DTYPE_Q4_0, 4 * 64)), 0);
    // A matrix whose rows are not whole blocks.
    rwkvx_tensor tx = tensor(x.data(), RWKVX_DTYPE_F32, {2, 48}), tw = tensor(w.data(), RWKVX_DTYPE_Q4_0, {4, 48}),
                 ty = tensor(y.data(), RWKVX_DTYPE_F32, {2, 4});
    expect(fails_with(rwkvx_matmul(cs.list[0].ctx, &tx, &tw, &ty), RWKVX_ERROR_SHAPE, "not divisible by 32") &&
               std::strstr(rwkvx_last_error(), "[4, 48]") && std::strstr(rwkvx_last_error(), "'w'"),
           std::string("matmul with 48 columns of Q4_0 names w, its shape and 'not divisible by 32': ") +
               rwkvx_last_error());
    // CUDA contexts refuse quantized weights (where a device exists).
    rwkvx_context *gpu = nullptr;
    if (rwkvx_context_create(RWKVX_BACKEND_CUDA, 1, 0, &gpu) == RWKVX_OK) {
        rwkvx_tensor tx2 = tensor(x.data(), RWKVX_DTYPE_F32, {1, 64}),
                     tw2 = tensor(w.data(), RWKVX_DTYPE_Q4_0, {4, 64}), ty2 = tensor(y.data(), RWKVX_DTYPE_F32, {1, 4});
        expect(fails_with(rwkvx_matmul(gpu, &tx2, &tw2, &ty2), RWKVX_ERROR_UNSUPPORTED, "run on the CPU for now"),
               std::string("a CUDA context refuses a quantized matmul: ") + rwkvx_last_error());
        rwkvx_context_free(gpu);
    } else {
        std::printf("no CUDA context (%s): the CUDA refusal of quantized matmul is not exercised\n",
                    rwkvx_last_error());
    }
    // rwkvx_quantize / rwkvx_dequantize arguments.
    std::vector<float> src(64, 1.0f);
    Bytes dst(size_t(rwkvx_dtype_bytes(RWKVX_DTYPE_Q8_0, 64)));
    const int64_t nb = int64_t(dst.size());
    expect(fails_with(rwkvx_quantize(RWKVX_DTYPE_F16, src.data(), 64, dst.data(), 128), RWKVX_ERROR_ARGUMENT,
                      "not a quantized type"),
           "quantize to F16 is refused");
    expect(fails_with(rwkvx_quantize(RWKVX_DTYPE_Q8_0, src.data(), 48, dst.data(), nb), RWKVX_ERROR_ARGUMENT,
                      "32-element blocks"),
           "quantize of 48 elements is refused");
    expect(fails_with(rwkvx_quantize(RWKVX_DTYPE_Q8_0, src.data(), 64, dst.data(), nb - 1), RWKVX_ERROR_ARGUMENT,
                      "dst_bytes is 67"),
           "quantize with a short destination is refused");
    expect(
        fails_with(rwkvx_quantize(RWKVX_DTYPE_Q8_0, nullptr, 64, dst.data(), nb), RWKVX_ERROR_ARGUMENT, "src is NULL"),
        "quantize from NULL is refused");
    expect(rwkvx_quantize(RWKVX_DTYPE_Q8_0, nullptr, 0, nullptr, 0) == RWKVX_OK, "quantize of nothing is fine");
    src[37] = NAN;
    expect(fails_with(
               rwkvx_quantize(RWKVX_DTYPE_Q4_1, src.data(), 64, dst.data(), rwkvx_dtype_bytes(RWKVX_DTYPE_Q4_1, 64)),
               RWKVX_ERROR_ARGUMENT, "element 37"),
           "quantize names a NaN element");
    src[37] = INFINITY;
    expect(fails_with(
               rwkvx_quantize(RWKVX_DTYPE_Q4_1, src.data(), 64, dst.data(), rwkvx_dtype_bytes(RWKVX_DTYPE_Q4_1, 64)),
               RWKVX_ERROR_ARGUMENT, "element 37"),
           "quantize names an infinite element");
    std::vector<float> out(64);
    expect(fails_with(rwkvx_dequantize(9, dst.data(), 32, out.data()), RWKVX_ERROR_ARGUMENT, "not an rwkvx_dtype"),
           "dequantize of an unknown dtype is refused");
    expect(fails_with(rwkvx_dequantize(RWKVX_DTYPE_Q5_1, dst.data(), 40, out.data()), RWKVX_ERROR_ARGUMENT,
                      "not a whole number of 32-element Q5_1 blocks"),
           "dequantize of part of a block is refused");
    expect(fails_with(rwkvx_dequantize(RWKVX_DTYPE_F16, dst.data(), 4, nullptr), RWKVX_ERROR_ARGUMENT, "dst is NULL"),
           "dequantize to NULL is refused");
}

// ---- models --------------------------------------------------------------------------------------

bool contains(const std::string &s, const char *part) {
    return s.find(part) != std::string::npos;
}

// The tensors rwkv.cpp's quantizer quantizes, in the canonical names: the 2-D matrices of its files
// except emb.weight, head.weight, RWKV-7's LoRA (att.w1 .. att.g2) and att.r_k. RWKV-6's time_maa_w1,
// time_decay_w1 and time_decay_w2 are 2-D there (quantized); time_maa_w2 is 3-D (not); RWKV-5.2/6's
// time_decay and time_faaaa are 3-D in the files ([H, N, 1]), 2-D here, and stay floats.
bool rwkvcpp_quantizes(const std::string &name, size_t ndim) {
    if (name == "emb.weight" || name == "head.weight" || ndim != 2) return false;
    for (const char *lora : {"att.w1", "att.w2", "att.a1", "att.a2", "att.v1", "att.v2", "att.g1", "att.g2"})
        if (contains(name, lora)) return false;
    return contains(name, ".weight") || contains(name, "time_maa_w1") || contains(name, "time_decay_w");
}
// Every tensor rwkvx multiplies as a matrix or gathers as embedding rows, with whole blocks per row.
bool is_matrix(const std::string &name, const std::vector<int64_t> &shape) {
    if (shape.size() < 2 || shape.back() % 32 != 0) return false;
    if (contains(name, ".weight")) return shape.size() == 2;
    for (const char *lora : {"att.w1", "att.w2", "att.a1", "att.a2", "att.v1", "att.v2", "att.g1", "att.g2",
                             "time_maa_w1", "time_maa_w2", "time_decay_w1", "time_decay_w2"})
        if (contains(name, lora)) return true;
    return false;
}

// A model's tensors with a chosen set quantized to one type: `quantized` views pass the blocks,
// `dequantized` views the same tensors widened back to F32 (the float model the blocks stand for).
struct QuantizedModel {
    Tensors src;
    int32_t dtype;
    std::map<std::string, Bytes> blocks;
    std::map<std::string, std::vector<float>> widened;
    QuantizedModel(Tensors w, int32_t t,
                   const std::function<bool(const std::string &, const std::vector<int64_t> &)> &pick)
        : src(std::move(w)), dtype(t) {
        for (auto &e : src.t)
            if (pick(e.first, e.second.first)) {
                blocks[e.first] = quantize(t, e.second.second);
                widened[e.first] = dequantize(t, blocks[e.first].data(), int64_t(e.second.second.size()));
            }
    }
    std::vector<rwkvx_named_tensor> views(bool quantized) {
        std::vector<rwkvx_named_tensor> v = src.named();
        for (auto &nt : v) {
            auto b = blocks.find(nt.name);
            if (b == blocks.end()) continue;
            if (quantized) {
                nt.tensor.data = b->second.data();
                nt.tensor.dtype = dtype;
            } else {
                nt.tensor.data = widened[nt.name].data();
            }
        }
        return v;
    }
};

// Logits of every position of `tokens`: one prefill call (LOGITS_ALL), or one call per token.
std::vector<float> run_model(int32_t arch, std::vector<rwkvx_named_tensor> tensors, int threads, int flags,
                             const std::vector<int32_t> &tokens, int64_t vocab, bool stepwise, std::string &error) {
    std::vector<float> logits;
    rwkvx_context *ctx = nullptr;
    rwkvx_model *model = nullptr;
    rwkvx_state *state = nullptr;
    bool ok = rwkvx_context_create(RWKVX_BACKEND_CPU, threads, flags, &ctx) == RWKVX_OK &&
              rwkvx_model_create(ctx, arch, tensors.data(), int64_t(tensors.size()), &model) == RWKVX_OK &&
              rwkvx_state_create(model, &state) == RWKVX_OK;
    const int64_t T = int64_t(tokens.size());
    logits.assign(size_t(T * vocab), NAN);
    if (ok && stepwise) {
        for (int64_t i = 0; ok && i < T; i++)
            ok = rwkvx_model_eval(model, state, &tokens[size_t(i)], 1, logits.data() + i * vocab, RWKVX_LOGITS_LAST) ==
                 RWKVX_OK;
    } else if (ok) {
        ok = rwkvx_model_eval(model, state, tokens.data(), T, logits.data(), RWKVX_LOGITS_ALL) == RWKVX_OK;
    }
    if (!ok) {
        error = rwkvx_last_error();
        logits.clear();
    }
    rwkvx_state_free(state);
    rwkvx_model_free(model);
    rwkvx_context_free(ctx);
    return logits;
}

struct ModelCase {
    const char *name;
    int32_t arch;
    std::function<Tensors()> make;
    int64_t vocab;
};

// Bounds (docs/numerics.md §3.7), relative to 1 + max|logit|: prefill vs token-by-token with float
// inputs; with 8-bit inputs (AVX2 steps), against prefill and against the dequantized model's steps, a
// multiple of what quantizing the weights moved the same steps (the inputs' 8-bit rounding costs less
// than the weights' own, or about as much for Q8_0: measured at most 1.5 times).
constexpr double kSequenceBound = 2e-5;
constexpr double kEightBitFactor = 3.0, kEightBitFloor = 1e-3;

void test_models() {
    const int64_t C = 64, V = 96, F = 128;
    const Rwkv7Sizes s7{C, 32, V, F, 2, 32, 32, 32, 32};
    std::vector<ModelCase> cases = {
        {"RWKV-7", RWKVX_ARCH_RWKV7, [&] { return synthetic_rwkv7(s7); }, V},
        {"RWKV-4", RWKVX_ARCH_RWKV4, [&] { return synthetic_rwkv4(C, V, F, 2); }, V},
        {"RWKV-5.2", RWKVX_ARCH_RWKV5, [&] { return synthetic_rwkv56(false, C, 4, V, F, 2, 32, 64); }, V},
        {"RWKV-6", RWKVX_ARCH_RWKV6, [&] { return synthetic_rwkv56(true, C, 4, V, F, 2, 32, 64); }, V},
        {"RWKV-X", RWKVX_ARCH_HYBRID,
         [&] {
             Tensors w = synthetic_rwkv7(s7);
             add_hybrid_attention(w, 1, C, F, false);
             return w;
         },
         V},
    };
    // More tokens than the AVX2 table's skinny products take (kernels.h, gemm_min_rows): prefill is a
    // GEMM over float inputs; steps are single-token products over 8-bit ones.
    std::vector<int32_t> tokens;
    for (int64_t i = 0; i < std::max<int64_t>(12, rwkvx::avx2_kernels().gemm_min_rows); i++)
        tokens.push_back(int32_t((i * 37 + 5) % V));
    double worst_seq = 0, worst_8bit = 0;
    int index = 0;
    for (auto &mc : cases)
        for (int everything = 0; everything < 2; everything++) {
            const int32_t t = kTypes[(index++) % 5];
            auto pick = [&](const std::string &n, const std::vector<int64_t> &shape) {
                return everything ? is_matrix(n, shape) : rwkvcpp_quantizes(n, shape.size());
            };
            QuantizedModel qm(mc.make(), t, pick);
            const std::string what = fmt("%s %s (%s, %zu tensors)", mc.name, type_name(t),
                                         everything ? "every matrix" : "rwkv.cpp's set", qm.blocks.size());
            for (int flags : {0, RWKVX_CONTEXT_FORCE_SCALAR}) {
                const char *table = flags ? "scalar" : "default";
                std::string e1, e2, e3, e4;
                const auto q_seq = run_model(mc.arch, qm.views(true), 2, flags, tokens, mc.vocab, false, e1);
                const auto d_seq = run_model(mc.arch, qm.views(false), 2, flags, tokens, mc.vocab, false, e2);
                const auto q_step = run_model(mc.arch, qm.views(true), 2, flags, tokens, mc.vocab, true, e3);
                const auto d_step = run_model(mc.arch, qm.views(false), 2, flags, tokens, mc.vocab, true, e4);
                expect(!q_seq.empty() && !d_seq.empty() && !q_step.empty() && !d_step.empty(),
                       what + " " + table + ": evaluation failed: " + e1 + e2 + e3 + e4);
                // Prefill multiplies float inputs with the blocks widened exactly: the float model's logits.
                expect(bitwise_equal(q_seq, d_seq), what + " " + table + ": prefill equals the dequantized model's");
                const double seq = relative_diff(q_step, q_seq), eight = relative_diff(q_step, d_step);
                const bool rounded = flags == 0 && (rwkvx_cpu_features() & RWKVX_CPU_AVX2);
                if (rounded) {
                    // What quantizing the weights moved: the dequantized model's steps against the
                    // original float model's.
                    std::string e5;
                    const auto orig = run_model(mc.arch, qm.src.named(), 2, flags, tokens, mc.vocab, true, e5);
                    const double weights = relative_diff(d_step, orig);
                    const double bound = kEightBitFactor * weights + kEightBitFloor;
                    worst_seq = worse(worst_seq, seq);
                    worst_8bit = worse(worst_8bit, eight / weights);
                    expect(seq <= bound && eight <= bound,
                           fmt("%s %s: token by token vs prefill %.3g, vs the dequantized model %.3g; quantizing the "
                               "weights moved %.3g (bound %.3g)",
                               what.c_str(), table, seq, eight, weights, bound));
                } else {  // float inputs everywhere: the float model's steps, bit for bit
                    expect(bitwise_equal(q_step, d_step) && seq <= kSequenceBound,
                           fmt("%s %s: token by token equals the dequantized model's; vs prefill %.3g (bound %.3g)",
                               what.c_str(), table, seq, kSequenceBound));
                }
            }
            // Resident quantized matrices have split rows, which every kernel reads into the same values
            // and sums in the same order as ggml's (docs/numerics.md §3.4): resident and in-place logits
            // are equal bit for bit, prefill and steps. The thread count changes nothing.
            if (everything) {
                std::string e;
                const auto in_place = run_model(mc.arch, qm.views(true), 2, 0, tokens, mc.vocab, true, e);
                const auto resident =
                    run_model(mc.arch, qm.views(true), 2, RWKVX_CONTEXT_RESIDENT_WEIGHTS, tokens, mc.vocab, true, e);
                const auto one = run_model(mc.arch, qm.views(true), 1, 0, tokens, mc.vocab, true, e);
                expect(bitwise_equal(in_place, resident), what + ": resident steps equal in-place steps bit for bit");
                const auto one_resident =
                    run_model(mc.arch, qm.views(true), 1, RWKVX_CONTEXT_RESIDENT_WEIGHTS, tokens, mc.vocab, true, e);
                expect(bitwise_equal(resident, one_resident), what + ": resident 2-thread steps equal 1-thread ones");
                expect(bitwise_equal(in_place, one), what + ": 2-thread steps equal 1-thread steps bit for bit");
                const auto res_seq =
                    run_model(mc.arch, qm.views(true), 2, RWKVX_CONTEXT_RESIDENT_WEIGHTS, tokens, mc.vocab, false, e);
                const auto seq = run_model(mc.arch, qm.views(true), 2, 0, tokens, mc.vocab, false, e);
                expect(bitwise_equal(seq, res_seq), what + ": resident prefill equals in-place prefill bit for bit");
            }
        }
    std::printf(
        "models, 8-bit-input steps: worst vs prefill %.3g of 1 + max|logit|; vs the dequantized model's steps "
        "at most %.3g times what quantizing the weights moved\n",
        worst_seq, worst_8bit);
}

// Quantized tensors where floats are required, and matrices without whole blocks, are refused by name.
void test_model_errors() {
    const Rwkv7Sizes s7{64, 32, 96, 128, 1, 32, 32, 16, 32};
    std::string error;
    {
        QuantizedModel qm(synthetic_rwkv7(s7), RWKVX_DTYPE_Q5_1,
                          [](const std::string &n, const std::vector<int64_t> &) { return n == "blocks.0.att.x_r"; });
        const auto out = run_model(RWKVX_ARCH_RWKV7, qm.views(true), 1, 0, {1}, 96, false, error);
        expect(out.empty() && contains(error,
                                       "tensor 'blocks.0.att.x_r': quantized type Q5_1 on a tensor that must stay "
                                       "in floating point"),
               "a quantized mix vector is refused: " + error);
    }
    {
        QuantizedModel qm(synthetic_rwkv7(s7), RWKVX_DTYPE_Q8_0,
                          [](const std::string &n, const std::vector<int64_t> &) { return n == "blocks.0.att.r_k"; });
        const auto out = run_model(RWKVX_ARCH_RWKV7, qm.views(true), 1, 0, {1}, 96, false, error);
        expect(out.empty() && contains(error, "'blocks.0.att.r_k': quantized type Q8_0 on a tensor that must stay"),
               "a quantized r_k is refused: " + error);
    }
    {
        // g2 is [64, 16]: 16 columns are half a block. (The blocks are quantized as one flat row.)
        Tensors w = synthetic_rwkv7(s7);
        Bytes g2 = quantize(RWKVX_DTYPE_Q4_0, w.t["blocks.0.att.g2"].second);
        auto views = w.named();
        for (auto &nt : views)
            if (std::string(nt.name) == "blocks.0.att.g2")
                nt.tensor.data = g2.data(), nt.tensor.dtype = RWKVX_DTYPE_Q4_0;
        for (int flags : {0, RWKVX_CONTEXT_RESIDENT_WEIGHTS}) {
            const auto out = run_model(RWKVX_ARCH_RWKV7, views, 1, flags, {1}, 96, false, error);
            expect(
                out.empty() && contains(error, "'blocks.0.att.g2' [64, 16]") && contains(error, "not divisible by 32"),
                "a quantized matrix of 16 columns is refused: " + error);
        }
    }
}
}  // namespace

int main() {
    std::mt19937 rng(20260101);
    test_dtype_bytes();
    test_dequantize_hand_built();
    test_dequantize_random(rng);
    test_quantize_rules();
    test_round_trip(rng);
    Contexts cs;
    test_matmul(cs, rng);
    test_split_rows(rng);
    test_errors(cs);
    test_models();
    test_model_errors();
    return finish();
}
