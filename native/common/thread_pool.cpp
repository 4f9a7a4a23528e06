#include "common/thread_pool.h"

#include <chrono>
#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define RWKVX_PAUSE() _mm_pause()
#else
#define RWKVX_PAUSE() std::this_thread::yield()
#endif

namespace rwkvx {

namespace {
// How long an idle worker spins before it sleeps: long enough to bridge the gaps between the
// kernels of one forward pass, short enough not to burn a core between user requests.
constexpr auto kSpinTime = std::chrono::microseconds(2000);
}  // namespace

ThreadPool::ThreadPool(int n_threads)
    : n_threads_(n_threads < 1 ? 1 : n_threads), claims_(new SlotClaim[size_t(n_threads_)]) {
    for (int i = 1; i < n_threads_; i++) workers_.emplace_back([this, i] { worker_loop(i); });
}

ThreadPool::~ThreadPool() {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stop_.store(true);
        generation_.fetch_add(1);
    }
    wake_.notify_all();
    for (auto &t : workers_) t.join();
}

void ThreadPool::run(const std::function<void(int, int)> &task) {
    if (n_threads_ == 1) {
        task(0, 1);
        return;
    }
    task_ = &task;
    pending_.store(n_threads_ - 1, std::memory_order_relaxed);
    uint64_t generation;
    if (sleepers_.load() > 0) {
        std::lock_guard<std::mutex> lock(mutex_);
        generation = generation_.fetch_add(1) + 1;
        wake_.notify_all();
    } else {
        generation = generation_.fetch_add(1) + 1;
        // A worker may have gone to sleep after we looked; notify under the lock to be sure.
        if (sleepers_.load() > 0) {
            std::lock_guard<std::mutex> lock(mutex_);
            wake_.notify_all();
        }
    }
    task(0, n_threads_);
    for (int slot = 1; slot < n_threads_; slot++)
        if (claim(slot, generation)) {
            task(slot, n_threads_);
            pending_.fetch_sub(1, std::memory_order_release);
        }
    // Spin briefly, then yield: when the machine is oversubscribed a descheduled worker needs our core.
    for (int spins = 0; pending_.load(std::memory_order_acquire) != 0; spins++) {
        if (spins < 4096)
            RWKVX_PAUSE();
        else
            std::this_thread::yield();
    }
    task_ = nullptr;
}

void ThreadPool::worker_loop(int index) {
    // Not generation_.load(): a region may already have been published before this thread ran.
    uint64_t seen = 0;
    for (;;) {
        auto spin_until = std::chrono::steady_clock::now() + kSpinTime;
        int spins = 0;
        while (generation_.load(std::memory_order_acquire) == seen) {
            if (spins < 4096)
                RWKVX_PAUSE();
            else
                std::this_thread::yield();
            if (++spins % 256 == 0 && std::chrono::steady_clock::now() > spin_until) {
                std::unique_lock<std::mutex> lock(mutex_);
                sleepers_.fetch_add(1);
                wake_.wait(lock, [&] { return generation_.load() != seen; });
                sleepers_.fetch_sub(1);
                break;
            }
        }
        seen = generation_.load(std::memory_order_acquire);
        if (stop_.load()) return;
        // task_ is this region's while the slot is unfinished: the caller waits for it.
        if (!claim(index, seen)) continue;
        (*task_)(index, n_threads_);
        pending_.fetch_sub(1, std::memory_order_release);
    }
}

// A slot is claimed once per region, by its worker or by the caller. A worker that wakes late sees
// its slot already claimed at the current generation (the caller only starts the next region after
// finishing this one, so a stale worker never takes a newer region's slot with an old generation).
bool ThreadPool::claim(int slot, uint64_t generation) {
    uint64_t last = claims_[slot].generation.load(std::memory_order_relaxed);
    return last < generation &&
           claims_[slot].generation.compare_exchange_strong(last, generation, std::memory_order_acq_rel);
}

}  // namespace rwkvx
