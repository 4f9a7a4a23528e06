// Stand-in for cuda_device.cu when the library was built without nvcc.
#include "cuda/cuda_probe.h"

namespace rwkvx {

CudaProbe probe_cuda() {
    return {false, "not compiled in (nvcc was not found at build time)"};
}

}  // namespace rwkvx
