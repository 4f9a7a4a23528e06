// The backend seam as the C ABI promises it (include/rwkvx.h, ABI v4): choosing a backend and falling
// back, and the memory spaces of every kernel, attention and KV-cache call.
//  - Without a usable device (CI): RWKVX_BACKEND_CUDA is refused with RWKVX_ERROR_UNSUPPORTED and a
//    reason; AUTO gives a CPU context whose description says why.
//  - With one (tests/gpu/run.sh, RWKVX_REQUIRE_GPU=1 makes its absence a failure): CUDA and AUTO give
//    CUDA contexts; set_stream and synchronize work (with a stream of our own when built with CUDA).
//  - Always: a CPU context refuses RWKVX_MEMORY_DEVICE in every entry point with UNSUPPORTED, naming the
//    call and DEVICE, and changes nothing; a memory value other than HOST/DEVICE, a reserved field other
//    than 0, and a model tensor in device memory are refused on every context.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "check.h"
#include "device_mirror.h"
#include "rwkvx.h"
#include "synthetic_rwkv7.h"
#include "test_setup.h"

namespace {

constexpr int T = 3, H = 2, N = 16, HN = H * N;
constexpr float kUntouched = 7.5f;

bool says(const char *needle) {
    return std::strstr(rwkvx_last_error(), needle) != nullptr;
}

std::string last() {
    return rwkvx_last_error();
}

bool all_equal(const std::vector<float> &v, float x) {
    for (float f : v)
        if (std::memcmp(&f, &x, 4) != 0) return false;
    return true;
}

std::vector<float> filled(size_t n, float first, float step) {
    std::vector<float> v(n);
    for (size_t i = 0; i < n; i++) v[i] = first + step * float(i % 97) / 97.0f;
    return v;
}

// Host inputs of every entry point, small and valid, with outputs pre-filled so that a refused call can
// be seen to have changed nothing.
struct Inputs {
    std::vector<float> r = filled(T * HN, -0.5f, 1.0f), w = filled(T * HN, 0.6f, 0.3f), k = filled(T * HN, -1, 2),
                       v = filled(T * HN, 1, -2), a = filled(T * HN, -0.1f, 0.05f), b = filled(T * HN, 0.02f, 0.05f),
                       u = filled(HN, 0.1f, 0.5f), decay = filled(HN, -2, 1), state0 = filled(H * N * N, -0.2f, 0.4f);
    std::vector<float> state = state0, y = std::vector<float>(T * HN, kUntouched);
    std::vector<float> wkv4_state0 = filled(3 * HN, 0.0f, 1.0f), wkv4_state = wkv4_state0;

    void reset_outputs() {
        state = state0;
        wkv4_state = wkv4_state0;
        y.assign(y.size(), kUntouched);
    }
    bool untouched() const { return state == state0 && wkv4_state == wkv4_state0 && all_equal(y, kUntouched); }

