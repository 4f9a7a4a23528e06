// Portable kernels: the fallback for CPUs without AVX2/FMA/F16C, and a second implementation the
// tests compare the vector kernels with.
#include <cmath>
#include <cstdint>
#include <cstring>

#include "cpu/kernels.h"

namespace rwkvx {

namespace {

// Weights may sit at any byte offset (rwkv.cpp files pack tensors without alignment): load bytewise.
inline float load_weight(WeightType t, const void *w, int64_t i) {
    const char *p = static_cast<const char *>(w);
    if (t == WeightType::F32) {
        float f;
        std::memcpy(&f, p + 4 * i, 4);
        return f;
    }
    uint16_t h;
    std::memcpy(&h, p + 2 * i, 2);
    return t == WeightType::F16 ? half_to_float(h) : bf16_to_float(h);
}

void to_f32_scalar(WeightType t, const void *src, float *dst, int64_t n) {
    for (int64_t i = 0; i < n; i++) dst[i] = load_weight(t, src, i);
}

void matmul_scalar(const MatmulArgs &m, int64_t n0, int64_t n1) {
    float row[256];
    for (int64_t n = n0; n < n1; n++) {
        const char *wrow = static_cast<const char *>(m.w) + n * m.K * (m.wtype == WeightType::F32 ? 4 : 2);
        const bool in_block = m.blocked && n < blocked_rows(m.N);
        // Widen the weight row in pieces, then dot it with every input row.
        for (int64_t t = 0; t < m.T; t++) m.y[t * m.N + n] = 0.0f;
        for (int64_t k0 = 0; k0 < m.K; k0 += 256) {
            int64_t kc = m.K - k0 < 256 ? m.K - k0 : 256;
            if (in_block)  // a blocked row is strided: gather it
                for (int64_t k = 0; k < kc; k++)
                    row[k] = load_weight(m.wtype, m.w, weight_offset(true, m.wtype, m.N, m.K, n, k0 + k));
            else
                to_f32_scalar(m.wtype, wrow + k0 * (m.wtype == WeightType::F32 ? 4 : 2), row, kc);
            for (int64_t t = 0; t < m.T; t++) {
                const float *x = m.x + t * m.K + k0;
                float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                int64_t k = 0;
                for (; k + 4 <= kc; k += 4) {
                    s0 += row[k] * x[k];
                    s1 += row[k + 1] * x[k + 1];
                    s2 += row[k + 2] * x[k + 2];
                    s3 += row[k + 3] * x[k + 3];
                }
                for (; k < kc; k++) s0 += row[k] * x[k];
                m.y[t * m.N + n] += (s0 + s2) + (s1 + s3);
            }
        }
    }
}

void wkv7_scalar(const Wkv7Args &p, int32_t h, int32_t i0, int32_t i1, const float * /*prefetch: unused*/) {
    const int N = p.N;
    const int64_t C = int64_t(p.H) * N;
    float *S = p.state + int64_t(h) * N * N;  // S[j*N + i]: key j, value i
    float sa[64 * 4];
    for (int i = i0; i < i1;) {
        int nb = i1 - i < 256 ? i1 - i : 256;
        for (int64_t t = 0; t < p.T; t++) {
            const int64_t o = t * C + int64_t(h) * N;
            const float *r = p.r + o, *w = p.w + o, *k = p.k + o, *v = p.v + o, *a = p.a + o, *b = p.b + o;
            for (int q = 0; q < nb; q++) sa[q] = 0.0f;
            for (int j = 0; j < N; j++)
                for (int q = 0; q < nb; q++) sa[q] += S[j * N + i + q] * a[j];
            for (int q = 0; q < nb; q++) {
                float y = 0.0f;
                for (int j = 0; j < N; j++) {
                    float s = S[j * N + i + q] * w[j] + sa[q] * b[j] + v[i + q] * k[j];
                    S[j * N + i + q] = s;
                    y += s * r[j];
                }
                p.y[o + i + q] = y;
            }
        }
        i += nb;
    }
}

// Rounding error of s = a + b (Knuth's TwoSum); 0 when s is not finite (k = -inf), where it is unused.
inline float sum_error(float a, float b, float s) {
    if (!(std::fabs(s) <= 3.4e38f)) return 0.0f;
    float bv = s - a;
    return (a - (s - bv)) + (b - bv);
}

// WKV-4 per channel (kernels.md §1 "RWKV-4"): every exponent is <= 0, so nothing overflows; k = -inf
// only contributes exp(-inf) = 0. The rounding errors of u + k and pp + w go into the exponentials:
// pp is a running sum that is large (|k| up to ~80) and decays by w every token, so without this its
// rounding drifts by ~1e-3 over a few thousand tokens, while with it fp32 tracks float64 to ~1e-6.
void wkv4_scalar(const Wkv4Args &p, int64_t c0, int64_t c1) {
    const int64_t C = p.C;
    float *aa_s = p.state, *bb_s = p.state + C, *pp_s = p.state + 2 * C;
    for (int64_t c = c0; c < c1; c++) {
        float aa = aa_s[c], bb = bb_s[c], pp = pp_s[c];
        const float u = p.first[c], w = p.decay[c];
        for (int64_t t = 0; t < p.T; t++) {
            const float k = p.k[t * C + c], v = p.v[t * C + c];
            float ww = u + k;
            float q = pp > ww ? pp : ww;
            float e1 = std::exp(pp - q), e2 = std::exp((ww - q) + sum_error(u, k, ww));
            p.y[t * C + c] = (e1 * aa + e2 * v) / (e1 * bb + e2);
            ww = pp + w;
            q = ww > k ? ww : k;
            e1 = std::exp((ww - q) + sum_error(pp, w, ww));
            e2 = std::exp(k - q);
            aa = e1 * aa + e2 * v;
            bb = e1 * bb + e2;
            pp = q;
        }
        aa_s[c] = aa;
        bb_s[c] = bb;
        pp_s[c] = pp;
    }
}

// WKV-5/6 for one head: a row of the state per key channel, updated in place after its use.
void wkv5_scalar(const Wkv5Args &p, int32_t h) {
    const int N = p.N;
    const int64_t C = int64_t(p.H) * N;
    float *S = p.state + int64_t(h) * N * N;
    const float *u = p.u + int64_t(h) * N;
    for (int64_t t = 0; t < p.T; t++) {
        const int64_t o = t * C + int64_t(h) * N;
        const float *r = p.r + o, *k = p.k + o, *v = p.v + o, *w = p.w + t * p.w_stride + int64_t(h) * N;
        float *y = p.y + o;
        for (int j = 0; j < N; j++) y[j] = 0.0f;
        for (int i = 0; i < N; i++) {
            float *row = S + int64_t(i) * N;
            const float ri = r[i], ki = k[i], uk = u[i] * k[i], wi = w[i];
            for (int j = 0; j < N; j++) {
                float s = row[j];
                y[j] += ri * (uk * v[j] + s);
                row[j] = wi * s + ki * v[j];
            }
        }
    }
}

const KernelTable table = {"scalar", 1, INT64_MAX, 1, matmul_scalar, wkv7_scalar, to_f32_scalar, wkv4_scalar, wkv5_scalar};

}  // namespace

const KernelTable &scalar_kernels() { return table; }

}  // namespace rwkvx
