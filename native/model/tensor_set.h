// Named tensors handed to rwkvx_model_create, looked up by name and validated on binding; shared by
// the architectures' weight binders.
#pragma once
#include <array>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "cpu/kernels.h"
#include "rwkvx.h"

namespace rwkvx {

// A weight matrix [rows][cols] (Linear layout: out, in), in place in the caller's memory or, for
// resident weights, in the model's own copy (then possibly blocked, see kernels.h).
struct Matrix {
    WeightType type = WeightType::F32;
    const void *data = nullptr;
    int64_t rows = 0, cols = 0;
    bool blocked = false;
};

class TensorSet {
  public:
    // owned: the tensor data is the model's own copy (resident weights), so matrices may be
    // rewritten into the blocked layout.
    TensorSet(const rwkvx_named_tensor *tensors, int64_t n, bool owned = false);

    bool has(const std::string &name) const { return by_name_.count(name) != 0; }
    // The tensor (marked used); a missing one is RWKVX_ERROR_MISSING_TENSOR naming it.
    const rwkvx_tensor &get(const std::string &name);
    // The [rows, cols] of a 2-D tensor that sets the model's sizes (marked used); another rank is
    // RWKVX_ERROR_SHAPE naming the tensor and `dims`, the expected shape in words ("[n_vocab, n_embd]").
    std::array<int64_t, 2> dims2(const std::string &name, const std::string &dims);
    // An F32 vector of `count` elements; misaligned data is copied into `copies` (element-wise float
    // code may assume 4-byte alignment).
    const float *vector(const std::string &name, int64_t count, std::vector<std::vector<float>> &copies);
    // A contiguous [rows, cols] matrix (rows < 0: any) that is only multiplied with (rwkvx matmul):
    // used in place, blocked first when the data is owned.
    Matrix matrix(const std::string &name, int64_t rows, int64_t cols);
    // A matrix whose rows are read one by one (embedding): always row-major.
    Matrix embedding(const std::string &name, int64_t rows, int64_t cols);
    // A contiguous [count, rows, cols] tensor (cols < 0: any) as `count` matrices [rows, cols].
    std::vector<Matrix> stacked(const std::string &name, int64_t count, int64_t rows, int64_t cols);
    // Fails listing tensors that were never asked for (they usually mean a wrong file or architecture).
    void reject_unused(const std::string &arch_name) const;

    int64_t params = 0, bytes = 0;

  private:
    void account(const rwkvx_tensor &t);
    Matrix row_major(const std::string &name, int64_t rows, int64_t cols);
    std::map<std::string, const rwkvx_tensor *> by_name_;
    std::set<std::string> used_, blocked_;
    bool owned_;
};

}  // namespace rwkvx
