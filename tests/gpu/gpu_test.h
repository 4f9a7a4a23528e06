// What the GPU test programs share: the skip rule, device buffers and comparisons.
// A program returns kSkip (77, ctest's SKIP_RETURN_CODE) when no usable CUDA device exists, unless
// RWKVX_REQUIRE_GPU=1 (tests/gpu/run.sh sets it), where a missing device is a failure.
#pragma once
#include <cuda_runtime.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "../native/check.h"

namespace gpu_test {

constexpr int kSkip = 77;

// True when a device of sm_80 or newer is there; otherwise prints why and returns false.
inline bool device_available() {
    int n = 0;
    cudaError_t e = cudaGetDeviceCount(&n);
    if (e != cudaSuccess || n == 0) {
        std::printf("no CUDA device (%s)\n", e != cudaSuccess ? cudaGetErrorName(e) : "count 0");
        cudaGetLastError();
        return false;
    }
    cudaDeviceProp p{};
    cudaGetDeviceProperties(&p, 0);
    if (p.major < 8) {
        std::printf("%s is sm_%d%d; the kernels need sm_80 or newer\n", p.name, p.major, p.minor);
        return false;
    }
    std::printf("device: %s (sm_%d%d)\n", p.name, p.major, p.minor);
    return true;
}

// The exit code of a program that found no device: skip, or fail when a GPU is required.
inline int no_device_exit() {
    const char *req = std::getenv("RWKVX_REQUIRE_GPU");
    if (req && std::strcmp(req, "1") == 0) {
        std::printf("FAIL: RWKVX_REQUIRE_GPU=1 but no usable CUDA device\n");
        return 1;
    }
    std::printf("SKIP: no usable CUDA device\n");
    return kSkip;
}

#define GPU_CHECK(expr)                                                                                   \
    do {                                                                                                  \
        cudaError_t e_ = (expr);                                                                          \
        if (e_ != cudaSuccess) {                                                                          \
            std::printf("CUDA error %s at %s:%d: %s\n", cudaGetErrorName(e_), __FILE__, __LINE__, #expr); \
            std::exit(1);                                                                                 \
        }                                                                                                 \
    } while (0)

// A device copy of a host vector (or n zeroed elements), freed on scope exit.
template <typename T>
struct Device {
    T *ptr = nullptr;
    size_t n = 0;
    explicit Device(size_t count) : n(count) {
        GPU_CHECK(cudaMalloc(&ptr, (n ? n : 1) * sizeof(T)));
        GPU_CHECK(cudaMemset(ptr, 0, (n ? n : 1) * sizeof(T)));
    }
    explicit Device(const std::vector<T> &h) : Device(h.size()) { upload(h); }
    ~Device() { cudaFree(ptr); }
    Device(const Device &) = delete;
    Device &operator=(const Device &) = delete;
    void upload(const std::vector<T> &h) {
        GPU_CHECK(cudaMemcpy(ptr, h.data(), n * sizeof(T), cudaMemcpyHostToDevice));
    }
    std::vector<T> download() const {
        std::vector<T> h(n);
        GPU_CHECK(cudaMemcpy(h.data(), ptr, n * sizeof(T), cudaMemcpyDeviceToHost));
        return h;
    }
};

// Largest |a - b| / (atol + rtol * |b|) over the elements: <= 1 passes. NaN in either fails (returns inf).
inline double scaled_error(const float *a, const double *b, size_t n, double atol, double rtol) {
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        if (std::isnan(a[i]) || std::isnan(b[i])) return INFINITY;
        worst = std::fmax(worst, std::fabs(double(a[i]) - b[i]) / (atol + rtol * std::fabs(b[i])));
    }
    return worst;
}

}  // namespace gpu_test
