// Batched evaluation through the C ABI (rwkvx_model_eval_batch), for RWKV-4, RWKV-5.2, RWKV-6, RWKV-7
// and RWKV-X, with weights in place and resident:
//  - a batch of mixed items (single tokens and prefill chunks of different lengths, LAST/ALL/NONE
//    logits, items in any order, a subset of the states, one item alone) gives the logits and states of
//    the same items run one by one with rwkvx_model_eval; NONE items write nothing;
//  - greedy decoding of 8 prompts advanced together (prompts prefilled in the batch, then one token per
//    sequence per round) is token for token the 8 solo runs;
//  - every invalid batch is refused with a message naming the item, and changes nothing: no state (its
//    export, byte for byte), no logits, whichever item is bad (the first, a middle or the last one);
//  - a batch that meets a state held by another call is refused with RWKVX_ERROR_IN_USE naming the
//    item, and changes nothing, neither its other states nor the other call's.
//
// Tolerance: each item's logits and state must equal its solo call's up to float32 rounding (rwkvx.h).
// A batch that reads the weights once multiplies a skinny matrix where the solo call multiplies a
// vector, so the same dot products are summed in another order: the difference is of the kind between
// prefill and token-by-token steps, which test_quantized.cpp bounds by 2e-5 of 1 + max|logit|
// (docs/numerics.md §3.7). kBound leaves 5 times that, still far below anything a wrong token, a wrong
// state or a mixed-up item would give (those move logits by about 1 + max|logit|). States compare the
// same way against 1 + max|element|; RWKV-X's int64 header (block count, cache lengths) must be equal.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "check.h"
#include "rwkvx.h"
#include "synthetic_rwkv56.h"
#include "synthetic_rwkv7.h"

