// Stand-in for the CUDA unit when the library was built without nvcc: says why, never runs anything.
#include "common/errors.h"
#include "cuda/cuda_probe.h"

namespace rwkvx {

CudaProbe probe_cuda() {
    return {false, "not compiled in (nvcc was not found at build time)"};
}

std::unique_ptr<Backend> make_cuda_backend(const CudaProbe &) {
    fail(RWKVX_ERROR_UNSUPPORTED, "the CUDA backend is not compiled in (nvcc was not found at build time)");
}

}  // namespace rwkvx
