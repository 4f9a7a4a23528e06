// RWKV-X hybrid model tests through the C ABI on a small synthetic RWKV-7 (C=64: one attention head):
// zero-initialised attention blocks leave the RWKV-7 function unchanged for every allowed A; with
// random attention weights prefill equals token-by-token decode across several chunks; state
// export/import/copy round trips mid-sequence; layout and config errors say what is wrong.
// Also resident weights (RWKVX_CONTEXT_RESIDENT_WEIGHTS, blocked matrices) for RWKV-7 and RWKV-X: the
// same logits up to float32 rounding as borrowed weights after the tensors the model was made from
// are overwritten and freed.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "check.h"
#include "rwkvx.h"
#include "synthetic_rwkv7.h"

namespace {

constexpr int64_t C = 64, V = 232, F = 4 * C, D = 16, R = 12;  // V: 7 blocks of 32 rows + 8 (resident layout)

Tensors rwkv7() {
    return synthetic_rwkv7({C, C, V, F, R, D, D, D, D});
}

// Adds A attention blocks; zero = output and ffn.value zero (the expansion initialisation).
void add_attention(Tensors &w, int64_t A, bool zero) {
    add_hybrid_attention(w, A, C, F, zero);
}

struct Run {
    rwkvx_model *model = nullptr;
    rwkvx_state *state = nullptr;
    ~Run() {
        rwkvx_state_free(state);
        rwkvx_model_free(model);
    }
};

bool create(rwkvx_context *ctx, Tensors &w, int arch, const rwkvx_hybrid_config *cfg, Run &r) {
    auto named = w.named();
    rwkvx_status st = arch == RWKVX_ARCH_HYBRID && cfg
                          ? rwkvx_model_create_hybrid(ctx, named.data(), int64_t(named.size()), cfg, &r.model)
                          : rwkvx_model_create(ctx, arch, named.data(), int64_t(named.size()), &r.model);
    if (st != RWKVX_OK) return false;
    return rwkvx_state_create(r.model, &r.state) == RWKVX_OK;
}

std::vector<float> eval(Run &r, const std::vector<int32_t> &tok, bool serial) {
    std::vector<float> out;
    if (serial) {
        std::vector<float> l(V);
        for (int32_t t : tok) {
            rwkvx_model_eval(r.model, r.state, &t, 1, l.data(), RWKVX_LOGITS_LAST);
            out.insert(out.end(), l.begin(), l.end());
        }
    } else {
        out.resize(tok.size() * V);
        rwkvx_model_eval(r.model, r.state, tok.data(), int64_t(tok.size()), out.data(), RWKVX_LOGITS_ALL);
    }
    return out;
}

double max_diff(const std::vector<float> &a, const std::vector<float> &b) {
    if (a.size() != b.size()) return 1e30;
    double m = 0;
    for (size_t i = 0; i < a.size(); i++) m = worse(m, std::fabs(double(a[i]) - double(b[i])));
    return m;
}

std::vector<int32_t> tokens(int n) {
    std::vector<int32_t> t;
    for (int i = 0; i < n; i++) t.push_back(int32_t((i * 7 + 3) % V));
    return t;
}

void test_zero_expansion(rwkvx_context *ctx) {
    auto tok = tokens(40);
    Tensors base = rwkv7();
    for (int64_t A : {1, 2, 3, 4, 6, 12}) {
        Tensors w = rwkv7();
        add_attention(w, A, true);
        for (bool serial : {false, true}) {
            Run r7, rx;
            expect(create(ctx, base, RWKVX_ARCH_RWKV7, nullptr, r7), "create RWKV-7");
            auto want = eval(r7, tok, serial);
            expect(create(ctx, w, RWKVX_ARCH_HYBRID, nullptr, rx), "create RWKV-X A=" + std::to_string(A));
            double d = max_diff(eval(rx, tok, serial), want);
            expect(d < 1e-5, "zero-initialised A=" + std::to_string(A) + (serial ? " serial" : " sequence") +
                                 ": max |diff| " + std::to_string(d));
        }
    }
}

rwkvx_hybrid_config small_config() {
    rwkvx_hybrid_config cfg;
    rwkvx_hybrid_config_defaults(&cfg);
    cfg.chunk_size = 8;
    cfg.top_k = 2;
    cfg.dense_below = 0;
    return cfg;
}

void test_prefill_equals_decode(rwkvx_context *ctx) {
    auto tok = tokens(100);
    for (int32_t scope : {RWKVX_ATTN_SCOPE_HEAD, RWKVX_ATTN_SCOPE_ALL}) {
        Tensors w = rwkv7();
        add_attention(w, 3, false);
        rwkvx_hybrid_config cfg = small_config();
        cfg.scope = scope;
        Run a, b, c;
        expect(create(ctx, w, RWKVX_ARCH_HYBRID, &cfg, a) && create(ctx, w, RWKVX_ARCH_HYBRID, &cfg, b) &&
                   create(ctx, w, RWKVX_ARCH_HYBRID, &cfg, c),
               "create random RWKV-X");
        auto seq = eval(a, tok, false);
        auto ser = eval(b, tok, true);
        double d = max_diff(seq, ser);
        expect(d < 1e-4, "prefill vs token-by-token: max |diff| " + std::to_string(d));
        // Prefill in pieces (the second goes through decode steps over the cache).
        std::vector<int32_t> p1(tok.begin(), tok.begin() + 37), p2(tok.begin() + 37, tok.end());
        auto x1 = eval(c, p1, false), x2 = eval(c, p2, false);
        x1.insert(x1.end(), x2.begin(), x2.end());
        d = max_diff(seq, x1);
        expect(d < 1e-4, "prefill in two calls: max |diff| " + std::to_string(d));
    }
}

// Later calls continue the KV caches with the tiled prefill (queries after `past` cached keys): the
// logits of a sequence fed in uneven pieces equal token-by-token decoding, in sparse and dense mode,
// across chunk boundaries (chunks smaller and larger than a 64-query tile), below and above
// dense_below, with top_k 0 and with more candidates than chunks; with a small max_size the pieces
// fall back to token steps (compression between them) and still match.
void test_prefill_continues_cache(rwkvx_context *ctx) {
    struct Case {
        const char *what;
        int32_t B, top_k, mode, scope;
        int64_t dense_below, max_size;
        int n;
        int32_t kv_dtype;
    };
    const Case cases[] = {
        {"sparse B=8 k=2", 8, 2, RWKVX_ATTN_SPARSE, RWKVX_ATTN_SCOPE_HEAD, 0, 0, 120, RWKVX_DTYPE_F32},
        {"sparse B=8 k=2 all heads", 8, 2, RWKVX_ATTN_SPARSE, RWKVX_ATTN_SCOPE_ALL, 0, 0, 120, RWKVX_DTYPE_F32},
        {"sparse B=8 k=2 dense_below=20", 8, 2, RWKVX_ATTN_SPARSE, RWKVX_ATTN_SCOPE_HEAD, 20, 0, 120, RWKVX_DTYPE_F32},
        {"sparse B=80 k=1", 80, 1, RWKVX_ATTN_SPARSE, RWKVX_ATTN_SCOPE_HEAD, 0, 0, 260, RWKVX_DTYPE_F32},
        {"sparse B=8 k=0", 8, 0, RWKVX_ATTN_SPARSE, RWKVX_ATTN_SCOPE_HEAD, 0, 0, 120, RWKVX_DTYPE_F32},
        {"sparse B=16 k=9", 16, 9, RWKVX_ATTN_SPARSE, RWKVX_ATTN_SCOPE_HEAD, 0, 0, 120, RWKVX_DTYPE_F32},
        {"dense", 8, 2, RWKVX_ATTN_FULL, RWKVX_ATTN_SCOPE_HEAD, 0, 0, 150, RWKVX_DTYPE_F32},
        {"sparse with compression", 8, 2, RWKVX_ATTN_SPARSE, RWKVX_ATTN_SCOPE_HEAD, 0, 48, 120, RWKVX_DTYPE_F32},
        // 16-bit caches in FULL mode (see test_kv_dtypes): pieces and steps compute K and V with
        // other fp32 rounding, which now and then lands on the other side of a 16-bit rounding step.
        {"dense bf16 caches", 8, 2, RWKVX_ATTN_FULL, RWKVX_ATTN_SCOPE_HEAD, 0, 0, 120, RWKVX_DTYPE_BF16},
        {"dense f16 caches", 8, 2, RWKVX_ATTN_FULL, RWKVX_ATTN_SCOPE_HEAD, 0, 0, 120, RWKVX_DTYPE_F16},
        {"dense f16 caches with compression", 8, 2, RWKVX_ATTN_FULL, RWKVX_ATTN_SCOPE_HEAD, 0, 48, 120,
         RWKVX_DTYPE_F16},
    };
    Tensors w = rwkv7();
    add_attention(w, 3, false);
    for (const Case &k : cases) {
        rwkvx_hybrid_config cfg = small_config();
        cfg.chunk_size = k.B;
        cfg.top_k = k.top_k;
        cfg.prefill_mode = cfg.decode_mode = k.mode;
        cfg.scope = k.scope;
        cfg.dense_below = k.dense_below;
        cfg.kv_dtype = k.kv_dtype;
        if (k.max_size > 0) {
            cfg.kv_max_size = k.max_size;
            cfg.kv_min_size = 24;
            cfg.kv_window = 8;
        }
        Run serial, pieces;
        const bool made =
            create(ctx, w, RWKVX_ARCH_HYBRID, &cfg, serial) && create(ctx, w, RWKVX_ARCH_HYBRID, &cfg, pieces);
        expect(made, std::string(k.what) + ": create: " + rwkvx_last_error());
        if (!made) continue;
        auto tok = tokens(k.n);
        auto want = eval(serial, tok, true);
        std::vector<float> got;
        const int cuts[] = {37, 39, 40, 61, 90, 93, 170, 200, k.n};
        int from = 0;
        for (int cut : cuts) {
            if (cut > k.n || cut <= from) continue;
            auto part = eval(pieces, std::vector<int32_t>(tok.begin() + from, tok.begin() + cut), false);
            got.insert(got.end(), part.begin(), part.end());
            from = cut;
        }
        // float32 rounding grows along the sequence (a one-call prefill of 260 tokens differs from
        // token steps by ~1e-4 too); a wrong mask or chunk moves logits by O(0.1). A cache element
        // rounded the other way moves by one 16-bit step, 2^-8 relative in BF16, 2^-11 in F16: BF16
        // gets twice F16's bound (measured 2.1e-3 of 1 + scale once the single-token products summed
        // in another order).
        double scale = 0;
        for (float x : want) scale = std::max(scale, double(std::fabs(x)));
        const double relative = k.kv_dtype == RWKVX_DTYPE_F32 ? 3e-5 : k.kv_dtype == RWKVX_DTYPE_BF16 ? 4e-3 : 2e-3;
        const double d = max_diff(got, want), bound = relative * (1 + scale);
        expect(d <= bound, std::string(k.what) + ": pieces vs token-by-token: max |diff| " + std::to_string(d) +
                               " (bound " + std::to_string(bound) + ")");
    }
}

// Export/import/copy mid-sequence, for each KV cache dtype (16-bit caches export fp32 that imports
// back to the same 16-bit rows, so the continuation is identical too).
// 16-bit KV caches: the logits stay close to F32 caches' (K and V rounded to 11 or 8 bits move them a
// little, BF16 more than F16: each dtype is really used as declared); an unknown dtype is refused.
void test_kv_dtypes(rwkvx_context *ctx) {
    Tensors w = rwkv7();
    add_attention(w, 3, false);
    auto tok = tokens(90);
    rwkvx_hybrid_config cfg = small_config();
    // FULL attention: sparse selection is discontinuous (a rounded key can change which chunk wins).
    cfg.prefill_mode = cfg.decode_mode = RWKVX_ATTN_FULL;
    Run f32;
    expect(create(ctx, w, RWKVX_ARCH_HYBRID, &cfg, f32), "create F32-cache model");
    auto want = eval(f32, tok, false);
    double scale = 0;
    for (float x : want) scale = std::max(scale, double(std::fabs(x)));
    double f16_diff = 0;
    for (int32_t dt : {RWKVX_DTYPE_F16, RWKVX_DTYPE_BF16}) {
        cfg.kv_dtype = dt;
        Run r;
        expect(create(ctx, w, RWKVX_ARCH_HYBRID, &cfg, r),
               std::string("create 16-bit-cache model: ") + rwkvx_last_error());
        const double d = max_diff(eval(r, tok, false), want);
        if (dt == RWKVX_DTYPE_F16)
            f16_diff = d;
        else
            expect(d > 2 * f16_diff, "BF16 caches move the logits more than F16 ones");
        const double bound = (dt == RWKVX_DTYPE_BF16 ? 5e-2 : 1e-2) * (1 + scale);
        expect(d > 0 && d <= bound, "kv dtype " + std::to_string(dt) + " vs F32 caches: max |diff| " +
                                        std::to_string(d) + " (bound " + std::to_string(bound) + ", > 0)");
    }
    cfg.kv_dtype = 7;
    Run bad;
    expect(!create(ctx, w, RWKVX_ARCH_HYBRID, &cfg, bad) && std::strstr(rwkvx_last_error(), "kv_dtype 7") != nullptr,
           std::string("unknown kv dtype refused: ") + rwkvx_last_error());
}

void test_state(rwkvx_context *ctx, int32_t kv_dtype) {
    Tensors w = rwkv7();
    add_attention(w, 2, false);
    rwkvx_hybrid_config cfg = small_config();
    cfg.kv_dtype = kv_dtype;
    Run a, b;
    expect(create(ctx, w, RWKVX_ARCH_HYBRID, &cfg, a) && create(ctx, w, RWKVX_ARCH_HYBRID, &cfg, b), "create");
    auto tok = tokens(60);
    std::vector<int32_t> head(tok.begin(), tok.begin() + 30), tail(tok.begin() + 30, tok.end());
    rwkvx_model_info info;
    rwkvx_model_get_info(a.model, &info);
    expect(rwkvx_state_size(a.state) == info.state_bytes, "empty state size = info.state_bytes");
    eval(a, head, false);
    int64_t size = rwkvx_state_size(a.state);
    expect(size == info.state_bytes + 2 * 2 * 30 * C * 4, "state size grows with the caches: " + std::to_string(size));
    std::vector<char> buf(static_cast<size_t>(size));
    expect(rwkvx_state_export(a.state, buf.data(), size) == RWKVX_OK, "export");
    rwkvx_state *copy = nullptr;
    rwkvx_state_create(a.model, &copy);
    expect(rwkvx_state_copy(copy, a.state) == RWKVX_OK, "copy");
    expect(rwkvx_state_import(b.state, buf.data(), size) == RWKVX_OK, std::string("import: ") + rwkvx_last_error());
    auto want = eval(a, tail, false);
    expect(max_diff(eval(b, tail, false), want) == 0,
           "imported state continues identically (kv dtype " + std::to_string(kv_dtype) + ")");
    std::vector<float> l(tail.size() * V);
    rwkvx_model_eval(a.model, copy, tail.data(), int64_t(tail.size()), l.data(), RWKVX_LOGITS_ALL);
    expect(max_diff(l, want) == 0, "copied state continues identically");
    expect(rwkvx_state_import(b.state, buf.data(), size - 4) == RWKVX_ERROR_ARGUMENT, "truncated import rejected");
    rwkvx_state_reset(copy);
    expect(rwkvx_state_size(copy) == info.state_bytes, "reset empties the caches");
    rwkvx_state_free(copy);
}

void test_errors(rwkvx_context *ctx) {
    Run r;
    Tensors w = rwkv7();
    add_attention(w, 5, true);
    expect(!create(ctx, w, RWKVX_ARCH_HYBRID, nullptr, r), "R % A != 0 rejected");
    expect(std::strstr(rwkvx_last_error(), "12 RWKV layers are not divisible by 5 attention layers") != nullptr,
           std::string("message: ") + rwkvx_last_error());
    Tensors m = rwkv7();
    add_attention(m, 2, true);
    m.t.erase("moba.1.att.key.weight");
    expect(!create(ctx, m, RWKVX_ARCH_HYBRID, nullptr, r), "missing tensor rejected");
    expect(std::strstr(rwkvx_last_error(), "moba.1.att.key.weight") != nullptr,
           std::string("message: ") + rwkvx_last_error());
    Tensors s = rwkv7();
    add_attention(s, 2, true);
    s.add("moba.0.att.value.weight", {C, C + 1}, 0.1f);
    expect(!create(ctx, s, RWKVX_ARCH_HYBRID, nullptr, r), "wrong shape rejected");
    expect(std::strstr(rwkvx_last_error(), "moba.0.att.value.weight") != nullptr,
           std::string("message: ") + rwkvx_last_error());
    Tensors ok = rwkv7();
    add_attention(ok, 2, true);
    rwkvx_hybrid_config cfg = small_config();
    cfg.dense_below = 24;
    expect(!create(ctx, ok, RWKVX_ARCH_HYBRID, &cfg, r), "dense_below >= B*(top_k+1) rejected");
    expect(std::strstr(rwkvx_last_error(), "dense_below") != nullptr, std::string("message: ") + rwkvx_last_error());
}

// Logits after every token of a 24-token prefill, then after each of 6 single-token steps.
std::vector<float> prefill_and_steps(Run &r, bool steps) {
    std::vector<int32_t> tok = tokens(30);
    if (!steps) return eval(r, std::vector<int32_t>(tok.begin(), tok.begin() + 24), false);
    return eval(r, std::vector<int32_t>(tok.begin() + 24, tok.end()), true);
}

// Resident matrices are blocked (kernels.h), so single-token products sum in another order than the
// row-major ones: equal up to float32 rounding. A misplaced weight moves logits by O(1).
double max_difference(const std::vector<float> &a, const std::vector<float> &b) {
    if (a.size() != b.size() || a.empty()) return INFINITY;
    double d = 0;
    for (size_t i = 0; i < a.size(); i++) d = worse(d, std::fabs(double(a[i]) - double(b[i])));
    return std::isnan(d) ? INFINITY : d;
}

bool all_finite(const std::vector<float> &v) {
    for (float x : v)
        if (!std::isfinite(x)) return false;
    return !v.empty();
}

// One model over `w` borrowed and one over a copy of `w` made resident; the copy is then filled with NaN
// (the prefill must not see it) and freed (the single-token steps must not see it either).
void test_resident_matches_borrowed(rwkvx_context *borrowing, rwkvx_context *resident, const std::string &what,
                                    int arch, const rwkvx_hybrid_config *cfg, Tensors &w) {
    Run borrowed, owned;
    auto compare = [&](bool steps, const std::string &source) {
        const std::string part = what + (steps ? ": steps" : ": prefill");
        auto want = prefill_and_steps(borrowed, steps);
        expect(all_finite(want), part + ": borrowed logits are finite");
        double scale = 0;
        for (float v : want) scale = std::max(scale, double(std::fabs(v)));
        const double diff = max_difference(prefill_and_steps(owned, steps), want), bound = 1e-5 * (1 + scale);
        char note[96];
        std::snprintf(note, sizeof note, " (max |difference| %.3g, bound %.3g)", diff, bound);
        expect(diff <= bound, part + ": resident = borrowed up to rounding, source " + source + note);
    };
    expect(create(borrowing, w, arch, cfg, borrowed), what + ": create borrowed: " + rwkvx_last_error());
    {
        Tensors copy = w;
        expect(create(resident, copy, arch, cfg, owned), what + ": create resident: " + rwkvx_last_error());
        for (auto &e : copy.t) std::fill(e.second.second.begin(), e.second.second.end(), NAN);
        if (!borrowed.state || !owned.state) return;
        compare(false, "tensors overwritten by NaN");
    }
    compare(true, "tensors freed");
}

// A bad tensor in a resident context: the status and a message naming the tensor, no model, no leak.
void expect_rejected(rwkvx_context *resident, std::vector<rwkvx_named_tensor> named, const char *bad,
                     rwkvx_status status, const std::string &what) {
    const int64_t live = rwkvx_live_handles();
    rwkvx_model *model = nullptr;
    rwkvx_status st = rwkvx_model_create(resident, RWKVX_ARCH_RWKV7, named.data(), int64_t(named.size()), &model);
    expect(st == status, what + ": status " + std::to_string(st) + ", expected " + std::to_string(status));
    expect(model == nullptr, what + ": no model");
    expect(std::strstr(rwkvx_last_error(), bad) != nullptr,
           what + ": message names " + bad + ": " + rwkvx_last_error());
    rwkvx_model_free(model);
    expect(rwkvx_live_handles() == live, what + ": no handle leaked");
}

void test_resident_weights(int threads, int flags) {
    const int64_t live = rwkvx_live_handles();
    rwkvx_context *borrowing = nullptr, *resident = nullptr;
    expect(rwkvx_context_create(RWKVX_BACKEND_CPU, threads, flags, &borrowing) == RWKVX_OK &&
               rwkvx_context_create(RWKVX_BACKEND_CPU, threads, flags | RWKVX_CONTEXT_RESIDENT_WEIGHTS, &resident) ==
                   RWKVX_OK,
           std::string("create contexts: ") + rwkvx_last_error());
    if (!borrowing || !resident) return;
    expect(std::strstr(rwkvx_context_describe(resident), ", weights: resident)") != nullptr,
           std::string("resident description: ") + rwkvx_context_describe(resident));
    expect(std::strstr(rwkvx_context_describe(borrowing), ", weights: in place)") != nullptr,
           std::string("borrowing description: ") + rwkvx_context_describe(borrowing));

    Tensors w7 = rwkv7();
    test_resident_matches_borrowed(borrowing, resident, "RWKV-7", RWKVX_ARCH_RWKV7, nullptr, w7);
    Tensors wx = rwkv7();
    add_attention(wx, 3, false);
    rwkvx_hybrid_config cfg = small_config();
    test_resident_matches_borrowed(borrowing, resident, "RWKV-X", RWKVX_ARCH_HYBRID, &cfg, wx);
    test_resident_matches_borrowed(borrowing, resident, "RWKV-X default config", RWKVX_ARCH_HYBRID, nullptr, wx);

    const char *key = "blocks.3.att.key.weight";
    auto with = [&](void (*edit)(rwkvx_tensor &)) {
        auto named = w7.named();
        for (auto &n : named)
            if (std::strcmp(n.name, key) == 0) edit(n.tensor);
        return named;
    };
    expect_rejected(resident, with([](rwkvx_tensor &t) { t.data = nullptr; }), key, RWKVX_ERROR_ARGUMENT, "NULL data");
    expect_rejected(resident, with([](rwkvx_tensor &t) { t.strides[1] = 2; }), key, RWKVX_ERROR_SHAPE,
                    "non-contiguous tensor");
    Tensors missing = rwkv7();  // fails after the copy, while binding
    missing.t.erase(key);
    expect_rejected(resident, missing.named(), key, RWKVX_ERROR_MISSING_TENSOR, "missing tensor");
    // The tensors that give the model its sizes must be 2-D; the message says which shape was expected.
    auto reshaped = [&](const char *name, bool flat) {
        auto named = w7.named();
        for (auto &n : named) {
            if (std::strcmp(n.name, name) != 0) continue;
            rwkvx_tensor &t = n.tensor;
            if (flat)
                t.shape[0] *= t.shape[1], t.ndim = 1, t.strides[0] = 1;
            else
                t.ndim = 3, t.shape[2] = 1, t.strides[2] = 1, t.strides[1] = 1;
        }
        return named;
    };
    expect_rejected(resident, reshaped("emb.weight", true), "'emb.weight': expected 2 dimensions [n_vocab, n_embd]",
                    RWKVX_ERROR_SHAPE, "1-D embedding");
    expect_rejected(resident, reshaped("blocks.0.ffn.key.weight", false),
                    "'blocks.0.ffn.key.weight': expected 2 dimensions [ffn_size, ", RWKVX_ERROR_SHAPE, "3-D FFN key");

    rwkvx_context_free(borrowing);
    rwkvx_context_free(resident);
    expect(rwkvx_live_handles() == live, "resident weights: every handle freed");
}

}  // namespace

int main() {
    for (int flags : {0, RWKVX_CONTEXT_FORCE_SCALAR})
        for (int threads : {1, 3}) {
            rwkvx_context *ctx = nullptr;
            rwkvx_context_create(RWKVX_BACKEND_CPU, threads, flags, &ctx);
            test_zero_expansion(ctx);
            test_prefill_equals_decode(ctx);
            test_prefill_continues_cache(ctx);
            for (int32_t dt : {RWKVX_DTYPE_F32, RWKVX_DTYPE_F16, RWKVX_DTYPE_BF16}) test_state(ctx, dt);
            test_kv_dtypes(ctx);
            test_errors(ctx);
            rwkvx_context_free(ctx);
            test_resident_weights(threads, flags);
        }
    return finish();
}
