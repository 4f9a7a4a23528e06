// What every CUDA translation unit of rwkvx shares: error checks that throw rwkvx::Error (the API
// turns them into RWKVX_ERROR_BACKEND with the message), element loads from F32/F16/BF16 rows, and
// stream-ordered temporary buffers.
#pragma once
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <string>

#include "common/errors.h"
#include "rwkvx.h"

namespace rwkvx {
namespace cuda {

// Throws RWKVX_ERROR_BACKEND naming the call site and the CUDA error.
[[noreturn]] inline void cuda_fail(cudaError_t err, const char *what, const char *file, int line) {
    fail(RWKVX_ERROR_BACKEND, std::string(what) + " failed at " + file + ":" + std::to_string(line) + ": " +
                                  cudaGetErrorName(err) + " (" + cudaGetErrorString(err) + ")");
}

#define RWKVX_CUDA_CHECK(expr)                                                                          \
    do {                                                                                                \
        cudaError_t rwkvx_err_ = (expr);                                                                \
        if (rwkvx_err_ != cudaSuccess) ::rwkvx::cuda::cuda_fail(rwkvx_err_, #expr, __FILE__, __LINE__); \
    } while (0)

// After a kernel launch: reports a bad configuration at once (errors of the running kernel surface
// at the next synchronisation).
#define RWKVX_CUDA_LAUNCHED(name) RWKVX_CUDA_CHECK(cudaPeekAtLastError())

// Element i of a row of dtype (rwkvx_dtype), widened to fp32 (exact from F16 and BF16).
__device__ __forceinline__ float load_f32(const void *row, int32_t dtype, int64_t i) {
    if (dtype == RWKVX_DTYPE_F16) return __half2float(static_cast<const __half *>(row)[i]);
    if (dtype == RWKVX_DTYPE_BF16) return __bfloat162float(static_cast<const __nv_bfloat16 *>(row)[i]);
    return static_cast<const float *>(row)[i];
}

constexpr float kLog2e = 1.4426950408889634f;
constexpr float kLn2 = 0.6931471805599453f;

// Exact widening of an element to fp32.
__device__ __forceinline__ float widen(float x) {
    return x;
}
__device__ __forceinline__ float widen(__half x) {
    return __half2float(x);
}
__device__ __forceinline__ float widen(__nv_bfloat16 x) {
    return __bfloat162float(x);
}

// The storage type of a compile-time dtype, and element i of a buffer of it widened to fp32.
template <int32_t kDtype>
struct StorageOf {
    using type = float;
};
template <>
struct StorageOf<RWKVX_DTYPE_F16> {
    using type = __half;
};
template <>
struct StorageOf<RWKVX_DTYPE_BF16> {
    using type = __nv_bfloat16;
};
template <int32_t kDtype>
__device__ __forceinline__ float load_as_f32(const void *base, int64_t i) {
    return widen(static_cast<const typename StorageOf<kDtype>::type *>(base)[i]);
}

// Bytes of one element of dtype.
__host__ __device__ __forceinline__ int64_t elem_bytes(int32_t dtype) {
    return dtype == RWKVX_DTYPE_F32 ? 4 : 2;
}

// Address of element `offset` (in elements) of a buffer of dtype.
__host__ __device__ __forceinline__ const void *elem_ptr(const void *base, int32_t dtype, int64_t offset) {
    return static_cast<const char *>(base) + offset * elem_bytes(dtype);
}
__host__ __device__ __forceinline__ void *elem_ptr(void *base, int32_t dtype, int64_t offset) {
    return static_cast<char *>(base) + offset * elem_bytes(dtype);
}

inline int64_t ceil_div(int64_t a, int64_t b) {
    return (a + b - 1) / b;
}

// A temporary device buffer in stream order: allocated with cudaMallocAsync on the stream and freed
// with cudaFreeAsync on it, so it lives exactly as long as the work enqueued before its destructor
// (the pool keeps the memory for the next call; no synchronisation).
template <typename T>
class DeviceBuffer {
  public:
    DeviceBuffer(int64_t n, cudaStream_t stream) : n_(n), stream_(stream) {
        if (n > 0) RWKVX_CUDA_CHECK(cudaMallocAsync(reinterpret_cast<void **>(&ptr_), size_t(n) * sizeof(T), stream));
    }
    ~DeviceBuffer() {
        if (ptr_) cudaFreeAsync(ptr_, stream_);
    }
    DeviceBuffer(const DeviceBuffer &) = delete;
    DeviceBuffer &operator=(const DeviceBuffer &) = delete;
    T *get() const { return ptr_; }
    int64_t size() const { return n_; }

  private:
    T *ptr_ = nullptr;
    int64_t n_;
    cudaStream_t stream_;
};

}  // namespace cuda
}  // namespace rwkvx