namespace {

constexpr int64_t C = 64, V = 232, F = 128, D = 16;  // V: 7 blocks of 32 rows + 8 (resident layout)
constexpr size_t kVocab = size_t(V);
constexpr double kBound = 1e-4;
constexpr int kTrials = 30;  // attempts at an overlap with another call before giving up

bool said(const std::string &needle) {
    return std::strstr(rwkvx_last_error(), needle.c_str()) != nullptr;
}
std::string last_error() {
    return rwkvx_last_error();
}

struct Arch {
    std::string name;
    int32_t arch;
    Tensors tensors;       // borrowed by in-place models: lives as long as the test
    int64_t header_bytes;  // exported int64 words compared exactly (RWKV-X: block count, cache lengths)
};

rwkvx_hybrid_config hybrid_config() {
    rwkvx_hybrid_config cfg;
    rwkvx_hybrid_config_defaults(&cfg);
    cfg.chunk_size = 8;  // sparse attention over several chunks within these short sequences
    cfg.top_k = 2;
    cfg.dense_below = 0;
    return cfg;
}

rwkvx_model *make_model(rwkvx_context *ctx, Arch &a) {
    auto named = a.tensors.named();
    rwkvx_model *model = nullptr;
    const rwkvx_hybrid_config cfg = hybrid_config();
    const rwkvx_status st = a.arch == RWKVX_ARCH_HYBRID
                                ? rwkvx_model_create_hybrid(ctx, named.data(), int64_t(named.size()), &cfg, &model)
                                : rwkvx_model_create(ctx, a.arch, named.data(), int64_t(named.size()), &model);
    expect(st == RWKVX_OK, a.name + ": create model: " + last_error());
    return model;
}

std::vector<rwkvx_state *> make_states(rwkvx_model *model, int n) {
    std::vector<rwkvx_state *> out(size_t(n), nullptr);
    for (auto &s : out) expect(rwkvx_state_create(model, &s) == RWKVX_OK, "create state: " + last_error());
    return out;
}
void free_states(const std::vector<rwkvx_state *> &states) {
    for (rwkvx_state *s : states) expect(rwkvx_state_free(s) == RWKVX_OK, "free state: " + last_error());
}

std::vector<char> export_state(rwkvx_state *s) {
    std::vector<char> out(size_t(rwkvx_state_size(s)));
    expect(rwkvx_state_export(s, out.data(), int64_t(out.size())) == RWKVX_OK, "export: " + last_error());
    return out;
}

std::vector<int32_t> tokens(int n, int seed) {
    std::vector<int32_t> t;
    for (int i = 0; i < n; i++) t.push_back(int32_t((i * 7 + seed * 31 + 3) % V));
    return t;
}

std::vector<float> nan_filled(size_t n) {
    return std::vector<float>(n, std::nanf(""));
}
size_t logit_count(int32_t mode, size_t n_tokens) {
    return mode == RWKVX_LOGITS_ALL ? n_tokens * size_t(V) : mode == RWKVX_LOGITS_LAST ? size_t(V) : 0;
}
bool all_nan(const std::vector<float> &v) {
    return std::all_of(v.begin(), v.end(), [](float x) { return std::isnan(x); });
}

// max |a − b| / (1 + max |b|) over float words; NaN when the sizes differ or a value is NaN.
double relative_diff(const float *a, const float *b, size_t n) {
    double err = 0, scale = 0;
    for (size_t i = 0; i < n; i++) {
        err = worse(err, std::fabs(double(a[i]) - double(b[i])));
        scale = std::max(scale, std::fabs(double(b[i])));
    }
    return err / (1 + scale);
}

// Two exports of one architecture: the header bytes equal, the float words within kBound. Returns the
// relative difference (NaN when sizes or headers differ).
double state_diff(const std::vector<char> &a, const std::vector<char> &b, int64_t header_bytes) {
    if (a.size() != b.size() || std::memcmp(a.data(), b.data(), size_t(header_bytes)) != 0) return NAN;
    const size_t n = (a.size() - size_t(header_bytes)) / 4;
    std::vector<float> fa(n), fb(n);
    std::memcpy(fa.data(), a.data() + header_bytes, n * 4);
    std::memcpy(fb.data(), b.data() + header_bytes, n * 4);
    return relative_diff(fa.data(), fb.data(), n);
}

struct Item {
    int state;  // index into the test's states
    std::vector<int32_t> tokens;
    int32_t mode;
};

// ---- equality with solo calls ---------------------------------------------------------------------

struct Worst {
    double logits = 0, state = 0;
};

// Runs `round` as one batch on `batched` and item by item on `solo`; the logits and then every
// state must agree within kBound. A NONE item gets a NaN canary buffer (every other one) or NULL.
void check_round(rwkvx_model *model, const std::vector<rwkvx_state *> &batched, const std::vector<rwkvx_state *> &solo,
                 const std::vector<Item> &round, const Arch &a, const std::string &what, Worst &worst) {
    std::vector<std::vector<float>> got(round.size()), want(round.size());
    std::vector<rwkvx_batch_item> items(round.size());
    for (size_t i = 0; i < round.size(); i++) {
        const Item &r = round[i];
        got[i] =
            nan_filled(r.mode == RWKVX_LOGITS_NONE ? (i % 2 ? size_t(V) : 0) : logit_count(r.mode, r.tokens.size()));
        want[i] = nan_filled(logit_count(r.mode, r.tokens.size()));
        items[i] = rwkvx_batch_item{batched[size_t(r.state)],
                                    r.tokens.data(),
                                    int64_t(r.tokens.size()),
                                    got[i].empty() ? nullptr : got[i].data(),
                                    r.mode,
                                    0};
    }
    expect(rwkvx_model_eval_batch(model, items.data(), int64_t(items.size())) == RWKVX_OK,
           what + ": batch: " + last_error());
    for (size_t i = 0; i < round.size(); i++) {
        const Item &r = round[i];
        expect(rwkvx_model_eval(model, solo[size_t(r.state)], r.tokens.data(), int64_t(r.tokens.size()),
                                want[i].empty() ? nullptr : want[i].data(), r.mode) == RWKVX_OK,
               what + ": solo eval: " + last_error());
        const std::string at = what + ": items[" + std::to_string(i) + "] (" + std::to_string(r.tokens.size()) +
                               " tokens, mode " + std::to_string(r.mode) + ")";
        if (r.mode == RWKVX_LOGITS_NONE) {
            expect(all_nan(got[i]), at + ": a NONE item's buffer is left alone");
            continue;
        }
        const double d =
            got[i].size() == want[i].size() ? relative_diff(got[i].data(), want[i].data(), got[i].size()) : NAN;
        worst.logits = worse(worst.logits, d);
        expect(d <= kBound, at + ": logits equal the solo call's: relative diff " + std::to_string(d));
    }
    for (size_t s = 0; s < batched.size(); s++) {
        const double d = state_diff(export_state(batched[s]), export_state(solo[s]), a.header_bytes);
        worst.state = worse(worst.state, d);
        expect(d <= kBound,
               what + ": state " + std::to_string(s) + " equals the solo calls': relative diff " + std::to_string(d));
    }
}

void test_equals_solo(rwkvx_context *ctx, Arch &a, const std::string &what, Worst &worst) {
    rwkvx_model *model = make_model(ctx, a);
    if (!model) return;
    const int n = 6;
    auto batched = make_states(model, n), solo = make_states(model, n);
    const int32_t L = RWKVX_LOGITS_LAST, A = RWKVX_LOGITS_ALL, N = RWKVX_LOGITS_NONE;
    const std::vector<std::vector<Item>> rounds = {
        // Prefill chunks of different lengths beside single tokens (RWKV-X: across several chunks).
        {{0, tokens(1, 1), L},
         {1, tokens(5, 2), A},
         {2, tokens(17, 3), N},
         {3, tokens(1, 4), A},
         {4, tokens(33, 5), L},
         {5, tokens(9, 6), N}},
        // Decode steps, the states in another order.
        {{5, tokens(1, 7), L},
         {3, tokens(1, 8), L},
         {1, tokens(1, 9), A},
         {0, tokens(1, 10), N},
         {4, tokens(1, 11), L},
         {2, tokens(1, 12), L}},
        // A subset: a long chunk beside a decode step.
        {{2, tokens(12, 13), A}, {4, tokens(1, 14), L}, {0, tokens(26, 15), L}},
        // One item alone, then decode steps and chunks again.
        {{1, tokens(3, 16), A}},
        {{0, tokens(1, 17), L},
         {1, tokens(2, 18), L},
         {2, tokens(1, 19), A},
         {3, tokens(7, 20), L},
         {4, tokens(1, 21), N},
         {5, tokens(1, 22), L}},
    };
    for (size_t r = 0; r < rounds.size(); r++)
        check_round(model, batched, solo, rounds[r], a, what + " round " + std::to_string(r), worst);
    free_states(batched);
    free_states(solo);
    expect(rwkvx_model_free(model) == RWKVX_OK, what + ": free the model: " + last_error());
}

// ---- greedy decoding: 8 prompts together against 8 solo runs -----------------------------------------

int32_t argmax(const float *logits) {
    return int32_t(std::max_element(logits, logits + V) - logits);
}

void test_greedy(rwkvx_context *ctx, Arch &a, const std::string &what) {
    rwkvx_model *model = make_model(ctx, a);
    if (!model) return;
    constexpr int kSeqs = 8, kSteps = 12;
    const int lengths[kSeqs] = {1, 2, 3, 5, 8, 13, 4, 21};
    std::vector<std::vector<int32_t>> prompts, together(kSeqs), alone(kSeqs);
    for (int i = 0; i < kSeqs; i++) prompts.push_back(tokens(lengths[i], 40 + i));
    // Together: the prompts prefilled in one batch, then one token per sequence per round.
    auto states = make_states(model, kSeqs);
    std::vector<float> logits(size_t(kSeqs * V));
    std::vector<rwkvx_batch_item> items(kSeqs);
    for (int i = 0; i < kSeqs; i++)
        items[size_t(i)] = {states[size_t(i)],     prompts[size_t(i)].data(), int64_t(prompts[size_t(i)].size()),
                            logits.data() + i * V, RWKVX_LOGITS_LAST,         0};
    bool ok = rwkvx_model_eval_batch(model, items.data(), kSeqs) == RWKVX_OK;
    for (int step = 0; ok && step < kSteps; step++) {
        for (int i = 0; i < kSeqs; i++) {
            together[size_t(i)].push_back(argmax(logits.data() + i * V));
            items[size_t(i)].tokens = &together[size_t(i)].back();
            items[size_t(i)].n_tokens = 1;
        }
        ok = rwkvx_model_eval_batch(model, items.data(), kSeqs) == RWKVX_OK;
    }
    expect(ok, what + ": greedy batch: " + last_error());
    free_states(states);
    // Alone: each prompt on its own state, one call per token.
    for (int i = 0; i < kSeqs; i++) {
        auto s = make_states(model, 1);
        std::vector<float> l(kVocab);
        const auto &p = prompts[size_t(i)];
        ok = rwkvx_model_eval(model, s[0], p.data(), int64_t(p.size()), l.data(), RWKVX_LOGITS_LAST) == RWKVX_OK;
        for (int step = 0; ok && step < kSteps; step++) {
            alone[size_t(i)].push_back(argmax(l.data()));
            ok = rwkvx_model_eval(model, s[0], &alone[size_t(i)].back(), 1, l.data(), RWKVX_LOGITS_LAST) == RWKVX_OK;
        }
        expect(ok, what + ": greedy solo: " + last_error());
        free_states(s);
        expect(together[size_t(i)] == alone[size_t(i)],
               what + ": greedy sequence " + std::to_string(i) + " decoded together equals its solo run");
    }
    expect(rwkvx_model_free(model) == RWKVX_OK, what + ": free the model: " + last_error());
}

// ---- refusals change nothing ----------------------------------------------------------------------

// Three advanced states (RWKV-X: non-empty caches) and a valid batch over them, which each case spoils.
struct Refusals {
    rwkvx_model *model, *other;
    std::vector<rwkvx_state *> states, foreign;
    std::vector<std::vector<int32_t>> toks{tokens(1, 60), tokens(4, 61), tokens(2, 62)};
    std::vector<std::vector<float>> logits;
    std::string what;

