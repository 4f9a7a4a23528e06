// AVX2 kernels for ggml's quantized blocks (common/quant.h): widening to float (embedding rows, the
// GEMM's weight panels) and the single-token product (GEMV), over rows in ggml's layout (weights in
// place) or split (resident weights, kernels.h). Compiled with -mavx2 -mfma -mf16c.
#include <immintrin.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "common/quant.h"
#include "cpu/avx2/avx2.h"
#include "cpu/avx2/simd_avx2.h"

namespace rwkvx {
namespace avx2 {

namespace {

constexpr bool has_min(WeightType t) {
    return t == WeightType::Q4_1 || t == WeightType::Q5_1;
}
constexpr bool five_bit(WeightType t) {
    return t == WeightType::Q5_0 || t == WeightType::Q5_1;
}
// The levels' centre c: 8 for the 4-bit types, 16 for the 5-bit ones. The _0 types store q with zero
// point c (x = d·(q − c)); the single-token products centre the _1 types' levels too (below).
constexpr int centre(WeightType t) {
    return five_bit(t) ? 16 : 8;
}

inline float half_at(const char *p) {
    uint16_t h;
    std::memcpy(&h, p, 2);
    return _cvtsh_ss(h);
}

// Where one block's fields are (common/quant.h's QuantRowLayout, at block b of a row).
struct BlockPtrs {
    const char *d, *m, *qh, *qs;
};
inline BlockPtrs block_ptrs(const char *row, const QuantRowLayout &L, int64_t b) {
    return {row + L.d_at + b * L.d_step, row + L.m_at + b * L.m_step, row + L.qh_at + b * L.qh_step,
            row + L.qs_at + b * L.qs_step};
}

// 16 bytes of nibbles -> 32 bytes: the low nibbles (elements 0..15), then the high ones (16..31). The
// 128-bit broadcast is a plain load; a blend picks the shifted copy for the upper half (fewer shuffles
// than inserting it: bench/README.md, "Quantized weights").
inline __m256i unpack_nibbles(const char *qs) {
    const __m256i v = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i *>(qs)));
    return _mm256_and_si256(_mm256_blend_epi32(v, _mm256_srli_epi16(v, 4), 0xf0), _mm256_set1_epi8(0x0f));
}

// Byte j = 0xff where bit j of the little-endian qh is set.
inline __m256i spread_bits(const char *qh_bytes) {
    uint32_t qh;
    std::memcpy(&qh, qh_bytes, 4);
    const __m256i shuffle = _mm256_set_epi64x(0x0303030303030303, 0x0202020202020202, 0x0101010101010101, 0);
    __m256i bytes = _mm256_shuffle_epi8(_mm256_set1_epi32(int(qh)), shuffle);
    bytes = _mm256_or_si256(bytes, _mm256_set1_epi64x(0x7fbfdfeff7fbfdfe));
    return _mm256_cmpeq_epi8(bytes, _mm256_set1_epi64x(-1));
}

// The 32 levels q as stored, unsigned (0..15 or 0..31), element j in byte j; Q8_0's signed ones.
template <WeightType WT>
inline __m256i stored_levels(const BlockPtrs &p) {
    if constexpr (WT == WeightType::Q8_0) {
        return _mm256_loadu_si256(reinterpret_cast<const __m256i *>(p.qs));
    } else if constexpr (five_bit(WT)) {
        return _mm256_or_si256(unpack_nibbles(p.qs), _mm256_and_si256(spread_bits(p.qh), _mm256_set1_epi8(0x10)));
    } else {
        return unpack_nibbles(p.qs);
    }
}

// The levels centred, q − c as int8 (Q8_0: q), for the sign-trick dot products.
template <WeightType WT>
inline __m256i centred_levels(const BlockPtrs &p) {
    if constexpr (WT == WeightType::Q8_0) {
        return stored_levels<WT>(p);
    } else if constexpr (five_bit(WT)) {
        // q − 16: the low nibble, with 0xf0 on top where the fifth bit is clear.
        const __m256i high = _mm256_andnot_si256(spread_bits(p.qh), _mm256_set1_epi8(int8_t(0xf0)));
        return _mm256_or_si256(unpack_nibbles(p.qs), high);
    } else {
        return _mm256_sub_epi8(unpack_nibbles(p.qs), _mm256_set1_epi8(8));
    }
}

// The block's 32 values as floats in four vectors of 8 (elements 0-7, 8-15, 16-23, 24-31), bit-exact
// with common/quant.h: d·q is exact, so fma(q, d, m) rounds once, as q·d + m does.
template <WeightType WT>
inline void dequantize_block(const BlockPtrs &p, __m256 (&out)[4]) {
    // Signed levels with the _0 types' zero point taken off; the _1 types' unsigned ones.
    const __m256i q = has_min(WT) ? stored_levels<WT>(p) : centred_levels<WT>(p);
    const __m128i lo = _mm256_castsi256_si128(q), hi = _mm256_extracti128_si256(q, 1);
    const __m128i parts[4] = {lo, _mm_srli_si128(lo, 8), hi, _mm_srli_si128(hi, 8)};
    const __m256 d = _mm256_set1_ps(half_at(p.d));
    for (int i = 0; i < 4; i++) {
        const __m256i w = has_min(WT) ? _mm256_cvtepu8_epi32(parts[i]) : _mm256_cvtepi8_epi32(parts[i]);
        if constexpr (has_min(WT))
            out[i] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(w), d, _mm256_set1_ps(half_at(p.m)));
        else
            out[i] = _mm256_mul_ps(_mm256_cvtepi32_ps(w), d);
    }
}

