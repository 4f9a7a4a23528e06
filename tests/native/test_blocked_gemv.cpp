// The matmul over blocked (resident) weights, kernels.h, against a float64 reference: every weight
// format, 1 to 17 input rows (single-token, skinny products of batched decode, the first GEMM), row
// counts that give every grouping of blocks (groups of four, pairs, the middle block alone) and
// row-major tail rows (on Intel four far-apart rows at a time, then single ones; N = 31 is all tail),
// inputs split into column ranges as threads split them; below the table's GEMM threshold each row
// of a many-row product equals the single-row product of that row bit for bit,
// and both streaming tunings of the AVX2 table (AMD and Intel) whatever this CPU is, plus the
// scalar table. Built from the kernel sources: these tables are internal, not in the C ABI.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "check.h"
#include "cpu/dispatch.h"
#include "cpu/kernels.h"
#include "cpu/weight_layout.h"
#include "half_floats.h"
#include "rwkvx.h"

namespace {

using rwkvx::WeightType;

// Weights drawn as floats and stored in the format; `exact` holds the values the format keeps.
struct Matrix {
    WeightType type;
    int64_t N, K;
    std::vector<uint8_t> bytes;  // row-major, then blocked in place
    std::vector<double> exact;   // row-major
};

Matrix make_matrix(WeightType type, int64_t N, int64_t K, std::mt19937 &rng) {
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    Matrix m{type, N, K, {}, std::vector<double>(size_t(N * K))};
    const int64_t elem = type == WeightType::F32 ? 4 : 2;
    m.bytes.resize(size_t(N * K * elem));
    for (int64_t i = 0; i < N * K; i++) {
        const float f = u(rng);
        if (type == WeightType::F32) {
            std::memcpy(&m.bytes[size_t(4 * i)], &f, 4);
            m.exact[size_t(i)] = f;
        } else {
            const uint16_t h = type == WeightType::F16 ? to_half(f) : to_bf16(f);
            std::memcpy(&m.bytes[size_t(2 * i)], &h, 2);
            m.exact[size_t(i)] = type == WeightType::F16 ? rwkvx::half_to_float(h) : rwkvx::bf16_to_float(h);
        }
    }
    rwkvx::block_weights(type, m.bytes.data(), N, K);
    return m;
}

// Column ranges as CpuOps hands them out: boundaries at multiples of kBlockRows inside the blocked
// rows, anywhere in the row-major tail.
std::vector<int64_t> split_points(int64_t N, int parts) {
    const int64_t blocks = rwkvx::blocked_rows(N) / rwkvx::kBlockRows;
    std::vector<int64_t> at{0};
    for (int p = 1; p < parts; p++) {
        const int64_t cut = blocks * p / parts * rwkvx::kBlockRows;
        if (cut > at.back()) at.push_back(cut);
    }
    if (N > rwkvx::blocked_rows(N) + 1) at.push_back(rwkvx::blocked_rows(N) + 1);  // a cut inside the tail
    at.push_back(N);
    return at;
}

void check_table(const rwkvx::KernelTable &table, const std::string &name) {
    std::mt19937 rng(20261204);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    const char *type_names[] = {"f32", "f16", "bf16"};
    // Blocks: 1, 2, 3 (pair + middle), 4 (one group), 5, 7 (group, pair, middle), 9, 16; tails of 0-31 rows.
    const int64_t rows[] = {32, 64, 96, 128, 160, 232, 288, 300, 512, 31};
    for (WeightType type : {WeightType::F32, WeightType::F16, WeightType::BF16})
        for (int64_t N : rows)
            for (int64_t K : {16, 40, 64}) {
                const Matrix m = make_matrix(type, N, K, rng);
                for (int64_t T = 1; T <= 17; T++)
                    for (int parts : {1, 2, 3}) {
                        if (T > 2 && T < 17 && parts == 2) continue;  // fewer runs: every T with 1 and 3 parts
                        std::vector<float> x(size_t(T * K)), y(size_t(T * N), NAN);
                        for (float &v : x) v = u(rng);
                        const std::vector<int64_t> at = split_points(N, parts);
                        auto run = [&](const float *xs, int64_t rows, float *ys) {
                            rwkvx::MatmulArgs args{type, m.bytes.data(), N, K, xs, rows, ys, true};
                            for (size_t p = 0; p + 1 < at.size(); p++) table.matmul(args, at[p], at[p + 1]);
                        };
                        run(x.data(), T, y.data());
                        const std::string what = name + " " + type_names[int(type)] + " N=" + std::to_string(N) +
                                                 " K=" + std::to_string(K) + " T=" + std::to_string(T) + " in " +
                                                 std::to_string(at.size() - 1) + " ranges";
                        if (T > 1 && T < table.gemm_min_rows) {
                            bool same = true;
                            std::vector<float> one(static_cast<size_t>(N));
                            for (int64_t t = 0; t < T; t++) {
                                run(x.data() + t * K, 1, one.data());
                                same = same && std::memcmp(one.data(), y.data() + t * N, size_t(N) * 4) == 0;
                            }
                            expect(same, what + ": every row equals its single-row product bit for bit");
                        }
                        double error = 0;
                        for (int64_t t = 0; t < T; t++)
                            for (int64_t n = 0; n < N; n++) {
                                double want = 0, magnitude = 0;
                                for (int64_t k = 0; k < K; k++) {
                                    const double term = m.exact[size_t(n * K + k)] * x[size_t(t * K + k)];
                                    want += term, magnitude += std::fabs(term);
                                }
                                // float32 sums of K terms, in any order.
                                const double bound = 2.0 * double(K) * 0x1p-24 * magnitude + 1e-30;
                                error = worse(error, std::fabs(double(y[size_t(t * N + n)]) - want) / bound);
                            }
                        expect(error <= 1.0, what + ": error " + std::to_string(error) + " of the float32 bound");
                    }
            }
}

}  // namespace

int main() {
    check_table(rwkvx::scalar_kernels(), "scalar");
    const uint32_t need = RWKVX_CPU_AVX2 | RWKVX_CPU_FMA | RWKVX_CPU_F16C;
    if ((rwkvx::detect_cpu_features() & need) == need) {
        check_table(rwkvx::avx2_kernels_tuned_for(true), "avx2 (AMD streaming)");
        check_table(rwkvx::avx2_kernels_tuned_for(false), "avx2 (Intel streaming)");
        expect(&rwkvx::avx2_kernels() == &rwkvx::avx2_kernels_tuned_for(rwkvx::cpu_is_amd()),
               "the AVX2 table is the one tuned for this CPU's vendor");
    } else {
        std::printf("no AVX2/FMA/F16C: only the scalar table is checked\n");
    }
    return finish();
}