    std::vector<rwkvx_batch_item> valid() {
        const int32_t modes[3] = {RWKVX_LOGITS_LAST, RWKVX_LOGITS_ALL, RWKVX_LOGITS_NONE};
        logits.clear();
        std::vector<rwkvx_batch_item> items;
        for (size_t i = 0; i < 3; i++) {
            logits.push_back(nan_filled(size_t(V) * toks[i].size()));  // NONE gets a canary too
            items.push_back({states[i], toks[i].data(), int64_t(toks[i].size()), logits[i].data(), modes[i], 0});
        }
        return items;
    }

    // The call fails with `status` and a message containing "rwkvx_model_eval_batch: <needle>", and
    // leaves every state's export and every logits buffer as they were.
    void refused(const rwkvx_batch_item *items, int64_t n, rwkvx_model *m, rwkvx_status status,
                 const std::string &needle, const std::string &what_case) {
        std::vector<std::vector<char>> before;
        for (rwkvx_state *s : states) before.push_back(export_state(s));
        const rwkvx_status st = rwkvx_model_eval_batch(m, items, n);
        const std::string message = last_error();
        expect(st == status && said("rwkvx_model_eval_batch: " + needle),
               what + ": " + what_case + ": refused with \"" + needle + "\", got " + std::to_string(st) + " \"" +
                   message + "\"");
        for (size_t i = 0; i < states.size(); i++)
            expect(export_state(states[i]) == before[i],
                   what + ": " + what_case + ": state " + std::to_string(i) + " unchanged, byte for byte");
        for (size_t i = 0; i < logits.size(); i++)
            expect(all_nan(logits[i]), what + ": " + what_case + ": logits " + std::to_string(i) + " not written");
    }
};

void test_refusals(rwkvx_context *ctx, Arch &a, const std::string &what) {
    Refusals r;
    r.what = what;
    r.model = make_model(ctx, a);
    r.other = make_model(ctx, a);
    if (!r.model || !r.other) return;
    r.states = make_states(r.model, 3);
    r.foreign = make_states(r.other, 1);
    for (size_t i = 0; i < 3; i++) {
        const auto t = tokens(int(10 + 7 * i), 70 + int(i));
        expect(
            rwkvx_model_eval(r.model, r.states[i], t.data(), int64_t(t.size()), nullptr, RWKVX_LOGITS_NONE) == RWKVX_OK,
            what + ": advance state: " + last_error());
    }
    const rwkvx_status ARG = RWKVX_ERROR_ARGUMENT;
    auto items = r.valid();
    r.refused(items.data(), 3, nullptr, ARG, "model is NULL", "NULL model");
    r.refused(nullptr, 3, r.model, ARG, "items is NULL", "NULL items");
    r.refused(items.data(), 0, r.model, ARG, "n_items is 0; at least 1 item is needed", "no items");
    r.refused(items.data(), -2, r.model, ARG, "n_items is -2; at least 1 item is needed", "negative n_items");
    for (int k : {0, 1, 2}) {  // the bad item first, in the middle, last
        const std::string at = "items[" + std::to_string(k) + "]: ";
        auto spoil = [&](auto change, const std::string &needle, const std::string &what_case) {
            auto bad = r.valid();
            change(bad[size_t(k)]);
            r.refused(bad.data(), 3, r.model, ARG, at + needle, at + what_case);
        };
        spoil([](rwkvx_batch_item &it) { it.state = nullptr; }, "state is NULL", "NULL state");
        spoil([&](rwkvx_batch_item &it) { it.state = r.foreign[0]; }, "state belongs to a different model",
              "another model's state");
        spoil([](rwkvx_batch_item &it) { it.n_tokens = 0; }, "n_tokens is 0; at least 1 token is needed", "no tokens");
        spoil([](rwkvx_batch_item &it) { it.n_tokens = -1; }, "n_tokens is -1", "negative n_tokens");
        spoil([](rwkvx_batch_item &it) { it.tokens = nullptr; }, "tokens is NULL", "NULL tokens");
        spoil([](rwkvx_batch_item &it) { it.logits_mode = 3; }, "logits_mode 3 is not an rwkvx_logits_mode (0..2)",
              "logits_mode 3");
        spoil([](rwkvx_batch_item &it) { it.logits_mode = -1; }, "logits_mode -1 is not an rwkvx_logits_mode",
              "logits_mode -1");
        spoil(
            [](rwkvx_batch_item &it) {
                it.logits = nullptr;
                it.logits_mode = RWKVX_LOGITS_LAST;
            },
            "logits is NULL", "NULL logits with LAST");
        spoil([](rwkvx_batch_item &it) { it.reserved = 1; }, "reserved is 1, must be 0", "reserved 1");
        // A token out of range at the item's last position: every earlier item is valid and would run.
        const int64_t last = int64_t(r.toks[size_t(k)].size()) - 1;
        for (int32_t token : {int32_t(V), -1, int32_t(1) << 30}) {
            std::vector<int32_t> t = r.toks[size_t(k)];
            t[size_t(last)] = token;
            spoil([&](rwkvx_batch_item &it) { it.tokens = t.data(); },
                  "token " + std::to_string(token) + " at position " + std::to_string(last) + " is out of range [0, " +
                      std::to_string(V) + ")",
                  "token " + std::to_string(token));
        }
    }
    // One state in two items: the later item is named, with the earlier one.
    {
        auto bad = r.valid();
        bad[2].state = bad[0].state;
        r.refused(bad.data(), 3, r.model, ARG, "items[2]: state is also items[0]'s; each item needs its own",
                  "duplicate state");
        bad = r.valid();
        bad[2].state = bad[1].state;
        r.refused(bad.data(), 3, r.model, ARG, "items[2]: state is also items[1]'s", "duplicate state (adjacent)");
    }
    // Every refusal released what it held: the valid batch runs now.
    items = r.valid();
    expect(rwkvx_model_eval_batch(r.model, items.data(), 3) == RWKVX_OK,
           what + ": the valid batch runs after the refusals: " + last_error());
    expect(!std::isnan(r.logits[0][0]) && !std::isnan(r.logits[1].back()) && all_nan(r.logits[2]),
           what + ": the valid batch wrote LAST and ALL logits, not NONE's");
    free_states(r.states);
    free_states(r.foreign);
    expect(rwkvx_model_free(r.model) == RWKVX_OK && rwkvx_model_free(r.other) == RWKVX_OK,
           what + ": free the models: " + last_error());
}

// A long eval of one state in another thread, repeated while it is refused (by the test thread's probes).
struct LongEval {
    rwkvx_model *model;
    rwkvx_state *state;
    std::vector<int32_t> tok;
    std::vector<float> logits;
    std::atomic<bool> done{false};
    rwkvx_status status = RWKVX_OK;
    std::thread thread;

