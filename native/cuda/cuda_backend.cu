// The CUDA backend behind the seam (backend/backend.h): every kernel, attention and KV-cache call of
// a CUDA context. DEVICE memory is used in place and the work is only enqueued on the context's
// stream; HOST memory is staged through stream-ordered device temporaries, and the call waits for its
// stream before returning. KV caches are device-resident. Models still run on the CPU (api/).
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "common/chunk_rules.h"
#include "cuda/cuda_common.cuh"
#include "cuda/cuda_kernels.h"
#include "cuda/cuda_probe.h"

namespace rwkvx {
namespace cuda {
namespace {

// Every call first makes the backend's device current on the calling thread.
void use_device(int device) {
    RWKVX_CUDA_CHECK(cudaSetDevice(device));
}

// A host input staged on the device for one call (compacted: rows of `width` elements of `esize` bytes
// that are `stride` elements apart on the host are packed `width` apart on the device).
class Staged {
  public:
    Staged(const void *host, int64_t rows, int64_t width, int64_t stride, int64_t esize, cudaStream_t s)
        : buf_(rows * width * esize, s) {
        if (rows == 0 || width == 0) return;
        RWKVX_CUDA_CHECK(cudaMemcpy2DAsync(buf_.get(), size_t(width * esize), host, size_t(stride * esize),
                                           size_t(width * esize), size_t(rows), cudaMemcpyHostToDevice, s));
    }
    // A contiguous input of n elements.
    Staged(const void *host, int64_t n, int64_t esize, cudaStream_t s) : Staged(host, 1, n, n, esize, s) {}
    void *get() const { return buf_.get(); }
    template <typename T>
    T *as() const {
        return static_cast<T *>(static_cast<void *>(buf_.get()));
    }

  private:
    DeviceBuffer<char> buf_;
};

// Device copies of one host call's float arrays, freed (stream-ordered) with it.
class StagedFloats {
  public:
    explicit StagedFloats(cudaStream_t s) : stream_(s) {}
    // Points each of `ptrs`, a host array of n floats, at a device copy of it.
    template <typename... T>
    void stage(int64_t n, T *&...ptrs) {
        (point_at_copy(ptrs, n), ...);
    }

  private:
    template <typename T>
    void point_at_copy(T *&p, int64_t n) {
        copies_.push_back(std::make_unique<Staged>(p, n, 4, stream_));
        p = copies_.back()->template as<T>();
    }
    cudaStream_t stream_;
    std::vector<std::unique_ptr<Staged>> copies_;
};

// Copies a packed device result back into host rows `stride` elements apart.
void copy_back(void *host, const void *dev, int64_t rows, int64_t width, int64_t stride, int64_t esize,
               cudaStream_t s) {
    if (rows == 0 || width == 0) return;
    RWKVX_CUDA_CHECK(cudaMemcpy2DAsync(host, size_t(stride * esize), dev, size_t(width * esize), size_t(width * esize),
                                       size_t(rows), cudaMemcpyDeviceToHost, s));
}

struct CudaKvStore : KvStore {
    KvDevice dev{};
    explicit CudaKvStore(const rwkvx_kv_cache_config &c) : KvStore(c) {
        dev.H = c.n_head;
        dev.D = c.head_size;
        dev.dtype = c.dtype;
        dev.B = c.chunk_size;
        dev.capacity = c.capacity;
        dev.slots = (c.capacity + c.chunk_size - 1) / c.chunk_size;
        const size_t rows = size_t(c.n_head) * size_t(c.capacity) * size_t(c.head_size) * size_t(elem_bytes(c.dtype));
        const size_t sums = size_t(c.n_head) * size_t(dev.slots) * size_t(c.head_size) * sizeof(float);
        if (cudaMalloc(&dev.k, rows) != cudaSuccess || cudaMalloc(&dev.v, rows) != cudaSuccess ||
            cudaMalloc(reinterpret_cast<void **>(&dev.sums), sums) != cudaSuccess) {
            cudaGetLastError();
            release();
            fail(RWKVX_ERROR_OUT_OF_MEMORY, "the KV cache needs " + std::to_string((2 * rows + sums) >> 20) +
                                                " MiB of device memory, which the device cannot give");
        }
        RWKVX_CUDA_CHECK(cudaMemset(dev.sums, 0, sums));
    }
    ~CudaKvStore() override { release(); }
    void release() {
        // cudaFree waits for the device work in flight, so no kernel outlives the storage it reads.
        cudaFree(dev.k);
        cudaFree(dev.v);
        cudaFree(dev.sums);
        dev.k = dev.v = nullptr;
        dev.sums = nullptr;
    }
};

class CudaBackend final : public Backend {
  public:
    explicit CudaBackend(const CudaProbe &probe) : name_(probe.reason) {
        use_device(device_);
        RWKVX_CUDA_CHECK(cudaStreamCreateWithFlags(&own_stream_, cudaStreamNonBlocking));
        stream_ = own_stream_;
        RWKVX_CUDA_CHECK(cudaMalloc(reinterpret_cast<void **>(&diag_), sizeof(uint32_t)));
        RWKVX_CUDA_CHECK(cudaMemset(diag_, 0, sizeof(uint32_t)));
        // Temporaries come from the stream-ordered pool; keep its memory between calls.
        cudaMemPool_t pool;
        if (cudaDeviceGetDefaultMemPool(&pool, device_) == cudaSuccess) {
            uint64_t keep = UINT64_MAX;
            cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &keep);
        }
    }
    ~CudaBackend() override {
        cudaSetDevice(device_);
        cudaStreamSynchronize(stream_);
        cudaFree(diag_);
        cudaStreamDestroy(own_stream_);
    }

