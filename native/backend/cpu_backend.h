// The CPU backend: the kernel entry points on the context's thread pool and kernel table, attention
// through native/attention.
#pragma once
#include <memory>

#include "backend/backend.h"

namespace rwkvx {
class CpuOps;

// ops is the context's (borrowed: it outlives the backend).
std::unique_ptr<Backend> make_cpu_backend(CpuOps &ops);

}  // namespace rwkvx
