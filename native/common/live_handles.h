// Counts handles that exist (created, not yet freed): a member of every handle struct, so that
// rwkvx_live_handles() can show leaks in long-running hosts and tests.
#pragma once
#include <atomic>
#include <cstdint>

namespace rwkvx {

std::atomic<int64_t> &live_handle_count();

struct LiveHandle {
    LiveHandle() { live_handle_count().fetch_add(1, std::memory_order_relaxed); }
    LiveHandle(const LiveHandle &) : LiveHandle() {}
    LiveHandle &operator=(const LiveHandle &) { return *this; }
    ~LiveHandle() { live_handle_count().fetch_sub(1, std::memory_order_relaxed); }
};

}  // namespace rwkvx
