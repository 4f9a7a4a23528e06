/*
 * rwkvx.h — the C ABI of the rwkvx inference engine.
 *
 * Conventions (apply to every function below unless its comment says otherwise):
 *  - Every fallible function returns an rwkvx_status. On failure the calling thread's last-error
 *    message (rwkvx_last_error) says what was wrong and where. Native code never aborts the process.
 *  - Handles (rwkvx_context, rwkvx_model, rwkvx_state, rwkvx_kv_cache) are opaque. Whoever creates one
 *    frees it with the matching *_free function, which returns a status (see "Ownership" below).
 *  - Pointers marked "borrowed" must stay valid for as long as the receiving object lives; the
 *    library never frees them.
 *  - Weight placement: tensor data handed to rwkvx_model_create is used in place (borrowed; this is
 *    how memory-mapped weights are used without copies) unless the context has
 *    RWKVX_CONTEXT_RESIDENT_WEIGHTS, which makes the weights resident: the model copies them.
 *  - Shapes are given slowest dimension first (PyTorch order); strides are in elements.
 *  - Thread-safety. Any function may be called from any thread. Calls that overlap on a handle are
 *    either safe together or all but one are refused at once with RWKVX_ERROR_IN_USE; a handle is
 *    never corrupted, and no call waits for a state or KV cache (so calls cannot deadlock on them):
 *      - A context serialises the compute calls made through it (one call at a time runs on its
 *        thread pool; the others wait for it); every other use of a context may overlap.
 *      - A model is read-only after creation: any number of calls on it and on its states may
 *        overlap (evals on one context take turns, as above).
 *      - A state serves one call at a time: rwkvx_model_eval, rwkvx_state_reset, _copy (dst and
 *        src), _export and _import hold it for their whole duration (reads too: an eval in flight
 *        rewrites it). A call that finds it held fails at once with RWKVX_ERROR_IN_USE, "<function>:
 *        another call is using the state", and changes nothing. rwkvx_state_size never waits and is
 *        never refused (it returns the size as of the last call on the state that completed).
 *      - A KV cache likewise: rwkvx_kv_cache_append, _reset, _compress and rwkvx_attention_decode
 *        hold it; rwkvx_kv_cache_length never waits and is never refused (the length as of the last
 *        call on the cache that completed).
 *  - Ownership. A model counts its live states; a context counts its live models and KV caches.
 *    Free in the reverse order of creation: states before their model, models and KV caches before
 *    their context. A *_free frees nothing and returns RWKVX_ERROR_IN_USE, with a message that says
 *    what remains, while the handle has dependents or a call on it is in flight: rwkvx_state_free and
 *    rwkvx_kv_cache_free while a call holds the handle; rwkvx_model_free while the model has states
 *    (an eval always holds one) or rwkvx_model_get_info / rwkvx_state_create on it runs;
 *    rwkvx_context_free while the context has models or KV caches or a create, kernel or attention
 *    call through it runs. The handle then stays valid. *_free(NULL) returns RWKVX_OK.
 *    These checks see calls already running; they cannot make a freed pointer valid. No call may
 *    start with a handle after its *_free succeeded, so a host must not free a handle that another
 *    thread may be about to pass to a call.
 *
 * The tensor names each architecture takes, the state export layouts and the file formats are in
 * docs/formats.md; the RWKV-X hybrid (block order, attention blocks, sparse-attention rules) is in
 * docs/rwkv-x.md; the numerics rules and tolerances are in docs/numerics.md.
 */
#ifndef RWKVX_H
#define RWKVX_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define RWKVX_API __declspec(dllexport)
#else
#define RWKVX_API __attribute__((visibility("default")))
#endif

/* Bumped whenever a prototype, struct layout or enum value below changes, or a function or struct is
 * added (5: rwkvx_batch_item, rwkvx_model_eval_batch). Bindings check for equality. */
#define RWKVX_ABI_VERSION 5

/* ---- status codes ---------------------------------------------------------------------------- */

typedef enum rwkvx_status {
    RWKVX_OK = 0,
    RWKVX_ERROR_ARGUMENT = 1,       /* NULL where not allowed, value out of range */
    RWKVX_ERROR_SHAPE = 2,          /* tensor shape or dtype differs from what is expected */
    RWKVX_ERROR_MISSING_TENSOR = 3, /* a tensor the architecture needs was not supplied */
    RWKVX_ERROR_UNSUPPORTED = 4,    /* valid request the library cannot serve (dtype, backend, size) */
    RWKVX_ERROR_OUT_OF_MEMORY = 5,
    RWKVX_ERROR_BACKEND = 6,  /* the compute backend failed (e.g. a CUDA error) */
    RWKVX_ERROR_INTERNAL = 7, /* a bug in rwkvx: please report the message */
    RWKVX_ERROR_IN_USE = 8    /* the handle is in use by another call, or still has dependents */
} rwkvx_status;

/* ---- element types, backends, architectures -------------------------------------------------- */