    rwkvx_wkv7_params wkv7() {
        rwkvx_wkv7_params p{};
        p.n_tokens = T, p.n_head = H, p.head_size = N;
        p.r = r.data(), p.w = w.data(), p.k = k.data(), p.v = v.data(), p.a = a.data(), p.b = b.data();
        p.state = state.data(), p.y = y.data();
        return p;
    }
    rwkvx_wkv4_params wkv4() {
        rwkvx_wkv4_params p{};
        p.n_tokens = T, p.n_channels = HN;
        p.time_decay = decay.data(), p.time_first = u.data(), p.k = k.data(), p.v = v.data();
        p.state = wkv4_state.data(), p.y = y.data();
        return p;
    }
    rwkvx_wkv5_params wkv5() {
        rwkvx_wkv5_params p{};
        p.n_tokens = T, p.n_head = H, p.head_size = N, p.w_per_token = 1;
        p.r = r.data(), p.k = k.data(), p.v = v.data(), p.w = w.data(), p.u = u.data();
        p.state = state.data(), p.y = y.data();
        return p;
    }
    // Attention over the T tokens of r (as q), k and v: H heads of N.
    rwkvx_attention_params attention() {
        rwkvx_attention_params p{};
        p.n_tokens = T, p.n_head = H, p.head_size = N, p.kv_dtype = RWKVX_DTYPE_F32;
        p.mode = RWKVX_ATTN_SPARSE, p.causal = 1, p.chunk_size = 2, p.top_k = 1;
        p.q = r.data(), p.k = k.data(), p.v = v.data(), p.o = y.data();
        return p;
    }
};

// A KV cache of H heads of N on ctx holding `length` tokens of in.k/in.v (host), with compression knobs.
rwkvx_kv_cache *make_cache(rwkvx_context *ctx, Inputs &in, int64_t length) {
    rwkvx_kv_cache_config cfg{H, N, RWKVX_DTYPE_F32, 2, 16, 12, 1, 2};
    rwkvx_kv_cache *cache = nullptr;
    expect(rwkvx_kv_cache_create(ctx, &cfg, &cache) == RWKVX_OK, "cache create: " + last());
    for (int64_t t = 0; t < length; t++)
        rwkvx_kv_cache_append(cache, in.k.data() + (t % T) * HN, in.v.data() + (t % T) * HN, 1, 0, 0,
                              RWKVX_MEMORY_HOST);
    expect(rwkvx_kv_cache_length(cache) == length, "cache filled to " + std::to_string(length));
    return cache;
}

// ---- backend choice ------------------------------------------------------------------------------

void test_cuda_refused(rwkvx_status st, rwkvx_context *ctx, const std::string &why) {
    expect(st == RWKVX_ERROR_UNSUPPORTED && ctx == nullptr,
           std::string("CUDA without a usable device is RWKVX_ERROR_UNSUPPORTED: ") + rwkvx_status_name(st));
    // "no device", "no usable device (cudaErrorNoDevice)", "not compiled in", "... needs sm_80": a reason.
    const bool reason = why.find("rwkvx_context_create") != std::string::npos &&
                        (why.find("device") != std::string::npos || why.find("compiled") != std::string::npos ||
                         why.find("sm_") != std::string::npos);
    expect(reason, "the refusal says why: " + why);
    rwkvx_context *autoc = nullptr;
    expect(rwkvx_context_create(RWKVX_BACKEND_AUTO, 1, 0, &autoc) == RWKVX_OK, "AUTO never fails for lack of a GPU");
    const std::string d = autoc ? rwkvx_context_describe(autoc) : "";
    expect(rwkvx_context_backend(autoc) == RWKVX_BACKEND_CPU, "AUTO falls back to the CPU backend: " + d);
    expect(d.find("cuda:") != std::string::npos, "AUTO's description says why the GPU was not used: " + d);
    rwkvx_context_free(autoc);
}

void test_cuda_context(rwkvx_context *cuda) {
    expect(rwkvx_context_backend(cuda) == RWKVX_BACKEND_CUDA,
           std::string("a CUDA context reports RWKVX_BACKEND_CUDA: ") + rwkvx_context_describe(cuda));
    rwkvx_context *autoc = nullptr;
    expect(rwkvx_context_create(RWKVX_BACKEND_AUTO, 1, 0, &autoc) == RWKVX_OK &&
               rwkvx_context_backend(autoc) == RWKVX_BACKEND_CUDA,
           std::string("AUTO picks the device: ") + (autoc ? rwkvx_context_describe(autoc) : last().c_str()));
    rwkvx_context_free(autoc);
    expect(rwkvx_context_set_stream(cuda, nullptr) == RWKVX_OK,
           "set_stream(NULL): the context's own stream: " + last());
    uint32_t diag = 0xdead;
    expect(rwkvx_context_synchronize(cuda, &diag) == RWKVX_OK && diag == 0,
           "synchronize with nothing pending: " + last());
    expect(rwkvx_context_synchronize(cuda, nullptr) == RWKVX_OK, "synchronize accepts NULL diagnostics: " + last());
#if RWKVX_TEST_CUDA
    // A stream of our own: device-memory WKV-7 enqueued on it equals the host-memory call.
    cudaStream_t stream = nullptr;
    if (cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking) != cudaSuccess) {
        expect(false, "cudaStreamCreate failed");
        return;
    }
    expect(rwkvx_context_set_stream(cuda, stream) == RWKVX_OK, "set_stream(own stream): " + last());
    Inputs host, device;
    rwkvx_wkv7_params ph = host.wkv7(), pd = device.wkv7();
    expect(rwkvx_wkv7(cuda, &ph) == RWKVX_OK, "wkv7, host memory: " + last());
    expect(device_mirror::wkv7({cuda, "cuda, device memory", true, true}, &pd) == RWKVX_OK,
           "wkv7, device memory on our stream: " + last());
    expect(host.y == device.y && host.state == device.state, "device memory on our stream equals host memory");
    expect(rwkvx_context_set_stream(cuda, nullptr) == RWKVX_OK, "set_stream back to NULL: " + last());
    cudaStreamDestroy(stream);
#endif
}