    int32_t kind() const override { return RWKVX_BACKEND_CUDA; }
    std::string describe() const override { return "cuda (" + name_ + ")"; }

    void matmul(const MatmulCall &c) override {
        use_device(device_);
        if (c.memory == Memory::Device) return cuda::matmul(c, stream_);
        const int64_t we = elem_bytes(c.w_dtype);
        Staged x(c.x, c.T * c.K, 4, stream_), w(c.w, c.N * c.K, we, stream_);
        DeviceBuffer<float> y(c.T * c.N, stream_);
        MatmulCall d = c;
        d.x = x.as<float>();
        d.w = w.get();
        d.y = y.get();
        cuda::matmul(d, stream_);
        copy_back(c.y, y.get(), 1, c.T * c.N, c.T * c.N, 4, stream_);
        finish_host_call();
    }

    void group_norm(const GroupNormCall &c) override {
        use_device(device_);
        if (c.memory == Memory::Device) return cuda::group_norm(c, stream_);
        Staged x(c.x, c.T * c.C, 4, stream_), w(c.weight, c.C, 4, stream_), b(c.bias, c.C, 4, stream_);
        GroupNormCall d = c;
        d.x = x.as<float>();
        d.weight = w.as<float>();
        d.bias = b.as<float>();
        d.y = x.as<float>();  // in place on the staged copy
        cuda::group_norm(d, stream_);
        copy_back(c.y, x.get(), 1, c.T * c.C, c.T * c.C, 4, stream_);
        finish_host_call();
    }

    void wkv7(const rwkvx_wkv7_params &p) override {
        use_device(device_);
        if (p.memory == RWKVX_MEMORY_DEVICE) return cuda::wkv7(p, stream_);
        const int64_t n = p.n_tokens * p.n_head * p.head_size, ns = int64_t(p.n_head) * p.head_size * p.head_size;
        rwkvx_wkv7_params d = p;
        StagedFloats staged(stream_);
        staged.stage(n, d.r, d.w, d.k, d.v, d.a, d.b);
        staged.stage(ns, d.state);
        run_staged_recurrence(p, d, ns, n, cuda::wkv7);
    }

    void wkv4(const rwkvx_wkv4_params &p) override {
        use_device(device_);
        if (p.memory == RWKVX_MEMORY_DEVICE) return cuda::wkv4(p, stream_);
        const int64_t C = p.n_channels, n = p.n_tokens * C;
        rwkvx_wkv4_params d = p;
        StagedFloats staged(stream_);
        staged.stage(C, d.time_decay, d.time_first);
        staged.stage(n, d.k, d.v);
        staged.stage(3 * C, d.state);
        run_staged_recurrence(p, d, 3 * C, n, cuda::wkv4);
    }

    void wkv5(const rwkvx_wkv5_params &p) override {
        use_device(device_);
        if (p.memory == RWKVX_MEMORY_DEVICE) return cuda::wkv5(p, stream_);
        const int64_t C = int64_t(p.n_head) * p.head_size, n = p.n_tokens * C, ns = C * p.head_size;
        rwkvx_wkv5_params d = p;
        StagedFloats staged(stream_);
        staged.stage(n, d.r, d.k, d.v);
        staged.stage(p.w_per_token ? n : C, d.w);
        staged.stage(C, d.u);
        staged.stage(ns, d.state);
        run_staged_recurrence(p, d, ns, n, cuda::wkv5);
    }