typedef enum rwkvx_dtype {
    RWKVX_DTYPE_F32 = 0,
    RWKVX_DTYPE_F16 = 1,  /* IEEE-754 binary16 */
    RWKVX_DTYPE_BF16 = 2, /* bfloat16 */
    /* Quantized: ggml's blocks of 32 consecutive elements along the last dimension, as in rwkv.cpp's
     * files (format version 101). For weight matrices only (rwkvx_model_create, rwkvx_matmul's w);
     * shapes and strides count elements, the last dimension is a multiple of 32. Block layouts in
     * docs/formats.md; d and m are binary16. */
    RWKVX_DTYPE_Q4_0 = 3, /* 18 bytes: d, 16 bytes of 4-bit q;              x = d * (q - 8) */
    RWKVX_DTYPE_Q4_1 = 4, /* 20 bytes: d, m, 16 bytes of 4-bit q;           x = d * q + m */
    RWKVX_DTYPE_Q5_0 = 5, /* 22 bytes: d, 32 high bits, 16 bytes of low 4;  x = d * (q - 16) */
    RWKVX_DTYPE_Q5_1 = 6, /* 24 bytes: d, m, 32 high bits, 16 bytes;        x = d * q + m */
    RWKVX_DTYPE_Q8_0 = 7  /* 34 bytes: d, 32 int8 q;                        x = d * q */
} rwkvx_dtype;

typedef enum rwkvx_backend {
    RWKVX_BACKEND_AUTO = 0, /* CUDA when compiled in and a usable device exists, else CPU */
    RWKVX_BACKEND_CPU = 1,
    RWKVX_BACKEND_CUDA = 2 /* fails with RWKVX_ERROR_UNSUPPORTED when no usable device exists */
} rwkvx_backend;

/* Where the pointers of a kernel, attention or KV-cache call point (the `memory` fields and
 * arguments below). Models are created from host tensors only (the CUDA model is not there yet).
 *  - HOST: host memory. A CUDA context copies the inputs to the device, runs, copies the outputs
 *    back and waits for its stream before returning, so the call is synchronous.
 *  - DEVICE: CUDA device memory of the context's device (e.g. a PyTorch tensor's data_ptr()), used
 *    in place without copies. The call enqueues its work on the context's stream
 *    (rwkvx_context_set_stream) and returns before the work completes, like a CUDA kernel launch;
 *    rwkvx_context_synchronize waits for it. The caller keeps the buffers alive and unchanged until
 *    then, or orders its own work on the same stream. A CPU context refuses DEVICE with
 *    RWKVX_ERROR_UNSUPPORTED. */
typedef enum rwkvx_memory { RWKVX_MEMORY_HOST = 0, RWKVX_MEMORY_DEVICE = 1 } rwkvx_memory;

/* Flags for rwkvx_context_create. */
#define RWKVX_CONTEXT_FORCE_SCALAR 1 /* use the portable scalar CPU kernels even when AVX2/FMA exist */
/* Resident weights: models created with this context copy their tensors into memory they own (64-byte
 * aligned, in one block on 2 MiB huge pages where the system allows) instead of using the caller's in
 * place: the caller may free or unmap its tensor data right after model creation, and CPU decode,
 * which streams every weight once per token, runs faster (fewer TLB misses; matrices are re-laid out
 * in blocks of 32 rows that the single-token kernels stream several at a time). Costs one copy of the
 * weights in memory. Logits equal those of in-place weights up to float32 rounding (single-token
 * products sum in another order). Without it weights are used in place (zero-copy, e.g. straight from
 * a memory-mapped file). */
#define RWKVX_CONTEXT_RESIDENT_WEIGHTS 2

typedef enum rwkvx_arch {
    RWKVX_ARCH_RWKV4 = 4, /* tensors: docs/formats.md §3.3; state layout §5.2 */
    RWKVX_ARCH_RWKV5 = 5, /* RWKV-5.2 (5.1 is not supported); docs/formats.md §3.4, §5.1 */
    RWKVX_ARCH_RWKV6 = 6, /* docs/formats.md §3.5, §5.1 */
    RWKVX_ARCH_RWKV7 = 7, /* docs/formats.md §3.2, §5.1 */
    RWKVX_ARCH_HYBRID = 8 /* RWKV-X hybrid (RWKV-7 + sparse attention); docs/rwkv-x.md §3, §8 */
} rwkvx_arch;

/* Which logits rwkvx_model_eval writes. */
typedef enum rwkvx_logits_mode {
    RWKVX_LOGITS_NONE = 0, /* no logits (prefill only; skips the head matmul) */
    RWKVX_LOGITS_LAST = 1, /* n_vocab floats: after the last token */
    RWKVX_LOGITS_ALL = 2   /* n_tokens * n_vocab floats: after every token, in order */
} rwkvx_logits_mode;

/* CPU feature bits returned by rwkvx_cpu_features. */
#define RWKVX_CPU_AVX2    1
#define RWKVX_CPU_FMA     2
#define RWKVX_CPU_F16C    4
#define RWKVX_CPU_AVX512F 8

/* ---- plain data ------------------------------------------------------------------------------ */