template <WeightType WT>
void dequantize_typed(const char *row, const QuantRowLayout &L, int64_t b0, int64_t count, float *dst) {
    for (int64_t b = 0; b < count; b++) {
        __m256 v[4];
        dequantize_block<WT>(block_ptrs(row, L, b0 + b), v);
        for (int i = 0; i < 4; i++) _mm256_storeu_ps(dst + b * kQuantBlock + 8 * i, v[i]);
    }
}

// ---- single-token product ---------------------------------------------------------------------

// The inputs of a quantized GEMV, prepared once per call (quant_prep): per input row, the 8-bit
// blocks q (K bytes, 32-byte aligned), then three float arrays of one entry per block, each padded
// with zeros to a multiple of 8 entries: the scales d, the sums s of the float inputs (which the _1
// types' offsets multiply) and the sums of the rounded ones, d·Σq. Input block b is x ≈ d_b·q_b with
// q = round(x / d), d = max|x| / 127: ggml's Q8 activation blocks, but with d kept in float32.
struct PreparedRow {
    const int8_t *q;
    const float *d, *s, *sq;
};
inline int64_t padded_blocks(int64_t K) {
    return (K / kQuantBlock + 7) / 8 * 8;
}
inline int64_t prep_row_bytes(int64_t K) {
    return (K + 3 * padded_blocks(K) * 4 + 31) / 32 * 32;
}
inline PreparedRow prepared_row(const void *prep, int64_t K, int64_t t) {
    const char *p = static_cast<const char *>(prep) + t * prep_row_bytes(K);
    const float *d = reinterpret_cast<const float *>(p + K);
    const int64_t nb8 = padded_blocks(K);
    return {reinterpret_cast<const int8_t *>(p), d, d + nb8, d + 2 * nb8};
}

