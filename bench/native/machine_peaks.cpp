// machine_peaks.cpp — thread orchestration and portable fallbacks for the machine probes.
// Compiled without -mavx2: the AVX2/FMA kernels live in machine_peaks_avx2.cpp and are only called
// after rwkvx_cpu_features() reported AVX2 and FMA.
#include "machine_peaks.h"

#include "bench_common.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include "rwkvx.h"

namespace rwkvx_bench {
namespace detail {
bool avx2_kernels_built();
double read_sum_avx2(const float *p, std::size_t n);
double read_sum2_avx2(const float *p, std::size_t n);
float fma_chains_avx2(std::int64_t iters, float seed);
}  // namespace detail

namespace {

std::atomic<double> g_sink{0.0};  // keeps the probe results alive

void sink(double v) {
    double cur = g_sink.load(std::memory_order_relaxed);
    g_sink.store(cur + v, std::memory_order_relaxed);
}

// Sense-reversing spin barrier (yields after a while so oversubscription does not livelock).
class SpinBarrier {
  public:
    explicit SpinBarrier(int n) : n_(n) {}
    void wait() {
        const int gen = gen_.load(std::memory_order_acquire);
        if (count_.fetch_add(1, std::memory_order_acq_rel) + 1 == n_) {
            count_.store(0, std::memory_order_relaxed);
            gen_.fetch_add(1, std::memory_order_acq_rel);
            return;
        }
        int spins = 0;
        while (gen_.load(std::memory_order_acquire) == gen) {
            if (++spins > 4096) std::this_thread::yield();
        }
    }

