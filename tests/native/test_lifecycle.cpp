// Handle lifecycles and overlapping calls through the C ABI (the thread-safety and ownership contract
// at the top of rwkvx.h), for RWKV-7, RWKV-4 and the RWKV-X hybrid, with weights in place and resident:
//  - overlapping calls on one state: the calls that overlap an eval in flight are refused with
//    RWKVX_ERROR_IN_USE and a message naming the function, and change nothing: the state and every
//    logit afterwards equal, bit for bit, a serial run of the calls that succeeded, in their order;
//  - a model with live states, a context with live models or KV caches, and a state or KV cache that a
//    call is using are not freed (RWKVX_ERROR_IN_USE, saying what remains) and stay usable; freed in
//    order, everything goes and rwkvx_live_handles() returns to where it was;
//  - a KV cache: appends and decodes that overlap a decode or append in flight are refused;
//  - many states of one model evaluated from 4 threads at once give their solo runs' logits, bit for
//    bit, while another thread keeps trying to free the model and the context and reads sizes.
// The overlaps are made deterministic by watching for them: a long call runs in one thread while the
// test thread probes with a call that changes nothing (an export, an append of 0 tokens) until that
// probe is refused, which proves the long call holds the handle; what follows then is either refused
// or, if the long call has finished meanwhile, ordered after it, and both are checked.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "check.h"
#include "rwkvx.h"
#include "synthetic_rwkv7.h"