/* A strided view of host or device memory. Rank 1..4; unused shape/stride entries are ignored. */
typedef struct rwkvx_tensor {
    void *data;    /* borrowed; must be non-NULL unless the tensor has zero elements */
    int32_t dtype; /* an rwkvx_dtype */
    int32_t ndim;  /* 1..4 */
    int64_t shape[4];
    int64_t strides[4]; /* elements; a contiguous tensor has strides[ndim-1] == 1 */
    int32_t memory;     /* an rwkvx_memory (0 = host); model tensors must be HOST */
    int32_t reserved;   /* must be 0 */
} rwkvx_tensor;

/* A tensor with the name it has in the checkpoint (BlinkDL naming, e.g. "blocks.3.att.key.weight"). */
typedef struct rwkvx_named_tensor {
    const char *name; /* borrowed for the duration of the call only; UTF-8, NUL-terminated */
    rwkvx_tensor tensor;
} rwkvx_named_tensor;

/* Geometry of a created model. */
typedef struct rwkvx_model_info {
    int32_t arch; /* an rwkvx_arch */
    int32_t n_layer;
    int32_t n_embd;
    int32_t n_head;
    int32_t head_size;
    int32_t n_vocab;
    int32_t ffn_size;
    int32_t weight_dtype; /* dtype of the large matrices (the head's) */
    int64_t n_params;     /* elements over all tensors the model uses */
    int64_t weight_bytes; /* bytes of all tensors the model uses */
    int64_t state_bytes;  /* bytes of the host layout used by rwkvx_state_export/import */
} rwkvx_model_info;

/* Parameters of the RWKV-7 WKV recurrence, per head h and token t (all arrays fp32, [T][H][N]):
 *   S_h <- S_h * diag(w) + (S_h a) b^T + v k^T ;  y = S_h r
 * The state is [H][N key][N value] ("key-major": element (value i, key j) at h*N*N + j*N + i). */
typedef struct rwkvx_wkv7_params {
    int64_t n_tokens;
    int32_t n_head;
    int32_t head_size;
    const float *r;
    const float *w; /* decay multipliers in (0, 1] */
    const float *k;
    const float *v;
    const float *a;
    const float *b;
    float *state;     /* read and updated in place */
    float *y;         /* output, [T][H][N] */
    int32_t memory;   /* an rwkvx_memory: where every pointer above points (0 = host) */
    int32_t reserved; /* must be 0 */
} rwkvx_wkv7_params;

/* ---- opaque handles -------------------------------------------------------------------------- */

typedef struct rwkvx_context rwkvx_context;
typedef struct rwkvx_model rwkvx_model;
typedef struct rwkvx_state rwkvx_state;

/* ---- library --------------------------------------------------------------------------------- */

/* The calling thread's message for the last failed call. Never NULL (empty when there was none).
 * The pointer stays valid until the next rwkvx call on the same thread. Thread-safe. */
RWKVX_API const char *rwkvx_last_error(void);

/* A static, human-readable name of a status code ("RWKVX_ERROR_SHAPE"). Never NULL. Thread-safe. */
RWKVX_API const char *rwkvx_status_name(int32_t status);

/* Library version string, e.g. "0.1.0". Static. Thread-safe. */
RWKVX_API const char *rwkvx_version(void);

/* RWKVX_ABI_VERSION of the compiled library, for checking bindings at load time. Thread-safe. */
RWKVX_API int32_t rwkvx_abi_version(void);

/* RWKVX_CPU_* bits of the running processor. Thread-safe. */
RWKVX_API uint32_t rwkvx_cpu_features(void);

/* Bytes that n elements of dtype take (n a multiple of 32 for the quantized types); -1 when dtype is
 * unknown, n is negative or not a whole number of blocks. Thread-safe. */
RWKVX_API int64_t rwkvx_dtype_bytes(int32_t dtype, int64_t n);

/* Quantizes n floats (a multiple of 32) into blocks of dtype (RWKVX_DTYPE_Q4_0 .. Q8_0) with ggml's
 * reference rounding rules, so the blocks equal those of rwkv.cpp's quantizer byte for byte.
 * dst_bytes must equal rwkvx_dtype_bytes(dtype, n). Neither pointer may be NULL unless n is 0; src
 * must be finite (a NaN or infinity is RWKVX_ERROR_ARGUMENT naming the element). Blocks are
 * independent: a matrix may be quantized whole or row by row. Thread-safe; uses no context. */
RWKVX_API rwkvx_status rwkvx_quantize(int32_t dtype, const float *src, int64_t n, void *dst, int64_t dst_bytes);

/* Widens n elements of dtype (any rwkvx_dtype; n a multiple of 32 for the quantized types) to floats,
 * bit-exactly as the kernels widen them (quantized: x = d*q, or d*q + m rounded once; F16 subnormals,
 * infinities and NaN kept). src may be at any byte offset. Thread-safe; uses no context. */
RWKVX_API rwkvx_status rwkvx_dequantize(int32_t dtype, const void *src, int64_t n, float *dst);

/* Number of live handles of every kind (contexts, models, states, KV caches) in this process:
 * created and not yet freed. For leak checks in long-running hosts and tests. Thread-safe. */
RWKVX_API int64_t rwkvx_live_handles(void);

/* ---- context --------------------------------------------------------------------------------- */

