// The one place a context's kernel table is chosen: one table per instruction-set level
// (dispatch.cpp), picked from the CPU's features.
#pragma once
#include <cstdint>

#include "cpu/kernels.h"

namespace rwkvx {

const KernelTable &scalar_kernels();
// The AVX2 table tuned for this CPU's vendor (see StreamTuning in avx2/avx2.h).
const KernelTable &avx2_kernels();
// The AVX2 table with the streaming tuned for AMD or for Intel, whatever this CPU is (tests run both).
const KernelTable &avx2_kernels_tuned_for(bool amd);
// Picks AVX2 when the CPU has AVX2+FMA+F16C and force_scalar is false.
const KernelTable &select_kernels(bool force_scalar);

// rwkvx_cpu_features() bits of this CPU (cpu_features.cpp).
uint32_t detect_cpu_features();
// AMD (or Hygon) processor: the streaming kernels tune their software prefetch by vendor.
bool cpu_is_amd();

}  // namespace rwkvx
