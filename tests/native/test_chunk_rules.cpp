// The shared chunk-selection rules (common/chunk_rules.h, docs/rwkv-x.md §5.2) against independent
// brute force: rules::TopK (and the CPU's select_top_k over it) against "sort by score descending,
// then chunk index descending, NaN as -inf" on random and adversarial scores (heavy ties, +0/-0, NaN,
// ±inf, k = 0, 1, k >= candidates, k = 64); rules::dot8_accumulate + tree8 against a hand-written FMA
// loop; and every CPU kernel table's dot8/scores8 (scalar, and AVX2 where the CPU has it) against the
// rules bit for bit, per head (D = 16..256) and over the all-heads concatenation. The CUDA selection
// (native/cuda/chunk_select.cu) uses the same header; tests/gpu/test_gpu_selection.cu compares it with
// this CPU path.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "attention/chunk_select.h"
#include "check.h"
#include "common/chunk_rules.h"
#include "cpu/dispatch.h"
#include "cpu/kernels.h"

namespace {

namespace rules = rwkvx::rules;
constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

uint32_t bits(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
}

// The same bits, or both NaN (a NaN's payload is not part of the rules).
bool same(float a, float b) {
    return bits(a) == bits(b) || (std::isnan(a) && std::isnan(b));
}

// ---- top-k ------------------------------------------------------------------------------------------

struct Expected {
    std::vector<int32_t> chunks;  // ascending
    bool nan = false;
};

// Brute force: rank every candidate by (score with NaN as -inf) descending, then index descending
// (ties go to the newer chunk; +0 == -0 under IEEE comparison), keep the first min(k, 64, n).
Expected brute_force(const std::vector<float> &s, int k) {
    Expected e;
    const int n = int(s.size());
    if (k <= 0 || n == 0) return e;
    std::vector<int32_t> order(static_cast<size_t>(n));
    for (int i = 0; i < n; i++) order[size_t(i)] = i;
    auto key = [&](int32_t c) { return std::isnan(s[size_t(c)]) ? -kInf : s[size_t(c)]; };
    std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
        const float ka = key(a), kb = key(b);
        return ka > kb || (ka == kb && a > b);
    });
    const int take = std::min({k, rules::kMaxTopK, n});
    e.chunks.assign(order.begin(), order.begin() + take);
    std::sort(e.chunks.begin(), e.chunks.end());
    for (float x : s) e.nan = e.nan || std::isnan(x);
    return e;
}

int cases_topk = 0;

void check_topk(const std::vector<float> &s, int k, const std::string &what) {
    cases_topk++;
    const Expected e = brute_force(s, k);
    const std::string tag = what + " n=" + std::to_string(s.size()) + " k=" + std::to_string(k);

    // rules::TopK directly, every candidate offered in ascending index.
    rules::TopK<rules::kMaxTopK> top(k);
    for (size_t c = 0; c < s.size(); c++) top.offer(s[c], int32_t(c));
    std::vector<int32_t> got(rules::kMaxTopK + 1, -1);
    const int n = top.ascending(got.data());
    got.resize(size_t(n));
    expect(got == e.chunks, "TopK selects the brute force's chunks: " + tag);
    expect(top.saw_nan == e.nan, "TopK flags NaN exactly when one was offered: " + tag);
    expect(std::is_sorted(got.begin(), got.end()) && std::adjacent_find(got.begin(), got.end()) == got.end(),
           "ascending output strictly increasing: " + tag);

    // The CPU drivers' wrapper (attention/chunk_select.h), as sparse_prefill.cpp and decode.cpp call it.
    std::vector<int32_t> out(size_t(std::max(k, 1)) + 1, -1);
    bool nan = false;
    const int m = rwkvx::attn::select_top_k(
        int64_t(s.size()), k, [&](int64_t c) { return s[size_t(c)]; }, out.data(), &nan);
    out.resize(size_t(m));
    expect(out == e.chunks, "select_top_k selects the brute force's chunks: " + tag);
    expect(nan == e.nan, "select_top_k flags NaN exactly when one was offered: " + tag);
}

