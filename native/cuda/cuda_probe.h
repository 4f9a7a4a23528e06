// The CUDA backend's entry points for the API: where the GPU stands, and the factory of the backend
// (cuda/cuda_backend.cu), or their stand-ins when CUDA is not compiled in (cuda/cuda_absent.cpp).
#pragma once
#include <memory>
#include <string>

#include "backend/backend.h"

namespace rwkvx {

struct CudaProbe {
    bool usable = false;
    std::string reason;  // why not, or the device name
};
CudaProbe probe_cuda();

// The CUDA backend on the probed device (probe.usable must be true). Throws RWKVX_ERROR_BACKEND when
// the device cannot be set up, RWKVX_ERROR_UNSUPPORTED when CUDA is not compiled in.
std::unique_ptr<Backend> make_cuda_backend(const CudaProbe &probe);

}  // namespace rwkvx
