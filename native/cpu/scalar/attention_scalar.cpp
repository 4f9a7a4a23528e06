// Portable attention inner loops (no special instructions); the reference for the AVX2 ones.
#include <cmath>

#include "cpu/scalar/scalar.h"

namespace rwkvx {
namespace scalar {

void qk(const float *q, int nr, const float *kt, int64_t kt_stride, int nc, int D, float *s) {
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

// Row r stops at its own column count: excluded keys are never multiplied (0 * inf = NaN).
void pv(const float *p, int nr, const float *v, int nc, int D, float *o, const int *cols) {
    for (int r = 0; r < nr; r++)
        for (int j = 0, n = cols ? cols[r] : nc; j < n; j++) {
            const float pj = p[r * kBlockKeys + j];
            for (int d = 0; d < D; d++) o[r * D + d] += pj * v[j * D + d];
        }
}

float exp2_sub_sum(float *x, int n, float m) {
    float sum = 0.0f;
    for (int i = 0; i < n; i++) {
        x[i] = std::exp2(x[i] - m);
        sum += x[i];
    }
    return sum;
}

void dots(const float *q, const void *k, int32_t dtype, int64_t stride, int64_t n, int D, float scale, float *s) {
    for (int64_t j = 0; j < n; j++) {
        const void *row = row_ptr(k, dtype, stride, j);
        float acc = 0.0f;
        for (int d = 0; d < D; d++) acc += q[d] * load_weight(WeightType(dtype), row, d);
        s[j] = acc * scale;
    }
}

void axpy(const float *p, const void *v, int32_t dtype, int64_t stride, int64_t n, int D, float *o) {
    for (int64_t j = 0; j < n; j++) {
        const void *row = row_ptr(v, dtype, stride, j);
        for (int d = 0; d < D; d++) o[d] += p[j] * load_weight(WeightType(dtype), row, d);
    }
}

void dot8(const float *q, const float *kbar, int D, float part[8]) {
    rules::dot8_accumulate(q, kbar, D, part);
}

void scores8(const float *q, const float *kbar, int64_t stride, int64_t n, int D, float *s) {
    for (int64_t c = 0; c < n; c++) {
        float part[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        dot8(q, kbar + c * stride, D, part);
        s[c] = tree8(part);
    }
}

}  // namespace scalar
}  // namespace rwkvx
