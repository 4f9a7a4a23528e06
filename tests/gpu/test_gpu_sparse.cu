// The CUDA sparse prefill (native/cuda/sparse_prefill.cu with chunk_select.cu and sparse_attend.cu)
// end to end against a float64 reference (docs/rwkv-x.md §5.1): each query attends to its own chunk
// causally and to the top_k chunks that the CPU's rules select for it (computed here on the host:
// rules:: means, the kernel table's scores8, attn::select_top_k). Both scopes, F32/F16/BF16 keys and
// values, chunk sizes that are not multiples of 64, top_k >= the candidates (which must equal full
// causal attention), top_k = 0 and calls without complete chunks (own chunk only), and calls that
// continue a KV cache (past > 0, [H][capacity][D] rows, means from the cache's running sums) with
// NaN/inf planted in values no query may see (§5.6).
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
    bool cache;   // K/V as a cache [H][capacity][D] with the running sums given
    bool full;    // top_k covers every candidate: the reference is full causal attention
    bool poison;  // NaN/inf in values no query sees
};

std::string describe(const Case &c) {
    return host_selection::describe(c) + (c.cache ? " cache+sums" : "") + (c.full ? " (=full)" : "") +
           (c.poison ? " poisoned" : "");
}

void run_case(const Case &c, std::mt19937 &rng, const KernelTable &kt) {
    const int64_t n_keys = c.past + c.T, HD = int64_t(c.H) * c.D;
    const int32_t Hs = c.scope == RWKVX_ATTN_SCOPE_ALL ? 1 : c.H;
    const int64_t slots = (n_keys + c.B - 1) / c.B + 1;
    const int64_t capacity = n_keys + 24;
    const int64_t stride = c.cache ? c.D : HD, head_stride = c.cache ? capacity * c.D : c.D;
    const size_t n_elems = size_t(c.cache ? c.H * capacity * c.D : n_keys * HD);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    std::vector<float> kf(n_elems), vf(n_elems);
    for (float &x : kf) x = 2.0f * u(rng);
    for (float &x : vf) x = u(rng);
    const int64_t q_stride = HD + 8, o_stride = HD + 4;
    std::vector<float> q(size_t(c.T * q_stride));
    for (float &x : q) x = u(rng);

    // Keys first (they decide the selection); the poison goes into values only.
    host_selection::Rows k = host_selection::make_rows(c.dtype, stride, head_stride, kf, kt);
    const host_selection::Selection hsel =
        host_selection::select(kt, k, q, q_stride, c.T, c.past, c.H, c.D, c.B, c.top_k, c.scope, slots);
    const int kp = c.top_k;
    if (c.poison) {
        // Chunks that no query of head h selected and that hold no query: nobody may read their values.
        const int64_t first_own = c.past / c.B;
        for (int32_t h = 0; h < c.H; h++) {
            const int32_t hs = c.scope == RWKVX_ATTN_SCOPE_ALL ? 0 : h;
            std::vector<char> used(size_t(slots), 0);
            for (int64_t t = 0; t < c.T; t++)
                for (int i = 0; i < hsel.count[size_t(t * Hs + hs)]; i++)
                    used[size_t(hsel.sel[size_t((t * Hs + hs) * kp + i)])] = 1;
            for (int64_t j = 0; j < first_own * c.B; j++)
                if (!used[size_t(j / c.B)])
                    for (int32_t d = 0; d < c.D; d++) vf[size_t(k.at(j, h, d))] = (j + d) % 3 ? NAN : INFINITY;
        }
        // Rows beyond the cache length, keys and values.
        if (c.cache)
            for (int32_t h = 0; h < c.H; h++)
                for (int64_t j = n_keys; j < capacity; j++)
                    for (int32_t d = 0; d < c.D; d++) {
                        kf[size_t(k.at(j, h, d))] = NAN;
                        vf[size_t(k.at(j, h, d))] = INFINITY;
                    }
        k = host_selection::make_rows(c.dtype, stride, head_stride, kf, kt);
    }
    const host_selection::Rows v = host_selection::make_rows(c.dtype, stride, head_stride, vf, kt);
    const float scale = 1.0f / std::sqrt(float(c.D));

    // Float64 reference over the union of the own chunk (causal) and the selected chunks.
    std::vector<double> ref_o(size_t(c.T * HD)), ref_lse(size_t(c.T * c.H));
    std::vector<int64_t> keys;
    std::vector<double> s;
    bool covers_all = true;
    for (int64_t t = 0; t < c.T; t++) {
        const int64_t pos = c.past + t, own = pos / c.B;
        for (int32_t h = 0; h < c.H; h++) {
            const int32_t hs = c.scope == RWKVX_ATTN_SCOPE_ALL ? 0 : h;
            const int n_sel = hsel.count[size_t(t * Hs + hs)];
            covers_all = covers_all && n_sel == int(own < 0 ? 0 : own);
            keys.clear();
            if (c.full) {
                for (int64_t j = 0; j <= pos; j++) keys.push_back(j);
            } else {
                for (int i = 0; i < n_sel; i++)
                    for (int64_t j = 0; j < c.B; j++)
                        keys.push_back(int64_t(hsel.sel[size_t((t * Hs + hs) * kp + i)]) * c.B + j);
                for (int64_t j = own * c.B; j <= pos; j++) keys.push_back(j);
            }
            s.assign(keys.size(), 0.0);
            double m = -INFINITY;
            for (size_t i = 0; i < keys.size(); i++) {
                double dot = 0;
                for (int32_t d = 0; d < c.D; d++)
                    dot += double(q[size_t(t * q_stride + h * c.D + d)]) * k.f[size_t(k.at(keys[i], h, d))];
                s[i] = scale * dot;
                m = std::fmax(m, s[i]);
            }
            double l = 0;
            for (double &x : s) l += (x = std::exp(x - m));
            for (int32_t d = 0; d < c.D; d++) {
                double acc = 0;
                for (size_t i = 0; i < keys.size(); i++) acc += s[i] * v.f[size_t(v.at(keys[i], h, d))];
                ref_o[size_t(t * HD + h * c.D + d)] = acc / l;
            }
            ref_lse[size_t(t * c.H + h)] = m + std::log(l);
        }
    }
    if (c.full) expect(covers_all, "the case selects every candidate (top_k >= candidates): " + describe(c));

    // Device.
    Device<uint8_t> dk(k.bytes), dv(v.bytes);
    Device<float> dq(q), dsums(hsel.sums), dout(size_t(c.T * o_stride)), dlse(size_t(c.T * c.H));
    Device<uint32_t> ddiag(1);
    GPU_CHECK(cudaMemset(dout.ptr, 0xff, dout.n * sizeof(float)));  // NaN until written
    GPU_CHECK(cudaMemset(dlse.ptr, 0xff, dlse.n * sizeof(float)));
    cuda::SparseParams sp{};
    sp.f = cuda::FlashParams{
        c.T,      c.past,   c.H,      c.D,
        scale,    dq.ptr,   q_stride, cuda::KvRows{dk.ptr, dv.ptr, c.dtype, stride, stride, head_stride},
        dout.ptr, o_stride, dlse.ptr};
    sp.B = c.B;
    sp.top_k = c.top_k;
    sp.scope = c.scope;
    sp.sums = c.cache ? dsums.ptr : nullptr;
    sp.sum_slots = slots;
    sp.diag = ddiag.ptr;
    cudaStream_t stream;
    GPU_CHECK(cudaStreamCreate(&stream));
    cuda::sparse_prefill(sp, stream);
    GPU_CHECK(cudaStreamSynchronize(stream));
    GPU_CHECK(cudaStreamDestroy(stream));

    const std::vector<float> o = dout.download(), lse = dlse.download();
    std::vector<float> o_rows(size_t(c.T * HD));
    for (int64_t t = 0; t < c.T; t++)
        std::memcpy(&o_rows[size_t(t * HD)], &o[size_t(t * o_stride)], size_t(HD) * sizeof(float));
    // F32: fp32 arithmetic throughout; F16/BF16 allow for kernels that round q and P to the
    // values' dtype for the tensor cores (as flash_prefill_mma does).
    const double tol = c.dtype == RWKVX_DTYPE_F32 ? 2e-5 : c.dtype == RWKVX_DTYPE_F16 ? 2e-3 : 1.6e-2;
    const double err_o = gpu_test::scaled_error(o_rows.data(), ref_o.data(), o_rows.size(), tol, tol);
    const double err_lse = gpu_test::scaled_error(lse.data(), ref_lse.data(), lse.size(), tol, tol);
    const uint32_t diag = ddiag.download()[0];
    std::printf("  %-58s o err %.3g, lse err %.3g (of tolerance %.1g)\n", describe(c).c_str(), err_o, err_lse, tol);
    expect(err_o <= 1.0, "o within tolerance of the float64 reference: " + describe(c));
    expect(err_lse <= 1.0, "lse within tolerance of the float64 reference: " + describe(c));
    expect(diag == 0, "no NaN score, no flag: " + describe(c));
    // Padding between output rows is never written.
    bool pad_untouched = true;
    for (int64_t t = 0; t < c.T; t++)
        for (int64_t i = HD; i < o_stride; i++)
            pad_untouched = pad_untouched && std::isnan(o[size_t(t * o_stride + i)]);
    expect(pad_untouched, "nothing written between output rows: " + describe(c));
}

}  // namespace