void test_topk() {
    std::mt19937 rng(20240611);
    const int ks[] = {0, 1, 2, 3, 5, 8, 16, 31, 63, 64};
    const int ns[] = {0, 1, 2, 3, 7, 8, 33, 64, 65, 100, 300};

    // Random scores drawn from a palette: few distinct values (heavy ties), ±0, ±inf, NaN.
    const std::vector<std::vector<float>> palettes = {
        {0.5f, -0.5f, 1.0f, 2.0f, -3.0f},
        {0.0f, -0.0f},
        {0.0f, -0.0f, 1e-30f, -1e-30f, 1e-45f, -1e-45f},
        {kNaN, 1.0f, -1.0f, 0.0f},
        {kNaN, -kInf, kInf},
        {kNaN, -kInf},
        {kNaN},
        {-kInf, 0.0f, kInf, -0.0f, 7.0f},
    };
    for (int n : ns)
        for (int k : ks) {
            for (size_t pi = 0; pi < palettes.size(); pi++) {
                const auto &pal = palettes[pi];
                std::uniform_int_distribution<size_t> pick(0, pal.size() - 1);
                for (int rep = 0; rep < 3; rep++) {
                    std::vector<float> s(static_cast<size_t>(n));
                    for (float &x : s) x = pal[pick(rng)];
                    check_topk(s, k, "palette " + std::to_string(pi));
                }
            }
            // Continuous random scores (distinct), with a NaN or an inf planted now and then.
            std::normal_distribution<float> g(0.0f, 1.0f);
            for (int rep = 0; rep < 3; rep++) {
                std::vector<float> s(static_cast<size_t>(n));
                for (float &x : s) x = g(rng);
                if (n > 0 && rep == 1) s[rng() % size_t(n)] = kNaN;
                if (n > 0 && rep == 2) s[rng() % size_t(n)] = -kInf;
                check_topk(s, k, "random");
            }
            // Monotone sequences (every offer displaces / none does) and all equal.
            const size_t un = static_cast<size_t>(n);
            std::vector<float> up(un), down(un), flat(un, 1.0f);
            for (int i = 0; i < n; i++) {
                up[size_t(i)] = float(i);
                down[size_t(i)] = float(-i);
            }
            check_topk(up, k, "ascending scores");
            check_topk(down, k, "descending scores");
            check_topk(flat, k, "all equal");
        }
    // k beyond the candidates, and beyond kMaxTopK (the TopK clamps to 64; the API never passes it).
    std::vector<float> s(200);
    for (size_t i = 0; i < s.size(); i++) s[i] = float((i * 37) % 11) - 5.0f;
    for (int k : {64, 65, 100, 200, 1000}) check_topk(s, k, "k beyond 64");

    // Hand-checked cases of the rules' wording.
    {
        // +0 and -0 tie: the newer wins whichever sign it has.
        rules::TopK<rules::kMaxTopK> t(1);
        t.offer(0.0f, 0);
        t.offer(-0.0f, 1);
        int32_t out[1];
        expect(t.ascending(out) == 1 && out[0] == 1, "-0 after +0: the newer chunk wins");
    }
    {
        // A NaN ties with a real -inf as -inf: the newer wins; the flag is set.
        rules::TopK<rules::kMaxTopK> t(1);
        t.offer(-kInf, 0);
        t.offer(kNaN, 1);
        int32_t out[1];
        expect(t.ascending(out) == 1 && out[0] == 1 && t.saw_nan, "NaN after -inf: the newer chunk wins, flagged");
        rules::TopK<rules::kMaxTopK> u(1);
        u.offer(kNaN, 0);
        u.offer(-kInf, 1);
        expect(u.ascending(out) == 1 && out[0] == 1 && u.saw_nan, "-inf after NaN: the newer chunk wins, flagged");
        rules::TopK<rules::kMaxTopK> v(2);
        v.offer(kNaN, 0);
        v.offer(-1e30f, 1);
        v.offer(kNaN, 2);
        int32_t o2[2];
        expect(v.ascending(o2) == 2 && o2[0] == 1 && o2[1] == 2, "a finite score beats NaNs; NaNs tie newest first");
    }
    {
        rules::TopK<rules::kMaxTopK> t(0);
        t.offer(kNaN, 0);
        expect(!t.saw_nan && t.count == 0, "k = 0 offers nothing and flags nothing");
    }
    std::printf("top-k: %d cases against the brute force\n", cases_topk);
}