/* Creates a compute context with its own worker threads.
 *   backend   an rwkvx_backend. AUTO never fails for lack of a GPU: it falls back to the CPU and
 *             rwkvx_context_describe says why in one line.
 *   n_threads worker threads for CPU kernels, counting the caller; 0 = all online processors.
 *   flags     RWKVX_CONTEXT_* bits.
 *   out_ctx   receives the new context; owned by the caller (rwkvx_context_free). Not NULL. */
RWKVX_API rwkvx_status rwkvx_context_create(int32_t backend, int32_t n_threads, int32_t flags, rwkvx_context **out_ctx);

/* Frees a context. Its models and KV caches must be freed first: while any is live, or a call that takes
 * the context (a create, kernel or attention call) is in flight, fails with RWKVX_ERROR_IN_USE ("the
 * context still has 1 model and 2 KV caches ...") and frees nothing. NULL: RWKVX_OK. */
RWKVX_API rwkvx_status rwkvx_context_free(rwkvx_context *ctx);

/* One line that says which backend and kernels run and, for AUTO, why the GPU was not used,
 * e.g. "cpu (avx2+fma, 2 threads); cuda: no device (cudaErrorNoDevice)". Owned by the context.
 * Reads immutable data: may overlap anything but the context's free. */
RWKVX_API const char *rwkvx_context_describe(const rwkvx_context *ctx);

/* Number of threads the context computes with. Like rwkvx_context_describe, may overlap anything. */
RWKVX_API int32_t rwkvx_context_threads(const rwkvx_context *ctx);

/* The backend the context's kernel, attention and KV-cache calls run on: RWKVX_BACKEND_CPU or
 * RWKVX_BACKEND_CUDA (never AUTO; -1 for NULL). Models run on the CPU on either (the CUDA model is not
 * there yet). May overlap anything. */
RWKVX_API int32_t rwkvx_context_backend(const rwkvx_context *ctx);

/* CUDA contexts: the stream (a cudaStream_t of the context's device, e.g. PyTorch's
 * torch.cuda.current_stream().cuda_stream) that later calls enqueue their device work on; NULL gives
 * back the context's own stream. The context waits for the work already enqueued on the stream it
 * leaves before switching. The stream is borrowed: it must outlive its use by the context.
 * CPU contexts: RWKVX_ERROR_UNSUPPORTED. Takes the context's compute lock. */
RWKVX_API rwkvx_status rwkvx_context_set_stream(rwkvx_context *ctx, void *stream);

/* Waits until the device work enqueued through the context has completed and reports what it found:
 *   diagnostics  may be NULL; receives the RWKVX_ATTN_DIAG_* bits of the DEVICE-memory attention calls
 *                since the previous rwkvx_context_synchronize (then cleared).
 * A CUDA error raised by that work (e.g. an illegal address) is returned here as RWKVX_ERROR_BACKEND.
 * CPU contexts: nothing is ever pending; RWKVX_OK and 0. Takes the context's compute lock. */
RWKVX_API rwkvx_status rwkvx_context_synchronize(rwkvx_context *ctx, uint32_t *diagnostics);

/* ---- model ----------------------------------------------------------------------------------- */

/* Creates a model from named tensors.
 *   ctx        not NULL; borrowed for the model's life.
 *   arch       an rwkvx_arch.
 *   tensors    n_tensors entries, BlinkDL names (the catalogue per architecture: docs/formats.md §3).
 *              The tensor data is used in place for the model's life (borrowed: memory-mapped files
 *              work without copies), or copied (resident) when ctx has RWKVX_CONTEXT_RESIDENT_WEIGHTS.
 *              Matrices may be F32, F16, BF16 or quantized (Q4_0 .. Q8_0, rows of whole blocks; the
 *              embedding too) and must be contiguous; vectors must be F32.
 *              Missing and unknown names are errors (unknown ones usually mean a wrong file).
 *   out_model  receives the model; owned by the caller (rwkvx_model_free). Not NULL.
 * Errors name the tensor and the expected and found shape or dtype. Any number may run at once, on one
 * context or several (creation does not take the context's compute lock). */
RWKVX_API rwkvx_status rwkvx_model_create(rwkvx_context *ctx, int32_t arch, const rwkvx_named_tensor *tensors,
                                          int64_t n_tensors, rwkvx_model **out_model);

/* Frees a model. Its states must be freed first: while any is live, or rwkvx_model_get_info or
 * rwkvx_state_create on it is in flight, fails with RWKVX_ERROR_IN_USE ("the model still has 2 states
 * ...") and frees nothing. (An eval always holds one of the model's live states, so no eval can be in
 * flight when the free succeeds.) NULL: RWKVX_OK. */
RWKVX_API rwkvx_status rwkvx_model_free(rwkvx_model *model);

/* Fills *out with the model's geometry. Neither argument may be NULL. May overlap anything but the
 * model's free (which it makes fail with RWKVX_ERROR_IN_USE). */
RWKVX_API rwkvx_status rwkvx_model_get_info(const rwkvx_model *model, rwkvx_model_info *out);

