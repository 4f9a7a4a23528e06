// bench_common.h — small helpers shared by the benchmark sources.
#ifndef RWKVX_BENCH_COMMON_H
#define RWKVX_BENCH_COMMON_H

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include <sys/mman.h>

#include "rwkvx.h"

namespace rwkvx_bench {

// Checks an rwkvx status; on failure prints the call, the status name and rwkvx_last_error(), exits 1.
#define RWKVX_BENCH_CHECK(call)                                                                          \
    do {                                                                                                 \
        const rwkvx_status st_ = (call);                                                                 \
        if (st_ != RWKVX_OK) {                                                                           \
            std::fflush(stdout);                                                                         \
            std::fprintf(stderr, "rwkvx_bench: %s failed at %s:%d: %s: %s\n", #call, __FILE__, __LINE__, \
                         rwkvx_status_name(st_), rwkvx_last_error());                                    \
            std::exit(1);                                                                                \
        }                                                                                                \
    } while (0)

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

inline double median_of(std::vector<double> v) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return (n % 2) ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

inline double min_of(const std::vector<double> &v) {
    return v.empty() ? 0.0 : *std::min_element(v.begin(), v.end());
}

// A benchmarked weight format: an rwkvx_dtype. For the quantized ones the split is rwkv.cpp's: the
// blocks' matrices quantized, the embedding, the head and the LoRA F32; kHeadQ8 marks the variant
// whose head is Q8_0 too (e.g. "q5_1+hq8").
constexpr int kHeadQ8 = 0x100;

inline int format_dtype(int format) {
    return format & 0xff;
}

inline bool is_quantized_format(int format) {
    return format_dtype(format) >= RWKVX_DTYPE_Q4_0;
}

// What a matrix is in the synthetic models: its dtype under a format depends on it.
enum class MatrixRole { Block, Lora, Embedding, Head };

inline int matrix_dtype(int format, MatrixRole role) {
    const int dt = format_dtype(format);
    if (!is_quantized_format(format) || role == MatrixRole::Block) return dt;
    return role == MatrixRole::Head && (format & kHeadQ8) ? RWKVX_DTYPE_Q8_0 : RWKVX_DTYPE_F32;
}

// The format's name ("f32", "q4_0", "q5_1+hq8"); also an rwkvx_dtype's (the attention rows).
inline const char *dtype_name(int format) {
    static const char *const names[] = {"f32", "f16", "bf16", "q4_0", "q4_1", "q5_0", "q5_1", "q8_0"};
    static const char *const head_q8[] = {"?", "?", "?", "q4_0+hq8", "q4_1+hq8", "q5_0+hq8", "q5_1+hq8", "q8_0+hq8"};
    const int dt = format_dtype(format);
    if (dt < 0 || dt > RWKVX_DTYPE_Q8_0) return "?";
    return (format & kHeadQ8) ? head_q8[dt] : names[dt];
}

// Bytes of n elements of an rwkvx_dtype (whole blocks for the quantized ones).
inline std::int64_t dtype_bytes_of(int dtype, std::int64_t n) {
    return rwkvx_dtype_bytes(dtype, n);
}

// `bytes` of anonymous memory starting at a multiple of `align` (a power of two), with transparent
// huge pages requested when asked (refused where THP is off: small pages then). Nothing is touched.
class AlignedMapping {
  public:
    AlignedMapping(std::size_t bytes, std::size_t align, bool huge_pages) {
        mapped_ = (bytes + align - 1) / align * align + align;
        void *p = mmap(nullptr, mapped_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) return;
        base_ = p;
        if (huge_pages) madvise(p, mapped_, MADV_HUGEPAGE);
        data_ =
            reinterpret_cast<char *>((reinterpret_cast<std::uintptr_t>(p) + align - 1) & ~(std::uintptr_t(align) - 1));
    }
    ~AlignedMapping() {
        if (base_) munmap(base_, mapped_);
    }
    AlignedMapping(const AlignedMapping &) = delete;
    AlignedMapping &operator=(const AlignedMapping &) = delete;

    char *data() const { return data_; }  // null when the mapping failed

  private:
    void *base_ = nullptr;
    std::size_t mapped_ = 0;
    char *data_ = nullptr;
};

}  // namespace rwkvx_bench

#endif
