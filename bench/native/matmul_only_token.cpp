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

rwkvx::WeightType weight_type(int dtype) {
    return dtype == RWKVX_DTYPE_F32   ? rwkvx::WeightType::F32
           : dtype == RWKVX_DTYPE_F16 ? rwkvx::WeightType::F16
                                      : rwkvx::WeightType::BF16;
}

// Shapes [rows, cols] of each group of matmuls that the engine runs in one parallel region for one
// token (rwkv7_blocks.cpp, rwkv4_forward.cpp), in order; the head last.
std::vector<std::vector<std::array<std::int64_t, 2>>> token_groups(const Geometry &g) {
    const std::int64_t C = g.n_embd, F = g.ffn;
    std::vector<std::vector<std::array<std::int64_t, 2>>> groups;
    for (int l = 0; l < g.n_layer; ++l) {
        if (g.arch == RWKVX_ARCH_RWKV4) {
            groups.push_back({{C, C}, {C, C}, {C, C}});  // receptance, key, value
            groups.push_back({{C, C}});                  // output
            groups.push_back({{F, C}, {C, C}});          // FFN key, FFN receptance
            groups.push_back({{C, F}});                  // FFN value
            continue;
        }
        // Receptance, key, value and the LoRA first stages (the value LoRA from layer 1 on).
        groups.push_back({{C, C}, {C, C}, {C, C}, {g.d_w, C}, {g.d_a, C}, {g.d_g, C}});
        if (l > 0) groups.back().push_back({g.d_v, C});
        groups.push_back({{C, g.d_w}, {C, g.d_a}, {C, g.d_g}});  // LoRA second stages
        if (l > 0) groups.back().push_back({C, g.d_v});
        groups.push_back({{C, C}});  // output
        groups.push_back({{F, C}});  // FFN key
        groups.push_back({{C, F}});  // FFN value
    }
    groups.push_back({{g.n_vocab, g.n_embd}});  // head
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

    Impl(const Geometry &g, int dtype, int threads) : pool(threads), ops(pool, rwkvx::select_kernels(false)) {
        const auto shapes = token_groups(g);
        std::int64_t widest_in = 0, outputs = 0;
        for (const auto &group : shapes) {
            std::int64_t group_out = 0;
            for (const auto &s : group) {
                bytes += s[0] * s[1] * static_cast<std::int64_t>(dtype_size(dtype));
                widest_in = std::max(widest_in, s[1]);
                group_out += s[0];
            }
            outputs = std::max(outputs, group_out);
        }
        // Every matrix is a whole number of 64-byte lines here (all sizes are multiples of 32).
        mapping.reset(new AlignedMapping(static_cast<std::size_t>(bytes), std::size_t(2) << 20, true));
        char *w = mapping->data();
        if (!w) {
            note = "could not map " + std::to_string(bytes) + " bytes of weights";
            return;
        }
        // 0x3c in every byte is a small finite value in all three formats; writing it also maps the pages.
        std::memset(w, 0x3c, static_cast<std::size_t>(bytes));
        input.assign(static_cast<std::size_t>(widest_in), 0.01f);
        output.assign(static_cast<std::size_t>(outputs), 0.0f);
        for (const auto &group : shapes) {
            groups.emplace_back();
            std::int64_t y = 0;
            for (const auto &s : group) {
                groups.back().push_back(rwkvx::MatmulArgs{weight_type(dtype), w, s[0], s[1], input.data(), 1,
                                                          output.data() + y, /*blocked=*/true});
                w += s[0] * s[1] * static_cast<std::int64_t>(dtype_size(dtype));
                y += s[0];
            }
        }
    }
};

MatmulOnlyToken::MatmulOnlyToken(const Geometry &g, int dtype, int threads) : impl_(new Impl(g, dtype, threads)) {}

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

void MatmulOnlyToken::run() {
    if (!ok()) return;
    for (const auto &group : impl_->groups) impl_->ops.matmul_many(group);
}

}  // namespace rwkvx_bench