void prepare_row(const float *x, int64_t K, char *out) {
    int8_t *q = reinterpret_cast<int8_t *>(out);
    const int64_t nb = K / kQuantBlock, nb8 = padded_blocks(K);
    float *d = reinterpret_cast<float *>(out + K), *s = d + nb8, *sq = s + nb8;
    const __m256 sign = _mm256_set1_ps(-0.0f);
    for (int64_t b = 0; b < nb; b++) {
        const float *xb = x + b * kQuantBlock;
        __m256 v[4], amax = _mm256_setzero_ps();
        for (int i = 0; i < 4; i++) {
            v[i] = _mm256_loadu_ps(xb + 8 * i);
            amax = _mm256_max_ps(amax, _mm256_andnot_ps(sign, v[i]));
        }
        __m128 m = _mm_max_ps(_mm256_castps256_ps128(amax), _mm256_extractf128_ps(amax, 1));
        m = _mm_max_ps(m, _mm_movehl_ps(m, m));
        m = _mm_max_ss(m, _mm_movehdup_ps(m));
        const float scale = _mm_cvtss_f32(m) / 127.0f;
        const __m256 inv = _mm256_set1_ps(scale != 0.0f ? 1.0f / scale : 0.0f);
        __m256i q32[4];
        for (int i = 0; i < 4; i++) q32[i] = _mm256_cvtps_epi32(_mm256_mul_ps(v[i], inv));  // nearest even
        // Pack 4 x 8 int32 -> 32 int8 in element order (packs interleave 128-bit lanes: permute back).
        const __m256i p16a = _mm256_packs_epi32(q32[0], q32[1]), p16b = _mm256_packs_epi32(q32[2], q32[3]);
        __m256i p8 = _mm256_packs_epi16(p16a, p16b);
        p8 = _mm256_permutevar8x32_epi32(p8, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
        _mm256_storeu_si256(reinterpret_cast<__m256i *>(q + b * kQuantBlock), p8);
        // Σq: the 32 bytes' sum (psadbw on the bytes with their sign flipped, less 32·128).
        const __m256i sums =
            _mm256_sad_epu8(_mm256_xor_si256(p8, _mm256_set1_epi8(int8_t(0x80))), _mm256_setzero_si256());
        const int64_t level_sum = _mm256_extract_epi64(sums, 0) + _mm256_extract_epi64(sums, 1) +
                                  _mm256_extract_epi64(sums, 2) + _mm256_extract_epi64(sums, 3) - 32 * 128;
        const float sum = hsum(_mm256_add_ps(_mm256_add_ps(v[0], v[1]), _mm256_add_ps(v[2], v[3])));
        // A NaN or infinite input would vanish into the 8-bit levels: its block's scale becomes NaN.
        d[b] = sum - sum == 0.0f ? scale : sum - sum;
        s[b] = sum;
        sq[b] = d[b] * float(level_sum);
    }
    for (int64_t b = nb; b < nb8; b++) d[b] = s[b] = sq[b] = 0.0f;
}

// Sum over a block of signed levels w (int8) times 8-bit inputs q, as 8 int32 partial sums: maddubs
// multiplies unsigned by signed bytes, so |w| times q with w's sign (q is never −128).
inline __m256i dot_signed(__m256i w, __m256i q) {
    const __m256i pairs = _mm256_maddubs_epi16(_mm256_sign_epi8(w, w), _mm256_sign_epi8(q, w));
    return _mm256_madd_epi16(pairs, _mm256_set1_epi16(1));
}
// The same for unsigned levels (0..31): maddubs takes them as they are.
inline __m256i dot_unsigned(__m256i w, __m256i q) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(w, q), _mm256_set1_epi16(1));
}

// The single-token product multiplies 8-bit inputs with integer dot products per block (ggml's
// scheme; the faster of the two designs measured in bench/README.md, "Quantized weights"), one row at
// a time (a single sequential stream, faster than two or four rows at once here). Per block:
//   d_w·d_x·Σ_j q_j·q_x,j − c·d_w·(d_x·Σ_j q_x,j)  (+ (m + c·d_w)·s_x for the _1 types)
// with the stored, unsigned levels q (maddubs takes them without the sign trick that signed levels
// need; Q8_0's are signed and keep it), the zero point c = 8 or 16 taken off with the rounded inputs'
// block sum. The _1 types' levels are centred the same way, x = d·(q − c) + (m + c·d), their offset
// carried by the float inputs' block sum s_x: the inputs' 8-bit rounding then meets |q − c| <= 16
// rather than q <= 31, which halves its error (docs/numerics.md §2.9). The scales (and minima) of 8
// blocks form one vector, so the offsets are vector FMAs; even and odd blocks go to separate
// accumulators (one chain of FMAs would wait on their latency every block). Both layouts run the same
// arithmetic in the same order, so resident (split) and in-place (ggml) weights give the same bits:
// split rows only load the 8 scales at once instead of gathering them (a third faster: bench/README.md).

// 8 binary16 fields (d or m) of consecutive blocks as floats: one load from split rows, gathered
// from ggml's (as 16-bit inserts, which a store to the stack and a wider load would stall on).
template <bool Split>
inline __m256 eight_halves(const char *first, int64_t step) {
    if constexpr (Split) return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i *>(first)));
    uint16_t h[8];
    for (int u = 0; u < 8; u++) std::memcpy(&h[u], first + u * step, 2);
    return _mm256_cvtph_ps(_mm_setr_epi16(short(h[0]), short(h[1]), short(h[2]), short(h[3]), short(h[4]), short(h[5]),
                                          short(h[6]), short(h[7])));
}
// The same for the last `count` (< 8) blocks of a row, 0 beyond them.
inline __m256 few_halves(const char *first, int64_t step, int64_t count) {
    alignas(16) uint16_t h[8] = {};
    for (int64_t u = 0; u < count; u++) std::memcpy(&h[u], first + u * step, 2);
    return _mm256_cvtph_ps(_mm_load_si128(reinterpret_cast<const __m128i *>(h)));
}