/* Runs the model over n_tokens tokens starting from *state, which is updated to follow the last
 * token. Sequence mode and token-by-token calls give the same result up to float32 rounding.
 *   model       not NULL.
 *   state       not NULL; created for this model. Held for the whole call: when another call holds it,
 *               fails at once with RWKVX_ERROR_IN_USE and changes nothing.
 *   tokens      n_tokens ids, each in [0, n_vocab). n_tokens >= 1.
 *   logits      host buffer for the logits chosen by logits_mode (NULL only with LOGITS_NONE).
 *   logits_mode an rwkvx_logits_mode.
 * Blocks until done; uses the context's threads. Safe to call from several threads with different
 * states of one or several models (calls on one context take turns). */
RWKVX_API rwkvx_status rwkvx_model_eval(rwkvx_model *model, rwkvx_state *state, const int32_t *tokens, int64_t n_tokens,
                                        float *logits, int32_t logits_mode);

/* One sequence of rwkvx_model_eval_batch: what rwkvx_model_eval takes for one state. */
typedef struct rwkvx_batch_item {
    rwkvx_state *state;    /* created for the model; not NULL; each item's state distinct */
    const int32_t *tokens; /* n_tokens ids, each in [0, n_vocab) */
    int64_t n_tokens;      /* >= 1 */
    float *logits;         /* host buffer for logits_mode (NULL only with RWKVX_LOGITS_NONE) */
    int32_t logits_mode;   /* an rwkvx_logits_mode */
    int32_t reserved;      /* must be 0 */
} rwkvx_batch_item;

/* Runs n_items independent sequences of one model in one call: single-token decode steps and prefill
 * chunks mixed, the weights read once for the whole batch (a decode step of N sequences costs about
 * one skinny GEMM instead of N GEMVs). Each item's state and logits equal those of rwkvx_model_eval on
 * that item alone up to float32 rounding.
 *   model    not NULL.
 *   items    n_items entries (n_items >= 1), read during the call only. Every item is checked before
 *            anything runs, and the call holds every item's state: on any error (a bad item, a token out
 *            of range, two items with one state, a state held by another call) nothing changes and the
 *            message names the item ("items[3]: ...").
 * Blocks until done; uses the context's threads. Thread-safety as rwkvx_model_eval. */
RWKVX_API rwkvx_status rwkvx_model_eval_batch(rwkvx_model *model, const rwkvx_batch_item *items, int64_t n_items);

/* ---- state ----------------------------------------------------------------------------------- */

/* Creates a zeroed recurrent state for the model (where the backend keeps it: host or device).
 * out_state receives it; owned by the caller (rwkvx_state_free); the model counts it until then.
 * May overlap any call but the model's free. */
RWKVX_API rwkvx_status rwkvx_state_create(const rwkvx_model *model, rwkvx_state **out_state);

/* Frees a state. While another call holds it, fails with RWKVX_ERROR_IN_USE ("another call is using the
 * state") and frees nothing. NULL: RWKVX_OK. */
RWKVX_API rwkvx_status rwkvx_state_free(rwkvx_state *state);

/* Resets a state to the start-of-sequence value. Holds the state (RWKVX_ERROR_IN_USE when held). */
RWKVX_API rwkvx_status rwkvx_state_reset(rwkvx_state *state);

/* Copies src into dst; both must belong to the same model. Holds both (RWKVX_ERROR_IN_USE, naming dst
 * or src, when either is held; dst == src does nothing). */
RWKVX_API rwkvx_status rwkvx_state_copy(rwkvx_state *dst, const rwkvx_state *src);

/* Size in bytes of the host layout of the state (rwkvx_model_info.state_bytes; RWKV-X: grows with the
 * KV caches), 0 for NULL. Never waits, never refused: while another call changes an RWKV-X state, the
 * size from before that call. */
RWKVX_API int64_t rwkvx_state_size(const rwkvx_state *state);

/* Copies the state to host memory in the architecture's export layout (docs/formats.md §5; RWKV-X:
 * docs/rwkv-x.md §8). dst_bytes must equal rwkvx_state_size. Holds the state (RWKVX_ERROR_IN_USE when
 * held, e.g. by an eval or another export). */
RWKVX_API rwkvx_status rwkvx_state_export(const rwkvx_state *state, void *dst, int64_t dst_bytes);

/* Replaces the state with host data in the rwkvx_state_export layout. Non-finite values are an
 * error (they would poison every later token). Holds the state (RWKVX_ERROR_IN_USE when held). */
RWKVX_API rwkvx_status rwkvx_state_import(rwkvx_state *state, const void *src, int64_t src_bytes);

/* ---- kernels (for tests, benchmarks and other front ends) ------------------------------------ */

/* y[T,N] = x[T,K] · w[N,K]^T. x and y F32 contiguous; w F32, F16, BF16 or quantized (K a multiple of 32;
 * CPU contexts only, a CUDA context refuses it with RWKVX_ERROR_UNSUPPORTED) contiguous. */
RWKVX_API rwkvx_status rwkvx_matmul(rwkvx_context *ctx, const rwkvx_tensor *x, const rwkvx_tensor *w, rwkvx_tensor *y);

