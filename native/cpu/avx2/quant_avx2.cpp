// AVX2 kernels for ggml's quantized blocks (common/quant.h): widening to float (embedding rows, the
// GEMM's weight panels) and the single-token product (GEMV). Compiled with -mavx2 -mfma -mf16c.
#include <immintrin.h>

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

inline float half_at(const char *p) {
    uint16_t h;
    std::memcpy(&h, p, 2);
    return _cvtsh_ss(h);
}

// 16 bytes of nibbles -> 32 bytes: the low nibbles (elements 0..15), then the high ones (16..31).
inline __m256i unpack_nibbles(const char *qs) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(qs));
    const __m256i both = _mm256_set_m128i(_mm_srli_epi16(v, 4), v);
    return _mm256_and_si256(both, _mm256_set1_epi8(0x0f));
}

// Byte j = 0xff where bit j of qh is set.
inline __m256i spread_bits(const char *qh_bytes) {
    uint32_t qh;
    std::memcpy(&qh, qh_bytes, 4);
    const __m256i shuffle = _mm256_set_epi64x(0x0303030303030303, 0x0202020202020202, 0x0101010101010101, 0);
    __m256i bytes = _mm256_shuffle_epi8(_mm256_set1_epi32(int(qh)), shuffle);
    bytes = _mm256_or_si256(bytes, _mm256_set1_epi64x(0x7fbfdfeff7fbfdfe));
    return _mm256_cmpeq_epi8(bytes, _mm256_set1_epi64x(-1));
}

// The 32 levels of one block as int8, element j in byte j, zero points folded in (the signed levels
// q - 8 and q - 16 of the _0 types; the _1 types' q, 0..31, are unsigned).
template <WeightType WT>
inline __m256i block_levels_i8(const char *blk) {
    if constexpr (WT == WeightType::Q4_0) {
        return _mm256_sub_epi8(unpack_nibbles(blk + 2), _mm256_set1_epi8(8));
    } else if constexpr (WT == WeightType::Q4_1) {
        return unpack_nibbles(blk + 4);
    } else if constexpr (WT == WeightType::Q5_0) {
        // q - 16 as int8: the low nibble, with 0xf0 on top where the fifth bit is clear.
        const __m256i high = _mm256_andnot_si256(spread_bits(blk + 2), _mm256_set1_epi8(int8_t(0xf0)));
        return _mm256_or_si256(unpack_nibbles(blk + 6), high);
    } else if constexpr (WT == WeightType::Q5_1) {
        const __m256i high = _mm256_and_si256(spread_bits(blk + 4), _mm256_set1_epi8(0x10));
        return _mm256_or_si256(unpack_nibbles(blk + 8), high);
    } else {
        return _mm256_loadu_si256(reinterpret_cast<const __m256i *>(blk + 2));
    }
}

// The block's 32 values as floats in four vectors of 8 (elements 0-7, 8-15, 16-23, 24-31), bit-exact
// with dequantize_row: d * q is exact, so fma(q, d, m) rounds once, as q * d + m does.
template <WeightType WT>
inline void dequantize_block(const char *blk, __m256 (&out)[4]) {
    const __m256i q = block_levels_i8<WT>(blk);
    const __m128i lo = _mm256_castsi256_si128(q), hi = _mm256_extracti128_si256(q, 1);
    const __m128i parts[4] = {lo, _mm_srli_si128(lo, 8), hi, _mm_srli_si128(hi, 8)};
    const __m256 d = _mm256_set1_ps(half_at(blk));
    for (int i = 0; i < 4; i++) {
        const __m256i w = has_min(WT) ? _mm256_cvtepu8_epi32(parts[i]) : _mm256_cvtepi8_epi32(parts[i]);
        if constexpr (has_min(WT))
            out[i] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(w), d, _mm256_set1_ps(half_at(blk + 2)));
        else
            out[i] = _mm256_mul_ps(_mm256_cvtepi32_ps(w), d);
    }
}

template <WeightType WT>
void dequantize_typed(const void *src, int64_t n, float *dst) {
    constexpr int64_t bb = quant_block_bytes(WT);
    const char *p = static_cast<const char *>(src);
    for (int64_t b = 0; b < n / kQuantBlock; b++) {
        __m256 v[4];
        dequantize_block<WT>(p + b * bb, v);
        for (int i = 0; i < 4; i++) _mm256_storeu_ps(dst + b * kQuantBlock + 8 * i, v[i]);
    }
}

// ---- single-token product ---------------------------------------------------------------------

// The inputs of a quantized GEMV, prepared once per call (quant_prep): per input row, the 8-bit
// blocks q (K bytes, 32-byte aligned), then their scales d (K/32 floats), then the block sums s of
// the float inputs (K/32 floats), which the _1 types' offsets multiply. Input block b is
// x ≈ d_b * q_b: q = round(x / d) with d = max|x| / 127, like ggml's Q8 activation blocks, but d is
// kept in float32.
struct PreparedRow {
    const int8_t *q;
    const float *d, *s;
};
inline int64_t prep_row_bytes(int64_t K) {
    return (K + 2 * (K / kQuantBlock) * 4 + 31) / 32 * 32;
}
inline PreparedRow prepared_row(const void *prep, int64_t K, int64_t t) {
    const char *p = static_cast<const char *>(prep) + t * prep_row_bytes(K);
    const float *d = reinterpret_cast<const float *>(p + K);
    return {reinterpret_cast<const int8_t *>(p), d, d + K / kQuantBlock};
}

