// The CUDA chunk selection (native/cuda/chunk_select.cu) against the CPU's, bit for bit
// (docs/rwkv-x.md §5.2, §5.3): chunk means from key rows (F32, F16, BF16) and from a KV cache's running
// sums, then the top-k per (query, selection head) for both scopes, B in {1, 16, 100}, top_k in
// {0, 1, 3, 8}, with planted ties (duplicate chunks), NaN keys (the diagnostic flag) and queries that
// continue a cache (past > 0). The host side is the CPU's code path: rules:: sums and means, the kernel
// table's scores8 and attn::select_top_k, exactly as native/attention/sparse_prefill.cpp runs them.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "../native/half_floats.h"
#include "attention/chunk_select.h"
#include "common/chunk_rules.h"
#include "cpu/dispatch.h"
#include "cpu/kernels.h"
#include "cuda/cuda_kernels.h"
#include "gpu_test.h"

namespace {

using namespace rwkvx;
using gpu_test::Device;

// Key rows of one dtype: element (row j, head h, dim d) at h * head_stride + j * stride + d, stored
// in `bytes` and widened (exactly) in `f`.
struct Rows {
    int32_t dtype;
    int64_t stride, head_stride, n_elems;
    std::vector<uint8_t> bytes;
    std::vector<float> f;
    int64_t at(int64_t j, int32_t h, int32_t d) const { return h * head_stride + j * stride + d; }
};

Rows make_rows(int32_t dtype, int64_t n_elems, int64_t stride, int64_t head_stride, const std::vector<float> &src,
               const KernelTable &kt) {
    Rows r{dtype, stride, head_stride, n_elems, {}, std::vector<float>(size_t(n_elems))};
    const int64_t eb = dtype == RWKVX_DTYPE_F32 ? 4 : 2;
    r.bytes.resize(size_t(n_elems * eb));
    for (int64_t i = 0; i < n_elems; i++) {
        if (dtype == RWKVX_DTYPE_F32) {
            std::memcpy(&r.bytes[size_t(4 * i)], &src[size_t(i)], 4);
        } else {
            const uint16_t h = dtype == RWKVX_DTYPE_F16 ? to_half(src[size_t(i)]) : to_bf16(src[size_t(i)]);
            std::memcpy(&r.bytes[size_t(2 * i)], &h, 2);
        }
    }
    kt.to_f32(WeightType(dtype), r.bytes.data(), r.f.data(), n_elems);
    return r;
}

struct HostSelection {
    std::vector<float> means;  // [n_full][H][D]
    std::vector<float> sums;   // [H][slots][D], every chunk (the last one partial)
    std::vector<int32_t> sel;  // [T][Hs][top_k]
    std::vector<int32_t> count;
    bool nan = false;
};

// The CPU's selection (native/attention/sparse_prefill.cpp steps 1-2, decode.cpp's sums).
HostSelection host_select(const KernelTable &kt, const Rows &k, const std::vector<float> &q, int64_t q_stride,
                          int64_t T, int64_t past, int32_t H, int32_t D, int32_t B, int32_t top_k, int32_t scope,
                          int64_t slots) {
    HostSelection s;
    const int64_t n_full = (past + T) / B, HD = int64_t(H) * D;
    const int32_t Hs = scope == RWKVX_ATTN_SCOPE_ALL ? 1 : H;
    s.sums.assign(size_t(int64_t(H) * slots * D), 0.0f);
    for (int32_t h = 0; h < H; h++)
        for (int64_t j = 0; j < past + T; j++)
            for (int32_t d = 0; d < D; d++) {
                float &sum = s.sums[size_t((h * slots + j / B) * D + d)];
                sum = rules::add_rn(sum, k.f[size_t(k.at(j, h, d))]);
            }
    const float inv_b = rules::inv_chunk(B);
    s.means.assign(size_t(n_full * HD), 0.0f);
    for (int64_t c = 0; c < n_full; c++)
        for (int32_t h = 0; h < H; h++)
            for (int32_t d = 0; d < D; d++)
                s.means[size_t(c * HD + h * D + d)] = rules::chunk_mean(s.sums[size_t((h * slots + c) * D + d)], inv_b);
    const int kp = top_k;
    s.sel.assign(size_t(T * Hs * (kp > 0 ? kp : 1)), -1);
    s.count.assign(size_t(T * Hs), 0);
    std::vector<float> scores(size_t(n_full > 0 ? n_full : 1));
    for (int64_t t = 0; t < T; t++) {
        const float *qt = q.data() + t * q_stride;
        const int64_t n_cand = (past + t) / B;
        for (int32_t hs = 0; hs < Hs; hs++) {
            const int len = scope == RWKVX_ATTN_SCOPE_ALL ? int(HD) : D;
            if (kp > 0 && n_cand > 0)
                kt.scores8(qt + int64_t(hs) * D, &s.means[size_t(int64_t(hs) * D)], HD, n_cand, len, scores.data());
            s.count[size_t(t * Hs + hs)] = attn::select_top_k(
                n_cand, kp, [&](int64_t c) { return scores[size_t(c)]; }, &s.sel[size_t((t * Hs + hs) * kp)], &s.nan);
        }
    }
    return s;
}

struct Case {
    int32_t dtype, H, D, B, top_k, scope;
    int64_t T, past;
    bool from_sums, ties, nan_key;
};

std::string describe(const Case &c) {
    const char *dt[] = {"F32", "F16", "BF16"};
    return std::string(dt[c.dtype]) + " H=" + std::to_string(c.H) + " D=" + std::to_string(c.D) +
           " B=" + std::to_string(c.B) + " k=" + std::to_string(c.top_k) +
           (c.scope == RWKVX_ATTN_SCOPE_ALL ? " ALL" : " HEAD") + " T=" + std::to_string(c.T) +
           " past=" + std::to_string(c.past) + (c.from_sums ? " sums" : "") + (c.ties ? " ties" : "") +
           (c.nan_key ? " nan" : "");
}

int mismatched_cases = 0;

void run_case(const Case &c, std::mt19937 &rng, const KernelTable &kt) {
    const int64_t n_keys = c.past + c.T;
    const int64_t HD = int64_t(c.H) * c.D;
    const int64_t n_full = n_keys / c.B;
    const int32_t Hs = c.scope == RWKVX_ATTN_SCOPE_ALL ? 1 : c.H;
    const int64_t slots = (n_keys + c.B - 1) / c.B + 1;

    // Keys: token-major [n_keys][H][D], or a cache [H][capacity][D] when the means come from sums.
    const int64_t capacity = n_keys + 5;
    const int64_t stride = c.from_sums ? c.D : HD;
    const int64_t head_stride = c.from_sums ? capacity * c.D : c.D;
    const int64_t n_elems = c.from_sums ? c.H * capacity * c.D : n_keys * HD;
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    std::vector<float> kf(static_cast<size_t>(n_elems));
    for (float &x : kf) x = u(rng);
    auto idx = [&](int64_t j, int32_t h, int32_t d) { return size_t(h * head_stride + j * stride + d); };
    if (c.ties && n_full >= 3) {
        // Duplicate chunks: equal means, equal scores; the newer copy must win the tie.
        for (int rep = 0; rep < 4; rep++) {
            const int64_t a = int64_t(rng() % uint32_t(n_full)), b = int64_t(rng() % uint32_t(n_full));
            if (a == b) continue;
            for (int64_t j = 0; j < c.B; j++)
                for (int32_t h = 0; h < c.H; h++)
                    for (int32_t d = 0; d < c.D; d++) kf[idx(b * c.B + j, h, d)] = kf[idx(a * c.B + j, h, d)];
        }
    }
    if (c.nan_key && n_full >= 2) {
        const int64_t j = int64_t(rng() % uint32_t((n_full - 1) * c.B));
        kf[idx(j, int32_t(rng() % uint32_t(c.H)), int32_t(rng() % uint32_t(c.D)))] = NAN;
    }
    const Rows k = make_rows(c.dtype, n_elems, stride, head_stride, kf, kt);

    // Queries [T][H][D] with a padded token stride; a few queries repeated exactly.
    const int64_t q_stride = HD + 16;
    std::vector<float> q(size_t(c.T * q_stride));
    for (float &x : q) x = u(rng);
    if (c.ties && c.T > 2)
        for (int64_t d = 0; d < HD; d++) q[size_t((c.T - 1) * q_stride + d)] = q[size_t(d)];

    const HostSelection hsel = host_select(kt, k, q, q_stride, c.T, c.past, c.H, c.D, c.B, c.top_k, c.scope, slots);

    // Device.
    Device<uint8_t> dk(k.bytes);
    Device<float> dq(q), dmeans(size_t(n_full > 0 ? n_full * HD : 1)), dsums(hsel.sums);
    const int kp = c.top_k;
    Device<int32_t> dsel(size_t(c.T * Hs * (kp > 0 ? kp : 1))), dcount(size_t(c.T * Hs));
    Device<uint32_t> ddiag(1);
    GPU_CHECK(cudaMemset(dcount.ptr, 0xff, dcount.n * sizeof(int32_t)));  // every count must be written
    const float inv_b = rules::inv_chunk(c.B);
    if (c.from_sums)
        cuda::chunk_means_from_sums(dsums.ptr, slots, n_full, c.H, c.D, inv_b, dmeans.ptr, nullptr);
    else
        cuda::chunk_means(cuda::KvRows{dk.ptr, dk.ptr, c.dtype, stride, stride, head_stride}, n_full, c.H, c.D, c.B,
                          inv_b, dmeans.ptr, nullptr);
    cuda::SelectParams sp{};
    sp.T = c.T;
    sp.past = c.past;
    sp.H = c.H;
    sp.D = c.D;
    sp.B = c.B;
    sp.top_k = kp;
    sp.scope = c.scope;
    sp.q = dq.ptr;
    sp.q_stride = q_stride;
    sp.means = dmeans.ptr;
    sp.n_full = n_full;
    sp.sel = dsel.ptr;
    sp.count = dcount.ptr;
    sp.diag = ddiag.ptr;
    cuda::select_chunks(sp, nullptr);
    GPU_CHECK(cudaDeviceSynchronize());

    const std::string tag = describe(c);
    bool ok = true;
    if (n_full > 0) {
        const std::vector<float> means = dmeans.download();
        size_t bad = 0;
        for (size_t i = 0; i < hsel.means.size(); i++)
            if (std::memcmp(&means[i], &hsel.means[i], 4) != 0) bad++;
        expect(bad == 0, "chunk means bit-identical to the CPU's (" + std::to_string(bad) + " differ): " + tag);
        ok = ok && bad == 0;
    }
    const std::vector<int32_t> sel = dsel.download(), count = dcount.download();
    const uint32_t diag = ddiag.download()[0];
    size_t bad_rows = 0;
    for (int64_t r = 0; r < c.T * Hs; r++) {
        bool same = count[size_t(r)] == hsel.count[size_t(r)];
        for (int i = 0; same && i < hsel.count[size_t(r)]; i++)
            same = sel[size_t(r * kp + i)] == hsel.sel[size_t(r * kp + i)];
        if (!same && bad_rows++ < 3) {
            std::string got, want;
            for (int i = 0; i < count[size_t(r)] && i < kp; i++) got += " " + std::to_string(sel[size_t(r * kp + i)]);
            for (int i = 0; i < hsel.count[size_t(r)]; i++) want += " " + std::to_string(hsel.sel[size_t(r * kp + i)]);
            std::printf("  row %lld (t=%lld, hs=%lld): device [%s ] host [%s ]\n", (long long)r, (long long)(r / Hs),
                        (long long)(r % Hs), got.c_str(), want.c_str());
        }
    }
    expect(bad_rows == 0,
           "selected chunks identical to the CPU's (" + std::to_string(bad_rows) + " rows differ): " + tag);
    const uint32_t want_diag = hsel.nan ? RWKVX_ATTN_DIAG_NAN_SCORE : 0u;
    expect(diag == want_diag,
           "NaN-score flag " + std::to_string(diag) + ", CPU " + std::to_string(want_diag) + ": " + tag);
    if (c.nan_key && kp > 0 && n_full >= 2)
        expect(hsel.nan, "a NaN key gives a NaN score somewhere (the case tests the flag): " + tag);
    ok = ok && bad_rows == 0 && diag == want_diag;
    if (!ok) mismatched_cases++;
}

// A larger call, timed, still checked against the CPU.
void timed_case(const KernelTable &kt) {
    std::mt19937 rng(5);
    const int32_t H = 8, D = 64, B = 64, kp = 8;
    const int64_t T = 8192, HD = int64_t(H) * D, n_full = T / B;
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    std::vector<float> kf(size_t(T * HD)), q(size_t(T * HD));
    for (float &x : kf) x = u(rng);
    for (float &x : q) x = u(rng);
    const Rows k = make_rows(RWKVX_DTYPE_BF16, T * HD, HD, D, kf, kt);
    for (int32_t scope : {RWKVX_ATTN_SCOPE_HEAD, RWKVX_ATTN_SCOPE_ALL}) {
        const int32_t Hs = scope == RWKVX_ATTN_SCOPE_ALL ? 1 : H;
        const HostSelection hsel = host_select(kt, k, q, HD, T, 0, H, D, B, kp, scope, n_full + 1);
        Device<uint8_t> dk(k.bytes);
        Device<float> dq(q), dmeans(size_t(n_full * HD));
        Device<int32_t> dsel(size_t(T * Hs * kp)), dcount(size_t(T * Hs));
        cuda::SelectParams sp{T, 0, H, D, B, kp, scope, dq.ptr, HD, dmeans.ptr, n_full, dsel.ptr, dcount.ptr, nullptr};
        const cuda::KvRows kv{dk.ptr, dk.ptr, RWKVX_DTYPE_BF16, HD, HD, D};
        cudaEvent_t e0, e1, e2;
        GPU_CHECK(cudaEventCreate(&e0));
        GPU_CHECK(cudaEventCreate(&e1));
        GPU_CHECK(cudaEventCreate(&e2));
        for (int warm = 0; warm < 2; warm++) {
            GPU_CHECK(cudaEventRecord(e0));
            cuda::chunk_means(kv, n_full, H, D, B, rules::inv_chunk(B), dmeans.ptr, nullptr);
            GPU_CHECK(cudaEventRecord(e1));
            cuda::select_chunks(sp, nullptr);
            GPU_CHECK(cudaEventRecord(e2));
            GPU_CHECK(cudaEventSynchronize(e2));
        }
        float ms_means = 0, ms_sel = 0;
        GPU_CHECK(cudaEventElapsedTime(&ms_means, e0, e1));
        GPU_CHECK(cudaEventElapsedTime(&ms_sel, e1, e2));
        const std::vector<int32_t> sel = dsel.download(), count = dcount.download();
        bool same = count == hsel.count;
        for (int64_t r = 0; same && r < T * Hs; r++)
            for (int i = 0; i < count[size_t(r)]; i++)
                same = same && sel[size_t(r * kp + i)] == hsel.sel[size_t(r * kp + i)];
        expect(same, std::string("timed case selects the CPU's chunks, scope ") + (scope ? "ALL" : "HEAD"));
        std::printf("T=%lld H=%d D=%d B=%d top_k=%d %s: means %.3f ms, selection %.3f ms\n", (long long)T, H, D, B, kp,
                    scope ? "ALL " : "HEAD", ms_means, ms_sel);
        cudaEventDestroy(e0);
        cudaEventDestroy(e1);
        cudaEventDestroy(e2);
    }
}

}  // namespace