namespace {

constexpr int64_t C = 64, V = 232, F = 4 * C, D = 16;
constexpr size_t kVocab = size_t(V);
constexpr int kTrials = 30;  // attempts at an overlap before giving up (one is nearly always enough)

bool verbose() {
    return std::getenv("RWKVX_TEST_VERBOSE") != nullptr;
}

// The calling thread's last error contains `needle`.
bool said(const char *needle) {
    return std::strstr(rwkvx_last_error(), needle) != nullptr;
}

std::string last_error() {
    return rwkvx_last_error();
}

struct Arch {
    std::string name;
    int32_t arch;
    Tensors tensors;  // borrowed by in-place models: lives as long as the test
    bool hybrid;
    int long_tokens;  // the long eval that others overlap with
};

rwkvx_hybrid_config hybrid_config() {
    rwkvx_hybrid_config cfg;
    rwkvx_hybrid_config_defaults(&cfg);
    cfg.chunk_size = 16;  // sparse attention over several chunks within the long eval
    cfg.top_k = 2;
    cfg.dense_below = 0;
    return cfg;
}

rwkvx_model *make_model(rwkvx_context *ctx, Arch &a) {
    auto named = a.tensors.named();
    rwkvx_model *model = nullptr;
    const rwkvx_hybrid_config cfg = hybrid_config();
    const rwkvx_status st = a.hybrid ? rwkvx_model_create_hybrid(ctx, named.data(), int64_t(named.size()), &cfg, &model)
                                     : rwkvx_model_create(ctx, a.arch, named.data(), int64_t(named.size()), &model);
    expect(st == RWKVX_OK, a.name + ": create model: " + last_error());
    return model;
}

rwkvx_state *make_state(rwkvx_model *model) {
    rwkvx_state *s = nullptr;
    expect(rwkvx_state_create(model, &s) == RWKVX_OK, "create state: " + last_error());
    return s;
}

std::vector<char> export_state(rwkvx_state *s) {
    std::vector<char> out(size_t(rwkvx_state_size(s)));
    expect(rwkvx_state_export(s, out.data(), int64_t(out.size())) == RWKVX_OK, "export: " + last_error());
    return out;
}

std::vector<int32_t> tokens(int n, int seed) {
    std::vector<int32_t> t;
    for (int i = 0; i < n; i++) t.push_back(int32_t((i * 7 + seed * 13 + 3) % V));
    return t;
}

bool same_bits(const std::vector<float> &a, const std::vector<float> &b) {
    return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// Evaluates `tok` in one call, logits after every token.
std::vector<float> eval_all(rwkvx_model *model, rwkvx_state *s, const std::vector<int32_t> &tok) {
    std::vector<float> l(tok.size() * size_t(V));
    expect(rwkvx_model_eval(model, s, tok.data(), int64_t(tok.size()), l.data(), RWKVX_LOGITS_ALL) == RWKVX_OK,
           "eval: " + last_error());
    return l;
}

// A long eval in another thread, repeated while it is refused (by the test thread's probes).
struct LongEval {
    rwkvx_model *model;
    rwkvx_state *state;
    std::vector<int32_t> tok;
    std::vector<float> logits;
    std::atomic<bool> done{false};
    rwkvx_status status = RWKVX_OK;
    int refusals = 0;
    bool refusals_said_so = true;
    std::thread thread;

    LongEval(rwkvx_model *m, rwkvx_state *s, std::vector<int32_t> t)
        : model(m), state(s), tok(std::move(t)), logits(kVocab) {
        thread = std::thread([this] {
            while ((status = rwkvx_model_eval(model, state, tok.data(), int64_t(tok.size()), logits.data(),
                                              RWKVX_LOGITS_LAST)) == RWKVX_ERROR_IN_USE) {
                refusals++;
                refusals_said_so = refusals_said_so && said("rwkvx_model_eval: another call is using the state");
            }
            done = true;
        });
    }
    void join() { thread.join(); }
};

// Probes with exports of `bytes` until one is refused: true when the long eval then held the state;
// false when it finished first (the probe never saw it).
bool wait_until_held(rwkvx_state *s, LongEval &e, size_t bytes) {
    std::vector<char> buf(bytes);
    while (!e.done) {
        if (rwkvx_state_export(s, buf.data(), int64_t(bytes)) == RWKVX_ERROR_IN_USE) {
            expect(said("rwkvx_state_export: another call is using the state"),
                   "a refused export names itself and the reason: " + last_error());
            return true;
        }
    }
    return false;
}

// Two threads on one state: while a long eval holds it, the test thread's copy from it, reset, import
// and one-token eval are refused (or, once it is done, run after it); the state and the logits then
// equal a serial run of the calls that succeeded, bit for bit.
void test_overlapping_calls(rwkvx_context *ctx, Arch &a, const std::string &what) {
    rwkvx_model *model = make_model(ctx, a);
    if (!model) return;
    rwkvx_state *shared = make_state(model), *ref = make_state(model), *other = make_state(model);
    const std::vector<char> fresh = export_state(ref);
    const std::vector<int32_t> long_tok = tokens(a.long_tokens, 1);
    const int32_t short_tok = 11;
    int overlapped = 0, trials = 0, a_refusals = 0;
    for (; trials < kTrials && overlapped == 0; trials++) {
        expect(rwkvx_state_reset(shared) == RWKVX_OK, what + ": reset");
        LongEval e(model, shared, long_tok);
        const bool held = wait_until_held(shared, e, fresh.size());
        int refused = 0;
        bool was_reset = false;
        std::vector<float> b_logits(kVocab);
        if (held) {
            rwkvx_status st = rwkvx_state_copy(other, shared);
            if (st == RWKVX_ERROR_IN_USE) {
                refused++;
                expect(said("rwkvx_state_copy: another call is using src"), what + ": copy refusal: " + last_error());
            } else {
                expect(st == RWKVX_OK, what + ": copy after the eval: " + last_error());
            }
            st = rwkvx_state_reset(shared);
            if (st == RWKVX_ERROR_IN_USE) {
                refused++;
                expect(said("rwkvx_state_reset: another call is using the state"),
                       what + ": reset refusal: " + last_error());
            } else {
                expect(st == RWKVX_OK, what + ": reset after the eval: " + last_error());
                was_reset = true;
            }
            st = rwkvx_state_import(shared, fresh.data(), int64_t(fresh.size()));
            if (st == RWKVX_ERROR_IN_USE) {
                refused++;
                expect(said("rwkvx_state_import: another call is using the state"),
                       what + ": import refusal: " + last_error());
            } else {
                expect(st == RWKVX_OK, what + ": import after the eval: " + last_error());
                was_reset = true;  // the fresh state's export
            }
            bool message_ok = true;
            while ((st = rwkvx_model_eval(model, shared, &short_tok, 1, b_logits.data(), RWKVX_LOGITS_LAST)) ==
                   RWKVX_ERROR_IN_USE) {
                refused++;
                message_ok = message_ok && said("rwkvx_model_eval: another call is using the state");
            }
            expect(st == RWKVX_OK && message_ok, what + ": the one-token eval runs once the long one is done: " +
                                                     std::to_string(st) + " " + last_error());
        }
        e.join();
        a_refusals += e.refusals;
        expect(e.status == RWKVX_OK && e.refusals_said_so, what + ": the long eval succeeds, refusals said so");
        if (!held) continue;
        // The same calls, serially, in the order they succeeded.
        expect(rwkvx_state_reset(ref) == RWKVX_OK, what + ": reset reference");
        std::vector<float> a_want(kVocab), b_want(kVocab);
        rwkvx_model_eval(model, ref, long_tok.data(), int64_t(long_tok.size()), a_want.data(), RWKVX_LOGITS_LAST);
        if (was_reset) rwkvx_state_reset(ref);
        rwkvx_model_eval(model, ref, &short_tok, 1, b_want.data(), RWKVX_LOGITS_LAST);
        expect(same_bits(e.logits, a_want), what + ": the long eval's logits equal a serial run's");
        expect(same_bits(b_logits, b_want), what + ": the one-token eval's logits equal a serial run's");
        expect(export_state(shared) == export_state(ref), what + ": the state equals a serial run's, bit for bit");
        overlapped += refused > 0;
    }
    if (verbose())
        std::printf("%s: overlapping calls: %d trial(s), %d refusals of the long eval\n", what.c_str(), trials,
                    a_refusals);
    expect(overlapped > 0, what + ": some call overlapped the long eval in " + std::to_string(trials) + " trials");
    // Copying a state onto itself holds it once and does nothing.
    expect(rwkvx_state_copy(shared, shared) == RWKVX_OK, what + ": copy onto itself: " + last_error());
    for (rwkvx_state *s : {shared, ref, other})
        expect(rwkvx_state_free(s) == RWKVX_OK, what + ": free a state: " + last_error());
    expect(rwkvx_model_free(model) == RWKVX_OK, what + ": free the model: " + last_error());
}

// Frees while a long eval runs: the state's and the model's are refused, change nothing, and succeed
// once the eval is done.
void test_free_while_in_use(rwkvx_context *ctx, Arch &a, const std::string &what) {
    rwkvx_model *model = make_model(ctx, a);
    if (!model) return;
    rwkvx_state *ref = make_state(model);
    const size_t fresh_bytes = size_t(rwkvx_state_size(ref));
    const std::vector<int32_t> long_tok = tokens(a.long_tokens, 2);
    int refused = 0, trials = 0;
    for (; trials < kTrials && refused == 0; trials++) {
        rwkvx_state *s = make_state(model);
        LongEval e(model, s, long_tok);
        if (wait_until_held(s, e, fresh_bytes)) {
            // After the probe the eval holds s and is not retried, so s may be freed if it has finished.
            const rwkvx_status st = rwkvx_state_free(s);
            if (st == RWKVX_ERROR_IN_USE) {
                refused++;
                expect(said("rwkvx_state_free: another call is using the state (nothing was freed)"),
                       what + ": state_free refusal: " + last_error());
            } else {
                expect(st == RWKVX_OK, what + ": state_free after the eval: " + last_error());
                s = nullptr;
            }
            expect(rwkvx_model_free(model) == RWKVX_ERROR_IN_USE && said("rwkvx_model_free: the model still has "),
                   what + ": model_free during an eval: " + last_error());
        }
        e.join();
        expect(e.status == RWKVX_OK, what + ": the eval succeeds");
        if (s == nullptr) continue;
        std::vector<float> want(kVocab);
        rwkvx_state_reset(ref);
        rwkvx_model_eval(model, ref, long_tok.data(), int64_t(long_tok.size()), want.data(), RWKVX_LOGITS_LAST);
        expect(same_bits(e.logits, want) && export_state(s) == export_state(ref),
               what + ": a refused free changed nothing");
        expect(rwkvx_state_free(s) == RWKVX_OK, what + ": state_free after the eval: " + last_error());
    }
    if (verbose()) std::printf("%s: free while in use: %d trial(s)\n", what.c_str(), trials);
    expect(refused > 0, what + ": a state_free overlapped an eval in " + std::to_string(trials) + " trials");
    expect(rwkvx_model_free(model) == RWKVX_ERROR_IN_USE && said("the model still has 1 state;"),
           what + ": model_free with one state: " + last_error());
    expect(rwkvx_state_free(ref) == RWKVX_OK && rwkvx_model_free(model) == RWKVX_OK,
           what + ": frees in order: " + last_error());
}

// Free order without threads: dependents keep their owners; refused frees leave everything usable.
void test_ownership(Arch &a, int flags, const std::string &what) {
    const int64_t live = rwkvx_live_handles();
    rwkvx_context *ctx = nullptr;
    expect(rwkvx_context_create(RWKVX_BACKEND_CPU, 2, flags, &ctx) == RWKVX_OK, what + ": context");
    rwkvx_model *model = make_model(ctx, a);
    if (!ctx || !model) return;
    rwkvx_state *s1 = make_state(model), *s2 = make_state(model);
    expect(rwkvx_model_free(model) == RWKVX_ERROR_IN_USE &&
               said("rwkvx_model_free: the model still has 2 states; free its states first (nothing was freed)"),
           what + ": model_free with 2 states: " + last_error());
    expect(rwkvx_context_free(ctx) == RWKVX_ERROR_IN_USE &&
               said("rwkvx_context_free: the context still has 1 model and 0 KV caches; free them first"),
           what + ": context_free with a model: " + last_error());
    // Still usable after the refusals.
    const std::vector<int32_t> tok = tokens(9, 3);
    const std::vector<float> l1 = eval_all(model, s1, tok);
    rwkvx_state *s3 = make_state(model);
    expect(same_bits(eval_all(model, s3, tok), l1), what + ": the model still computes after refused frees");
    rwkvx_model_info info{};
    expect(rwkvx_model_get_info(model, &info) == RWKVX_OK && info.n_vocab == V, what + ": get_info");
    // A fresh state's export (RWKV-X: empty caches) imports back over a used one.
    const std::vector<char> fresh = export_state(s2);
    expect(rwkvx_state_import(s1, fresh.data(), int64_t(fresh.size())) == RWKVX_OK && export_state(s1) == fresh,
           what + ": a fresh export imports: " + last_error());
    expect(rwkvx_state_free(s3) == RWKVX_OK && rwkvx_state_free(s1) == RWKVX_OK, what + ": free states");
    expect(rwkvx_model_free(model) == RWKVX_ERROR_IN_USE && said("the model still has 1 state;"),
           what + ": model_free with 1 state: " + last_error());
    rwkvx_kv_cache_config cfg{1, 16, RWKVX_DTYPE_F32, 8, 32, 0, 0, 0};
    rwkvx_kv_cache *cache = nullptr;
    expect(rwkvx_kv_cache_create(ctx, &cfg, &cache) == RWKVX_OK, what + ": cache");
    expect(rwkvx_context_free(ctx) == RWKVX_ERROR_IN_USE && said("the context still has 1 model and 1 KV cache;"),
           what + ": context_free with a model and a cache: " + last_error());
    expect(rwkvx_state_free(s2) == RWKVX_OK && rwkvx_model_free(model) == RWKVX_OK,
           what + ": the model goes after its last state: " + last_error());
    expect(rwkvx_context_free(ctx) == RWKVX_ERROR_IN_USE && said("the context still has 0 models and 1 KV cache;"),
           what + ": context_free with a cache: " + last_error());
    expect(rwkvx_kv_cache_free(cache) == RWKVX_OK && rwkvx_context_free(ctx) == RWKVX_OK,
           what + ": the context goes last: " + last_error());
    expect(rwkvx_live_handles() == live,
           what + ": live handles back to " + std::to_string(live) + ", found " + std::to_string(rwkvx_live_handles()));
}

void test_null_frees() {
    expect(rwkvx_state_free(nullptr) == RWKVX_OK && rwkvx_model_free(nullptr) == RWKVX_OK &&
               rwkvx_kv_cache_free(nullptr) == RWKVX_OK && rwkvx_context_free(nullptr) == RWKVX_OK,
           "freeing NULL is RWKVX_OK");
    expect(std::string(rwkvx_status_name(RWKVX_ERROR_IN_USE)) == "RWKVX_ERROR_IN_USE", "status name");
}

// 4 threads, 2 states each, on one model: each state's logits equal its solo run's, bit for bit, while
// a fifth thread keeps trying to free the model and the context (refused), reads the model's info and
// a state's size.
void test_many_states(rwkvx_context *ctx, Arch &a, const std::string &what) {
    rwkvx_model *model = make_model(ctx, a);
    if (!model) return;
    constexpr int kThreads = 4, kPerThread = 2;
    // A state's script: a prefill, single tokens, another prefill.
    auto run_script = [&](rwkvx_state *s, int seed, std::vector<float> &out, int step) {
        const std::vector<int32_t> tok = tokens(30 + seed, seed);
        std::vector<float> l(size_t(V) * tok.size());
        auto call = [&](size_t from, size_t n) {
            const bool ok =
                rwkvx_model_eval(model, s, tok.data() + from, int64_t(n), l.data(), RWKVX_LOGITS_ALL) == RWKVX_OK;
            out.insert(out.end(), l.begin(), l.begin() + int64_t(n) * V);
            return ok;
        };
        if (step == 0) return call(0, 12);
        if (step <= 8) return call(11 + size_t(step), 1);
        return call(20, tok.size() - 20);
    };
    constexpr int kSteps = 10;
    std::vector<std::vector<float>> want(kThreads * kPerThread), got(kThreads * kPerThread);
    for (int i = 0; i < kThreads * kPerThread; i++) {
        rwkvx_state *s = make_state(model);
        for (int step = 0; step < kSteps; step++) run_script(s, i, want[size_t(i)], step);
        rwkvx_state_free(s);
    }
    std::vector<rwkvx_state *> states;
    for (int i = 0; i < kThreads * kPerThread; i++) states.push_back(make_state(model));
    rwkvx_model_info info{};
    rwkvx_model_get_info(model, &info);
    std::atomic<int> running{kThreads};
    std::atomic<bool> failed{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; t++)
        threads.emplace_back([&, t] {
            for (int step = 0; step < kSteps; step++)
                for (int j = 0; j < kPerThread; j++) {
                    const int i = t * kPerThread + j;
                    if (!run_script(states[size_t(i)], i, got[size_t(i)], step)) failed = true;
                }
            running--;
        });
    int64_t pest_rounds = 0;
    bool refused = true, sizes_ok = true, info_ok = true;
    while (running > 0) {
        pest_rounds++;
        refused = refused && rwkvx_model_free(model) == RWKVX_ERROR_IN_USE && said("the model still has 8 states") &&
                  rwkvx_context_free(ctx) == RWKVX_ERROR_IN_USE;
        rwkvx_model_info i2{};
        info_ok = info_ok && rwkvx_model_get_info(model, &i2) == RWKVX_OK && i2.state_bytes == info.state_bytes;
        const int64_t size = rwkvx_state_size(states[0]);
        sizes_ok = sizes_ok && (a.hybrid ? size >= info.state_bytes : size == info.state_bytes);
    }
    for (auto &th : threads) th.join();
    expect(!failed, what + ": every eval of 4 threads succeeds");
    expect(refused && info_ok && sizes_ok,
           what + ": frees refused, info and sizes read meanwhile (" + std::to_string(pest_rounds) + " rounds)");
    for (int i = 0; i < kThreads * kPerThread; i++)
        expect(same_bits(got[size_t(i)], want[size_t(i)]),
               what + ": state " + std::to_string(i) + " on 4 threads equals its solo run, bit for bit");
    for (rwkvx_state *s : states) rwkvx_state_free(s);
    expect(rwkvx_model_free(model) == RWKVX_OK, what + ": free the model: " + last_error());
}

// ---- KV caches ----

constexpr int32_t kH = 4, kD = 128;

struct Rows {
    std::vector<float> q, k, v;
    Rows(int64_t n, int seed) {
        std::mt19937 rng{uint32_t(seed)};
        std::normal_distribution<float> nd(0.0f, 1.0f);
        for (auto *x : {&q, &k, &v}) {
            x->resize(size_t(n * kH * kD));
            for (float &f : *x) f = nd(rng);
        }
    }
};

rwkvx_attention_params decode_params(const Rows &r, std::vector<float> &o, int64_t n) {
    rwkvx_attention_params p{};
    p.n_tokens = n;
    p.n_head = kH;
    p.head_size = kD;
    p.kv_dtype = RWKVX_DTYPE_F32;
    p.mode = RWKVX_ATTN_FULL;
    p.causal = 1;
    p.chunk_size = 16;
    p.q = r.q.data();
    p.k = r.k.data();
    p.v = r.v.data();
    o.assign(size_t(n * kH * kD), 0.0f);
    p.o = o.data();
    return p;
}

rwkvx_kv_cache *make_cache(rwkvx_context *ctx, const Rows &prefix, int64_t n) {
    rwkvx_kv_cache_config cfg{kH, kD, RWKVX_DTYPE_F32, 16, 8192, 0, 0, 0};
    rwkvx_kv_cache *c = nullptr;
    expect(rwkvx_kv_cache_create(ctx, &cfg, &c) == RWKVX_OK, "cache: " + last_error());
    expect(rwkvx_kv_cache_append(c, prefix.k.data(), prefix.v.data(), n, 0, 0, RWKVX_MEMORY_HOST) == RWKVX_OK,
           "prefix");
    return c;
}

// One more query over the whole cache: equal outputs mean equal caches (to the bit, here).
std::vector<float> final_query(rwkvx_context *ctx, rwkvx_kv_cache *c) {
    Rows last(1, 99);
    std::vector<float> o;
    rwkvx_attention_params p = decode_params(last, o, 1);
    expect(rwkvx_attention_decode(ctx, c, &p) == RWKVX_OK, "final query: " + last_error());
    return o;
}

// Probes with appends of 0 tokens until one is refused: true when the other thread's call then held
// the cache.
bool wait_until_cache_held(rwkvx_kv_cache *c, const std::atomic<bool> &done) {
    while (!done) {
        if (rwkvx_kv_cache_append(c, nullptr, nullptr, 0, 0, 0, RWKVX_MEMORY_HOST) == RWKVX_ERROR_IN_USE) {
            expect(said("rwkvx_kv_cache_append: another call is using the KV cache"),
                   "a refused append names itself and the reason: " + last_error());
            return true;
        }
    }
    return false;
}

// A long decode (T queries over the cache) in another thread; the test thread's free, append and
// decode are refused while it runs, and run after it otherwise; the caches then equal a serial run's.
// Then the other way round: a long append in flight refuses a decode.
void test_kv_cache_overlap(rwkvx_context *ctx) {
    constexpr int64_t kPrefix = 64, kLong = 512;
    const Rows prefix(kPrefix, 1), big(kLong, 2), one(1, 3);
    int overlapped = 0, trials = 0;
    for (; trials < kTrials && overlapped == 0; trials++) {
        rwkvx_kv_cache *c = make_cache(ctx, prefix, kPrefix);
        std::vector<float> o_long, o_one;
        rwkvx_attention_params long_p = decode_params(big, o_long, kLong);
        rwkvx_status long_status = RWKVX_OK;
        std::atomic<bool> done{false};
        std::thread th([&] {
            while ((long_status = rwkvx_attention_decode(ctx, c, &long_p)) == RWKVX_ERROR_IN_USE) {}
            done = true;
        });
        const bool held = wait_until_cache_held(c, done);
        int refused = 0;
        bool decoded_one = false;
        if (held) {
            const int64_t len = rwkvx_kv_cache_length(c);
            expect(len == kPrefix || len == kPrefix + kLong, "length during a decode: " + std::to_string(len));
            rwkvx_status st = rwkvx_kv_cache_free(c);
            expect(st == RWKVX_ERROR_IN_USE || done, "kv_cache_free during a decode: " + last_error());
            if (st == RWKVX_ERROR_IN_USE) {
                refused++;
                expect(said("rwkvx_kv_cache_free: another call is using the KV cache (nothing was freed)"),
                       "kv_cache_free refusal: " + last_error());
            } else {
                c = nullptr;  // the decode had finished: freed
            }
            if (c) {
                rwkvx_attention_params one_p = decode_params(one, o_one, 1);
                st = rwkvx_attention_decode(ctx, c, &one_p);
                if (st == RWKVX_ERROR_IN_USE) {
                    refused++;
                    expect(said("rwkvx_attention_decode: another call is using the KV cache"),
                           "decode refusal: " + last_error());
                } else {
                    expect(st == RWKVX_OK, "decode after the long one: " + last_error());
                    decoded_one = true;
                }
                while ((st = rwkvx_kv_cache_append(c, one.k.data(), one.v.data(), 1, 0, 0, RWKVX_MEMORY_HOST)) ==
                       RWKVX_ERROR_IN_USE)
                    refused++;
                expect(st == RWKVX_OK, "append after the decode: " + last_error());
            }
        }
        th.join();
        expect(long_status == RWKVX_OK, "the long decode succeeds: " + std::to_string(long_status));
        if (c && held) {
            rwkvx_kv_cache *ref = make_cache(ctx, prefix, kPrefix);
            std::vector<float> o_ref, o_ref_one;
            rwkvx_attention_params p = decode_params(big, o_ref, kLong);
            rwkvx_attention_decode(ctx, ref, &p);
            if (decoded_one) {
                rwkvx_attention_params p1 = decode_params(one, o_ref_one, 1);
                rwkvx_attention_decode(ctx, ref, &p1);
            }
            rwkvx_kv_cache_append(ref, one.k.data(), one.v.data(), 1, 0, 0, RWKVX_MEMORY_HOST);
            expect(same_bits(o_long, o_ref) && (!decoded_one || same_bits(o_one, o_ref_one)),
                   "decode outputs equal a serial run's");
            expect(rwkvx_kv_cache_length(c) == rwkvx_kv_cache_length(ref) &&
                       same_bits(final_query(ctx, c), final_query(ctx, ref)),
                   "the cache equals a serial run's");
            rwkvx_kv_cache_free(ref);
        }
        expect(rwkvx_kv_cache_free(c) == RWKVX_OK, "free the cache after the decode");
        overlapped += refused > 0;
    }
    if (verbose()) std::printf("KV cache: decode overlapped in %d trial(s)\n", trials);
    expect(overlapped > 0, "some call overlapped the long decode in " + std::to_string(trials) + " trials");

    // A long append in flight: a one-token decode is refused, or runs after it.
    constexpr int64_t kAppend = 8000;
    const Rows many(kAppend, 4);
    overlapped = 0;
    for (trials = 0; trials < 4 * kTrials && overlapped == 0; trials++) {
        rwkvx_kv_cache *c = make_cache(ctx, prefix, 0);
        std::atomic<bool> done{false};
        rwkvx_status append_status = RWKVX_OK;
        std::thread th([&] {
            while ((append_status = rwkvx_kv_cache_append(c, many.k.data(), many.v.data(), kAppend, 0, 0,
                                                          RWKVX_MEMORY_HOST)) == RWKVX_ERROR_IN_USE) {}
            done = true;
        });
        const bool held = wait_until_cache_held(c, done);
        std::vector<float> o_one;
        rwkvx_status st = RWKVX_OK;
        int refused = 0;
        if (held) {
            rwkvx_attention_params one_p = decode_params(one, o_one, 1);
            while ((st = rwkvx_attention_decode(ctx, c, &one_p)) == RWKVX_ERROR_IN_USE) refused++;
            expect(st == RWKVX_OK, "decode after the append: " + last_error());
        }
        th.join();
        expect(append_status == RWKVX_OK, "the long append succeeds");
        if (held) {
            rwkvx_kv_cache *ref = make_cache(ctx, many, kAppend);
            std::vector<float> o_ref;
            rwkvx_attention_params p = decode_params(one, o_ref, 1);
            rwkvx_attention_decode(ctx, ref, &p);
            expect(same_bits(o_one, o_ref) && same_bits(final_query(ctx, c), final_query(ctx, ref)),
                   "a decode refused during an append, then run after it, equals a serial run");
            rwkvx_kv_cache_free(ref);
        }
        rwkvx_kv_cache_free(c);
        overlapped += refused > 0;
    }
    if (verbose()) std::printf("KV cache: append overlapped in %d trial(s)\n", trials);
    expect(overlapped > 0, "a decode overlapped the long append in " + std::to_string(trials) + " trials");
}

}  // namespace

int main() {
    const auto start = std::chrono::steady_clock::now();
    const int64_t live = rwkvx_live_handles();
    test_null_frees();
    Arch archs[] = {
        {"RWKV-7", RWKVX_ARCH_RWKV7, synthetic_rwkv7({C, C, V, F, 12, D, D, D, D}), false, 192},
        {"RWKV-4", RWKVX_ARCH_RWKV4, synthetic_rwkv4(C, V, F, 12), false, 256},
        {"RWKV-X", RWKVX_ARCH_HYBRID, synthetic_rwkv7({C, C, V, F, 12, D, D, D, D}), true, 192},
    };
    add_hybrid_attention(archs[2].tensors, 3, C, F, false);
    for (int placement : {0, RWKVX_CONTEXT_RESIDENT_WEIGHTS}) {
        rwkvx_context *ctx = nullptr;
        expect(rwkvx_context_create(RWKVX_BACKEND_CPU, 2, placement, &ctx) == RWKVX_OK, "context");
        for (Arch &a : archs) {
            const std::string what = a.name + (placement ? " (resident)" : " (in place)");
            test_overlapping_calls(ctx, a, what);
            test_free_while_in_use(ctx, a, what);
            test_many_states(ctx, a, what);
            test_ownership(a, placement, what);
        }
        if (placement == 0) test_kv_cache_overlap(ctx);
        expect(rwkvx_context_free(ctx) == RWKVX_OK, "free the context: " + last_error());
    }
    expect(rwkvx_live_handles() == live, "every handle freed: " + std::to_string(rwkvx_live_handles()) + " live");
    if (verbose())
        std::printf("%.2f s\n", std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    return finish();
}