// ---- a CPU context refuses device memory -------------------------------------------------------------

void expect_device_refused(rwkvx_status st, const char *function, bool unchanged) {
    const std::string msg = last();
    expect(st == RWKVX_ERROR_UNSUPPORTED && msg.find(function) != std::string::npos &&
               msg.find("DEVICE") != std::string::npos,
           std::string(function) + " with DEVICE memory on a CPU context: " + rwkvx_status_name(st) + " " + msg);
    expect(unchanged, std::string(function) + ": the refused call changed nothing");
}

void test_cpu_refuses_device(rwkvx_context *cpu) {
    Inputs in;
    {
        rwkvx_wkv7_params p = in.wkv7();
        p.memory = RWKVX_MEMORY_DEVICE;
        expect_device_refused(rwkvx_wkv7(cpu, &p), "rwkvx_wkv7", in.untouched());
        p.memory = RWKVX_MEMORY_HOST;
        expect(rwkvx_wkv7(cpu, &p) == RWKVX_OK, "the same wkv7 call in host memory runs: " + last());
        in.reset_outputs();
    }
    {
        rwkvx_wkv4_params p = in.wkv4();
        p.memory = RWKVX_MEMORY_DEVICE;
        expect_device_refused(rwkvx_wkv4(cpu, &p), "rwkvx_wkv4", in.untouched());
        p.memory = RWKVX_MEMORY_HOST;
        expect(rwkvx_wkv4(cpu, &p) == RWKVX_OK, "the same wkv4 call in host memory runs: " + last());
        in.reset_outputs();
    }
    {
        rwkvx_wkv5_params p = in.wkv5();
        p.memory = RWKVX_MEMORY_DEVICE;
        expect_device_refused(rwkvx_wkv5(cpu, &p), "rwkvx_wkv5", in.untouched());
        p.memory = RWKVX_MEMORY_HOST;
        expect(rwkvx_wkv5(cpu, &p) == RWKVX_OK, "the same wkv5 call in host memory runs: " + last());
        in.reset_outputs();
    }
    {
        rwkvx_tensor x = tensor(in.r.data(), {T, HN}), w = tensor(in.k.data(), {T, HN}),
                     y = tensor(in.y.data(), {T, T});
        x.memory = w.memory = y.memory = RWKVX_MEMORY_DEVICE;
        expect_device_refused(rwkvx_matmul(cpu, &x, &w, &y), "rwkvx_matmul", in.untouched());
        x.memory = w.memory = y.memory = RWKVX_MEMORY_HOST;
        expect(rwkvx_matmul(cpu, &x, &w, &y) == RWKVX_OK, "the same matmul in host memory runs: " + last());
        in.reset_outputs();
    }
    {
        rwkvx_tensor x = tensor(in.r.data(), {T, HN}), wt = tensor(in.u.data(), {HN}),
                     b = tensor(in.decay.data(), {HN}), y = tensor(in.y.data(), {T, HN});
        x.memory = wt.memory = b.memory = y.memory = RWKVX_MEMORY_DEVICE;
        expect_device_refused(rwkvx_group_norm(cpu, &x, &wt, &b, H, 1e-5f, &y), "rwkvx_group_norm", in.untouched());
        x.memory = wt.memory = b.memory = y.memory = RWKVX_MEMORY_HOST;
        expect(rwkvx_group_norm(cpu, &x, &wt, &b, H, 1e-5f, &y) == RWKVX_OK,
               "the same group_norm in host memory runs: " + last());
        in.reset_outputs();
    }
    {
        rwkvx_attention_params p = in.attention();
        p.memory = RWKVX_MEMORY_DEVICE;
        expect_device_refused(rwkvx_attention_prefill(cpu, &p), "rwkvx_attention_prefill", in.untouched());
        p.memory = RWKVX_MEMORY_HOST;
        expect(rwkvx_attention_prefill(cpu, &p) == RWKVX_OK, "the same prefill in host memory runs: " + last());
        in.reset_outputs();
    }
    {
        rwkvx_kv_cache *cache = make_cache(cpu, in, 5);
        rwkvx_attention_params p = in.attention();
        p.n_tokens = 1;
        p.memory = RWKVX_MEMORY_DEVICE;
        expect_device_refused(rwkvx_attention_decode(cpu, cache, &p), "rwkvx_attention_decode",
                              in.untouched() && rwkvx_kv_cache_length(cache) == 5);
        expect_device_refused(rwkvx_kv_cache_append(cache, in.k.data(), in.v.data(), 2, 0, 0, RWKVX_MEMORY_DEVICE),
                              "rwkvx_kv_cache_append", rwkvx_kv_cache_length(cache) == 5);
        p.memory = RWKVX_MEMORY_HOST;
        expect(rwkvx_attention_decode(cpu, cache, &p) == RWKVX_OK && rwkvx_kv_cache_length(cache) == 6,
               "the same decode in host memory runs: " + last());
        expect(rwkvx_kv_cache_append(cache, in.k.data(), in.v.data(), 2, 0, 0, RWKVX_MEMORY_HOST) == RWKVX_OK &&
                   rwkvx_kv_cache_length(cache) == 8,
               "the same append in host memory runs: " + last());
        expect_device_refused(rwkvx_kv_cache_compress(cpu, cache, in.r.data(), T, 0, RWKVX_MEMORY_DEVICE),
                              "rwkvx_kv_cache_compress", rwkvx_kv_cache_length(cache) == 8);
        expect(rwkvx_kv_cache_compress(cpu, cache, in.r.data(), T, 0, RWKVX_MEMORY_HOST) == RWKVX_OK &&
                   rwkvx_kv_cache_length(cache) == 2,
               "the same compression in host memory runs (to min_size 2): " + last());
        rwkvx_kv_cache_free(cache);
        in.reset_outputs();
    }
}

