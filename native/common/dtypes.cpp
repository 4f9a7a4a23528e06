#include "common/dtypes.h"

#include <cstring>

namespace rwkvx {

float half_to_float(uint16_t h) {
    uint32_t sign = uint32_t(h & 0x8000) << 16;
    uint32_t exp = (h >> 10) & 0x1f;
    uint32_t mant = h & 0x3ff;
    uint32_t bits;
    if (exp == 0x1f) {
        bits = sign | 0x7f800000 | (mant << 13);  // inf / NaN
    } else if (exp != 0) {
        bits = sign | ((exp + 112) << 23) | (mant << 13);
    } else if (mant == 0) {
        bits = sign;
    } else {  // subnormal: normalise
        int e = -1;
        do {
            mant <<= 1;
            e++;
        } while (!(mant & 0x400));
        bits = sign | uint32_t(112 - e) << 23 | ((mant & 0x3ff) << 13);
    }
    float f;
    std::memcpy(&f, &bits, 4);
    return f;
}

}  // namespace rwkvx

namespace rwkvx {

uint16_t round_to_half(float f) {
    uint32_t x;
    std::memcpy(&x, &f, 4);
    const uint32_t sign = (x >> 16) & 0x8000, ax = x & 0x7fffffff;
    if (ax > 0x7f800000) return uint16_t(sign | 0x7e00 | ((ax >> 13) & 0x3ff));  // NaN, made quiet
    if (ax >= 0x477ff000) return uint16_t(sign | 0x7c00);  // >= 65520 (65504 + half an ulp, a tie to odd): inf
    if (ax >= 0x38800000) {                                // normal half (>= 2^-14)
        uint32_t r = ax - (uint32_t(112) << 23);           // rebias the exponent 127 -> 15
        r += 0xfff + ((r >> 13) & 1);                      // round to nearest even; a carry bumps the exponent
        return uint16_t(sign | (r >> 13));
    }
    if (ax <= 0x33000000) return uint16_t(sign);  // <= 2^-25 (a tie with 0, which is even): zero
    // Subnormal half: round(|f| / 2^-24), to nearest even (2^-14 itself may come out of the rounding).
    const uint32_t mant = (ax & 0x7fffff) | 0x800000, shift = 126 - (ax >> 23);  // shift in 14..24
    uint32_t q = mant >> shift;
    const uint32_t rest = mant & ((uint32_t(1) << shift) - 1), half = uint32_t(1) << (shift - 1);
    if (rest > half || (rest == half && (q & 1))) q++;
    return uint16_t(sign | q);
}

}  // namespace rwkvx