  private:
    const int n_;
    std::atomic<int> count_{0};
    std::atomic<int> gen_{0};
};

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

bool have_avx2_fma() {
    const uint32_t f = rwkvx_cpu_features();
    return (f & RWKVX_CPU_AVX2) && (f & RWKVX_CPU_FMA) && detail::avx2_kernels_built();
}

double read_sum_portable(const float *p, std::size_t n) {
    float acc[16] = {0};
    for (std::size_t i = 0; i + 16 <= n; i += 16)
        for (int j = 0; j < 16; ++j) acc[j] += p[i + j];
    double t = 0;
    for (float a : acc) t += a;
    return t;
}

// Runs body(thread_index, run) on `threads` std::threads, `runs` times, each run between two barriers;
// setup(thread_index) runs once per thread before the first run. Returns the wall time of each run
// (measured by thread 0 from the first barrier's exit to the second barrier's exit).
template <class Setup, class Body>
std::vector<double> timed_runs(int threads, int runs, Setup setup, Body body) {
    SpinBarrier barrier(threads);
    std::vector<double> times(static_cast<std::size_t>(runs), 0.0);
    auto worker = [&](int tid) {
        setup(tid);
        for (int r = 0; r < runs; ++r) {
            barrier.wait();
            const Clock::time_point t0 = Clock::now();
            body(tid, r);
            barrier.wait();
            if (tid == 0) times[static_cast<std::size_t>(r)] = seconds_since(t0);
        }
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t) pool.emplace_back(worker, t);
    worker(0);
    for (auto &th : pool) th.join();
    return times;
}

void fill_stats(ProbeResult &res, const std::vector<double> &rates) {
    std::vector<double> s = rates;
    std::sort(s.begin(), s.end());
    res.value = s.back();
    res.median = s[s.size() / 2];
    res.runs = static_cast<int>(s.size());
    res.ok = true;
}

}  // namespace

ReadProbe::ReadProbe(int threads, std::size_t bytes, bool huge_pages) : threads_(threads) {
    if (threads < 1) {
        note_ = "bad arguments";
        return;
    }
    // One slice per thread, each a multiple of 64 floats (256 B).
    per_thread_ = (bytes / sizeof(float) / static_cast<std::size_t>(threads)) / 64 * 64;
    if (per_thread_ == 0) {
        note_ = "buffer too small";
        return;
    }
    const std::size_t align = huge_pages ? (std::size_t(2) << 20) : 4096;
    const std::size_t need = per_thread_ * static_cast<std::size_t>(threads) * sizeof(float);
    mapping_.reset(new AlignedMapping(need, align, huge_pages));
    if (!mapping_->data()) {
        note_ = "out of memory";
        return;
    }
    buf_ = reinterpret_cast<float *>(mapping_->data());
    // Each thread first-touches its own slice (nothing is touched until then).
    timed_runs(
        threads, 0,
        [&](int tid) {
            float *q = buf_ + per_thread_ * static_cast<std::size_t>(tid);
            for (std::size_t i = 0; i < per_thread_; ++i) q[i] = 1.0f / 1024.0f;
        },
        [](int, int) {});
}

ReadProbe::~ReadProbe() = default;

ProbeResult ReadProbe::measure(int runs) {
    ProbeResult res;
    if (!buf_ || runs < 1) {
        res.note = buf_ ? "bad arguments" : note_;
        return res;
    }
    const bool avx2 = have_avx2_fma();
    res.kernel = avx2 ? "avx2" : "portable";
    std::vector<double> sums(static_cast<std::size_t>(threads_), 0.0);
    // Even runs read one stream, odd runs two, interleaved so that both see the same host.
    const int ways = avx2 ? 2 : 1;
    auto body = [&](int tid, int r) {
        const float *p = buf_ + per_thread_ * static_cast<std::size_t>(tid);
        sums[static_cast<std::size_t>(tid)] += !avx2   ? read_sum_portable(p, per_thread_)
                                               : r % 2 ? detail::read_sum2_avx2(p, per_thread_)
                                                       : detail::read_sum_avx2(p, per_thread_);
    };
    const std::vector<double> times = timed_runs(
        threads_, ways * runs, [](int) {}, body);
    for (double s : sums) sink(s);
    const double bytes = static_cast<double>(per_thread_) * threads_ * sizeof(float);
    std::vector<double> rates[2];
    for (std::size_t r = 0; r < times.size(); ++r) rates[r % ways].push_back(bytes / times[r] / 1e9);
    fill_stats(res, rates[0]);
    if (ways == 2) {
        ProbeResult two;
        fill_stats(two, rates[1]);
        res.value = std::max(res.value, two.value);
        res.median = std::max(res.median, two.median);
        res.runs += two.runs;
    }
    return res;
}

ProbeResult measure_read_bandwidth(int threads, std::size_t bytes, int runs, bool huge_pages) {
    ReadProbe probe(threads, bytes, huge_pages);
    return probe.measure(runs);
}

ProbeResult measure_fma_peak(int threads, int runs) {
    ProbeResult res;
    if (threads < 1 || runs < 1) {
        res.note = "bad arguments";
        return res;
    }
    if (!have_avx2_fma()) {
        res.note = detail::avx2_kernels_built() ? "CPU lacks AVX2/FMA (rwkvx_cpu_features)"
                                                : "probe not built with -mavx2 -mfma";
        return res;
    }
    res.kernel = "avx2";
    // ~0.25 s per run at 100 GFLOP/s per thread.
    const std::int64_t iters = 128LL * 1000 * 1000;
    const double flops_per_thread = static_cast<double>(iters) * 12.0 * 16.0;
    std::vector<double> out(static_cast<std::size_t>(threads), 0.0);
    auto setup = [&](int tid) { out[static_cast<std::size_t>(tid)] += detail::fma_chains_avx2(iters / 16, 0.5f); };
    auto body = [&](int tid, int r) {
        out[static_cast<std::size_t>(tid)] += detail::fma_chains_avx2(iters, 0.25f + 0.001f * r);
    };
    const std::vector<double> times = timed_runs(threads, runs, setup, body);
    for (double s : out) sink(s);

    std::vector<double> rates;
    for (double t : times) rates.push_back(flops_per_thread * threads / t / 1e9);
    fill_stats(res, rates);
    return res;
}

}  // namespace rwkvx_bench