void test_cpu_stream(rwkvx_context *cpu) {
    expect(rwkvx_context_backend(cpu) == RWKVX_BACKEND_CPU, "a CPU context reports RWKVX_BACKEND_CPU");
    expect(rwkvx_context_backend(nullptr) == -1, "rwkvx_context_backend(NULL) is -1");
    int dummy = 0;
    expect(rwkvx_context_set_stream(cpu, &dummy) == RWKVX_ERROR_UNSUPPORTED,
           "set_stream on a CPU context is RWKVX_ERROR_UNSUPPORTED: " + last());
    expect(rwkvx_context_set_stream(cpu, nullptr) == RWKVX_ERROR_UNSUPPORTED,
           "set_stream(NULL) on a CPU context is RWKVX_ERROR_UNSUPPORTED too: " + last());
    uint32_t diag = 0xdead;
    expect(rwkvx_context_synchronize(cpu, &diag) == RWKVX_OK && diag == 0,
           "synchronize on a CPU context: OK, diagnostics 0: " + last());
    expect(rwkvx_context_synchronize(cpu, nullptr) == RWKVX_OK, "synchronize accepts NULL diagnostics");
    expect(rwkvx_context_synchronize(nullptr, &diag) == RWKVX_ERROR_ARGUMENT, "synchronize(NULL ctx) is an error");
    expect(rwkvx_context_set_stream(nullptr, nullptr) == RWKVX_ERROR_ARGUMENT, "set_stream(NULL ctx) is an error");
}

