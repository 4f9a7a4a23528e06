#include "cpu/kernels.h"
#include "rwkvx.h"

namespace rwkvx {

const KernelTable &select_kernels(bool force_scalar) {
    uint32_t need = RWKVX_CPU_AVX2 | RWKVX_CPU_FMA | RWKVX_CPU_F16C;
    if (!force_scalar && (detect_cpu_features() & need) == need) return avx2_kernels();
    return scalar_kernels();
}

}  // namespace rwkvx
