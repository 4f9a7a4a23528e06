// The CPU kernel contract: weight layouts, the kernels' arguments and the table of kernels that each
// instruction-set level implements (cpu/scalar/, cpu/avx2/); dispatch.h chooses one per context.
#pragma once
#include <cstdint>

#include "common/chunk_rules.h"
#include "common/dtypes.h"

namespace rwkvx {

// Weight layouts. Row-major: w[n][k]. Blocked (resident weights only, see weight_layout.h): rows
// [0, blocked_rows(N)) in blocks of kBlockRows rows, each block k-major (the 32 weights of column k
// are adjacent), the remaining rows row-major after the blocks, i.e. at the same offsets as in the
// row-major layout. Decode streams blocks far apart two at once (four on Intel: more streams read
// faster than one on a core) and keeps their outputs in registers: no per-row horizontal sums and
// one broadcast input per 64 or 128 weights. For BF16 the 16 rows of each group of 16 are stored in
// the order 0,8,1,9,...,7,15, so the even and odd halves of a 32-byte load are rows 0-7 and 8-15.
constexpr int64_t kBlockRows = 32;
inline int64_t blocked_rows(int64_t N) {
    return N / kBlockRows * kBlockRows;
}
// Position of row r (0..15) inside its BF16 group of 16.
inline int bf16_slot(int r) {
    return r < 8 ? 2 * r : 2 * (r - 8) + 1;
}
// Element offset of w(n, k) in either layout.
inline int64_t weight_offset(bool blocked, WeightType t, int64_t N, int64_t K, int64_t n, int64_t k) {
    if (!blocked || n >= blocked_rows(N)) return n * K + k;
    const int64_t lane = n % kBlockRows;
    const int64_t slot = t == WeightType::BF16 ? lane / 16 * 16 + bf16_slot(int(lane % 16)) : lane;
    return (n - lane) * K + k * kBlockRows + slot;
}

// y[t][n] = sum_k x[t][k] * w[n][k] for output columns n in [n0, n1) and every row t < T.
// Row strides: x has K floats per row, y has N floats per row. w is [N][K] of the given type, in
// the layout `blocked` says; for a blocked w, n0 is a multiple of kBlockRows or >= blocked_rows(N).
// Quantized w (K a multiple of 32): row n is K/32 blocks of common/quant.h, in ggml's layout, or, when
// blocked (resident weights), in the split layout (common/quant.h's split_row_layout: the row's
// scales, minima, fifth bits and quants as separate arrays, the same bytes), every row.
struct MatmulArgs {
    WeightType wtype;
    const void *w;
    int64_t N, K;
    const float *x;
    int64_t T;
    float *y;
    bool blocked = false;
    // Quantized w with T < gemm_min_rows: x as the table's quant_prep made it (T rows of
    // quant_prep_bytes each), or null, and the kernel prepares it itself.
    const void *prep = nullptr;
};

// One head of the WKV-7 recurrence over all tokens, for value rows [i0, i1) (independent rows).
struct Wkv7Args {
    int64_t T;
    int32_t H, N;
    const float *r, *w, *k, *v, *a, *b;  // [T][H][N]
    float *state;                        // [H][N key][N value]
    float *y;                            // [T][H][N]
};

// The RWKV-4 WKV recurrence (numerically stable form with a running maximum pp) for channels
// [c0, c1) over all tokens. Channels are independent; each one's state stays in registers.
struct Wkv4Args {
    int64_t T, C;
    const float *decay;  // ω = −exp(time_decay), [C]
    const float *first;  // u = time_first, [C]
    const float *k, *v;  // [T][C]
    float *state;        // [3][C]: aa, bb, pp
    float *y;            // [T][C]
};

// The RWKV-5.2/6 WKV recurrence for one head over all tokens (state key-major like WKV-7):
//   y_j = sum_i r_i (u_i k_i v_j + S[i][j]);  S[i][j] <- w_i S[i][j] + k_i v_j   (i key, j value)
// RWKV-5.2 has one decay per channel (w_stride 0); RWKV-6 one per token (w_stride = H*N).
struct Wkv5Args {
    int64_t T;
    int32_t H, N;
    const float *r, *k, *v;  // [T][H][N]
    const float *w;          // decay multipliers in (0, 1]: [H][N], or [T][H][N] when w_stride > 0
    int64_t w_stride;        // floats between tokens' decays (0: shared by all tokens)
    const float *u;          // bonus time_faaaa, [H][N]
    float *state;            // [H][N key][N value]
    float *y;                // [T][H][N]
};

// Layer norm with double accumulators (two passes), the same on every CPU: the scalar table's
// layer_norm, and the one the RWKV-4/5/6 passes, the embedding, the head and rwkvx_group_norm use
// whatever the table (scalar/vecmath_scalar.cpp). y may be x.
void layer_norm(const float *x, const float *w, const float *b, float *y, int64_t n, float eps);

// Query keys per block of the tiled attention: the row stride of the score blocks qk and pv exchange.
constexpr int kBlockKeys = 64;

// The fixed reduction tree of docs/rwkv-x.md §5.2 rule 2 (common/chunk_rules.h, shared with CUDA).
using rules::tree8;

// Every CPU function that has a version per instruction-set level, in one table per level (scalar,
// AVX2: dispatch.cpp): matrix products, recurrences, the element-wise math of the forward passes and
// the inner loops of attention. A context picks one table (select_kernels); a new level adds one.
struct KernelTable {
    const char *name;