// ---- argument errors on every context ------------------------------------------------------------

void expect_argument(rwkvx_status st, const std::string &what, const char *needle, bool unchanged) {
    expect(st == RWKVX_ERROR_ARGUMENT && says(needle),
           what + ": RWKVX_ERROR_ARGUMENT naming '" + needle + "': " + rwkvx_status_name(st) + " " + last());
    expect(unchanged, what + ": the refused call changed nothing");
}

void test_bad_fields(rwkvx_context *ctx, const std::string &where) {
    Inputs in;
    for (int32_t memory : {2, -1}) {
        const std::string m = " memory " + std::to_string(memory) + " [" + where + "]";
        rwkvx_wkv7_params p7 = in.wkv7();
        p7.memory = memory;
        expect_argument(rwkvx_wkv7(ctx, &p7), "wkv7" + m, "memory", in.untouched());
        rwkvx_wkv4_params p4 = in.wkv4();
        p4.memory = memory;
        expect_argument(rwkvx_wkv4(ctx, &p4), "wkv4" + m, "memory", in.untouched());
        rwkvx_wkv5_params p5 = in.wkv5();
        p5.memory = memory;
        expect_argument(rwkvx_wkv5(ctx, &p5), "wkv5" + m, "memory", in.untouched());
        rwkvx_tensor x = tensor(in.r.data(), {T, HN}), w = tensor(in.k.data(), {T, HN}),
                     y = tensor(in.y.data(), {T, T});
        x.memory = w.memory = y.memory = memory;
        expect_argument(rwkvx_matmul(ctx, &x, &w, &y), "matmul" + m, "memory", in.untouched());
        rwkvx_tensor gx = tensor(in.r.data(), {T, HN}), gw = tensor(in.u.data(), {HN}),
                     gb = tensor(in.decay.data(), {HN}), gy = tensor(in.y.data(), {T, HN});
        gx.memory = gw.memory = gb.memory = gy.memory = memory;
        expect_argument(rwkvx_group_norm(ctx, &gx, &gw, &gb, H, 1e-5f, &gy), "group_norm" + m, "memory",
                        in.untouched());
        rwkvx_attention_params pa = in.attention();
        pa.memory = memory;
        expect_argument(rwkvx_attention_prefill(ctx, &pa), "attention_prefill" + m, "memory", in.untouched());
        rwkvx_kv_cache *cache = make_cache(ctx, in, 5);
        pa.n_tokens = 1;
        expect_argument(rwkvx_attention_decode(ctx, cache, &pa), "attention_decode" + m, "memory",
                        in.untouched() && rwkvx_kv_cache_length(cache) == 5);
        expect_argument(rwkvx_kv_cache_append(cache, in.k.data(), in.v.data(), 1, 0, 0, memory), "kv_cache_append" + m,
                        "memory", rwkvx_kv_cache_length(cache) == 5);
        expect_argument(rwkvx_kv_cache_compress(ctx, cache, in.r.data(), T, 0, memory), "kv_cache_compress" + m,
                        "memory", rwkvx_kv_cache_length(cache) == 5);
        rwkvx_kv_cache_free(cache);
    }
    const std::string r = " reserved 1 [" + where + "]";
    rwkvx_wkv7_params p7 = in.wkv7();
    p7.reserved = 1;
    expect_argument(rwkvx_wkv7(ctx, &p7), "wkv7" + r, "reserved", in.untouched());
    rwkvx_wkv4_params p4 = in.wkv4();
    p4.reserved = 1;
    expect_argument(rwkvx_wkv4(ctx, &p4), "wkv4" + r, "reserved", in.untouched());
    for (int which = 0; which < 3; which++) {
        rwkvx_tensor t[3] = {tensor(in.r.data(), {T, HN}), tensor(in.k.data(), {T, HN}), tensor(in.y.data(), {T, T})};
        t[which].reserved = 1;
        expect_argument(rwkvx_matmul(ctx, &t[0], &t[1], &t[2]), "matmul tensor " + std::to_string(which) + r,
                        "reserved", in.untouched());
    }
}

