// A persistent pool of spinning workers for short, back-to-back parallel regions (a decode step runs
// hundreds of them; waking sleeping threads for each would cost more than the work).
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace rwkvx {

class ThreadPool {
  public:
    // n_threads counts the calling thread: n_threads - 1 workers are started.
    explicit ThreadPool(int n_threads);
    ~ThreadPool();
    ThreadPool(const ThreadPool &) = delete;
    ThreadPool &operator=(const ThreadPool &) = delete;

    int size() const { return n_threads_; }

    // Calls task(slot, n_slots) once for each slot in [0, size()) and waits for all of them. The
    // caller runs slot 0; worker i runs slot i unless the caller, done with its own, finds it not
    // yet started and runs it itself (a descheduled worker, or one the OS put on the caller's core,
    // would otherwise stall the region). So a slot is not a thread: per-slot scratch is fine,
    // waiting inside a task for another slot is not.
    // Not reentrant: one region at a time (callers serialise on their context).
    void run(const std::function<void(int, int)> &task);

    // Splits [0, count) into contiguous ranges, one per slot, multiples of `grain` where possible.
    template <typename F>
    void parallel_for(int64_t count, int64_t grain, F &&body) {
        if (count <= 0) return;
        int64_t units = (count + grain - 1) / grain;
        if (n_threads_ == 1 || units == 1) {
            body(int64_t(0), count);
            return;
        }
        run([&](int slot, int nt) {
            int64_t per = units / nt, extra = units % nt;
            int64_t u0 = slot * per + (slot < extra ? slot : extra);
            int64_t u1 = u0 + per + (slot < extra ? 1 : 0);
            int64_t b = u0 * grain, e = u1 * grain < count ? u1 * grain : count;
            if (b < e) body(b, e);
        });
    }

  private:
    // One cache line per slot: the generation of the last region in which it was claimed.
    struct alignas(64) SlotClaim {
        std::atomic<uint64_t> generation{0};
    };

    void worker_loop(int index);
    bool claim(int slot, uint64_t generation);

    int n_threads_;
    std::vector<std::thread> workers_;
    const std::function<void(int, int)> *task_ = nullptr;
    std::atomic<uint64_t> generation_{0};
    std::atomic<int> pending_{0};  // slots 1.. not yet finished in this region
    std::unique_ptr<SlotClaim[]> claims_;
    std::atomic<bool> stop_{false};
    std::atomic<int> sleepers_{0};
    std::mutex mutex_;
    std::condition_variable wake_;
};

}  // namespace rwkvx
