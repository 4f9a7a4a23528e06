#include "model/batch_rows.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <string>

#include "common/errors.h"
#include "model/model_ops.h"

namespace rwkvx {

namespace {

// Below this much recurrence work (state floats times tokens) waking the workers costs more than it
// saves (as CpuOps::wkv7 and wkv5 judge one sequence).
constexpr int64_t kMinParallelWkv = 1 << 14;
// RWKV-4's recurrence is per channel: items of this many channels (a multiple of the kernel's 8).
constexpr int64_t kWkv4Channels = 64;

// Calls item(i) for i in [0, items) on the pool's threads, each claiming the next item when done
// with one: segments of different lengths make items of different cost.
template <typename F>
void run_items(CpuOps &ops, int64_t items, int64_t work, F &&item) {
    if (ops.pool().size() == 1 || items == 1 || work < kMinParallelWkv) {
        for (int64_t i = 0; i < items; i++) item(i);
        return;
    }
    std::atomic<int64_t> next{0};
    ops.pool().run([&](int, int) {
        for (int64_t i = next.fetch_add(1, std::memory_order_relaxed); i < items;
             i = next.fetch_add(1, std::memory_order_relaxed))
            item(i);
    });
}

}  // namespace

const std::vector<Pass> &BatchPlanner::plan(const BatchSeq *seqs, int64_t n, int64_t slice_tokens, int64_t n_vocab) {
    for (int64_t k = 0; k < used_; k++) {
        Pass &p = passes_[size_t(k)];
        p.rows = 0;
        p.segments.clear();
        p.tokens.clear();
        p.segment_of.clear();
    }
    used_ = 0;
    for (int64_t i = 0; i < n; i++) {
        const BatchSeq &q = seqs[i];
        int64_t min_pass = 0;
        for (int64_t s = 0; s < q.n_tokens; s += slice_tokens) {
            const int64_t T = std::min(slice_tokens, q.n_tokens - s);
            int64_t k = min_pass;
            while (k < used_ && passes_[size_t(k)].rows + T > slice_tokens) k++;
            if (k == used_) {
                if (int64_t(passes_.size()) == used_) passes_.emplace_back();
                used_++;
            }
            Pass &p = passes_[size_t(k)];
            float *out = nullptr;
            int32_t mode = RWKVX_LOGITS_NONE;
            if (q.logits_mode == RWKVX_LOGITS_ALL) {
                out = q.logits + s * n_vocab;
                mode = RWKVX_LOGITS_ALL;
            } else if (q.logits_mode == RWKVX_LOGITS_LAST && s + T == q.n_tokens) {
                out = q.logits;
                mode = RWKVX_LOGITS_LAST;
            }
            p.segment_of.insert(p.segment_of.end(), size_t(T), int32_t(p.segments.size()));
            p.tokens.insert(p.tokens.end(), q.tokens + s, q.tokens + s + T);
            p.segments.push_back(Segment{p.rows, T, q.state, q.ext, q.n_tokens, out, mode});
            p.rows += T;
            min_pass = k + 1;
        }
    }
    return passes_;
}

void check_batch_tokens(const BatchSeq *seqs, int64_t n, int64_t n_vocab) {
    for (int64_t i = 0; i < n; i++) {
        const std::string at = n > 1 ? "items[" + std::to_string(i) + "]: " : "";
        for (int64_t t = 0; t < seqs[i].n_tokens; t++) {
            const int32_t id = seqs[i].tokens[t];
            if (id < 0 || id >= n_vocab)
                fail(RWKVX_ERROR_ARGUMENT, at + "token " + std::to_string(id) + " at position " + std::to_string(t) +
                                               " is out of range [0, " + std::to_string(n_vocab) + ")");
        }
    }
}

void carry_last_rows(const Pass &p, const float *xx, int64_t C, int64_t shift_offset) {
    for (const Segment &s : p.segments) std::memcpy(s.state + shift_offset, xx + (s.row + s.T - 1) * C, size_t(C) * 4);
}

// A per-sequence kernel over a pass: of(segment) gives a segment's arguments. One segment runs whole (the
// kernel's own split); several run as `parts` work items each, spread over the pool:
// part(all segments' arguments, segment index, part index).
template <class Args, class Of, class Whole, class Part>
void per_segment(CpuOps &ops, const Pass &p, Of of, Whole whole, int64_t parts, int64_t cost, Part part) {
    if (p.segments.size() == 1) {
        whole(of(p.segments[0]));
        return;
    }
    std::vector<Args> args;
    args.reserve(p.segments.size());
    for (const Segment &s : p.segments) args.push_back(of(s));
    run_items(ops, int64_t(args.size()) * parts, cost, [&](int64_t it) { part(args, size_t(it / parts), it % parts); });
}

void wkv7_segments(CpuOps &ops, const Pass &p, const Wkv7Args &a, int64_t state_offset) {
    const int64_t HN = int64_t(a.H) * a.N, NN = int64_t(a.N) * a.N;
    auto of = [&](const Segment &s) {
        const int64_t o = s.row * HN;
        return Wkv7Args{s.T,    a.H, a.N, a.r + o, a.w + o, a.k + o, a.v + o, a.a + o, a.b + o, s.state + state_offset,
                        a.y + o};
    };
    const KernelTable &kt = ops.kernels();
    // A lone sequence runs on CpuOps's own split (value rows too, for few heads).
    per_segment<Wkv7Args>(
        ops, p, of, [&](const Wkv7Args &one) { ops.wkv7(one); }, a.H, p.rows * a.H * NN,
        [&](const std::vector<Wkv7Args> &args, size_t s, int64_t part) {
            const int32_t h = int32_t(part);
            const float *next = h + 1 < a.H           ? args[s].state + (h + 1) * NN
                                : s + 1 < args.size() ? args[s + 1].state
                                                      : nullptr;
            kt.wkv7(args[s], h, 0, a.N, next);
        });
}

void wkv4_segments(CpuOps &ops, const Pass &p, const Wkv4Args &a, int64_t state_offset) {
    auto of = [&](const Segment &s) {
        const int64_t o = s.row * a.C;
        return Wkv4Args{s.T, a.C, a.decay, a.first, a.k + o, a.v + o, s.state + state_offset, a.y + o};
    };
    const KernelTable &kt = ops.kernels();
    const int64_t blocks = (a.C + kWkv4Channels - 1) / kWkv4Channels;
    // ~4 exp per channel-token: weighted like a WKV-5 state float of the same count times 4.
    per_segment<Wkv4Args>(
        ops, p, of, [&](const Wkv4Args &one) { ops.wkv4(one); }, blocks, 4 * p.rows * a.C,
        [&](const std::vector<Wkv4Args> &args, size_t s, int64_t block) {
            const int64_t c0 = block * kWkv4Channels;
            kt.wkv4(args[s], c0, std::min(a.C, c0 + kWkv4Channels));
        });
}

void wkv5_segments(CpuOps &ops, const Pass &p, const Wkv5Args &a, int64_t state_offset) {
    const int64_t HN = int64_t(a.H) * a.N;
    auto of = [&](const Segment &s) {
        const int64_t o = s.row * HN;
        return Wkv5Args{s.T,
                        a.H,
                        a.N,
                        a.r + o,
                        a.k + o,
                        a.v + o,
                        a.w + s.row * a.w_stride,
                        a.w_stride,
                        a.u,
                        s.state + state_offset,
                        a.y + o};
    };
    const KernelTable &kt = ops.kernels();
    per_segment<Wkv5Args>(
        ops, p, of, [&](const Wkv5Args &one) { ops.wkv5(one); }, a.H, p.rows * a.H * int64_t(a.N) * a.N,
        [&](const std::vector<Wkv5Args> &args, size_t s, int64_t h) { kt.wkv5(args[s], int32_t(h)); });
}

void head_segments(CpuOps &ops, const HeadWeights &h, const Pass &p, const float *x, float *scratch,
                   std::vector<float> &out_rows) {
    const int64_t C = h.head.cols, V = h.head.rows;
    auto norm = [&](int64_t row, float *dst) { layer_norm(x + row * C, h.ln_w, h.ln_b, dst, C, kLayerNormEps); };
    // Several rows of one sequence: one product written in place.
    for (const Segment &s : p.segments) {
        if (s.mode != RWKVX_LOGITS_ALL || s.T == 1) continue;
        ops.for_rows(s.T, C, [&](int64_t t) { norm(s.row + t, scratch + t * C); });
        ops.matmul(mm(h.head, scratch, s.T, s.logits));
    }
    // One row each: the rows side by side, one product for all.
    std::vector<const Segment *> single;
    for (const Segment &s : p.segments)
        if (s.mode == RWKVX_LOGITS_LAST || (s.mode == RWKVX_LOGITS_ALL && s.T == 1)) single.push_back(&s);
    const int64_t n = int64_t(single.size());
    if (n == 0) return;
    ops.for_rows(n, C, [&](int64_t j) { norm(single[size_t(j)]->row + single[size_t(j)]->T - 1, scratch + j * C); });
    // Into place when the rows' destinations lie one after another (one logits array for the batch).
    bool adjacent = true;
    for (int64_t j = 1; j < n && adjacent; j++) adjacent = single[size_t(j)]->logits == single[0]->logits + j * V;
    if (adjacent) {
        ops.matmul(mm(h.head, scratch, n, single[0]->logits));
        return;
    }
    if (int64_t(out_rows.size()) < n * V) out_rows.resize(size_t(n * V));
    ops.matmul(mm(h.head, scratch, n, out_rows.data()));
    for (int64_t j = 0; j < n; j++) std::memcpy(single[size_t(j)]->logits, out_rows.data() + j * V, size_t(V) * 4);
}

}  // namespace rwkvx
