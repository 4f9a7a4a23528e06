// Internal description of one attention call, filled from rwkvx_attention_params after validation,
// and the per-instruction-set kernel table the drivers call.
#pragma once
#include <cstdint>

#include "common/tensors.h"
#include "cpu/kernels.h"

namespace rwkvx {
class ThreadPool;

namespace attn {

// Keys/values: row j of head h at base + h * head_stride + j * stride elements of dtype.
struct KvView {
    const void *k;
    const void *v;
    int32_t dtype;  // rwkvx_dtype
    int64_t k_stride, v_stride;
    int64_t head_stride;  // D for token-major rows [T][H][D]; capacity * D for a KV cache [H][cap][D]
};

using rwkvx::dtype_bytes;
inline const char *row_ptr(const void *base, int32_t dtype, int64_t stride, int64_t j) {
    return static_cast<const char *>(base) + j * stride * dtype_bytes(dtype);
}

// Query rows per tile and keys per block of the tiled (flash) kernel.
constexpr int kTileRows = 64;
constexpr int kBlockKeys = 64;
constexpr int kMaxHead = 256;

struct AttnKernels {
    const char *name;
    // dst[i] = float(src[i]) for n elements of dtype.
    void (*widen)(int32_t dtype, const void *src, float *dst, int64_t n);
    // s[r][j] = sum_d q[r][d] * kt[d * kt_stride + j] for r < nr, j < nc; s rows are kBlockKeys apart.
    // kt must be readable (finite or not) up to j rounded up to 16.
    void (*qk)(const float *q, int nr, const float *kt, int64_t kt_stride, int nc, int D, float *s);
    // o[r][:] += sum_j p[r][j] * v[j][:] for r < nr, j < nc (p is [nr][kBlockKeys], v is [nc][D]).
    void (*pv)(const float *p, int nr, const float *v, int nc, int D, float *o);
    // x[i] = exp2(x[i] - m) for i < n; returns the sum (NaN in, NaN out; -inf gives exactly 0).
    float (*exp2_sub_sum)(float *x, int n, float m);
    // Decode: s[j] = scale * q · k_j for keys j < n of one head (row-major, any dtype).
    void (*dots)(const float *q, const void *k, int32_t dtype, int64_t stride, int64_t n, int D, float scale,
                 float *s);
    // Decode: o[:] += sum_j p[j] * v_j.
    void (*axpy)(const float *p, const void *v, int32_t dtype, int64_t stride, int64_t n, int D, float *o);
    // Canonical selection dot: part[d mod 8] = fma(q[d], kbar[d], part[d mod 8]) for d ascending.
    void (*dot8)(const float *q, const float *kbar, int D, float part[8]);
    // s[c] = tree8 of dot8(q, kbar + c * stride) from zero partials, for c < n: the canonical scores
    // of n chunks, bit-identical to dot8 + tree8 (several chunks in flight hide the FMA latency).
    void (*scores8)(const float *q, const float *kbar, int64_t stride, int64_t n, int D, float *s);
};

const AttnKernels &scalar_attn_kernels();
const AttnKernels &avx2_attn_kernels();
// The AVX2 table when the context runs the AVX2 CPU kernels, the scalar one otherwise.
const AttnKernels &attn_kernels_for(const KernelTable &cpu);

// The fixed reduction tree of kernels.md §2 rule 2.
inline float tree8(const float p[8]) { return ((p[0] + p[4]) + (p[2] + p[6])) + ((p[1] + p[5]) + (p[3] + p[7])); }

// Everything a prefill needs, validated (api_attention.cpp).
struct Prefill {
    int64_t T;         // queries, at positions past .. past + T - 1
    int64_t past = 0;  // keys before the first query (a KV cache): kv holds past + T keys
    int32_t H, D;
    float scale;
    const float *q;
    int64_t q_stride;  // elements between tokens
    KvView kv;
    float *o;
    int64_t o_stride;
    float *lse;        // [T][H] or null
    bool sparse;
    int32_t B, top_k, scope;  // scope: 0 per head, 1 all heads
};

// Full causal prefill (flash-style). Writes o and lse.
void full_prefill(ThreadPool &pool, const AttnKernels &kt, const Prefill &p);
// MoBA-style sparse prefill. Returns true when some score was NaN.
bool sparse_prefill(ThreadPool &pool, const AttnKernels &kt, const Prefill &p);

}  // namespace attn
}  // namespace rwkvx
