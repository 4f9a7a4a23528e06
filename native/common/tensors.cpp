#include "common/tensors.h"

#include "common/errors.h"

namespace rwkvx {

std::string shape_string(const rwkvx_tensor &t) {
    std::string s = "[";
    for (int i = 0; i < t.ndim && i < 4; i++) s += (i ? ", " : "") + std::to_string(t.shape[i]);
    return s + "]";
}

std::string dtype_name(int32_t dtype) {
    switch (dtype) {
        case RWKVX_DTYPE_F32:
            return "F32";
        case RWKVX_DTYPE_F16:
            return "F16";
        case RWKVX_DTYPE_BF16:
            return "BF16";
        case RWKVX_DTYPE_Q4_0:
            return "Q4_0";
        case RWKVX_DTYPE_Q4_1:
            return "Q4_1";
        case RWKVX_DTYPE_Q5_0:
            return "Q5_0";
        case RWKVX_DTYPE_Q5_1:
            return "Q5_1";
        case RWKVX_DTYPE_Q8_0:
            return "Q8_0";
        default:
            return "dtype#" + std::to_string(dtype);
    }
}

int64_t numel(const rwkvx_tensor &t) {
    int64_t n = 1;
    for (int i = 0; i < t.ndim; i++) n *= t.shape[i];
    return n;
}

void check_valid(const rwkvx_tensor &t, const std::string &name) {
    if (t.ndim < 1 || t.ndim > 4)
        fail(RWKVX_ERROR_SHAPE, "tensor '" + name + "': rank " + std::to_string(t.ndim) + " is not in 1..4");
    if (!is_known_dtype(t.dtype))
        fail(RWKVX_ERROR_SHAPE, "tensor '" + name + "': unknown dtype code " + std::to_string(t.dtype));
    if (t.memory != RWKVX_MEMORY_HOST && t.memory != RWKVX_MEMORY_DEVICE)
        fail(RWKVX_ERROR_ARGUMENT, "tensor '" + name + "': memory " + std::to_string(t.memory) +
                                       " is not an rwkvx_memory (0 host, 1 device)");
    if (t.reserved != 0)
        fail(RWKVX_ERROR_ARGUMENT, "tensor '" + name + "': reserved is " + std::to_string(t.reserved) + "; must be 0");
    int64_t expect = 1;
    for (int i = t.ndim - 1; i >= 0; i--) {
        if (t.shape[i] < 0) fail(RWKVX_ERROR_SHAPE, "tensor '" + name + "': negative dimension in " + shape_string(t));
        if (t.shape[i] > 1 && t.strides[i] != expect)
            fail(RWKVX_ERROR_SHAPE, "tensor '" + name + "' " + shape_string(t) + ": stride " +
                                        std::to_string(t.strides[i]) + " of dimension " + std::to_string(i) +
                                        " is not contiguous (expected " + std::to_string(expect) + ")");
        expect *= t.shape[i];
    }
    if (is_quantized(t.dtype) && t.shape[t.ndim - 1] % kQuantBlock != 0)
        fail(RWKVX_ERROR_SHAPE, "tensor '" + name + "' " + shape_string(t) + ": quantized type " + dtype_name(t.dtype) +
                                    " needs whole 32-element blocks along the last dimension; " +
                                    std::to_string(t.shape[t.ndim - 1]) + " is not divisible by 32");
    if (expect > 0 && t.data == nullptr) fail(RWKVX_ERROR_ARGUMENT, "tensor '" + name + "': data is NULL");
}

void check_float_type(const rwkvx_tensor &t, const std::string &name) {
    if (is_quantized(t.dtype))
        fail(RWKVX_ERROR_SHAPE, "tensor '" + name + "': quantized type " + dtype_name(t.dtype) +
                                    " on a tensor that must stay in floating point");
}

WeightType check_matrix(const rwkvx_tensor &t, const std::string &name, int64_t rows, int64_t cols) {
    check_valid(t, name);
    bool ok = t.ndim == 2 && (rows < 0 || t.shape[0] == rows) && (cols < 0 || t.shape[1] == cols);
    if (!ok)
        fail(RWKVX_ERROR_SHAPE, "tensor '" + name + "': expected shape [" + (rows < 0 ? "*" : std::to_string(rows)) +
                                    ", " + (cols < 0 ? "*" : std::to_string(cols)) + "], found " + shape_string(t));
    return static_cast<WeightType>(t.dtype);
}

const float *check_vector(const rwkvx_tensor &t, const std::string &name, int64_t count) {
    check_float_type(t, name);
    check_valid(t, name);
    if (t.dtype != RWKVX_DTYPE_F32)
        fail(RWKVX_ERROR_SHAPE, "tensor '" + name + "': expected dtype F32, found " + dtype_name(t.dtype));
    if (numel(t) != count)
        fail(RWKVX_ERROR_SHAPE, "tensor '" + name + "': expected " + std::to_string(count) + " elements, found " +
                                    shape_string(t) + " = " + std::to_string(numel(t)));
    return static_cast<const float *>(t.data);
}

}  // namespace rwkvx
