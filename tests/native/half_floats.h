// float <-> IEEE half / bfloat16 for native test data. To 16 bits: round to nearest even, NaN kept a
// (quiet) NaN; half: normal range only, values below it become a signed zero (test data stays in
// range). From 16 bits: exact, subnormals, infinities and NaN included.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

inline uint16_t to_half(float f) {
    uint32_t x;
    std::memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000;
    int32_t e = int32_t((x >> 23) & 0xff) - 127 + 15;
    uint32_t m = x & 0x7fffff;
    if ((x & 0x7fffffff) > 0x7f800000) return uint16_t(sign | 0x7e00);
    if (e <= 0) return uint16_t(sign);
    uint32_t h = sign | uint32_t(e) << 10 | (m >> 13);
    uint32_t rest = m & 0x1fff;
    if (rest > 0x1000 || (rest == 0x1000 && (h & 1))) h++;
    return uint16_t(h);
}

inline uint16_t to_bf16(float f) {
    uint32_t x;
    std::memcpy(&x, &f, 4);
    if ((x & 0x7fffffff) > 0x7f800000) return uint16_t((x >> 16) | 0x40);
    return uint16_t((x + 0x7fff + ((x >> 16) & 1)) >> 16);
}

inline float from_half(uint16_t h) {
    const int e = (h >> 10) & 0x1f, m = h & 0x3ff;
    if (e == 0x1f) {
        const float special = m ? std::numeric_limits<float>::quiet_NaN() : std::numeric_limits<float>::infinity();
        return (h & 0x8000) ? -special : special;
    }
    const double v = e == 0 ? std::ldexp(m, -24) : std::ldexp(1024 + m, e - 25);
    return float((h & 0x8000) ? -v : v);
}

inline float from_bf16(uint16_t b) {
    const uint32_t x = uint32_t(b) << 16;
    float f;
    std::memcpy(&f, &x, 4);
    return f;
}
