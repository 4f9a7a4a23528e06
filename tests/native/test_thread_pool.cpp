// ThreadPool tests: every slot of every region runs exactly once, also when the workers share the
// caller's core (then the caller must run the slots their workers have not started, not wait).
#include <sched.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "check.h"
#include "common/thread_pool.h"

namespace {

struct RegionLog {
    std::vector<std::atomic<int>> runs;  // per slot, over all regions
    std::atomic<int> out_of_range{0};    // slot or slot count not what run() promises
    std::atomic<int> run_by_caller{0};   // slots >= 1 that the calling thread ran
    explicit RegionLog(int n) : runs(size_t(n)) {}
};

// Runs `regions` regions of `work` busy iterations per slot and logs who ran which slot.
void run_regions(rwkvx::ThreadPool &pool, int regions, int work, RegionLog &log) {
    const std::thread::id caller = std::this_thread::get_id();
    for (int r = 0; r < regions; r++) {
        pool.run([&](int slot, int n) {
            if (slot < 0 || slot >= n || n != pool.size()) {
                log.out_of_range++;
                return;
            }
            volatile double sink = 0;
            for (int i = 0; i < work; i++) sink = sink + i * 1e-9;
            log.runs[size_t(slot)]++;
            if (slot > 0 && std::this_thread::get_id() == caller) log.run_by_caller++;
        });
    }
}

bool each_slot_ran(const RegionLog &log, int regions) {
    for (const auto &c : log.runs)
        if (c.load() != regions) return false;
    return log.out_of_range.load() == 0;
}

void test_exactly_once() {
    for (int n : {2, 3, 4}) {
        rwkvx::ThreadPool pool(n);
        const int regions = 3000;
        RegionLog log(n);
        run_regions(pool, regions, 200, log);
        expect(each_slot_ran(log, regions), "every slot of " + std::to_string(regions) +
                                                " regions runs exactly once, " + std::to_string(n) + " threads");
    }
}

// Workers inherit the caller's affinity: pinned to one core, a worker can only start its slot when
// the scheduler preempts the caller, so the caller runs most slots itself instead of waiting.
void test_workers_on_callers_core() {
    cpu_set_t saved, one;
    if (sched_getaffinity(0, sizeof saved, &saved) != 0) return;
    CPU_ZERO(&one);
    const int cpu = sched_getcpu();
    CPU_SET(cpu < 0 ? 0 : cpu, &one);
    if (sched_setaffinity(0, sizeof one, &one) != 0) {
        std::printf("skipped: cannot pin this thread to one core\n");
        return;
    }
    {
        rwkvx::ThreadPool pool(3);
        const int regions = 500;
        RegionLog log(3);
        run_regions(pool, regions, 20000, log);
        expect(each_slot_ran(log, regions), "on one core: every slot of every region runs exactly once");
        expect(log.run_by_caller.load() > 0,
               "on one core: the caller runs workers' slots (ran " + std::to_string(log.run_by_caller.load()) + ")");
    }
    sched_setaffinity(0, sizeof saved, &saved);
}

// A worker that slept (idle longer than its spin time) must still take part correctly after.
void test_after_workers_sleep() {
    rwkvx::ThreadPool pool(2);
    RegionLog log(2);
    for (int round = 0; round < 3; round++) {
        run_regions(pool, 50, 100, log);
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    expect(each_slot_ran(log, 150), "regions after the workers went to sleep run every slot once");
}

}  // namespace

int main() {
    test_exactly_once();
    test_workers_on_callers_core();
    test_after_workers_sleep();
    return finish();
}