// ---- scores -------------------------------------------------------------------------------------------

// Hand-written: p[d mod 8] = fma(q[d], m[d], p[d mod 8]) over the concatenated vector, then
// ((p0 + p4) + (p2 + p6)) + ((p1 + p5) + (p3 + p7)).
float reference_score(const float *q, const float *m, int len) {
    float p[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (int d = 0; d < len; d++) p[d % 8] = std::fma(q[d], m[d], p[d % 8]);
    const float a = p[0] + p[4];
    const float b = p[2] + p[6];
    const float c = p[1] + p[5];
    const float e = p[3] + p[7];
    const float left = a + b;
    const float right = c + e;
    return left + right;
}

// Values with a wide spread of exponents, subnormals included, so any reassociation or contraction
// shows in the low bits; `special` adds ±inf and NaN.
std::vector<float> values(size_t n, std::mt19937 &rng, bool special) {
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    std::uniform_int_distribution<int> ex(-30, 30);
    std::vector<float> v(n);
    for (float &x : v) {
        const int r = int(rng() % 64);
        if (r == 0)
            x = 1e-40f * u(rng);  // subnormal
        else if (r == 1)
            x = u(rng) < 0 ? -0.0f : 0.0f;
        else
            x = std::ldexp(u(rng), ex(rng) / 6);
        if (special && rng() % 97 == 0) x = rng() % 3 == 0 ? kNaN : (rng() % 2 ? kInf : -kInf);
    }
    return v;
}

void test_tree8() {
    std::mt19937 rng(7);
    int checks = 0;
    for (int D = 16; D <= 256; D += 16)
        for (int rep = 0; rep < 20; rep++) {
            const bool special = rep >= 18;
            const std::vector<float> q = values(size_t(D), rng, special), m = values(size_t(D), rng, special);
            float p[8] = {0, 0, 0, 0, 0, 0, 0, 0};
            rules::dot8_accumulate(q.data(), m.data(), D, p);
            expect(same(rules::tree8(p), reference_score(q.data(), m.data(), D)),
                   "rules::dot8_accumulate + tree8 = hand-written FMA loop, D=" + std::to_string(D));
            checks++;
        }
    // All heads: accumulating head by head into the same partials = one pass over the concatenation.
    for (int D : {16, 32, 48, 64, 128}) {
        for (int H : {1, 2, 3, 5}) {
            const int len = H * D;
            const std::vector<float> q = values(size_t(len), rng, false), m = values(size_t(len), rng, false);
            float p[8] = {0, 0, 0, 0, 0, 0, 0, 0};
            for (int h = 0; h < H; h++) rules::dot8_accumulate(q.data() + h * D, m.data() + h * D, D, p);
            expect(same(rules::tree8(p), reference_score(q.data(), m.data(), len)),
                   "head-by-head partials = concatenation, H=" + std::to_string(H) + " D=" + std::to_string(D));
            checks++;
        }
    }
    // chunk_mean is one multiplication by the fp32 reciprocal.
    for (int B : {1, 3, 7, 16, 100, 2048, 4095}) {
        const float inv = rules::inv_chunk(B);
        expect(bits(inv) == bits(1.0f / float(B)), "inv_chunk = 1.0f / B, B=" + std::to_string(B));
        const float s = 123.456f;
        expect(bits(rules::chunk_mean(s, inv)) == bits(s * inv), "chunk_mean = sum * (1/B)");
        checks += 2;
    }
    std::printf("dot8/tree8: %d checks against the hand-written loop\n", checks);
}

void test_kernel_table(const rwkvx::KernelTable &kt, const std::string &name) {
    std::mt19937 rng(99);
    int checks = 0;
    // dot8 from zero partials and continuing from non-zero ones.
    for (int D = 16; D <= 256; D += 16)
        for (int rep = 0; rep < 6; rep++) {
            const bool special = rep == 5;
            const std::vector<float> q = values(size_t(D), rng, special), m = values(size_t(D), rng, special);
            const std::vector<float> start = values(8, rng, false);
            float a[8], b[8];
            for (int i = 0; i < 8; i++) a[i] = b[i] = rep % 2 ? start[size_t(i)] : 0.0f;
            kt.dot8(q.data(), m.data(), D, a);
            rules::dot8_accumulate(q.data(), m.data(), D, b);
            bool ok = true;
            for (int i = 0; i < 8; i++) ok = ok && same(a[i], b[i]);
            expect(ok, name + " dot8 = rules::dot8_accumulate, D=" + std::to_string(D));
            checks++;
        }
    // scores8 over n chunks (the 4-chunk blocks and the tail), per head (a head's slice of [c][H][D]
    // rows) and over the concatenation (scope ALL: len = H * D).
    for (int D : {16, 32, 48, 64, 80, 128, 192, 256})
        for (int H : {1, 3})
            for (int n : {1, 2, 3, 4, 5, 7, 8, 9, 13}) {
                const int64_t HD = int64_t(H) * D;
                const bool special = n == 13;
                const std::vector<float> q = values(size_t(HD), rng, special);
                const std::vector<float> means = values(size_t(n * HD), rng, special);
                std::vector<float> s(static_cast<size_t>(n));
                for (int h = 0; h < H; h++) {
                    kt.scores8(q.data() + h * D, means.data() + h * D, HD, n, D, s.data());
                    bool ok = true;
                    for (int c = 0; c < n; c++) {
                        float p[8] = {0, 0, 0, 0, 0, 0, 0, 0};
                        rules::dot8_accumulate(q.data() + h * D, means.data() + c * HD + h * D, D, p);
                        ok = ok && same(s[size_t(c)], rules::tree8(p));
                    }
                    expect(ok, name + " scores8 per head = rules, D=" + std::to_string(D) + " H=" + std::to_string(H) +
                                   " n=" + std::to_string(n));
                    checks++;
                }
                kt.scores8(q.data(), means.data(), HD, n, int(HD), s.data());
                bool ok = true;
                for (int c = 0; c < n; c++) {
                    // decode.cpp's all-heads score: head by head into the same partials.
                    float p[8] = {0, 0, 0, 0, 0, 0, 0, 0};
                    for (int h = 0; h < H; h++) kt.dot8(q.data() + h * D, means.data() + c * HD + h * D, D, p);
                    ok = ok && same(s[size_t(c)], rules::tree8(p)) &&
                         same(s[size_t(c)], reference_score(q.data(), means.data() + c * HD, int(HD)));
                }
                expect(ok, name + " scores8 over all heads = decode's head-by-head dot8 = rules, D=" +
                               std::to_string(D) + " H=" + std::to_string(H) + " n=" + std::to_string(n));
                checks++;
            }
    std::printf("%s: %d dot8/scores8 checks bit-identical to the rules\n", name.c_str(), checks);
}

}  // namespace

int main() {
    test_topk();
    test_tree8();
    test_kernel_table(rwkvx::scalar_kernels(), "scalar");
    const rwkvx::KernelTable &best = rwkvx::select_kernels(false);
    if (&best != &rwkvx::scalar_kernels()) {
        test_kernel_table(rwkvx::avx2_kernels_tuned_for(true), "avx2 (AMD tuning)");
        test_kernel_table(rwkvx::avx2_kernels_tuned_for(false), "avx2 (Intel tuning)");
    } else {
        std::printf("no AVX2/FMA/F16C on this CPU: the AVX2 table is not checked\n");
    }
    return finish();
}
