// Batched eval (rwkvx_model_eval_batch) of every architecture through the C ABI, against the same items
// run one by one with rwkvx_model_eval: RWKV-4, 5.2, 6, 7, RWKV-X (sparse and full attention, states
// whose KV caches have different lengths) and an RWKV-7 with quantized matrices. A batch mixes decode
// steps and prefill chunks, one longer than the model's slice limit, in all three logits modes; each
// item's logits and exported state equal its solo run's up to float32 rounding (bounds:
// docs/numerics.md §3.8). A batch of one equals eval bit for bit; greedy decoding of 8 prompts that
// join a running batch one by one gives the tokens of 8 solo runs (float inputs everywhere: not for
// quantized weights on AVX2, whose solo steps round their inputs to 8 bits).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "check.h"
#include "rwkvx.h"
#include "synthetic_rwkv56.h"
#include "synthetic_rwkv7.h"

namespace {

// Relative to 1 + max|logit| (or |state value|): batched rows run through other GEMM blockings than
// solo ones (docs/numerics.md §3.8).
constexpr double kBatchBound = 2e-5;
// Quantized weights on AVX2: a solo step multiplies 8-bit-rounded inputs, a batch of enough rows float
// ones; bounded as test_quantized.cpp bounds steps against prefill: 3·W + 1e-3, W = what quantizing
// the weights moved the same solo runs (docs/numerics.md §3.7).
constexpr double kEightBitFactor = 3.0, kEightBitFloor = 1e-3;

constexpr int64_t C = 64, V = 96, F = 128;

// A model on its own context.
struct Engine {
    rwkvx_context *ctx = nullptr;
    rwkvx_model *model = nullptr;
    Engine(int threads, int flags, int32_t arch, std::vector<rwkvx_named_tensor> tensors,
           const rwkvx_hybrid_config *cfg = nullptr) {
        bool ok = rwkvx_context_create(RWKVX_BACKEND_CPU, threads, flags, &ctx) == RWKVX_OK;
        if (ok && arch == RWKVX_ARCH_HYBRID)
            ok = rwkvx_model_create_hybrid(ctx, tensors.data(), int64_t(tensors.size()), cfg, &model) == RWKVX_OK;
        else if (ok)
            ok = rwkvx_model_create(ctx, arch, tensors.data(), int64_t(tensors.size()), &model) == RWKVX_OK;
        expect(ok, std::string("model created: ") + rwkvx_last_error());
    }
    ~Engine() {
        rwkvx_model_free(model);
        rwkvx_context_free(ctx);
    }
    Engine(const Engine &) = delete;
    Engine &operator=(const Engine &) = delete;
};

struct State {
    rwkvx_state *s = nullptr;
    explicit State(const Engine &e) { rwkvx_state_create(e.model, &s); }
    ~State() { rwkvx_state_free(s); }
    State(const State &) = delete;
    State &operator=(const State &) = delete;
    // The exported state as floats (RWKV-X: its header of cache lengths too, as float bit patterns,
    // which compare equal exactly when the lengths do).
    std::vector<float> exported() const {
        std::vector<float> out(static_cast<size_t>(rwkvx_state_size(s) / 4));
        if (rwkvx_state_export(s, out.data(), int64_t(out.size()) * 4) != RWKVX_OK) out.assign(1, NAN);
        return out;
    }
};

// One sequence of a batch: the tokens it has seen before (its state), then the call's tokens.
struct Item {
    std::vector<int32_t> history, tokens;
    int32_t mode;
};

std::vector<int32_t> random_tokens(std::mt19937 &rng, int64_t n) {
    std::vector<int32_t> t(static_cast<size_t>(n));
    for (auto &x : t) x = int32_t(rng() % V);
    return t;
}

size_t logits_floats(const Item &it) {
    return it.mode == RWKVX_LOGITS_ALL ? it.tokens.size() * V : it.mode == RWKVX_LOGITS_LAST ? V : 0;
}

// Decode steps and prefill chunks in every logits mode, states of different histories (RWKV-X: caches
// of different lengths), and a chunk longer than the slice limit in LAST and ALL mode.
std::vector<Item> mixed_items(int64_t slice, std::mt19937 &rng) {
    struct Shape {
        int64_t history, n;
        int32_t mode;
    };
    const Shape shapes[] = {{3, 1, RWKVX_LOGITS_LAST}, {0, 9, RWKVX_LOGITS_ALL},   {5, 6, RWKVX_LOGITS_NONE},
                            {2, 1, RWKVX_LOGITS_ALL},  {40, 1, RWKVX_LOGITS_LAST}, {11, slice + 37, RWKVX_LOGITS_ALL},
                            {1, 4, RWKVX_LOGITS_LAST}, {0, 1, RWKVX_LOGITS_NONE},  {70, slice + 5, RWKVX_LOGITS_LAST},
                            {7, 1, RWKVX_LOGITS_LAST}};
    std::vector<Item> items;
    for (const Shape &s : shapes) items.push_back(Item{random_tokens(rng, s.history), random_tokens(rng, s.n), s.mode});
    return items;
}

// States that have seen each item's history.
std::vector<std::unique_ptr<State>> prepared_states(const Engine &e, const std::vector<Item> &items) {
    std::vector<std::unique_ptr<State>> states;
    for (const Item &it : items) {
        states.push_back(std::make_unique<State>(e));
        if (!it.history.empty())
            expect(rwkvx_model_eval(e.model, states.back()->s, it.history.data(), int64_t(it.history.size()), nullptr,
                                    RWKVX_LOGITS_NONE) == RWKVX_OK,
                   std::string("history evaluated: ") + rwkvx_last_error());
    }
    return states;
}

struct Results {
    std::vector<std::vector<float>> logits, states;
};

// Each item alone (rwkvx_model_eval), or all of them in one rwkvx_model_eval_batch, from fresh states
// that have seen the items' histories: the logits and the exported states after the call.
Results run(const Engine &e, const std::vector<Item> &items, bool batched) {
    auto states = prepared_states(e, items);
    Results r;
    for (const Item &it : items) r.logits.emplace_back(logits_floats(it), NAN);
    if (batched) {
        std::vector<rwkvx_batch_item> b;
        for (size_t i = 0; i < items.size(); i++)
            b.push_back(rwkvx_batch_item{states[i]->s, items[i].tokens.data(), int64_t(items[i].tokens.size()),
                                         r.logits[i].empty() ? nullptr : r.logits[i].data(), items[i].mode, 0});
        expect(rwkvx_model_eval_batch(e.model, b.data(), int64_t(b.size())) == RWKVX_OK,
               std::string("batch evaluated: ") + rwkvx_last_error());
    } else {
        for (size_t i = 0; i < items.size(); i++)
            expect(rwkvx_model_eval(e.model, states[i]->s, items[i].tokens.data(), int64_t(items[i].tokens.size()),
                                    r.logits[i].empty() ? nullptr : r.logits[i].data(), items[i].mode) == RWKVX_OK,
                   std::string("item evaluated: ") + rwkvx_last_error());
    }
    for (auto &s : states) r.states.push_back(s->exported());
    return r;
}

struct Worst {
    double logits = 0, states = 0;
};

// Worst relative differences of a against b over items.
Worst compare(const Results &a, const Results &b) {
    Worst w;
    for (size_t i = 0; i < b.logits.size(); i++) {
        if (!b.logits[i].empty()) w.logits = worse(w.logits, relative_diff(a.logits[i], b.logits[i]));
        w.states = worse(w.states, relative_diff(a.states[i], b.states[i]));
    }
    return w;
}

// Each item as a batch of one against eval: the same code path, bit for bit.
void check_batch_of_one(const Engine &e, const std::vector<Item> &items, const std::string &what) {
    bool same = true;
    for (const Item &it : items) {
        const std::vector<Item> one{it};
        const Results solo = run(e, one, false), batch = run(e, one, true);
        same = same && bitwise_equal(solo.logits[0], batch.logits[0]) && bitwise_equal(solo.states[0], batch.states[0]);
    }
    expect(same, what + ": a batch of one equals eval bit for bit, logits and state");
}

size_t argmax(const float *l) {
    return size_t(std::max_element(l, l + V) - l);
}

// Greedy decoding of 8 prompts of different lengths: sequence i joins the batch at step i with its
// prompt while the others decode, then generates `steps` tokens; the same 8 run alone.
void check_greedy(const Engine &e, std::mt19937 &rng, const std::string &what) {
    constexpr int kSeqs = 8, kSteps = 8;
    std::vector<std::vector<int32_t>> prompts;
    for (int i = 0; i < kSeqs; i++) prompts.push_back(random_tokens(rng, 1 + 3 * i));
    std::vector<std::vector<int32_t>> solo(kSeqs), batched(kSeqs);
    std::vector<float> logits(V * kSeqs);
    for (int i = 0; i < kSeqs; i++) {
        State s(e);
        std::vector<int32_t> in = prompts[size_t(i)];
        for (int k = 0; k < kSteps; k++) {
            rwkvx_model_eval(e.model, s.s, in.data(), int64_t(in.size()), logits.data(), RWKVX_LOGITS_LAST);
            in = {int32_t(argmax(logits.data()))};
            solo[size_t(i)].push_back(in[0]);
        }
    }
    std::vector<std::unique_ptr<State>> states;
    for (int i = 0; i < kSeqs; i++) states.push_back(std::make_unique<State>(e));
    for (int step = 0; step < kSeqs + kSteps - 1; step++) {
        std::vector<rwkvx_batch_item> b;
        std::vector<int> who;
        for (int i = 0; i < kSeqs; i++) {
            const int k = step - i;  // this sequence's step
            if (k < 0 || k >= kSteps) continue;
            const std::vector<int32_t> &in = k == 0 ? prompts[size_t(i)] : batched[size_t(i)];
            const int32_t *tokens = k == 0 ? in.data() : &in.back();
            b.push_back(rwkvx_batch_item{states[size_t(i)]->s, tokens, k == 0 ? int64_t(in.size()) : 1,
                                         logits.data() + b.size() * V, RWKVX_LOGITS_LAST, 0});
            who.push_back(i);
        }
        expect(rwkvx_model_eval_batch(e.model, b.data(), int64_t(b.size())) == RWKVX_OK,
               what + ": greedy batch step " + std::to_string(step) + ": " + rwkvx_last_error());
        for (size_t j = 0; j < who.size(); j++)
            batched[size_t(who[j])].push_back(int32_t(argmax(logits.data() + j * V)));
    }
    expect(solo == batched, what + ": greedy decoding of 8 prompts in batches equals 8 solo runs token for token");
}

struct ModelCase {
    std::string name;
    int32_t arch;
    std::function<Tensors()> make;
    int64_t slice;  // the model's rows per pass
    rwkvx_hybrid_config cfg{};
};

const Rwkv7Sizes kRwkv7{C, 32, V, F, 3, 32, 32, 32, 32};
// Wide enough that 2 threads run a few rows' LoRA second stage, gates, WKV and output gating in one
// region split by heads (model/rwkv7_blocks.cpp), which a batched decode step of several sequences takes.
const Rwkv7Sizes kRwkv7Wide{256, 64, V, 512, 2, 64, 64, 64, 64};

Tensors hybrid_tensors() {
    Tensors w = synthetic_rwkv7(Rwkv7Sizes{C, 64, V, F, 4, 16, 16, 16, 16});
    add_hybrid_attention(w, 2, C, F, false);
    return w;
}

rwkvx_hybrid_config hybrid_config(int32_t mode) {
    rwkvx_hybrid_config cfg;
    rwkvx_hybrid_config_defaults(&cfg);
    cfg.chunk_size = 8;
    cfg.top_k = 2;
    cfg.dense_below = 0;
    cfg.prefill_mode = cfg.decode_mode = mode;
    return cfg;
}

void test_float_models(std::mt19937 &rng) {
    std::vector<ModelCase> cases = {
        {"RWKV-4", RWKVX_ARCH_RWKV4, [] { return synthetic_rwkv4(C, V, F, 3); }, 512},
        {"RWKV-5.2", RWKVX_ARCH_RWKV5, [] { return synthetic_rwkv56(false, C, 4, V, F, 3, 32, 64); }, 512},
        {"RWKV-6", RWKVX_ARCH_RWKV6, [] { return synthetic_rwkv56(true, C, 4, V, F, 3, 32, 64); }, 512},
        {"RWKV-7", RWKVX_ARCH_RWKV7, [] { return synthetic_rwkv7(kRwkv7); }, 512},
        {"RWKV-7 wide", RWKVX_ARCH_RWKV7, [] { return synthetic_rwkv7(kRwkv7Wide); }, 512},
        {"RWKV-X sparse", RWKVX_ARCH_HYBRID, hybrid_tensors, 2048, hybrid_config(RWKVX_ATTN_SPARSE)},
        {"RWKV-X full", RWKVX_ARCH_HYBRID, hybrid_tensors, 2048, hybrid_config(RWKVX_ATTN_FULL)},
    };
    struct Flavour {
        const char *name;
        int threads, flags;
    };
    for (auto &mc : cases) {
        Tensors w = mc.make();
        std::vector<Flavour> flavours = {{"2 threads", 2, 0}};
        if (mc.arch == RWKVX_ARCH_RWKV7)  // the serial path and the blocked (resident) single-row products
            flavours.push_back({"1 thread, resident", 1, RWKVX_CONTEXT_RESIDENT_WEIGHTS});
        for (const Flavour &f : flavours) {
            const std::string what = mc.name + " " + f.name;
            Engine e(f.threads, f.flags, mc.arch, w.named(), &mc.cfg);
            const auto items = mixed_items(mc.slice, rng);
            const Results solo = run(e, items, false), batch = run(e, items, true);
            const Worst d = compare(batch, solo);
            std::printf("%-28s batch vs solo: logits %.3g, states %.3g of 1 + max|value|\n", what.c_str(), d.logits,
                        d.states);
            expect(d.logits <= kBatchBound && d.states <= kBatchBound,
                   fmt("%s: batch vs solo logits %.3g, states %.3g (bound %.3g)", what.c_str(), d.logits, d.states,
                       kBatchBound));
            check_batch_of_one(e, {items[0], items[1], items[5]}, what);
            check_greedy(e, rng, what);
        }
    }
}

// rwkv.cpp's set of quantized tensors: the blocks' 2-D ".weight" matrices (docs/formats.md §1.9).
bool quantized_by_rwkvcpp(const std::string &name, size_t ndim) {
    return ndim == 2 && name != "emb.weight" && name != "head.weight" && name.find(".weight") != std::string::npos;
}

void test_quantized_model(std::mt19937 &rng) {
    constexpr int32_t kType = RWKVX_DTYPE_Q5_1;
    Tensors src = synthetic_rwkv7(kRwkv7);
    std::vector<std::vector<uint8_t>> blocks;
    std::vector<std::vector<float>> widened;
    std::vector<rwkvx_named_tensor> quantized = src.named(), dequantized = src.named();
    for (size_t i = 0; i < quantized.size(); i++) {
        const rwkvx_tensor &t = quantized[i].tensor;
        if (!quantized_by_rwkvcpp(quantized[i].name, size_t(t.ndim))) continue;
        const int64_t n = t.shape[0] * t.shape[1];
        blocks.emplace_back(size_t(rwkvx_dtype_bytes(kType, n)));
        widened.emplace_back(size_t(n));
        expect(rwkvx_quantize(kType, static_cast<const float *>(t.data), n, blocks.back().data(),
                              int64_t(blocks.back().size())) == RWKVX_OK &&
                   rwkvx_dequantize(kType, blocks.back().data(), n, widened.back().data()) == RWKVX_OK,
               "quantized " + std::string(quantized[i].name));
        quantized[i].tensor.data = blocks.back().data();
        quantized[i].tensor.dtype = kType;
        dequantized[i].tensor.data = widened.back().data();
    }
    const bool avx2 = (rwkvx_cpu_features() & RWKVX_CPU_AVX2) != 0;
    for (int flags : {RWKVX_CONTEXT_RESIDENT_WEIGHTS, RWKVX_CONTEXT_FORCE_SCALAR}) {
        const std::string what = fmt("RWKV-7 Q5_1 %s", flags == RWKVX_CONTEXT_FORCE_SCALAR ? "scalar" : "resident");
        Engine e(2, flags, RWKVX_ARCH_RWKV7, quantized);
        const auto items = mixed_items(512, rng);
        const Results solo = run(e, items, false), batch = run(e, items, true);
        const Worst d = compare(batch, solo);
        double bound = kBatchBound;
        if (flags != RWKVX_CONTEXT_FORCE_SCALAR && avx2) {  // 8-bit inputs in solo steps (and few-row products)
            Engine original(2, flags, RWKVX_ARCH_RWKV7, src.named()),
                widened_model(2, flags, RWKVX_ARCH_RWKV7, dequantized);
            const Worst weights = compare(run(widened_model, items, false), run(original, items, false));
            bound = kEightBitFactor * weights.logits + kEightBitFloor;
        }
        std::printf("%-28s batch vs solo: logits %.3g, states %.3g (bound %.3g)\n", what.c_str(), d.logits, d.states,
                    bound);
        expect(d.logits <= bound && d.states <= bound,
               fmt("%s: batch vs solo logits %.3g, states %.3g (bound %.3g)", what.c_str(), d.logits, d.states, bound));
        check_batch_of_one(e, {items[0], items[1], items[5]}, what);
        // With 8-bit inputs in solo steps only, a logit gap below their rounding may flip an argmax.
        if (bound == kBatchBound) check_greedy(e, rng, what);
    }
}

}  // namespace

int main() {
    std::mt19937 rng(20250722);
    test_float_models(rng);
    test_quantized_model(rng);
    return finish();
}