/* Layer norm over the last dimension of x [T,C] split into n_groups equal groups (1 = LayerNorm,
 * H = RWKV's per-head GroupNorm), population variance, then y = norm * weight + bias.
 * All F32 contiguous; weight and bias have C elements. y may alias x. */
RWKVX_API rwkvx_status rwkvx_group_norm(rwkvx_context *ctx, const rwkvx_tensor *x, const rwkvx_tensor *weight,
                                        const rwkvx_tensor *bias, int32_t n_groups, float eps, rwkvx_tensor *y);

/* The RWKV-7 WKV recurrence (see rwkvx_wkv7_params). */
RWKVX_API rwkvx_status rwkvx_wkv7(rwkvx_context *ctx, const rwkvx_wkv7_params *params);

/* ---- RWKV-4 --------------------------------------------------------------------------------- */

/* RWKV-4 models (arch RWKVX_ARCH_RWKV4): tensors in docs/formats.md §3.3 (att.time_decay in the
 * recurrence's form w = -exp(d)), rwkvx_model_info has n_head = 1 and head_size = n_embd, state layout in
 * §5.2 (a fresh state has pp = -1e38). */

/* Parameters of the RWKV-4 WKV recurrence, per channel c and token t (all arrays fp32):
 *   q = max(pp, u+k); y = (e^(pp-q) aa + e^(u+k-q) v) / (e^(pp-q) bb + e^(u+k-q))
 *   q' = max(pp+w, k); aa <- e^(pp+w-q') aa + e^(k-q') v; bb <- e^(pp+w-q') bb + e^(k-q'); pp <- q'
 * Every exponent is <= 0, so keys of any size (and k = -inf) are safe. The rounding errors of u+k and
 * pp+w are carried into the exponentials (aa and bb absorb pp's rounding), so fp32 follows the float64
 * recurrence closely; compare states by aa*e^pp and bb*e^pp, not element by element. */
typedef struct rwkvx_wkv4_params {
    int64_t n_tokens;
    int64_t n_channels;      /* C */
    const float *time_decay; /* w = -exp(decay), [C], negative */
    const float *time_first; /* u, [C] */
    const float *k;          /* [T][C] */
    const float *v;          /* [T][C] */
    float *state;            /* [3][C]: aa, bb, pp; read and updated in place */
    float *y;                /* output, [T][C] */
    int32_t memory;          /* an rwkvx_memory: where every pointer above points (0 = host) */
    int32_t reserved;        /* must be 0 */
} rwkvx_wkv4_params;

/* The RWKV-4 WKV recurrence (see rwkvx_wkv4_params). Blocks; uses the context's threads. */
RWKVX_API rwkvx_status rwkvx_wkv4(rwkvx_context *ctx, const rwkvx_wkv4_params *params);

/* ---- RWKV-5 / RWKV-6 ------------------------------------------------------------------------ */

/* RWKV-5.2 (arch RWKVX_ARCH_RWKV5) and RWKV-6 (arch RWKVX_ARCH_RWKV6): tensors in docs/formats.md §3.4
 * and §3.5 (5.2's att.time_decay is the multiplier exp(-exp(d)), 6's the raw d), forward pass in §4.3,
 * state layout in §5.1. */

/* Parameters of the RWKV-5.2 / RWKV-6 WKV recurrence, per head h and token t (all arrays fp32):
 *   y_j = sum_i r_i (u_i k_i v_j + S[i][j]);  S[i][j] <- w_i S[i][j] + k_i v_j   (i key, j value)
 * The state is [H][N key][N value], like rwkvx_wkv7_params. RWKV-5.2 passes one decay per channel
 * (w_per_token 0, w [H][N]); RWKV-6 one per token (w_per_token 1, w [T][H][N]). */
typedef struct rwkvx_wkv5_params {
    int64_t n_tokens;
    int32_t n_head;
    int32_t head_size;
    int32_t w_per_token; /* 0: w is [H][N]; 1: w is [T][H][N] */
    int32_t memory;      /* an rwkvx_memory: where every pointer below points (0 = host) */
    const float *r;      /* [T][H][N] */
    const float *k;      /* [T][H][N] */
    const float *v;      /* [T][H][N] */
    const float *w;      /* decay multipliers in (0, 1] */
    const float *u;      /* bonus time_faaaa, [H][N] */
    float *state;        /* read and updated in place */
    float *y;            /* output, [T][H][N] */
} rwkvx_wkv5_params;

/* The RWKV-5.2 / RWKV-6 WKV recurrence (see rwkvx_wkv5_params). Blocks; uses the context's threads. */
RWKVX_API rwkvx_status rwkvx_wkv5(rwkvx_context *ctx, const rwkvx_wkv5_params *params);

/* ---- attention (RWKV-X) --------------------------------------------------------------------- */

