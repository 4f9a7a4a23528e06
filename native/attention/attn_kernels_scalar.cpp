// Portable attention kernels (no special instructions); the reference for the AVX2 ones.
#include <cmath>

#include "attention/attention_params.h"
#include "cpu/dispatch.h"

namespace rwkvx {
namespace attn {

namespace {

inline float load1(int32_t dtype, const void *src, int64_t i) {
    if (dtype == 0) return static_cast<const float *>(src)[i];
    uint16_t h = static_cast<const uint16_t *>(src)[i];
    return dtype == 1 ? half_to_float(h) : bf16_to_float(h);
}

void widen_scalar(int32_t dtype, const void *src, float *dst, int64_t n) {
    for (int64_t i = 0; i < n; i++) dst[i] = load1(dtype, src, i);
}

void qk_scalar(const float *q, int nr, const float *kt, int64_t kt_stride, int nc, int D, float *s) {
    for (int r = 0; r < nr; r++) {
        float *sr = s + r * kBlockKeys;
        for (int j = 0; j < nc; j++) sr[j] = 0.0f;
        for (int d = 0; d < D; d++) {
            const float qd = q[r * D + d];
            const float *kd = kt + d * kt_stride;
            for (int j = 0; j < nc; j++) sr[j] += qd * kd[j];
        }
    }
}

void pv_scalar(const float *p, int nr, const float *v, int nc, int D, float *o) {
    for (int r = 0; r < nr; r++)
        for (int j = 0; j < nc; j++) {
            const float pj = p[r * kBlockKeys + j];
            for (int d = 0; d < D; d++) o[r * D + d] += pj * v[j * D + d];
        }
}

float exp2_sub_sum_scalar(float *x, int n, float m) {
    float sum = 0.0f;
    for (int i = 0; i < n; i++) {
        x[i] = std::exp2(x[i] - m);
        sum += x[i];
    }
    return sum;
}

void dots_scalar(const float *q, const void *k, int32_t dtype, int64_t stride, int64_t n, int D, float scale,
                 float *s) {
    for (int64_t j = 0; j < n; j++) {
        const void *row = row_ptr(k, dtype, stride, j);
        float acc = 0.0f;
        for (int d = 0; d < D; d++) acc += q[d] * load1(dtype, row, d);
        s[j] = acc * scale;
    }
}

void axpy_scalar(const float *p, const void *v, int32_t dtype, int64_t stride, int64_t n, int D, float *o) {
    for (int64_t j = 0; j < n; j++) {
        const void *row = row_ptr(v, dtype, stride, j);
        for (int d = 0; d < D; d++) o[d] += p[j] * load1(dtype, row, d);
    }
}

void dot8_scalar(const float *q, const float *kbar, int D, float part[8]) {
    for (int d = 0; d < D; d++) part[d & 7] = std::fma(q[d], kbar[d], part[d & 7]);
}

void scores8_scalar(const float *q, const float *kbar, int64_t stride, int64_t n, int D, float *s) {
    for (int64_t c = 0; c < n; c++) {
        float part[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        dot8_scalar(q, kbar + c * stride, D, part);
        s[c] = tree8(part);
    }
}

const AttnKernels table = {"scalar",  widen_scalar, qk_scalar,  pv_scalar, exp2_sub_sum_scalar,
                           dots_scalar, axpy_scalar, dot8_scalar, scores8_scalar};

}  // namespace

const AttnKernels &scalar_attn_kernels() { return table; }

const AttnKernels &attn_kernels_for(const KernelTable &cpu) {
    return &cpu == &avx2_kernels() ? avx2_attn_kernels() : scalar_attn_kernels();
}

}  // namespace attn
}  // namespace rwkvx
