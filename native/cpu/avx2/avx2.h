// The AVX2 + FMA + F16C kernels (cpu/avx2/*.cpp, each compiled with -mavx2 -mfma -mf16c), gathered
// into the AVX2 kernel table by dispatch.cpp. Callable only on CPUs with those features.
#pragma once
#include <cstdint>

#include "common/quant.h"
#include "cpu/kernels.h"

namespace rwkvx {
namespace avx2 {

// How the GEMV streams its weights, tuned per CPU vendor (matmul_avx2.cpp); dispatch.cpp picks one
// per process, tests run both.
enum class StreamTuning { Amd, Intel };

// The matmul's blocking as the table reports it to CpuOps: GEMM panels of NR output columns in
// blocks of NC, from kGemmMinRows input rows on. Fewer rows stream the weights once for all of them
// (GEMV; from 2 rows a skinny product: batched decode), each row computed as if alone, so that a
// batch of up to 16 sequences gives each the bits of its single-sequence product. Measured in
// bench/README.md, "Skinny products": at 16 rows the skinny product still beats the packed GEMM.
constexpr int NR = 16, NC = 128;
constexpr int64_t kGemmMinRows = 17;

// The matrix product (matmul_avx2.cpp), one per vendor tuning, and the layer norm (vecmath_avx2.cpp).
template <StreamTuning TU>
void matmul(const MatmulArgs &m, int64_t n0, int64_t n1);
extern template void matmul<StreamTuning::Amd>(const MatmulArgs &m, int64_t n0, int64_t n1);
extern template void matmul<StreamTuning::Intel>(const MatmulArgs &m, int64_t n0, int64_t n1);
void layer_norm(const float *x, const float *w, const float *b, float *y, int64_t n, float eps);

// Quantized weights (quant_avx2.cpp): `count` blocks from block b0 of a row in either layout
// (common/quant.h) widened bit-exactly like common/quant.h's dequantize_blocks; the GEMV (m.T <
// kGemmMinRows) over rows in ggml's layout, or split ones when m.blocked; the inputs' preparation
// (KernelTable::quant_prep).
void widen_blocks(WeightType t, const void *row, const QuantRowLayout &layout, int64_t b0, int64_t count, float *dst);
void quant_gemv(const MatmulArgs &m, int64_t n0, int64_t n1);
int64_t quant_prep_bytes(WeightType t, int64_t K);
void quant_prep(WeightType t, const float *x, int64_t T, int64_t K, void *out);

#include "cpu/isa_kernels.inc"

}  // namespace avx2
}  // namespace rwkvx
