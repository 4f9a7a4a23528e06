// matmul_only_token.h — one decode token's matmuls and nothing else, run by the engine's own CPU
// kernels, thread pool and blocked huge-page weight layout (internal classes, built into the bench
// from native/). Its time over the memory floor is what the kernels and the thread pool reach on this
// machine; a decode token over it is what the rest of the forward pass costs (element-wise work, the
// WKV state's traffic, the embedding row).
#ifndef RWKVX_BENCH_MATMUL_ONLY_TOKEN_H
#define RWKVX_BENCH_MATMUL_ONLY_TOKEN_H

#include <cstdint>
#include <memory>
#include <string>

#include "bench_rwkv7.h"

namespace rwkvx_bench {

class MatmulOnlyToken {
  public:
    // The matrices of the synthetic model `g` (RWKV-7 or RWKV-4) in `format` (bench_common.h), laid
    // out like resident weights (float ones in 32-row blocks, quantized ones in split rows), in one
    // 2 MiB-aligned mapping with huge pages requested; every byte is the same constant. max_rows: the
    // most input rows run() takes (a batched decode step multiplies one row per sequence).
    MatmulOnlyToken(const Geometry &g, int format, int threads, int max_rows = 1);
    ~MatmulOnlyToken();
    MatmulOnlyToken(const MatmulOnlyToken &) = delete;
    MatmulOnlyToken &operator=(const MatmulOnlyToken &) = delete;

    // False (with note()) when the weights could not be mapped; run() then does nothing.
    bool ok() const;
    const std::string &note() const;
    // One token (or one token of each of `rows` sequences): the forward pass's matmuls in its order,
    // each group that shares a parallel region in the engine as one region (matmul_many), the head last.
    void run(int rows = 1);
    // Weight bytes one run() reads.
    std::int64_t bytes() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace rwkvx_bench

#endif
