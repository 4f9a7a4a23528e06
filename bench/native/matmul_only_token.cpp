// matmul_only_token.cpp — see matmul_only_token.h.
#include "matmul_only_token.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "bench_common.h"
#include "common/thread_pool.h"
#include "cpu/cpu_ops.h"
#include "cpu/dispatch.h"
#include "cpu/kernels.h"

namespace rwkvx_bench {

namespace {

// One matrix of a token: [rows, cols] and its role (its dtype under the format).
struct Shape {
    std::int64_t rows, cols;
    MatrixRole role;
};

// The matrices of each group of matmuls that the engine runs in one parallel region for one token
// (rwkv7_blocks.cpp, rwkv4_forward.cpp), in order; the head last.
std::vector<std::vector<Shape>> token_groups(const Geometry &g) {
    const std::int64_t C = g.n_embd, F = g.ffn;
    const MatrixRole B = MatrixRole::Block, L = MatrixRole::Lora;
    std::vector<std::vector<Shape>> groups;
    for (int l = 0; l < g.n_layer; ++l) {
        if (g.arch == RWKVX_ARCH_RWKV4) {
            groups.push_back({{C, C, B}, {C, C, B}, {C, C, B}});  // receptance, key, value
            groups.push_back({{C, C, B}});                        // output
            groups.push_back({{F, C, B}, {C, C, B}});             // FFN key, FFN receptance
            groups.push_back({{C, F, B}});                        // FFN value
            continue;
        }
        // Receptance, key, value and the LoRA first stages (the value LoRA from layer 1 on).
        groups.push_back({{C, C, B}, {C, C, B}, {C, C, B}, {g.d_w, C, L}, {g.d_a, C, L}, {g.d_g, C, L}});
        if (l > 0) groups.back().push_back({g.d_v, C, L});
        groups.push_back({{C, g.d_w, L}, {C, g.d_a, L}, {C, g.d_g, L}});  // LoRA second stages
        if (l > 0) groups.back().push_back({C, g.d_v, L});
        groups.push_back({{C, C, B}});  // output
        groups.push_back({{F, C, B}});  // FFN key
        groups.push_back({{C, F, B}});  // FFN value
    }
    groups.push_back({{g.n_vocab, g.n_embd, MatrixRole::Head}});
    return groups;
}

}  // namespace

struct MatmulOnlyToken::Impl {
    rwkvx::ThreadPool pool;
    rwkvx::CpuOps ops;
    std::vector<std::vector<rwkvx::MatmulArgs>> groups;
    std::vector<float> input, output;
    std::unique_ptr<AlignedMapping> mapping;
    std::int64_t bytes = 0;
    std::string note;

    int max_rows = 1;

    Impl(const Geometry &g, int format, int threads, int rows)
        : pool(threads), ops(pool, rwkvx::select_kernels(false)), max_rows(rows) {
        const auto shapes = token_groups(g);
        std::int64_t widest_in = 0, outputs = 0;
        for (const auto &group : shapes) {
            std::int64_t group_out = 0;
            for (const auto &s : group) {
                bytes += dtype_bytes_of(matrix_dtype(format, s.role), s.rows * s.cols);
                widest_in = std::max(widest_in, s.cols);
                group_out += s.rows;
            }
            outputs = std::max(outputs, group_out);
        }
        mapping.reset(new AlignedMapping(static_cast<std::size_t>(bytes), std::size_t(2) << 20, true));
        char *w = mapping->data();
        if (!w) {
            note = "could not map " + std::to_string(bytes) + " bytes of weights";
            return;
        }
        // 0x3c in every byte is a small finite value in all formats (a quantized block's d and m are
        // 0x3c3c, about 1.06); writing it also maps the pages.
        std::memset(w, 0x3c, static_cast<std::size_t>(bytes));
        input.assign(static_cast<std::size_t>(widest_in * max_rows), 0.01f);
        output.assign(static_cast<std::size_t>(outputs * max_rows), 0.0f);
        for (const auto &group : shapes) {
            groups.emplace_back();
            std::int64_t y = 0;
            for (const auto &s : group) {
                const int dt = matrix_dtype(format, s.role);
                // Laid out like resident weights: float matrices in 32-row blocks, quantized ones in
                // split rows (every byte is the same here, so only the kernels' paths differ).
                groups.back().push_back(rwkvx::MatmulArgs{rwkvx::WeightType(dt), w, s.rows, s.cols, input.data(), 1,
                                                          output.data() + y * max_rows, /*blocked=*/true});
                w += dtype_bytes_of(dt, s.rows * s.cols);
                y += s.rows;
            }
        }
    }
};

MatmulOnlyToken::MatmulOnlyToken(const Geometry &g, int format, int threads, int max_rows)
    : impl_(new Impl(g, format, threads, std::max(1, max_rows))) {}

MatmulOnlyToken::~MatmulOnlyToken() = default;

bool MatmulOnlyToken::ok() const {
    return impl_->mapping->data() != nullptr;
}

const std::string &MatmulOnlyToken::note() const {
    return impl_->note;
}

std::int64_t MatmulOnlyToken::bytes() const {
    return impl_->bytes;
}

void MatmulOnlyToken::run(int rows) {
    if (!ok()) return;
    rows = std::min(std::max(1, rows), impl_->max_rows);
    for (auto &group : impl_->groups) {
        for (auto &m : group) m.T = rows;
        impl_->ops.matmul_many(group);
    }
}

}  // namespace rwkvx_bench