    uint32_t attention_prefill(const AttentionCall &c) override {
        use_device(device_);
        if (c.memory == Memory::Device) {
            prefill_on_device(c, KvRows{c.k, c.v, c.kv_dtype, c.k_stride, c.v_stride, c.D}, 0, nullptr, 0, diag_);
            return 0;
        }
        HostAttention h(c, stream_);
        DeviceBuffer<uint32_t> diag(1, stream_);
        RWKVX_CUDA_CHECK(cudaMemsetAsync(diag.get(), 0, sizeof(uint32_t), stream_));
        prefill_on_device(h.call, KvRows{h.call.k, h.call.v, c.kv_dtype, h.call.k_stride, h.call.v_stride, c.D}, 0,
                          nullptr, 0, diag.get());
        return h.finish(c, diag.get());
    }

    std::unique_ptr<KvStore> kv_create(const rwkvx_kv_cache_config &cfg) override {
        use_device(device_);
        return std::make_unique<CudaKvStore>(cfg);
    }

    void kv_reset(KvStore &s) override {
        use_device(device_);
        CudaKvStore &c = store(s);
        kv_clear_sums(c.dev, stream_);
        c.len = 0;
    }

    void kv_append(KvStore &s, const void *k, const void *v, int64_t n, int64_t k_stride, int64_t v_stride,
                   Memory memory) override {
        use_device(device_);
        CudaKvStore &c = store(s);
        if (memory == Memory::Device) {
            cuda::kv_append(c.dev, c.len, k, v, n, k_stride, v_stride, stream_);
            c.len += n;
            return;
        }
        const int64_t hd = int64_t(c.dev.H) * c.dev.D, e = elem_bytes(c.dev.dtype);
        Staged kd(k, n, hd, k_stride, e, stream_), vd(v, n, hd, v_stride, e, stream_);
        cuda::kv_append(c.dev, c.len, kd.get(), vd.get(), n, hd, hd, stream_);
        c.len += n;
        finish_host_call();
    }

    void kv_compress(KvStore &s, const float *q, int64_t n_q, int64_t q_stride, float scale, Memory memory) override {
        use_device(device_);
        CudaKvStore &c = store(s);
        if (c.len <= c.cfg.min_size) return;
        const int64_t hd = int64_t(c.dev.H) * c.dev.D;
        std::unique_ptr<Staged> staged;
        if (memory == Memory::Host) {
            staged = std::make_unique<Staged>(q, n_q, hd, q_stride, 4, stream_);
            q = staged->as<float>();
            q_stride = hd;
        }
        cuda::kv_compress(c.dev, c.len, c.cfg.window, c.cfg.min_size, q, n_q, q_stride, scale, stream_);
        c.len = c.cfg.min_size;
        if (memory == Memory::Host) finish_host_call();
    }

    uint32_t attention_decode(KvStore &s, const AttentionCall &c) override {
        use_device(device_);
        CudaKvStore &st = store(s);
        if (c.memory == Memory::Device) {
            decode_on_device(st, c, diag_);
            return 0;
        }
        HostAttention h(c, stream_);
        DeviceBuffer<uint32_t> diag(1, stream_);
        RWKVX_CUDA_CHECK(cudaMemsetAsync(diag.get(), 0, sizeof(uint32_t), stream_));
        decode_on_device(st, h.call, diag.get());
        return h.finish(c, diag.get());
    }

    void set_stream(void *stream) override {
        use_device(device_);
        cudaStream_t next = stream ? static_cast<cudaStream_t>(stream) : own_stream_;
        if (next == stream_) return;
        // Work enqueued on the old stream completes before anything on the new one can depend on it.
        RWKVX_CUDA_CHECK(cudaStreamSynchronize(stream_));
        stream_ = next;
    }

    uint32_t synchronize() override {
        use_device(device_);
        RWKVX_CUDA_CHECK(cudaStreamSynchronize(stream_));
        uint32_t bits = 0;
        RWKVX_CUDA_CHECK(cudaMemcpy(&bits, diag_, sizeof(bits), cudaMemcpyDeviceToHost));
        RWKVX_CUDA_CHECK(cudaMemset(diag_, 0, sizeof(bits)));
        return bits;
    }