/* Per head h, with s = scale (0 = 1/sqrt(head_size)):  o_t = sum_{j in K_t} softmax_j(s * q_t . k_j) v_j.
 * FULL: K_t = {j <= t}. SPARSE (MoBA-style): chunk c covers tokens [cB, (c+1)B); the query's own chunk
 * is attended causally and top_k further past chunks are chosen among the complete chunks before it
 * by score q_t . mean(k of chunk) (no scale). Selection is bitwise-defined (fp32 chunk sums in token
 * order, 8 lane-strided FMA partials, fixed tree; ties go to the more recent chunk; a NaN score ranks
 * as -inf and sets RWKVX_ATTN_DIAG_NAN_SCORE). With top_k >= the chunks available, SPARSE equals FULL;
 * in particular T <= B*(top_k+1) always does. Prefill and decode must use the same chunk_size, top_k
 * and scope; decode after prefill of t tokens then equals prefill row t (docs/rwkv-x.md §5). */
typedef enum rwkvx_attn_mode { RWKVX_ATTN_FULL = 0, RWKVX_ATTN_SPARSE = 1 } rwkvx_attn_mode;

typedef enum rwkvx_attn_scope {
    RWKVX_ATTN_SCOPE_HEAD = 0, /* each head scores and selects its own chunks */
    RWKVX_ATTN_SCOPE_ALL = 1   /* one score over all heads (dot over H*head_size), shared selection */
} rwkvx_attn_scope;

/* Bits of rwkvx_attention_params.diagnostics. */
#define RWKVX_ATTN_DIAG_NAN_SCORE 1 /* some chunk score was NaN (it ranked lowest) */

/* One attention call. Tensors are [T][H][head_size] rows with the given token strides (elements;
 * 0 = H*head_size); q, o and lse are F32, k and v have kv_dtype (F32, F16, BF16). */
typedef struct rwkvx_attention_params {
    int64_t n_tokens;     /* T (decode: 1) */
    int32_t n_head;       /* H */
    int32_t head_size;    /* a multiple of 16 in 16..256 */
    int32_t kv_dtype;     /* an rwkvx_dtype */
    int32_t mode;         /* an rwkvx_attn_mode */
    int32_t causal;       /* must be 1 (prefill is causal; decode sees only the past) */
    int32_t chunk_size;   /* B >= 1 (SPARSE) */
    int32_t top_k;        /* past chunks selected, >= 0 (SPARSE) */
    int32_t scope;        /* an rwkvx_attn_scope (SPARSE) */
    int32_t memory;       /* an rwkvx_memory: where q, k, v, o and lse point (0 = host) */
    int32_t reserved;     /* must be 0 */
    int64_t dense_below;  /* SPARSE runs as FULL when T (prefill) or the cache length (decode) <= this */
    float scale;          /* 0 = 1/sqrt(head_size) */
    uint32_t diagnostics; /* out: RWKVX_ATTN_DIAG_* bits (DEVICE memory on a CUDA context: 0 here; the
                             bits reach rwkvx_context_synchronize instead, which would otherwise wait) */
    const float *q;
    const void *k;
    const void *v;
    float *o;   /* out: [T][H][head_size] */
    float *lse; /* out, may be NULL: [T][H] natural-log log-sum-exp of the scaled scores */
    int64_t q_stride;
    int64_t k_stride;
    int64_t v_stride;
    int64_t o_stride;
} rwkvx_attention_params;

/* Geometry and management knobs of a KV cache (RWKV-X's kv-cache settings). */
typedef struct rwkvx_kv_cache_config {
    int32_t n_head;
    int32_t head_size;  /* a multiple of 16 in 16..256 */
    int32_t dtype;      /* an rwkvx_dtype: how K and V are stored */
    int32_t chunk_size; /* B of the chunk sums kept in step with the keys */
    int64_t capacity;   /* tokens the cache can hold (>= 1) */
    int64_t max_size;   /* compress when the length exceeds this before a decode step; 0 = never */
    int64_t window;     /* most recent tokens always kept by compression */
    int64_t min_size;   /* length after compression (window < min_size <= max_size) */
} rwkvx_kv_cache_config;

typedef struct rwkvx_kv_cache rwkvx_kv_cache;

/* Causal prefill over T tokens (FULL or SPARSE). Blocks; uses the context's threads. */
RWKVX_API rwkvx_status rwkvx_attention_prefill(rwkvx_context *ctx, rwkvx_attention_params *params);

/* Decode: the n_tokens new tokens (q, k, v with the strides of the params, 0 = H*head_size) attend to
 * the cache plus the new tokens up to themselves, then their k and v stay in the cache (like
 * FlashAttention's attention with a KV cache). One token runs the decode kernel (SPARSE: top_k
 * complete chunks of the cache, the remainder and the new token); several run the tiled prefill
 * kernel over the cache (SPARSE: per query, top_k complete chunks before its own chunk and its own
 * chunk up to itself), as if they had come one by one, up to fp32 rounding, when dense_below <
 * chunk_size * (top_k + 1). SPARSE runs as FULL when the cache length (one token) or the cache length
 * plus n_tokens (several) is <= dense_below. kv_dtype, chunk_size, n_head and head_size must match the
 * cache; the cache must have room for n_tokens more. If the cache is longer than max_size it is
 * compressed first, voting with these q rows. Holds the cache for the whole call (RWKVX_ERROR_IN_USE,
 * changing nothing, when another call holds it). */
