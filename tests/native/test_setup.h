// What several native test programs set up alike: the contexts the kernel checks run on
// (test_kernels.cpp, test_attention.cpp) and contiguous tensor views (test_kernels.cpp,
// test_backend_seam.cpp).
#pragma once
#include <cstdint>
#include <utility>
#include <vector>

#include "device_mirror.h"
#include "rwkvx.h"

// The CPU contexts (AVX2 with 2 and 1 threads, scalar with 2), then the CUDA flavours when there are some.
struct Contexts {
    static constexpr size_t kCpu = 3;
    std::vector<device_mirror::Flavour> list;
    Contexts() {
        const char *names[kCpu] = {"avx2/2 threads", "avx2/1 thread", "scalar/2 threads"};
        const int threads[kCpu] = {2, 1, 2}, flags[kCpu] = {0, 0, RWKVX_CONTEXT_FORCE_SCALAR};
        for (size_t i = 0; i < kCpu; i++) {
            rwkvx_context *c = nullptr;
            rwkvx_context_create(RWKVX_BACKEND_CPU, threads[i], flags[i], &c);
            list.push_back({c, names[i]});
        }
        device_mirror::add_cuda_flavours(list);
    }
    ~Contexts() { device_mirror::free_all(list); }
    Contexts(const Contexts &) = delete;
    Contexts &operator=(const Contexts &) = delete;
    bool has_cuda() const { return list.size() > kCpu; }
    // For the checks that run on one CPU context: that one and the CUDA flavours.
    std::vector<device_mirror::Flavour> first_and_cuda() const {
        std::vector<device_mirror::Flavour> out{list[0]};
        for (const auto &f : list)
            if (f.cuda) out.push_back(f);
        return out;
    }
};

// A row-major view of contiguous data of the given shape.
inline rwkvx_tensor tensor(void *data, int32_t dtype, std::vector<int64_t> shape) {
    rwkvx_tensor t{};
    t.data = data;
    t.dtype = dtype;
    t.ndim = int32_t(shape.size());
    int64_t stride = 1;
    for (int i = t.ndim - 1; i >= 0; i--) {
        t.shape[i] = shape[size_t(i)];
        t.strides[i] = stride;
        stride *= shape[size_t(i)];
    }
    return t;
}
inline rwkvx_tensor tensor(void *data, std::vector<int64_t> shape) {
    return tensor(data, RWKVX_DTYPE_F32, std::move(shape));
}
