#include "model/tensor_set.h"

#include <cstring>

#include "common/errors.h"
#include "common/quant.h"
#include "common/tensors.h"
#include "cpu/weight_layout.h"

namespace rwkvx {

TensorSet::TensorSet(const rwkvx_named_tensor *tensors, int64_t n, bool owned) : owned_(owned) {
    RWKVX_REQUIRE_ARG(tensors != nullptr || n == 0, "tensors is NULL");
    RWKVX_REQUIRE_ARG(n >= 0, "n_tensors is negative");
    for (int64_t i = 0; i < n; i++) {
        if (tensors[i].name == nullptr) fail(RWKVX_ERROR_ARGUMENT, "tensor #" + std::to_string(i) + " has a NULL name");
        std::string name = tensors[i].name;
        if (!by_name_.emplace(name, &tensors[i].tensor).second)
            fail(RWKVX_ERROR_ARGUMENT, "tensor '" + name + "' is given twice");
    }
}

const rwkvx_tensor &TensorSet::get(const std::string &name) {
    auto it = by_name_.find(name);
    if (it == by_name_.end()) fail(RWKVX_ERROR_MISSING_TENSOR, "tensor '" + name + "' is missing");
    used_.insert(name);
    return *it->second;
}

std::array<int64_t, 2> TensorSet::dims2(const std::string &name, const std::string &dims) {
    const rwkvx_tensor &t = get(name);
    check_valid(t, name);
    if (t.ndim != 2)
        fail(RWKVX_ERROR_SHAPE, "tensor '" + name + "': expected 2 dimensions " + dims + ", found " + shape_string(t));
    return {t.shape[0], t.shape[1]};
}

const float *TensorSet::vector(const std::string &name, int64_t count, std::vector<std::vector<float>> &copies) {
    const rwkvx_tensor &t = get(name);
    account(t);
    const float *p = check_vector(t, name, count);
    if (reinterpret_cast<uintptr_t>(p) % alignof(float) == 0) return p;
    copies.emplace_back(static_cast<size_t>(count));
    std::memcpy(copies.back().data(), p, static_cast<size_t>(count) * sizeof(float));
    return copies.back().data();
}

Matrix TensorSet::matrix(const std::string &name, int64_t rows, int64_t cols) {
    Matrix m = row_major(name, rows, cols);
    // Rewritten once even if a binder asks twice; the data is ours (resident copy). Float matrices get
    // 32-row blocks, quantized ones split rows (kernels.h).
    if (owned_ && is_quantized(m.type)) {
        if (blocked_.insert(name).second) split_quantized_rows(m.type, const_cast<void *>(m.data), m.rows, m.cols);
        m.blocked = true;
    } else if (owned_ && blocked_rows(m.rows) > 0) {
        if (blocked_.insert(name).second) block_weights(m.type, const_cast<void *>(m.data), m.rows, m.cols);
        m.blocked = true;
    }
    return m;
}

Matrix TensorSet::embedding(const std::string &name, int64_t rows, int64_t cols) {
    if (blocked_.count(name)) fail(RWKVX_ERROR_INTERNAL, "tensor '" + name + "' is used both as a matrix and as rows");
    return row_major(name, rows, cols);
}

Matrix TensorSet::row_major(const std::string &name, int64_t rows, int64_t cols) {
    const rwkvx_tensor &t = get(name);
    Matrix m;
    m.type = check_matrix(t, name, rows, cols);
    m.data = t.data;
    m.rows = t.shape[0];
    m.cols = t.shape[1];
    account(t);
    return m;
}

std::vector<Matrix> TensorSet::stacked(const std::string &name, int64_t count, int64_t rows, int64_t cols) {
    const rwkvx_tensor &t = get(name);
    check_valid(t, name);
    if (t.ndim != 3 || t.shape[0] != count || t.shape[1] != rows || (cols >= 0 && t.shape[2] != cols) || t.shape[2] < 1)
        fail(RWKVX_ERROR_SHAPE, "tensor '" + name + "': expected shape [" + std::to_string(count) + ", " +
                                    std::to_string(rows) + ", " + (cols < 0 ? "*" : std::to_string(cols)) +
                                    "], found " + shape_string(t));
    std::vector<Matrix> out(static_cast<size_t>(count));
    const int64_t slice_bytes = rows * row_bytes(WeightType(t.dtype), t.shape[2]);
    for (int64_t i = 0; i < count; i++) {
        out[size_t(i)].type = static_cast<WeightType>(t.dtype);
        out[size_t(i)].data = static_cast<const char *>(t.data) + i * slice_bytes;
        out[size_t(i)].rows = rows;
        out[size_t(i)].cols = t.shape[2];
    }
    account(t);
    return out;
}

void TensorSet::reject_unused(const std::string &arch_name) const {
    std::string extra;
    int count = 0;
    for (const auto &kv : by_name_) {
        if (used_.count(kv.first)) continue;
        if (count++ < 5) extra += (extra.empty() ? "'" : ", '") + kv.first + "'";
    }
    if (count)
        fail(RWKVX_ERROR_ARGUMENT, std::to_string(count) + " tensor(s) not used by " + arch_name + ": " + extra +
                                       (count > 5 ? ", ..." : "") + " (wrong architecture or file?)");
}

void TensorSet::account(const rwkvx_tensor &t) {
    params += numel(t);
    bytes += tensor_bytes(t.dtype, numel(t));
}

}  // namespace rwkvx