void prepare_row(const float *x, int64_t K, char *out) {
    int8_t *q = reinterpret_cast<int8_t *>(out);
    float *d = reinterpret_cast<float *>(out + K), *s = d + K / kQuantBlock;
    const __m256 sign = _mm256_set1_ps(-0.0f);
    for (int64_t b = 0; b < K / kQuantBlock; b++) {
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
        const float sum = hsum(_mm256_add_ps(_mm256_add_ps(v[0], v[1]), _mm256_add_ps(v[2], v[3])));
        // A NaN or infinite input would vanish into the 8-bit levels: its block's scale becomes NaN.
        d[b] = sum - sum == 0.0f ? scale : sum - sum;
        s[b] = sum;
    }
}

// The _1 types' levels centred like the _0 types' (q − 8 for Q4_1, q − 16 for Q5_1), their offset
// m + c·d carried to the block sums of the float inputs instead: x = d·(q − c) + (m + c·d). The 8-bit
// inputs' rounding then meets |q − c| <= 16 rather than q <= 31, which halves its error (the weights
// far from m no longer count double; docs/numerics.md §2.9).
constexpr int kCentre[8] = {0, 0, 0, 0, 8, 0, 16, 0};

template <WeightType WT>
inline __m256i centred_levels_i8(const char *blk) {
    if constexpr (WT == WeightType::Q4_1) {
        return _mm256_sub_epi8(unpack_nibbles(blk + 4), _mm256_set1_epi8(8));
    } else if constexpr (WT == WeightType::Q5_1) {
        const __m256i high = _mm256_andnot_si256(spread_bits(blk + 4), _mm256_set1_epi8(int8_t(0xf0)));
        return _mm256_or_si256(unpack_nibbles(blk + 8), high);
    } else {
        return block_levels_i8<WT>(blk);
    }
}

// Sum over a block of signed levels w (int8) times 8-bit inputs q, as 8 int32 partial sums: maddubs
// multiplies unsigned by signed bytes, so |w| times q with w's sign (q is never −128).
inline __m256i dot_block(__m256i w, __m256i q) {
    const __m256i pairs = _mm256_maddubs_epi16(_mm256_sign_epi8(w, w), _mm256_sign_epi8(q, w));
    return _mm256_madd_epi16(pairs, _mm256_set1_epi16(1));
}

// Block b of one row times the prepared inputs, added to acc (and, for the _1 types, the offset
// (m + c·d)·s to offset).
template <WeightType WT>
inline void gemv_block(const char *row, int64_t b, const PreparedRow &in, __m256 &acc, float &offset) {
    const char *blk = row + b * quant_block_bytes(WT);
    const __m256i qx = _mm256_load_si256(reinterpret_cast<const __m256i *>(in.q + b * kQuantBlock));
    const __m256 dot = _mm256_cvtepi32_ps(dot_block(centred_levels_i8<WT>(blk), qx));
    const float d = half_at(blk);
    acc = _mm256_fmadd_ps(dot, _mm256_set1_ps(d * in.d[b]), acc);
    if constexpr (has_min(WT)) offset += (half_at(blk + 2) + float(kCentre[int(WT)]) * d) * in.s[b];
}

// The single-token product with 8-bit inputs and integer dot products per block (ggml's scheme; the
// faster of the two designs measured in bench/README.md, "Quantized weights"): y_n = sum over blocks
// of d_w * d_x * sum_j q_w,j * q_x,j (+ (m_w + c d_w) * s_x). One row at a time (a single sequential stream,
// faster than two or four rows at once here); even and odd blocks go to separate accumulators, so the
// FMA latency does not serialise the blocks.
template <WeightType WT>
void gemv_rows(const MatmulArgs &m, const void *prep, int64_t n0, int64_t n1) {
    const int64_t nb = m.K / kQuantBlock, rb = nb * quant_block_bytes(WT);
    for (int64_t t = 0; t < m.T; t++) {
        const PreparedRow in = prepared_row(prep, m.K, t);
        for (int64_t n = n0; n < n1; n++) {
            const char *row = static_cast<const char *>(m.w) + n * rb;
            __m256 even = _mm256_setzero_ps(), odd = even;
            float offset_even = 0.0f, offset_odd = 0.0f;
            int64_t b = 0;
            for (; b + 2 <= nb; b += 2) {
                gemv_block<WT>(row, b, in, even, offset_even);
                gemv_block<WT>(row, b + 1, in, odd, offset_odd);
            }
            if (b < nb) gemv_block<WT>(row, b, in, even, offset_even);
            m.y[t * m.N + n] = hsum(_mm256_add_ps(even, odd)) + (offset_even + offset_odd);
        }
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
    gemv_rows<WT>(m, prep, n0, n1);
}

}  // namespace

void dequantize_blocks(WeightType t, const void *src, int64_t n, float *dst) {
    switch (t) {
        case WeightType::Q4_0:
            return dequantize_typed<WeightType::Q4_0>(src, n, dst);
        case WeightType::Q4_1:
            return dequantize_typed<WeightType::Q4_1>(src, n, dst);
        case WeightType::Q5_0:
            return dequantize_typed<WeightType::Q5_0>(src, n, dst);
        case WeightType::Q5_1:
            return dequantize_typed<WeightType::Q5_1>(src, n, dst);
        case WeightType::Q8_0:
            return dequantize_typed<WeightType::Q8_0>(src, n, dst);
        default:
            return;
    }
}

int64_t quant_prep_bytes(WeightType t, int64_t K) {
    return is_quantized(t) ? prep_row_bytes(K) : 0;
}

void quant_prep(WeightType t, const float *x, int64_t T, int64_t K, void *out) {
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