int main() {
    if (!gpu_test::device_available()) return gpu_test::no_device_exit();
    const KernelTable &kt = select_kernels(false);
    std::mt19937 rng(1234);
    int n = 0;
    struct Shape {
        int32_t H, D;
    };
    const Shape shapes[] = {{2, 64}, {3, 80}, {1, 256}, {4, 16}};
    const int32_t dtypes[] = {RWKVX_DTYPE_F32, RWKVX_DTYPE_F16, RWKVX_DTYPE_BF16};
    for (int32_t B : {1, 16, 100})
        for (int32_t top_k : {0, 1, 3, 8})
            for (int32_t scope : {RWKVX_ATTN_SCOPE_HEAD, RWKVX_ATTN_SCOPE_ALL})
                for (int variant = 0; variant < 4; variant++) {
                    Case c{};
                    c.dtype = dtypes[(n + variant) % 3];
                    const Shape s = shapes[(n / 3 + variant) % 4];
                    c.H = s.H;
                    c.D = s.D;
                    c.B = B;
                    c.top_k = top_k;
                    c.scope = scope;
                    // Enough keys for more than one tile of 32 chunks and of 32 queries.
                    c.T = B == 1 ? 150 + 37 * variant : B == 16 ? 700 + 13 * variant : 2100 + 61 * variant;
                    c.past = variant >= 2 ? (B == 1 ? 41 : int64_t(B) * 3 + 7) : 0;
                    c.from_sums = variant == 3;
                    c.ties = variant == 1 || variant == 3;
                    c.nan_key = variant == 2;
                    run_case(c, rng, kt);
                    n++;
                }
    std::printf("selection: %d cases, %d with a mismatch (means, chosen chunks or flag)\n", n, mismatched_cases);
    timed_case(kt);
    return finish();
}