// Blocks b0 .. b0 + count − 1 (count <= 8; Full: count is 8) of one row, added to the accumulators.
template <WeightType WT, bool Split, bool Full>
inline void gemv_group(const char *row, const QuantRowLayout &L, int64_t b0, int64_t count, const PreparedRow &in,
                       __m256 c, __m256 &even, __m256 &odd, __m256 &offset) {
    const char *d_first = row + L.d_at + b0 * L.d_step, *m_first = row + L.m_at + b0 * L.m_step;
    const __m256 d = Full ? eight_halves<Split>(d_first, L.d_step) : few_halves(d_first, L.d_step, count);
    const __m256 scale = _mm256_mul_ps(d, _mm256_loadu_ps(in.d + b0));
    if constexpr (WT != WeightType::Q8_0) {
        const __m256 cd = _mm256_mul_ps(c, d);
        offset = _mm256_fnmadd_ps(cd, _mm256_loadu_ps(in.sq + b0), offset);
        if constexpr (has_min(WT)) {
            const __m256 mv = Full ? eight_halves<Split>(m_first, L.m_step) : few_halves(m_first, L.m_step, count);
            offset = _mm256_fmadd_ps(_mm256_add_ps(mv, cd), _mm256_loadu_ps(in.s + b0), offset);
        }
    }
#pragma GCC unroll 8
    for (int u = 0; u < 8; u++) {
        if (!Full && u == count) break;
        const int64_t b = b0 + u;
        const __m256i qx = _mm256_load_si256(reinterpret_cast<const __m256i *>(in.q + b * kQuantBlock));
        const __m256i w = stored_levels<WT>(block_ptrs(row, L, b));
        __m256 dot;
        if constexpr (WT == WeightType::Q8_0)
            dot = _mm256_cvtepi32_ps(dot_signed(w, qx));
        else
            dot = _mm256_cvtepi32_ps(dot_unsigned(w, qx));
        const __m256 s = _mm256_permutevar8x32_ps(scale, _mm256_set1_epi32(u));
        if (u & 1)
            odd = _mm256_fmadd_ps(dot, s, odd);
        else
            even = _mm256_fmadd_ps(dot, s, even);
    }
}

template <WeightType WT, bool Split>
void gemv_rows(const MatmulArgs &m, const void *prep, int64_t n0, int64_t n1) {
    const int64_t nb = m.K / kQuantBlock, rb = nb * quant_block_bytes(WT);
    const QuantRowLayout L = Split ? split_row_layout(WT, nb) : ggml_row_layout(WT);
    const __m256 c = _mm256_set1_ps(float(centre(WT)));
    for (int64_t t = 0; t < m.T; t++) {
        const PreparedRow in = prepared_row(prep, m.K, t);
        for (int64_t n = n0; n < n1; n++) {
            const char *row = static_cast<const char *>(m.w) + n * rb;
            __m256 even = _mm256_setzero_ps(), odd = even, offset = even;
            int64_t b0 = 0;
            for (; b0 + 8 <= nb; b0 += 8) gemv_group<WT, Split, true>(row, L, b0, 8, in, c, even, odd, offset);
            if (b0 < nb) gemv_group<WT, Split, false>(row, L, b0, nb - b0, in, c, even, odd, offset);
            m.y[t * m.N + n] = hsum(_mm256_add_ps(even, odd)) + hsum(offset);
        }
    }
}

