// A batched eval as passes over one workspace of token rows: every sequence's rows side by side, so
// that row-wise work (norms, every matmul, the head) reads the weights once for all of them, while the
// recurrent work (token shift, WKV, attention) runs per segment, each with its own state. A
// single-sequence eval is a batch of one: the same code path.
#pragma once
#include <cstdint>
#include <vector>

#include "cpu/cpu_ops.h"
#include "model/model.h"
#include "model/tensor_set.h"

namespace rwkvx {

// One sequence's rows within one pass.
struct Segment {
    int64_t row;         // first row in the pass's workspace
    int64_t T;           // rows (>= 1)
    float *state;        // the sequence's host state
    StateExt *ext;       // its growing part (RWKV-X), or null
    int64_t seq_tokens;  // the whole sequence's n_tokens in this call (RWKV-X: prefill vs decode mode)
    float *logits;       // where this segment's logits go, as mode asks
    int32_t mode;        // LAST (its row T-1), ALL (every row) or NONE
};

struct Pass {
    int64_t rows = 0;
    std::vector<Segment> segments;
    std::vector<int32_t> tokens;      // [rows]: the token of every row
    std::vector<int32_t> segment_of;  // [rows]: the segment each row belongs to
};

// Splits a batch into passes of at most slice_tokens rows. Each sequence is cut, as a single eval
// cuts it, at multiples of slice_tokens from its start; its pieces go first-fit into the passes, each
// piece in a later pass than the one before it. A batch of one sequence gives one pass per slice.
// Storage is reused from call to call (used under the context lock only).
class BatchPlanner {
  public:
    const std::vector<Pass> &plan(const BatchSeq *seqs, int64_t n, int64_t slice_tokens, int64_t n_vocab);

  private:
    std::vector<Pass> passes_;
    int64_t used_ = 0;
};

// Runs each pass of the plan (planner storage stays valid meanwhile).
template <typename F>
void for_each_pass(const std::vector<Pass> &passes, F &&run) {
    for (const Pass &p : passes)
        if (p.rows > 0) run(p);
}

// Fails with RWKVX_ERROR_ARGUMENT naming the sequence and position of the first token out of range.
void check_batch_tokens(const BatchSeq *seqs, int64_t n, int64_t n_vocab);

// ---- per-segment pieces of the forward passes ----

// The row before row t of xx ([rows][C]): the previous row, or, where t begins its segment, the
// segment's carried row at state + shift_offset.
inline const float *previous_row(const Pass &p, const float *xx, int64_t t, int64_t C, int64_t shift_offset) {
    const Segment &s = p.segments[size_t(p.segment_of[size_t(t)])];
    return t == s.row ? s.state + shift_offset : xx + (t - 1) * C;
}
// Each segment's carried row (state + shift_offset) becomes its last row of xx.
void carry_last_rows(const Pass &p, const float *xx, int64_t C, int64_t shift_offset);

// WKV over every segment with its own state (state + state_offset); args hold the pass's rows
// (T = rows, state unused). One parallel region for all segments' heads.
void wkv7_segments(CpuOps &ops, const Pass &p, const Wkv7Args &args, int64_t state_offset);
void wkv4_segments(CpuOps &ops, const Pass &p, const Wkv4Args &args, int64_t state_offset);
void wkv5_segments(CpuOps &ops, const Pass &p, const Wkv5Args &args, int64_t state_offset);

// The logits every segment's mode asks for from the residual rows x [rows][C]: ln_out, then the head.
// Segments that need one row (LAST, or ALL of one row) share one product, written in place when their
// destinations lie one after another, else into out_rows (grown as needed) and copied out. A segment
// that needs all of its several rows gets its own product, written in place. scratch: [rows][C].
struct HeadWeights {
    const Matrix &head;
    const float *ln_w, *ln_b;
};
void head_segments(CpuOps &ops, const HeadWeights &h, const Pass &p, const float *x, float *scratch,
                   std::vector<float> &out_rows);

}  // namespace rwkvx