// Model tensors must be host memory: a DEVICE one is refused, by name, on any context.
void test_model_device_tensor(rwkvx_context *ctx, const std::string &where) {
    Tensors w = synthetic_rwkv7({64, 64, 40, 256, 1, 16, 16, 16, 16});
    std::vector<rwkvx_named_tensor> named = w.named();
    rwkvx_model *model = nullptr;
    expect(rwkvx_model_create(ctx, RWKVX_ARCH_RWKV7, named.data(), int64_t(named.size()), &model) == RWKVX_OK,
           "the synthetic RWKV-7 is valid [" + where + "]: " + last());
    rwkvx_model_free(model);
    model = nullptr;
    const char *name = "blocks.0.att.key.weight";
    for (auto &t : named)
        if (std::strcmp(t.name, name) == 0) t.tensor.memory = RWKVX_MEMORY_DEVICE;
    const rwkvx_status st = rwkvx_model_create(ctx, RWKVX_ARCH_RWKV7, named.data(), int64_t(named.size()), &model);
    expect(st != RWKVX_OK && model == nullptr && says(name), "a model tensor in DEVICE memory is refused, naming it [" +
                                                                 where + "]: " + rwkvx_status_name(st) + " " + last());
    rwkvx_model_free(model);
}

}  // namespace

int main() {
    const int64_t live = rwkvx_live_handles();
    rwkvx_context *cpu = nullptr;
    expect(rwkvx_context_create(RWKVX_BACKEND_CPU, 2, 0, &cpu) == RWKVX_OK, "CPU context: " + last());

    rwkvx_context *cuda = nullptr;
    const rwkvx_status cuda_status = rwkvx_context_create(RWKVX_BACKEND_CUDA, 2, 0, &cuda);
    const std::string why = last();
    const char *req = std::getenv("RWKVX_REQUIRE_GPU");
    if (cuda_status == RWKVX_OK) {
        std::printf("CUDA context: %s\n", rwkvx_context_describe(cuda));
        test_cuda_context(cuda);
    } else {
        std::printf("no CUDA context (%s): checking the fallback\n", why.c_str());
        if (req && std::strcmp(req, "1") == 0) expect(false, "RWKVX_REQUIRE_GPU=1 but no CUDA context: " + why);
        test_cuda_refused(cuda_status, cuda, why);
    }

    test_cpu_stream(cpu);
    test_cpu_refuses_device(cpu);
    test_bad_fields(cpu, "cpu");
    test_model_device_tensor(cpu, "cpu");
    if (cuda) {
        test_bad_fields(cuda, "cuda");
        test_model_device_tensor(cuda, "cuda");
    }
    expect(rwkvx_context_free(cuda) == RWKVX_OK && rwkvx_context_free(cpu) == RWKVX_OK, "contexts freed: " + last());
    expect(rwkvx_live_handles() == live, "no handle left behind");
    return finish();
}