// ---- skinny products: 2 .. kGemmMinRows - 1 input rows (batched decode) ---------------------------
// gemv_group for R input rows at once: each block's levels are loaded and unpacked once and
// multiplied with every row's 8-bit inputs; every row keeps its own even, odd and offset
// accumulators and takes the same operations in the same order as the single-row product, so row t
// of a many-row product equals the single-row product of row t bit for bit. The block scales are
// broadcast from memory (the same floats the single-row kernel permutes out of a vector), which
// spares R vector registers.
template <WeightType WT, bool Split, bool Full, int R>
inline void gemv_group_rows(const char *row, const QuantRowLayout &L, int64_t b0, int64_t count, const PreparedRow *in,
                            __m256 c, __m256 (&even)[R], __m256 (&odd)[R], __m256 (&offset)[R]) {
    const char *d_first = row + L.d_at + b0 * L.d_step, *m_first = row + L.m_at + b0 * L.m_step;
    const __m256 d = Full ? eight_halves<Split>(d_first, L.d_step) : few_halves(d_first, L.d_step, count);
    alignas(32) float scales[R][8];
    const __m256 cd = _mm256_mul_ps(c, d);
    __m256 mv = _mm256_setzero_ps();
    if constexpr (has_min(WT))
        mv = _mm256_add_ps(Full ? eight_halves<Split>(m_first, L.m_step) : few_halves(m_first, L.m_step, count), cd);
#pragma GCC unroll 8
    for (int r = 0; r < R; r++) {
        _mm256_store_ps(scales[r], _mm256_mul_ps(d, _mm256_loadu_ps(in[r].d + b0)));
        if constexpr (WT != WeightType::Q8_0) {
            offset[r] = _mm256_fnmadd_ps(cd, _mm256_loadu_ps(in[r].sq + b0), offset[r]);
            if constexpr (has_min(WT)) offset[r] = _mm256_fmadd_ps(mv, _mm256_loadu_ps(in[r].s + b0), offset[r]);
        }
    }
#pragma GCC unroll 8
    for (int u = 0; u < 8; u++) {
        if (!Full && u == count) break;
        const int64_t b = b0 + u;
        const __m256i w = stored_levels<WT>(block_ptrs(row, L, b));
        const __m256i w_abs = WT == WeightType::Q8_0 ? _mm256_sign_epi8(w, w) : w;  // dot_signed's first step
#pragma GCC unroll 8
        for (int r = 0; r < R; r++) {
            const __m256i qx = _mm256_load_si256(reinterpret_cast<const __m256i *>(in[r].q + b * kQuantBlock));
            __m256i pairs;
            if constexpr (WT == WeightType::Q8_0)
                pairs = _mm256_maddubs_epi16(w_abs, _mm256_sign_epi8(qx, w));
            else
                pairs = _mm256_maddubs_epi16(w, qx);
            const __m256 dot = _mm256_cvtepi32_ps(_mm256_madd_epi16(pairs, _mm256_set1_epi16(1)));
            const __m256 s = _mm256_broadcast_ss(&scales[r][u]);
            if (u & 1)
                odd[r] = _mm256_fmadd_ps(dot, s, odd[r]);
            else
                even[r] = _mm256_fmadd_ps(dot, s, even[r]);
        }
    }
}

// Input rows per register block: 3 accumulators per row plus the shared levels fit the 16 vector
// registers up to 4 rows.
constexpr int kSkinnyRows = 4;

// Rows [n0, n1) for input rows t0 .. t0 + R - 1. One weight row at a time, as the single-row kernel;
// a row's bytes stay in cache for the next group of input rows.
template <WeightType WT, bool Split, int R>
void gemv_row_rows(const MatmulArgs &m, const void *prep, int64_t n, int64_t t0) {
    const int64_t nb = m.K / kQuantBlock, rb = nb * quant_block_bytes(WT);
    const QuantRowLayout L = Split ? split_row_layout(WT, nb) : ggml_row_layout(WT);
    const __m256 c = _mm256_set1_ps(float(centre(WT)));
    PreparedRow in[R];
    for (int r = 0; r < R; r++) in[r] = prepared_row(prep, m.K, t0 + r);
    const char *row = static_cast<const char *>(m.w) + n * rb;
    __m256 even[R], odd[R], offset[R];
#pragma GCC unroll 8
    for (int r = 0; r < R; r++) even[r] = odd[r] = offset[r] = _mm256_setzero_ps();
    int64_t b0 = 0;
    for (; b0 + 8 <= nb; b0 += 8) gemv_group_rows<WT, Split, true, R>(row, L, b0, 8, in, c, even, odd, offset);
    if (b0 < nb) gemv_group_rows<WT, Split, false, R>(row, L, b0, nb - b0, in, c, even, odd, offset);
#pragma GCC unroll 8
    for (int r = 0; r < R; r++) m.y[(t0 + r) * m.N + n] = hsum(_mm256_add_ps(even[r], odd[r])) + hsum(offset[r]);
}

