// Weights copied into memory the model owns (RWKVX_CONTEXT_RESIDENT_WEIGHTS).
//
// Decode streams every weight once per token, so it runs at memory bandwidth. One 2 MiB-aligned
// block with transparent huge pages requested cuts the TLB misses of that stream (faster decode than
// on 4 KiB pages, measured in bench/README.md), and 64-byte aligned tensors keep vector loads inside
// cache lines. A CUDA backend would put the same copy on the device.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "rwkvx.h"

namespace rwkvx {

class ResidentWeights {
  public:
    // Validates and copies every tensor (all must be contiguous, see check_valid); the returned
    // list has the same names and shapes with data pointing into this object.
    ResidentWeights(const rwkvx_named_tensor *tensors, int64_t n_tensors);
    ~ResidentWeights();
    ResidentWeights(const ResidentWeights &) = delete;
    ResidentWeights &operator=(const ResidentWeights &) = delete;

    const std::vector<rwkvx_named_tensor> &tensors() const { return tensors_; }

  private:
    std::vector<rwkvx_named_tensor> tensors_;
    std::vector<std::string> names_;  // the caller's names are borrowed for the call only
    void *block_ = nullptr;
    size_t mapped_ = 0;
};

}  // namespace rwkvx