    LongEval(rwkvx_model *m, rwkvx_state *s, std::vector<int32_t> t)
        : model(m), state(s), tok(std::move(t)), logits(size_t(V)) {
        thread = std::thread([this] {
            while ((status = rwkvx_model_eval(model, state, tok.data(), int64_t(tok.size()), logits.data(),
                                              RWKVX_LOGITS_LAST)) == RWKVX_ERROR_IN_USE) {}
            done = true;
        });
    }
    void join() { thread.join(); }
};

// While a long eval holds one state, a batch naming it (as its last item) is refused with
// RWKVX_ERROR_IN_USE and the item's name; the batch's other states stay as they were, and the long
// eval's state and logits equal a serial run's, bit for bit.
void test_state_in_use(rwkvx_context *ctx, Arch &a, const std::string &what) {
    rwkvx_model *model = make_model(ctx, a);
    if (!model) return;
    auto states = make_states(model, 4);  // 0, 1: the batch's free states; 2: held by the long eval; 3: reference
    const auto long_tok = tokens(192, 80), short_tok = tokens(3, 81);
    int overlapped = 0, trials = 0;
    for (; trials < kTrials && overlapped == 0; trials++) {
        for (rwkvx_state *s : states) expect(rwkvx_state_reset(s) == RWKVX_OK, what + ": reset");
        const auto free0 = export_state(states[0]), free1 = export_state(states[1]);
        std::vector<float> l0 = nan_filled(size_t(V)), l1 = nan_filled(size_t(V)), l2 = nan_filled(size_t(V));
        const rwkvx_batch_item items[3] = {
            {states[0], short_tok.data(), 3, l0.data(), RWKVX_LOGITS_LAST, 0},
            {states[1], short_tok.data(), 1, l1.data(), RWKVX_LOGITS_LAST, 0},
            {states[2], short_tok.data(), 2, l2.data(), RWKVX_LOGITS_LAST, 0},
        };
        LongEval e(model, states[2], long_tok);
        // Probe with exports (they change nothing) until one is refused: then the long eval holds the state.
        std::vector<char> probe(free0.size());
        bool held = false;
        while (!e.done && !held)
            held = rwkvx_state_export(states[2], probe.data(), int64_t(probe.size())) == RWKVX_ERROR_IN_USE;
        rwkvx_status st = RWKVX_OK;
        if (held) st = rwkvx_model_eval_batch(model, items, 3);
        const std::string message = last_error();
        e.join();
        expect(e.status == RWKVX_OK, what + ": the long eval succeeds");
        if (st != RWKVX_ERROR_IN_USE) {
            expect(!held || st == RWKVX_OK, what + ": the batch after the long eval runs: " + message);
            continue;  // the long eval finished first: try again
        }
        overlapped++;
        expect(message.find("rwkvx_model_eval_batch: another call is using the state of items[2]") == 0,
               what + ": the refusal names the item: " + message);
        expect(export_state(states[0]) == free0 && export_state(states[1]) == free1,
               what + ": the refused batch's other states are unchanged, byte for byte");
        expect(all_nan(l0) && all_nan(l1) && all_nan(l2), what + ": the refused batch wrote no logits");
        std::vector<float> want(kVocab);
        expect(rwkvx_model_eval(model, states[3], long_tok.data(), int64_t(long_tok.size()), want.data(),
                                RWKVX_LOGITS_LAST) == RWKVX_OK,
               what + ": serial long eval: " + last_error());
        expect(std::memcmp(want.data(), e.logits.data(), want.size() * 4) == 0 &&
                   export_state(states[2]) == export_state(states[3]),
               what + ": the long eval's logits and state equal a serial run's, bit for bit");
    }
    expect(overlapped > 0, what + ": a batch overlapped the long eval in " + std::to_string(trials) + " trials");
    free_states(states);
    expect(rwkvx_model_free(model) == RWKVX_OK, what + ": free the model: " + last_error());
}

}  // namespace

