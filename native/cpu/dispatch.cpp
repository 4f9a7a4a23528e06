// The kernel tables, one per instruction-set level, and the choice between them. A new level (say
// AVX-512) adds its folder of kernels, one table here and its feature check in select_kernels.
#include "cpu/dispatch.h"

#include "cpu/avx2/avx2.h"
#include "cpu/scalar/scalar.h"
#include "rwkvx.h"

namespace rwkvx {

namespace {

// Field order as in KernelTable: matmul and widening; recurrences; element-wise math; attention.
const KernelTable scalar_table = {
    "scalar",
    1,
    INT64_MAX,
    1,
    scalar::matmul,
    scalar::to_f32,
    scalar::quant_prep_bytes,
    scalar::quant_prep,
    scalar::wkv7,
    scalar::wkv4,
    scalar::wkv5,
    layer_norm,
    scalar::sigmoid,
    scalar::tanh,
    scalar::decay,
    scalar::relu_square,
    scalar::qk,
    scalar::pv,
    scalar::exp2_sub_sum,
    scalar::dots,
    scalar::axpy,
    scalar::dot8,
    scalar::scores8,
};

// One entry per line, in KernelTable's order.
// clang-format off
template <avx2::StreamTuning TU>
const KernelTable avx2_table = {
    "avx2+fma",
    avx2::NR,
    avx2::kGemmMinRows,
    avx2::NC,
    avx2::matmul<TU>,
    avx2::to_f32,
    avx2::quant_prep_bytes,
    avx2::quant_prep,
    avx2::wkv7,
    avx2::wkv4,
    avx2::wkv5,
    avx2::layer_norm,
    avx2::sigmoid,
    avx2::tanh,
    avx2::decay,
    avx2::relu_square,
    avx2::qk,
    avx2::pv,
    avx2::exp2_sub_sum,
    avx2::dots,
    avx2::axpy,
    avx2::dot8,
    avx2::scores8,
};
// clang-format on

}  // namespace

const KernelTable &scalar_kernels() {
    return scalar_table;
}

const KernelTable &avx2_kernels_tuned_for(bool amd) {
    return amd ? avx2_table<avx2::StreamTuning::Amd> : avx2_table<avx2::StreamTuning::Intel>;
}

const KernelTable &avx2_kernels() {
    static const KernelTable &tuned = avx2_kernels_tuned_for(cpu_is_amd());
    return tuned;
}

const KernelTable &select_kernels(bool force_scalar) {
    uint32_t need = RWKVX_CPU_AVX2 | RWKVX_CPU_FMA | RWKVX_CPU_F16C;
    if (!force_scalar && (detect_cpu_features() & need) == need) return avx2_kernels();
    return scalar_kernels();
}

}  // namespace rwkvx