  private:
    // A host-memory attention call staged on the device: q, k, v packed (token stride H*D), o and lse
    // allocated; finish() copies o and lse back into the caller's rows, waits, and returns the bits.
    struct HostAttention {
        Staged q, k, v;
        DeviceBuffer<float> o, lse;
        AttentionCall call;
        HostAttention(const AttentionCall &c, cudaStream_t s)
            : q(c.q, c.T, int64_t(c.H) * c.D, c.q_stride, 4, s),
              k(c.k, c.T, int64_t(c.H) * c.D, c.k_stride, elem_bytes(c.kv_dtype), s),
              v(c.v, c.T, int64_t(c.H) * c.D, c.v_stride, elem_bytes(c.kv_dtype), s),
              o(c.T * c.H * c.D, s),
              lse(c.lse ? c.T * c.H : 0, s),
              call(c),
              stream(s) {
            const int64_t hd = int64_t(c.H) * c.D;
            call.q = q.as<float>();
            call.k = k.get();
            call.v = v.get();
            call.o = o.get();
            call.lse = c.lse ? lse.get() : nullptr;
            call.q_stride = call.k_stride = call.v_stride = call.o_stride = hd;
            call.memory = Memory::Device;
        }
        uint32_t finish(const AttentionCall &c, const uint32_t *diag_dev) {
            const int64_t hd = int64_t(c.H) * c.D;
            copy_back(c.o, o.get(), c.T, hd, c.o_stride, 4, stream);
            if (c.lse) copy_back(c.lse, lse.get(), 1, c.T * c.H, c.T * c.H, 4, stream);
            uint32_t bits = 0;
            RWKVX_CUDA_CHECK(cudaMemcpyAsync(&bits, diag_dev, sizeof(bits), cudaMemcpyDeviceToHost, stream));
            RWKVX_CUDA_CHECK(cudaStreamSynchronize(stream));
            return bits;
        }
        cudaStream_t stream;
    };

    static CudaKvStore &store(KvStore &s) { return static_cast<CudaKvStore &>(s); }

    // Waits for a host-memory call's copies back (its temporaries are freed in stream order after).
    void finish_host_call() { RWKVX_CUDA_CHECK(cudaStreamSynchronize(stream_)); }

    // The rest of a recurrence's host call once d (a copy of p) points at staged inputs and state: an
    // output of n floats, the kernel, then the state (ns floats) and the output back into p's buffers.
    template <typename Params>
    void run_staged_recurrence(const Params &p, Params &d, int64_t ns, int64_t n,
                               void (*kernel)(const Params &, cudaStream_t)) {
        DeviceBuffer<float> y(n, stream_);
        d.y = y.get();
        d.memory = RWKVX_MEMORY_DEVICE;
        kernel(d, stream_);
        copy_back(p.state, d.state, 1, ns, ns, 4, stream_);
        copy_back(p.y, y.get(), 1, n, n, 4, stream_);
        finish_host_call();
    }

    // Prefill over kv (past keys before the queries; sums: a cache's chunk sums or null).
    void prefill_on_device(const AttentionCall &c, const KvRows &kv, int64_t past, const float *sums, int64_t slots,
                           uint32_t *diag) {
        FlashParams f{c.T, past, c.H, c.D, c.scale, c.q, c.q_stride, kv, c.o, c.o_stride, c.lse};
        if (c.sparse)
            sparse_prefill(SparseParams{f, c.B, c.top_k, c.scope, sums, slots, diag}, stream_);
        else
            flash_prefill(f, stream_);
    }

    // rwkvx_attention_decode on device rows: one token runs the split-K decode kernel then joins the
    // cache; several join it first and run the prefill kernels over it (as the CPU backend does).
    void decode_on_device(CudaKvStore &st, const AttentionCall &c, uint32_t *diag) {
        if (c.T == 1) {
            DecodeParams d{c.q, st.dev, st.len, c.k, c.v, c.o, c.lse, c.sparse, c.top_k, c.scope, c.scale, diag};
            decode_step(d, stream_);
            cuda::kv_append(st.dev, st.len, c.k, c.v, 1, int64_t(c.H) * c.D, int64_t(c.H) * c.D, stream_);
            st.len += 1;
            return;
        }
        const int64_t past = st.len;
        cuda::kv_append(st.dev, st.len, c.k, c.v, c.T, c.k_stride, c.v_stride, stream_);
        st.len += c.T;
        prefill_on_device(c, st.dev.rows(), past, st.dev.sums, st.dev.slots, diag);
    }

    const int device_ = 0;
    const std::string name_;
    cudaStream_t own_stream_ = nullptr;
    cudaStream_t stream_ = nullptr;
    uint32_t *diag_ = nullptr;  // RWKVX_ATTN_DIAG_* bits of DEVICE-memory calls since synchronize()
};

}  // namespace
}  // namespace cuda

std::unique_ptr<Backend> make_cuda_backend(const CudaProbe &probe) {
    if (!probe.usable) fail(RWKVX_ERROR_UNSUPPORTED, "CUDA backend unavailable: " + probe.reason);
    return std::make_unique<cuda::CudaBackend>(probe);
}

}  // namespace rwkvx