int main() {
    if (!gpu_test::device_available()) return gpu_test::no_device_exit();
    const KernelTable &kt = select_kernels(false);
    std::mt19937 rng(4321);
    const int32_t F32 = RWKVX_DTYPE_F32, F16 = RWKVX_DTYPE_F16, BF16 = RWKVX_DTYPE_BF16;
    const int32_t HEAD = RWKVX_ATTN_SCOPE_HEAD, ALL = RWKVX_ATTN_SCOPE_ALL;
    const Case cases[] = {
        // dtype H  D   B   k  scope  T    past  cache  full   poison
        {F32, 2, 64, 48, 2, HEAD, 500, 0, false, false, false},
        {F16, 3, 64, 100, 3, ALL, 700, 0, false, false, false},
        {BF16, 2, 128, 37, 3, HEAD, 300, 0, false, false, false},
        {F32, 4, 16, 20, 3, HEAD, 230, 0, false, false, false},
        {BF16, 2, 64, 72, 1, ALL, 400, 0, false, false, false},
        // top_k >= every query's candidates: full causal attention.
        {F32, 2, 64, 32, 8, ALL, 200, 0, false, true, false},
        {F16, 2, 64, 32, 64, HEAD, 260, 0, false, true, false},
        {BF16, 1, 128, 50, 6, HEAD, 340, 0, false, true, false},
        // Own chunk only: top_k = 0, and no complete chunk yet.
        {F32, 2, 64, 40, 0, HEAD, 150, 0, false, false, false},
        {F32, 2, 64, 100, 3, HEAD, 80, 0, false, false, false},
        // Continuing a cache: means from its running sums, poison where nobody may look.
        {F32, 2, 64, 50, 3, HEAD, 250, 333, true, false, true},
        {BF16, 3, 64, 50, 2, ALL, 90, 200, true, false, true},
        {F16, 2, 64, 64, 3, HEAD, 1, 1000, true, false, true},
        {F32, 2, 32, 30, 2, HEAD, 130, 95, false, false, true},
    };
    for (const Case &c : cases) run_case(c, rng, kt);
    std::printf("sparse prefill: %zu cases\n", sizeof(cases) / sizeof(cases[0]));
    return finish();
}