template <WeightType WT, bool Split>
void gemv_skinny(const MatmulArgs &m, const void *prep, int64_t n0, int64_t n1) {
    const int64_t groups = (m.T + kSkinnyRows - 1) / kSkinnyRows;
    for (int64_t n = n0; n < n1; n++)
        for (int64_t g = 0, t0 = 0; g < groups; g++) {
            const int64_t rows = (m.T - t0) / (groups - g);  // balanced groups
            switch (rows) {
                case 1:
                    gemv_row_rows<WT, Split, 1>(m, prep, n, t0);
                    break;
                case 2:
                    gemv_row_rows<WT, Split, 2>(m, prep, n, t0);
                    break;
                case 3:
                    gemv_row_rows<WT, Split, 3>(m, prep, n, t0);
                    break;
                default:
                    gemv_row_rows<WT, Split, 4>(m, prep, n, t0);
                    break;
            }
            t0 += rows;
        }
}

template <WeightType WT>
void gemv_typed(const MatmulArgs &m, int64_t n0, int64_t n1) {
    const void *prep = m.prep;
    thread_local std::vector<char> own;  // when the caller prepared nothing
    if (prep == nullptr) {
        const size_t bytes = size_t(m.T * prep_row_bytes(m.K));
        if (own.size() < bytes + 32) own.resize(bytes + 32);
        char *p = own.data() + (32 - reinterpret_cast<uintptr_t>(own.data()) % 32) % 32;  // 32-byte loads of q
        for (int64_t t = 0; t < m.T; t++) prepare_row(m.x + t * m.K, m.K, p + t * prep_row_bytes(m.K));
        prep = p;
    }
    if (m.T == 1 && m.blocked)
        gemv_rows<WT, true>(m, prep, n0, n1);
    else if (m.T == 1)
        gemv_rows<WT, false>(m, prep, n0, n1);
    else if (m.blocked)
        gemv_skinny<WT, true>(m, prep, n0, n1);
    else
        gemv_skinny<WT, false>(m, prep, n0, n1);
}

}  // namespace

void widen_blocks(WeightType t, const void *row, const QuantRowLayout &layout, int64_t b0, int64_t count, float *dst) {
    const char *r = static_cast<const char *>(row);
    switch (t) {
        case WeightType::Q4_0:
            return dequantize_typed<WeightType::Q4_0>(r, layout, b0, count, dst);
        case WeightType::Q4_1:
            return dequantize_typed<WeightType::Q4_1>(r, layout, b0, count, dst);
        case WeightType::Q5_0:
            return dequantize_typed<WeightType::Q5_0>(r, layout, b0, count, dst);
        case WeightType::Q5_1:
            return dequantize_typed<WeightType::Q5_1>(r, layout, b0, count, dst);
        case WeightType::Q8_0:
            return dequantize_typed<WeightType::Q8_0>(r, layout, b0, count, dst);
        default:
            return;
    }
}

int64_t quant_prep_bytes(WeightType t, int64_t K) {
    return is_quantized(t) ? prep_row_bytes(K) : 0;
}

void quant_prep(WeightType, const float *x, int64_t T, int64_t K, void *out) {
    for (int64_t r = 0; r < T; r++) prepare_row(x + r * K, K, static_cast<char *>(out) + r * prep_row_bytes(K));
}

void quant_gemv(const MatmulArgs &m, int64_t n0, int64_t n1) {
    switch (m.wtype) {
        case WeightType::Q4_0:
            return gemv_typed<WeightType::Q4_0>(m, n0, n1);
        case WeightType::Q4_1:
            return gemv_typed<WeightType::Q4_1>(m, n0, n1);
        case WeightType::Q5_0:
            return gemv_typed<WeightType::Q5_0>(m, n0, n1);
        case WeightType::Q5_1:
            return gemv_typed<WeightType::Q5_1>(m, n0, n1);
        case WeightType::Q8_0:
            return gemv_typed<WeightType::Q8_0>(m, n0, n1);
        default:
            return;
    }
}

}  // namespace avx2
}  // namespace rwkvx