RWKVX_API rwkvx_status rwkvx_attention_decode(rwkvx_context *ctx, rwkvx_kv_cache *cache,
                                              rwkvx_attention_params *params);

/* Creates an empty KV cache on the context's backend; owned by the caller (rwkvx_kv_cache_free); the
 * context counts it until then. */
RWKVX_API rwkvx_status rwkvx_kv_cache_create(rwkvx_context *ctx, const rwkvx_kv_cache_config *config,
                                             rwkvx_kv_cache **out_cache);

/* Frees a cache. While another call holds it, fails with RWKVX_ERROR_IN_USE and frees nothing. NULL:
 * RWKVX_OK. */
RWKVX_API rwkvx_status rwkvx_kv_cache_free(rwkvx_kv_cache *cache);

/* Tokens in the cache (0 for NULL). Never waits, never refused: while another call changes the cache,
 * the length from before that call. */
RWKVX_API int64_t rwkvx_kv_cache_length(const rwkvx_kv_cache *cache);

/* Empties the cache. Holds it (RWKVX_ERROR_IN_USE when held). */
RWKVX_API rwkvx_status rwkvx_kv_cache_reset(rwkvx_kv_cache *cache);

/* Appends n_tokens rows of k and v ([n][H][head_size] in the cache's dtype, token strides in elements,
 * 0 = H*head_size) and updates the chunk sums in token order. Fails when the capacity would be exceeded.
 * Holds the cache (RWKVX_ERROR_IN_USE when held). */
RWKVX_API rwkvx_status rwkvx_kv_cache_append(rwkvx_kv_cache *cache, const void *k, const void *v, int64_t n_tokens,
                                             int64_t k_stride, int64_t v_stride, int32_t memory);

/* SnapKV-like compression (RWKV-X): keeps the last `window` tokens and, per head, the min_size-window
 * older tokens with the most softmax(scale * q . k) votes summed over the n_q F32 query rows q
 * ([n_q][H][head_size], token stride q_stride or 0); order is kept and the chunk sums are rebuilt.
 * Does nothing when the length is <= min_size. Holds the cache (RWKVX_ERROR_IN_USE when held). */
RWKVX_API rwkvx_status rwkvx_kv_cache_compress(rwkvx_context *ctx, rwkvx_kv_cache *cache, const float *q, int64_t n_q,
                                               int64_t q_stride, int32_t memory);

/* ---- RWKV-X model ---------------------------------------------------------------------------- */

/* The RWKV-X hybrid (arch RWKVX_ARCH_HYBRID): the RWKV-7 tensors plus attention blocks "moba.j.*"
 * (docs/rwkv-x.md §3); R RWKV-7 layers and A attention blocks with R % A == 0 (block order §2.1).
 * rwkvx_model_info: n_layer = R, n_head/head_size as RWKV-7; state_bytes = the export size while every
 * KV cache is empty (the export grows with the caches: §8). Calls with n_tokens > 1 run attention in
 * prefill_mode, calls with one token in decode_mode; a call continues whatever the caches hold, so with
 * prefill_mode == decode_mode prefill, calls split anywhere and token-by-token decode agree up to fp32
 * rounding (§7). */

/* Inference knobs of an RWKV-X hybrid model that are not in its weights (docs/rwkv-x.md §4, §5). */
typedef struct rwkvx_hybrid_config {
    int32_t chunk_size;   /* B (default 2048) */
    int32_t top_k;        /* complete past chunks attended besides the query's own chunk (default 3) */
    int32_t scope;        /* an rwkvx_attn_scope for the chunk scores (default HEAD) */
    int32_t prefill_mode; /* an rwkvx_attn_mode for calls with n_tokens > 1 (default SPARSE) */
    int32_t decode_mode;  /* an rwkvx_attn_mode for calls with one token (default SPARSE) */
    int32_t kv_dtype;     /* an rwkvx_dtype for the KV caches (default F32); F16/BF16 halve their memory:
                             new K/V rows are rounded to it before prefill and decode alike */
    int64_t dense_below;  /* SPARSE runs FULL while the length is <= this (default B*top_k = 6144);
                             must be < B*(top_k+1) so that prefill and decode agree */
    int64_t kv_max_size;  /* compress a cache longer than this before a decode step; 0 = never (default) */
    int64_t kv_window;    /* recent tokens compression keeps (default 2000) */
    int64_t kv_min_size;  /* length after compression (default 16000) */
} rwkvx_hybrid_config;

/* Fills *out with the defaults above. */
RWKVX_API rwkvx_status rwkvx_hybrid_config_defaults(rwkvx_hybrid_config *out);

/* rwkvx_model_create for RWKV-X with explicit knobs (config NULL = defaults; copied, not borrowed).
 * rwkvx_model_create(ctx, RWKVX_ARCH_HYBRID, ...) uses the defaults. */
RWKVX_API rwkvx_status rwkvx_model_create_hybrid(rwkvx_context *ctx, const rwkvx_named_tensor *tensors,
                                                 int64_t n_tensors, const rwkvx_hybrid_config *config,
                                                 rwkvx_model **out_model);

#ifdef __cplusplus
}
#endif

#endif /* RWKVX_H */