    // ---- matrix products and widening ----
    // Output columns are split between threads in multiples of this.
    int64_t column_grain;
    // From this many input rows on, a matmul is a packed GEMM (compute-bound) that works on blocks
    // of gemm_columns output columns; below, it streams its weights once for all rows (GEMV,
    // memory-bound; a skinny product for a few rows, as in batched decode).
    int64_t gemm_min_rows, gemm_columns;
    void (*matmul)(const MatmulArgs &args, int64_t n0, int64_t n1);
    // Widens n elements of the given type to float (weights, embedding rows, K/V rows), bit-exact;
    // for a quantized type n is a multiple of 32 and the values are common/quant.h's dequantize_row.
    void (*to_f32)(WeightType type, const void *src, float *dst, int64_t n);
    // Quantized GEMVs (single-token and skinny products) read their inputs in a prepared form (AVX2: 8-bit blocks),
    // made once per call and shared by the threads (CpuOps) rather than once per column range:
    // bytes per input row of K (0: the table needs none), and the preparation of T rows.
    int64_t (*quant_prep_bytes)(WeightType type, int64_t K);
    void (*quant_prep)(WeightType type, const float *x, int64_t T, int64_t K, void *out);

    // ---- recurrences ----
    // Values [i0, i1) of one head. prefetch: the state this thread works on next (another head's
    // N·N floats), which the kernel may fetch into cache meanwhile; may be null.
    void (*wkv7)(const Wkv7Args &args, int32_t head, int32_t i0, int32_t i1, const float *prefetch);
    void (*wkv4)(const Wkv4Args &args, int64_t c0, int64_t c1);
    void (*wkv5)(const Wkv5Args &args, int32_t head);

    // ---- element-wise math of the forward passes (activations, layer norm) ----
    // y = (x - mean) / sqrt(var + eps) * w + b over n elements (population variance). y may be x.
    void (*layer_norm)(const float *x, const float *w, const float *b, float *y, int64_t n, float eps);
    // x = sigmoid(bias + x)   (bias may be null)
    void (*sigmoid)(const float *bias, float *x, int64_t n);
    // x = tanh(x)
    void (*tanh)(float *x, int64_t n);
    // x = exp(-scale * sigmoid(bias + x)): RWKV-7's decay from its LoRA output.
    void (*decay)(const float *bias, float *x, int64_t n, float scale);
    // x = max(x, 0)^2 (NaN -> 0), the channel mix activation. Branch-free: the signs are random, so a
    // branch mispredicts half the time (measured: bench/README.md).
    void (*relu_square)(float *x, int64_t n);

    // ---- attention inner loops (the drivers are in native/attention) ----
    // s[r][j] = sum_d q[r][d] * kt[d * kt_stride + j] for r < nr, j < nc; s rows are kBlockKeys apart.
    // kt must be readable (finite or not) up to j rounded up to 16.
    void (*qk)(const float *q, int nr, const float *kt, int64_t kt_stride, int nc, int D, float *s);
    // o[r][:] += sum_j p[r][j] * v[j][:] for r < nr, j < n_r (p is [nr][kBlockKeys], v is [nc][D]),
    // where n_r = cols[r] (<= nc), or nc for every row when cols is null. Columns j >= n_r are
    // excluded keys: neither p[r][j] nor v[j] is read for row r, so a non-finite value there never
    // reaches o[r] (0 * inf would be NaN). docs/rwkv-x.md §5.6.
    void (*pv)(const float *p, int nr, const float *v, int nc, int D, float *o, const int *cols);
    // x[i] = exp2(x[i] - m) for i < n; returns the sum (NaN in, NaN out; -inf gives exactly 0).
    float (*exp2_sub_sum)(float *x, int n, float m);
    // Decode: s[j] = scale * q · k_j for keys j < n of one head (row-major, any dtype).
    void (*dots)(const float *q, const void *k, int32_t dtype, int64_t stride, int64_t n, int D, float scale, float *s);
    // Decode: o[:] += sum_j p[j] * v_j.
    void (*axpy)(const float *p, const void *v, int32_t dtype, int64_t stride, int64_t n, int D, float *o);
    // Canonical selection dot: part[d mod 8] = fma(q[d], kbar[d], part[d mod 8]) for d ascending.
    void (*dot8)(const float *q, const float *kbar, int D, float part[8]);
    // s[c] = tree8 of dot8(q, kbar + c * stride) from zero partials, for c < n: the canonical scores
    // of n chunks, bit-identical to dot8 + tree8 (several chunks in flight hide the FMA latency).
    void (*scores8)(const float *q, const float *kbar, int64_t stride, int64_t n, int D, float *s);
};

}  // namespace rwkvx
