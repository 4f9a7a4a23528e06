// CUDA device discovery. The model kernels run on the CPU until the CUDA kernels land; this unit
// keeps the CUDA build and run-time fallback honest: it reports exactly why a GPU is not used.
#include <cuda_runtime.h>

#include <string>

#include "cuda/cuda_probe.h"

namespace rwkvx {

CudaProbe probe_cuda() {
    int count = 0;
    cudaError_t err = cudaGetDeviceCount(&count);
    if (err != cudaSuccess) {
        cudaGetLastError();  // clear the sticky error so later probes start clean
        return {false, std::string("no usable device (") + cudaGetErrorName(err) + ")"};
    }
    if (count == 0) return {false, "no device"};
    cudaDeviceProp prop{};
    if (cudaGetDeviceProperties(&prop, 0) != cudaSuccess) return {false, "cannot query device 0"};
    if (prop.major < 8)
        return {false, std::string(prop.name) + " is sm_" + std::to_string(prop.major * 10 + prop.minor) +
                           "; rwkvx needs sm_80 or newer"};
    return {true, std::string(prop.name) + " (sm_" + std::to_string(prop.major * 10 + prop.minor) + ")"};
}

}  // namespace rwkvx
