// Dynamic scheduling of independent tasks over the context's pool: each thread builds its own scratch
// once, then takes the next task index until none is left. Each task owns its outputs, so results do
// not depend on which thread ran what.
#pragma once
#include <atomic>
#include <cstdint>

#include "common/thread_pool.h"

namespace rwkvx {
namespace attn {

template <typename Make, typename Body>
void run_tasks(ThreadPool &pool, int64_t n, Make &&make_scratch, Body &&body) {
    if (n <= 0) return;
    if (pool.size() == 1 || n == 1) {
        auto scratch = make_scratch();
        for (int64_t i = 0; i < n; i++) body(scratch, i);
        return;
    }
    std::atomic<int64_t> next{0};
    pool.run([&](int, int) {
        // The caller may run a late worker's slot after the queue is empty: no scratch for nothing.
        if (next.load(std::memory_order_relaxed) >= n) return;
        auto scratch = make_scratch();
        for (int64_t i = next.fetch_add(1); i < n; i = next.fetch_add(1)) body(scratch, i);
    });
}

}  // namespace attn
}  // namespace rwkvx
