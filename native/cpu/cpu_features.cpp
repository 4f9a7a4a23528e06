#include <cpuid.h>

#include <cstring>

#include "cpu/dispatch.h"
#include "rwkvx.h"

namespace rwkvx {

uint32_t detect_cpu_features() {
    unsigned a, b, c, d;
    uint32_t f = 0;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    bool osxsave = c & (1u << 27);
    bool avx = c & (1u << 28);
    bool fma = c & (1u << 12);
    bool f16c = c & (1u << 29);
    if (!osxsave || !avx) return 0;
    // The OS must save the YMM registers, or AVX instructions fault.
    unsigned xcr0_lo, xcr0_hi;
    __asm__("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
    if ((xcr0_lo & 6) != 6) return 0;
    if (fma) f |= RWKVX_CPU_FMA;
    if (f16c) f |= RWKVX_CPU_F16C;
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
        if (b & (1u << 5)) f |= RWKVX_CPU_AVX2;
        if ((b & (1u << 16)) && (xcr0_lo & 0xe0) == 0xe0) f |= RWKVX_CPU_AVX512F;
    }
    return f;
}

bool cpu_is_amd() {
    unsigned a, b, c, d;
    if (!__get_cpuid(0, &a, &b, &c, &d)) return false;
    char vendor[13] = {};
    std::memcpy(vendor, &b, 4), std::memcpy(vendor + 4, &d, 4), std::memcpy(vendor + 8, &c, 4);
    return std::strcmp(vendor, "AuthenticAMD") == 0 || std::strcmp(vendor, "HygonGenuine") == 0;
}

}  // namespace rwkvx
