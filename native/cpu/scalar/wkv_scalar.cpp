// Portable recurrences: WKV-7, WKV-4 and WKV-5/6.
#include <cmath>
#include <cstdint>

#include "cpu/scalar/scalar.h"

namespace rwkvx {
namespace scalar {

void wkv7(const Wkv7Args &p, int32_t h, int32_t i0, int32_t i1, const float * /*prefetch: unused*/) {
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

namespace {

// Rounding error of s = a + b (Knuth's TwoSum); 0 when s is not finite (k = -inf), where it is unused.
inline float sum_error(float a, float b, float s) {
    if (!(std::fabs(s) <= 3.4e38f)) return 0.0f;
    float bv = s - a;
    return (a - (s - bv)) + (b - bv);
}

}  // namespace

// WKV-4 per channel (docs/formats.md §4.2; its numerics: docs/numerics.md §1.5): every exponent is <= 0, so nothing overflows; k = -inf
// only contributes exp(-inf) = 0. The rounding errors of u + k and pp + w go into the exponentials:
// pp is a running sum that is large (|k| up to ~80) and decays by w every token, so without this its
// rounding drifts by ~1e-3 over a few thousand tokens, while with it fp32 tracks float64 to ~1e-6.
void wkv4(const Wkv4Args &p, int64_t c0, int64_t c1) {
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
void wkv5(const Wkv5Args &p, int32_t h) {
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

}  // namespace scalar
}  // namespace rwkvx
