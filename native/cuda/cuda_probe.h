// Where the GPU stands, filled by the CUDA unit (cuda_device.cu) or its stand-in when CUDA is not
// compiled in (cuda_device_absent.cpp).
#pragma once
#include <string>

namespace rwkvx {

struct CudaProbe {
    bool usable = false;
    std::string reason;  // why not, or the device name
};
CudaProbe probe_cuda();

}  // namespace rwkvx
