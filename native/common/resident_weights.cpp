#include "common/resident_weights.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

#include "common/errors.h"
#include "common/tensors.h"

namespace rwkvx {

namespace {
constexpr size_t kHugePage = size_t(2) << 20;
constexpr size_t kTensorAlign = 64;

size_t round_up(size_t n, size_t to) {
    return (n + to - 1) / to * to;
}
}  // namespace

ResidentWeights::ResidentWeights(const rwkvx_named_tensor *tensors, int64_t n_tensors) {
    if (n_tensors < 0) fail(RWKVX_ERROR_ARGUMENT, "n_tensors is negative: " + std::to_string(n_tensors));
    if (n_tensors > 0 && tensors == nullptr) fail(RWKVX_ERROR_ARGUMENT, "tensors is NULL");
    std::vector<size_t> offsets(static_cast<size_t>(n_tensors));
    size_t total = 0;
    for (int64_t i = 0; i < n_tensors; i++) {
        const rwkvx_named_tensor &t = tensors[i];
        const std::string name = t.name ? t.name : "(tensor " + std::to_string(i) + " without a name)";
        check_valid(t.tensor, name);
        offsets[size_t(i)] = total;
        total = round_up(total + size_t(tensor_bytes(t.tensor.dtype, numel(t.tensor))), kTensorAlign);
    }
    if (total > 0) {
        // Over-allocate by one huge page so the block can start on a 2 MiB boundary.
        mapped_ = round_up(total, kHugePage) + kHugePage;
        void *p = mmap(nullptr, mapped_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            fail(RWKVX_ERROR_OUT_OF_MEMORY,
                 "cannot map " + std::to_string(mapped_) + " bytes for resident weights: " + std::strerror(errno));
        block_ = p;
#ifdef MADV_HUGEPAGE
        // Refused where transparent huge pages are off; the copy then simply uses small pages.
        madvise(p, mapped_, MADV_HUGEPAGE);
#endif
    }
    char *base = static_cast<char *>(block_);
    if (base) base += (kHugePage - reinterpret_cast<uintptr_t>(base) % kHugePage) % kHugePage;
    names_.reserve(size_t(n_tensors));
    tensors_.reserve(size_t(n_tensors));
    for (int64_t i = 0; i < n_tensors; i++) {
        rwkvx_named_tensor copy = tensors[i];
        const size_t bytes = size_t(tensor_bytes(copy.tensor.dtype, numel(copy.tensor)));
        if (bytes > 0) {
            std::memcpy(base + offsets[size_t(i)], copy.tensor.data, bytes);
            copy.tensor.data = base + offsets[size_t(i)];
        }
        names_.emplace_back(copy.name ? copy.name : "");
        tensors_.push_back(copy);
    }
    for (size_t i = 0; i < tensors_.size(); i++) tensors_[i].name = tensors[i].name ? names_[i].c_str() : nullptr;
}

ResidentWeights::~ResidentWeights() {
    if (block_) munmap(block_, mapped_);
}

}  // namespace rwkvx