int main() {
    const int64_t live = rwkvx_live_handles();
    Arch archs[] = {
        {"RWKV-7", RWKVX_ARCH_RWKV7, synthetic_rwkv7({C, 32, V, F, 2, D, D, D, D}), 0},
        {"RWKV-4", RWKVX_ARCH_RWKV4, synthetic_rwkv4(C, V, F, 2), 0},
        {"RWKV-5.2", RWKVX_ARCH_RWKV5, synthetic_rwkv56(false, C, 4, V, F, 2, 32, 64), 0},
        {"RWKV-6", RWKVX_ARCH_RWKV6, synthetic_rwkv56(true, C, 4, V, F, 2, 32, 64), 0},
        {"RWKV-X", RWKVX_ARCH_HYBRID, synthetic_rwkv7({C, C, V, F, 4, D, D, D, D}), 8 * (1 + 2)},
    };
    add_hybrid_attention(archs[4].tensors, 2, C, F, false);
    for (int placement : {0, RWKVX_CONTEXT_RESIDENT_WEIGHTS}) {
        rwkvx_context *ctx = nullptr;
        expect(rwkvx_context_create(RWKVX_BACKEND_CPU, 2, placement, &ctx) == RWKVX_OK, "context");
        for (Arch &a : archs) {
            const std::string what = a.name + (placement ? " (resident)" : " (in place)");
            Worst worst;
            test_equals_solo(ctx, a, what, worst);
            test_greedy(ctx, a, what);
            std::printf("%s: batch vs solo, worst relative diff: logits %.3g, states %.3g (bound %.3g)\n", what.c_str(),
                        worst.logits, worst.state, kBound);
            if (placement == 0 && (a.arch == RWKVX_ARCH_RWKV7 || a.arch == RWKVX_ARCH_HYBRID)) {
                test_refusals(ctx, a, what);
                test_state_in_use(ctx, a, what);
            }
        }
        expect(rwkvx_context_free(ctx) == RWKVX_OK, "free the context: " + last_error());
    }
    expect(rwkvx_live_handles() == live, "every handle freed: " + std::to_string(rwkvx_live_handles()) + " live");
    return finish();
}
