// machine_peaks.h — what this machine can reach, measured in the same process as the benchmark:
// read-only memory bandwidth and FMA throughput, for a given number of threads.
#ifndef RWKVX_BENCH_MACHINE_PEAKS_H
#define RWKVX_BENCH_MACHINE_PEAKS_H

#include <cstddef>
#include <memory>
#include <string>

namespace rwkvx_bench {

struct ProbeResult {
    bool ok = false;      // false: not measured (e.g. the CPU lacks the instructions); see note
    double value = 0.0;   // GB/s (1e9 bytes/s) or GFLOP/s (1e9 FLOP/s): best of the runs
    double median = 0.0;  // median of the runs, same unit (read probe: the better way's median)
    int runs = 0;
    std::string kernel;  // which probe kernel ran ("avx2", "portable")
    std::string note;    // why not measured, when !ok
};

class AlignedMapping;  // bench_common.h

// Read-only bandwidth: a buffer of `bytes` (rounded down to a multiple of 256 B per thread) split into
// one contiguous slice per thread; each thread first-touches its own slice, then every run each thread
// sums its slice with 8 independent AVX2 accumulators, as one stream or (every other run) as two the
// way the engine's blocked GEMV reads (blocks paired half a slice apart). Which is faster depends on
// the machine (two by 7-10% on the earlier Zen 3 VM, equal on a Zen 4 one), so each statistic takes the
// better way. Time of a run = from a barrier before to a barrier after (so it is the slowest thread's
// time). Bytes counted: the buffer size, once per run.
// huge_pages: the buffer is 2 MiB aligned with transparent huge pages requested (madvise), as the
// engine's resident weights are; streaming reads run faster there (fewer TLB misses), so a floor
// that ignores it would flatter the engine.
class ReadProbe {
  public:
    ReadProbe(int threads, std::size_t bytes, bool huge_pages);
    ~ReadProbe();
    ReadProbe(const ReadProbe &) = delete;
    ReadProbe &operator=(const ReadProbe &) = delete;
    // Reads the buffer `runs` times in each way (one stream, two; without AVX2 one portable way);
    // ok=false (with a note) when the buffer could not be made.
    ProbeResult measure(int runs);

  private:
    int threads_;
    std::size_t per_thread_ = 0;
    std::unique_ptr<AlignedMapping> mapping_;
    float *buf_ = nullptr;  // mapping_'s data
    std::string note_;
};

ProbeResult measure_read_bandwidth(int threads, std::size_t bytes, int runs, bool huge_pages);

// FMA throughput: each thread runs 12 independent chains of 256-bit FMAs (vfmadd ymm, 16 FLOP each).
// Not measured (ok=false) when rwkvx_cpu_features() lacks AVX2 or FMA.
ProbeResult measure_fma_peak(int threads, int runs);

}  // namespace rwkvx_bench

#endif
