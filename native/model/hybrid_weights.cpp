#include <cstdlib>
#include <cstring>
#include <string>

#include "common/errors.h"
#include "model/hybrid.h"
#include "model/tensor_set.h"

namespace rwkvx {

namespace {
constexpr const char *kPrefix = "moba.";

// j of a "moba.j.…" name, or -1 when the name has no block number.
int64_t block_index(const char *name) {
    const char *p = name + std::strlen(kPrefix);
    if (*p < '0' || *p > '9') return -1;
    char *end = nullptr;
    long long j = std::strtoll(p, &end, 10);
    return *end == '.' ? int64_t(j) : -1;
}
}  // namespace

HybridWeights bind_hybrid(const rwkvx_named_tensor *tensors, int64_t n, bool owned) {
    RWKVX_REQUIRE_ARG(tensors != nullptr || n == 0, "tensors is NULL");
    std::vector<rwkvx_named_tensor> rwkv, moba;
    int64_t n_attn = 0;
    for (int64_t i = 0; i < n; i++) {
        RWKVX_REQUIRE_ARG(tensors[i].name != nullptr, "tensor #" + std::to_string(i) + " has a NULL name");
        if (std::strncmp(tensors[i].name, kPrefix, std::strlen(kPrefix)) != 0) {
            rwkv.push_back(tensors[i]);
            continue;
        }
        int64_t j = block_index(tensors[i].name);
        if (j < 0 || j > 4096)
            fail(RWKVX_ERROR_ARGUMENT, std::string("tensor '") + tensors[i].name +
                                           "': expected moba.<block>.<name> with a block number in 0..4096");
        n_attn = std::max(n_attn, j + 1);
        moba.push_back(tensors[i]);
    }

    HybridWeights w;
    w.rwkv = bind_rwkv7(rwkv.data(), int64_t(rwkv.size()), owned);
    const int64_t R = int64_t(w.rwkv.layers.size()), C = w.rwkv.n_embd;
    if (n_attn == 0) fail(RWKVX_ERROR_MISSING_TENSOR, "RWKV-X model has no attention blocks (no 'moba.0.*' tensors)");
    if (R % n_attn != 0)
        fail(RWKVX_ERROR_ARGUMENT, "RWKV-X layout: " + std::to_string(R) + " RWKV layers are not divisible by " +
                                       std::to_string(n_attn) + " attention layers (n_layer % n_attn_layer must be 0)");
    if (C % 64 != 0)
        fail(RWKVX_ERROR_SHAPE,
             "RWKV-X attention needs n_embd divisible by 64 (heads of 64), found " + std::to_string(C));
    w.interval = R / n_attn;

    TensorSet set(moba.data(), int64_t(moba.size()), owned);
    for (int64_t j = 0; j < n_attn; j++) {
        const std::string p = kPrefix + std::to_string(j) + ".";
        AttnBlock a{};
        a.ln1_w = set.vector(p + "ln1.weight", C, w.aligned_copies);
        a.ln1_b = set.vector(p + "ln1.bias", C, w.aligned_copies);
        a.ln2_w = set.vector(p + "ln2.weight", C, w.aligned_copies);
        a.ln2_b = set.vector(p + "ln2.bias", C, w.aligned_copies);
        a.q = set.matrix(p + "att.receptance.weight", C, C);
        a.k = set.matrix(p + "att.key.weight", C, C);
        a.v = set.matrix(p + "att.value.weight", C, C);
        a.o = set.matrix(p + "att.output.weight", C, C);
        a.ffn_x_k = set.vector(p + "ffn.x_k", C, w.aligned_copies);
        a.ffn_key = set.matrix(p + "ffn.key.weight", -1, C);
        a.ffn_value = set.matrix(p + "ffn.value.weight", C, a.ffn_key.rows);
        w.attn.push_back(a);
    }
    set.reject_unused("RWKV-X attention");
    w.rwkv.n_params += set.params;
    w.rwkv.weight_bytes += set.bytes;
    return w;
}

rwkvx_hybrid_config default_hybrid_config() {
    rwkvx_hybrid_config c{};
    c.chunk_size = 2048;
    c.top_k = 3;
    c.scope = RWKVX_ATTN_SCOPE_HEAD;
    c.prefill_mode = RWKVX_ATTN_SPARSE;
    c.decode_mode = RWKVX_ATTN_SPARSE;
    c.kv_dtype = RWKVX_DTYPE_F32;
    c.dense_below = 2048 * 3;
    c.kv_max_size = 0;
    c.kv_window = 2000;
    c.kv_min_size = 16000;
    return c;
}

void check_hybrid_config(const rwkvx_hybrid_config &c) {
    RWKVX_REQUIRE_ARG(c.chunk_size >= 1, "RWKV-X config: chunk_size " + std::to_string(c.chunk_size) + " must be >= 1");
    RWKVX_REQUIRE_ARG(c.top_k >= 0 && c.top_k <= 64,
                      "RWKV-X config: top_k " + std::to_string(c.top_k) + " out of range 0..64");
    RWKVX_REQUIRE_ARG(
        c.scope == RWKVX_ATTN_SCOPE_HEAD || c.scope == RWKVX_ATTN_SCOPE_ALL,
        "RWKV-X config: scope " + std::to_string(c.scope) + " is not an rwkvx_attn_scope (0 head, 1 all)");
    for (int32_t m : {c.prefill_mode, c.decode_mode})
        RWKVX_REQUIRE_ARG(
            m == RWKVX_ATTN_FULL || m == RWKVX_ATTN_SPARSE,
            "RWKV-X config: attention mode " + std::to_string(m) + " is not an rwkvx_attn_mode (0 full, 1 sparse)");
    RWKVX_REQUIRE_ARG(
        c.kv_dtype == RWKVX_DTYPE_F32 || c.kv_dtype == RWKVX_DTYPE_F16 || c.kv_dtype == RWKVX_DTYPE_BF16,
        "RWKV-X config: kv_dtype " + std::to_string(c.kv_dtype) + " is not an rwkvx_dtype (F32, F16, BF16)");
    RWKVX_REQUIRE_ARG(c.dense_below >= 0 && c.dense_below < int64_t(c.chunk_size) * (c.top_k + 1),
                      "RWKV-X config: dense_below " + std::to_string(c.dense_below) +
                          " must be in [0, chunk_size*(top_k+1) = " +
                          std::to_string(int64_t(c.chunk_size) * (c.top_k + 1)) + ") so that prefill and decode agree");
    RWKVX_REQUIRE_ARG(c.kv_max_size >= 0, "RWKV-X config: kv_max_size is negative");
    if (c.kv_max_size > 0)
        RWKVX_REQUIRE_ARG(c.kv_window >= 0 && c.kv_window < c.kv_min_size && c.kv_min_size <= c.kv_max_size,
                          "RWKV-X config: need 0 <= kv_window < kv_min_size <= kv_max_size; found " +
                              std::to_string(c.kv_window) + ", " + std::to_string(c.kv_min_size) + ", " +
                              std::to_string(c.kv_max_size));
}

}  // namespace rwkvx
