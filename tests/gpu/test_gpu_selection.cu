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

#include "common/chunk_rules.h"
#include "cpu/dispatch.h"
#include "cpu/kernels.h"
#include "cuda/cuda_kernels.h"
#include "gpu_test.h"
#include "host_selection.h"

namespace {

using namespace rwkvx;
using gpu_test::Device;

struct Case : host_selection::Shape {
    bool from_sums, ties, nan_key;
};

std::string describe(const Case &c) {
    return host_selection::describe(c) + (c.from_sums ? " sums" : "") + (c.ties ? " ties" : "") +
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
    const host_selection::Rows k = host_selection::make_rows(c.dtype, stride, head_stride, kf, kt);

    // Queries [T][H][D] with a padded token stride; a few queries repeated exactly.
    const int64_t q_stride = HD + 16;
    std::vector<float> q(size_t(c.T * q_stride));
    for (float &x : q) x = u(rng);
    if (c.ties && c.T > 2)
        for (int64_t d = 0; d < HD; d++) q[size_t((c.T - 1) * q_stride + d)] = q[size_t(d)];

    const host_selection::Selection hsel =
        host_selection::select(kt, k, q, q_stride, c.T, c.past, c.H, c.D, c.B, c.top_k, c.scope, slots);

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
    const cuda::SelectParams sp{c.T,    c.past,   c.H,        c.D,    c.B,      kp,         c.scope,
                                dq.ptr, q_stride, dmeans.ptr, n_full, dsel.ptr, dcount.ptr, ddiag.ptr};
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
    const host_selection::Rows k = host_selection::make_rows(RWKVX_DTYPE_BF16, HD, D, kf, kt);
    for (int32_t scope : {RWKVX_ATTN_SCOPE_HEAD, RWKVX_ATTN_SCOPE_ALL}) {
        const int32_t Hs = scope == RWKVX_ATTN_SCOPE_ALL ? 1 : H;
        const host_selection::Selection hsel =
            host_selection::select(kt, k, q, HD, T, 0, H, D, B, kp, scope, n_full + 1);
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
