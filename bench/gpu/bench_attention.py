#!/usr/bin/env python3
"""GPU attention benchmark: rwkvx's CUDA attention against FlashAttention-3 and PyTorch SDPA.

Loads librwkvx.so with ctypes (ABI v4, include/rwkvx.h), creates a CUDA context on PyTorch's stream
and calls rwkvx_attention_prefill / rwkvx_attention_decode on torch tensors' device memory
(RWKVX_MEMORY_DEVICE, no copies). Follows FlashAttention's benchmark protocol: causal attention,
16K tokens per batch (batch = 16384 // T), n_heads = 2048 // head_dim, head dims 64 and 128, bf16 and
fp16, T from 512 to 128K, CUDA events, warm-up, median of repeats, FLOPs = 4 * batch * H * T^2 * D / 2.

Our ABI takes fp32 q and o (k and v in bf16/fp16) and one sequence per call: q and o are prepared in
fp32 outside the timed region, and a batch is a loop of calls enqueued on the stream.

Sections of the report: dense prefill (every kernel, TFLOP/s, our ratio to the fastest dense kernel),
our sparse prefill (chunk 2048 / top_k 3 and chunk 512 / top_k 3, dense_below 0) and its speed-up over
the fastest dense kernel with the crossover length, sparse against full decode over a 128K KV cache,
and the targets with PASS/FAIL. Every rwkvx kernel is checked against a float64 reference before it
is timed; a kernel that fails its check is reported and never timed.

Usage (on a GPU machine, after building the library, e.g. by tests/gpu/run.sh):
    python3 bench/gpu/bench_attention.py [--lib build-gpu/librwkvx.so] [--quick] [--out FILE]
Needs PyTorch with CUDA; uses flash_attn_interface (FlashAttention-3) when it imports.
"""
import argparse
import ctypes
import math
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_LIB = os.path.join(ROOT, "build-gpu", "librwkvx.so")

# ---- the C ABI (include/rwkvx.h) ---------------------------------------------------------------------

ABI_VERSION = 4
RWKVX_OK = 0
BACKEND_CUDA = 2
DTYPE_F32, DTYPE_F16, DTYPE_BF16 = 0, 1, 2
MEMORY_DEVICE = 1
ATTN_FULL, ATTN_SPARSE = 0, 1
SCOPE_HEAD = 0

TORCH_TO_RWKVX = {torch.float16: DTYPE_F16, torch.bfloat16: DTYPE_BF16}
DTYPE_NAMES = {torch.float16: "fp16", torch.bfloat16: "bf16"}


class AttentionParams(ctypes.Structure):
    """rwkvx_attention_params, field for field."""

    _fields_ = [
        ("n_tokens", ctypes.c_int64),
        ("n_head", ctypes.c_int32),
        ("head_size", ctypes.c_int32),
        ("kv_dtype", ctypes.c_int32),
        ("mode", ctypes.c_int32),
        ("causal", ctypes.c_int32),
        ("chunk_size", ctypes.c_int32),
        ("top_k", ctypes.c_int32),
        ("scope", ctypes.c_int32),
        ("memory", ctypes.c_int32),
        ("reserved", ctypes.c_int32),
        ("dense_below", ctypes.c_int64),
        ("scale", ctypes.c_float),
        ("diagnostics", ctypes.c_uint32),
        ("q", ctypes.c_void_p),
        ("k", ctypes.c_void_p),
        ("v", ctypes.c_void_p),
        ("o", ctypes.c_void_p),
        ("lse", ctypes.c_void_p),
        ("q_stride", ctypes.c_int64),
        ("k_stride", ctypes.c_int64),
        ("v_stride", ctypes.c_int64),
        ("o_stride", ctypes.c_int64),
    ]


class KvCacheConfig(ctypes.Structure):
    """rwkvx_kv_cache_config."""

    _fields_ = [
        ("n_head", ctypes.c_int32),
        ("head_size", ctypes.c_int32),
        ("dtype", ctypes.c_int32),
        ("chunk_size", ctypes.c_int32),
        ("capacity", ctypes.c_int64),
        ("max_size", ctypes.c_int64),
        ("window", ctypes.c_int64),
        ("min_size", ctypes.c_int64),
    ]


# The layout the C compiler gives these structs on x86-64 and aarch64 Linux.
assert ctypes.sizeof(AttentionParams) == 136 and AttentionParams.dense_below.offset == 48
assert AttentionParams.q.offset == 64 and AttentionParams.o_stride.offset == 128
assert ctypes.sizeof(KvCacheConfig) == 48 and KvCacheConfig.capacity.offset == 16


class RwkvxError(RuntimeError):
    """A failed rwkvx call, with the library's message."""


class Rwkvx:
    """librwkvx loaded with ctypes: the functions this benchmark uses, with their C signatures."""

    def __init__(self, path):
        lib = ctypes.CDLL(path)
        vp, i32, i64 = ctypes.c_void_p, ctypes.c_int32, ctypes.c_int64
        sigs = {
            "rwkvx_abi_version": (i32, []),
            "rwkvx_version": (ctypes.c_char_p, []),
            "rwkvx_last_error": (ctypes.c_char_p, []),
            "rwkvx_status_name": (ctypes.c_char_p, [i32]),
            "rwkvx_context_create": (i32, [i32, i32, i32, ctypes.POINTER(vp)]),
            "rwkvx_context_free": (i32, [vp]),
            "rwkvx_context_describe": (ctypes.c_char_p, [vp]),
            "rwkvx_context_backend": (i32, [vp]),
            "rwkvx_context_set_stream": (i32, [vp, vp]),
            "rwkvx_context_synchronize": (i32, [vp, ctypes.POINTER(ctypes.c_uint32)]),
            "rwkvx_attention_prefill": (i32, [vp, ctypes.POINTER(AttentionParams)]),
            "rwkvx_attention_decode": (i32, [vp, vp, ctypes.POINTER(AttentionParams)]),
            "rwkvx_kv_cache_create": (i32, [vp, ctypes.POINTER(KvCacheConfig), ctypes.POINTER(vp)]),
            "rwkvx_kv_cache_free": (i32, [vp]),
            "rwkvx_kv_cache_length": (i64, [vp]),
            "rwkvx_kv_cache_reset": (i32, [vp]),
            "rwkvx_kv_cache_append": (i32, [vp, vp, vp, i64, i64, i64, i32]),
        }
        for name, (restype, argtypes) in sigs.items():
            fn = getattr(lib, name)
            fn.restype, fn.argtypes = restype, argtypes
        self.lib = lib
        abi = lib.rwkvx_abi_version()
        if abi != ABI_VERSION:
            raise RwkvxError(f"{path} has ABI {abi}; this script speaks ABI {ABI_VERSION}")
        self.version = lib.rwkvx_version().decode()

    def check(self, status, what):
        """Raises RwkvxError with the library's message when status is not RWKVX_OK."""
        if status != RWKVX_OK:
            name = self.lib.rwkvx_status_name(status).decode()
            raise RwkvxError(f"{what}: {name}: {self.lib.rwkvx_last_error().decode()}")

    def cuda_context(self, stream):
        """A CUDA context whose device work goes on `stream` (a cudaStream_t as an int)."""
        ctx = ctypes.c_void_p()
        self.check(self.lib.rwkvx_context_create(BACKEND_CUDA, 0, 0, ctypes.byref(ctx)), "rwkvx_context_create(CUDA)")
        self.check(self.lib.rwkvx_context_set_stream(ctx, ctypes.c_void_p(stream)), "rwkvx_context_set_stream")
        return ctx

    def synchronize(self, ctx):
        """rwkvx_context_synchronize: waits for the enqueued work; returns its diagnostics bits."""
        diag = ctypes.c_uint32(0)
        self.check(self.lib.rwkvx_context_synchronize(ctx, ctypes.byref(diag)), "rwkvx_context_synchronize")
        return diag.value


def attention_params(q32, k, v, o32, mode, chunk=0, top_k=0, n_tokens=None):
    """Params of one sequence: q32/o32 fp32 and k/v bf16/fp16 [T][H][D] device tensors, default strides."""
    T, H, D = q32.shape
    return AttentionParams(
        n_tokens=T if n_tokens is None else n_tokens, n_head=H, head_size=D, kv_dtype=TORCH_TO_RWKVX[k.dtype],
        mode=mode, causal=1, chunk_size=chunk, top_k=top_k, scope=SCOPE_HEAD, memory=MEMORY_DEVICE,
        dense_below=0, scale=0.0, diagnostics=0, q=q32.data_ptr(), k=k.data_ptr(), v=v.data_ptr(),
        o=o32.data_ptr(), lse=None, q_stride=0, k_stride=0, v_stride=0, o_stride=0)


class KvCache:
    """A device-resident rwkvx KV cache, freed with the object's close()."""

    def __init__(self, rw, ctx, H, D, dtype, chunk, capacity):
        self.rw = rw
        cfg = KvCacheConfig(n_head=H, head_size=D, dtype=TORCH_TO_RWKVX[dtype], chunk_size=chunk, capacity=capacity,
                            max_size=0, window=0, min_size=0)
        self.handle = ctypes.c_void_p()
        rw.check(rw.lib.rwkvx_kv_cache_create(ctx, ctypes.byref(cfg), ctypes.byref(self.handle)),
                 "rwkvx_kv_cache_create")

    def append(self, k, v):
        """Appends the rows of k and v ([n][H][D] device tensors of the cache's dtype)."""
        self.rw.check(self.rw.lib.rwkvx_kv_cache_append(self.handle, k.data_ptr(), v.data_ptr(), k.shape[0], 0, 0,
                                                        MEMORY_DEVICE), "rwkvx_kv_cache_append")

    def __len__(self):
        return self.rw.lib.rwkvx_kv_cache_length(self.handle)

    def close(self):
        self.rw.check(self.rw.lib.rwkvx_kv_cache_free(self.handle), "rwkvx_kv_cache_free")


# ---- timing ------------------------------------------------------------------------------------------


def time_ms(fn, args):
    """Median milliseconds of fn() on the current stream (CUDA events), after args.warmup calls.

    Repeats are args.repeats, fewer (at least 3) when one call is so slow that they would take more
    than args.max_seconds."""
    for _ in range(args.warmup):
        fn()
    torch.cuda.synchronize()
    start = time.perf_counter()
    fn()
    torch.cuda.synchronize()
    one = time.perf_counter() - start
    repeats = max(3, min(args.repeats, int(args.max_seconds / max(one, 1e-6))))
    times = []
    for _ in range(repeats):
        begin, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        begin.record()
        fn()
        end.record()
        end.synchronize()
        times.append(begin.elapsed_time(end))
    return statistics.median(times)


def causal_flops(batch, H, T, D):
    """FLOPs of causal attention forward as FlashAttention counts them."""
    return 4 * batch * H * T * T * D / 2


# ---- float64 reference -------------------------------------------------------------------------------


def select_chunks(q, k, chunk, top_k, positions):
    """MoBA selection for the queries q [Tq][H][D] at `positions` over the complete chunks of k [Tk][H][D].

    Returns the selected chunks [H][Tq][C] (bool) and the (head, query) pairs whose top_k boundary is
    too close to call ([H][Tq], bool): the kernel ranks by fp32 scores (docs/rwkv-x.md §5.2), this
    float64 reference may legitimately differ there, so those rows are not compared."""
    Tk, H, D = k.shape
    n_full = Tk // chunk
    Tq = q.shape[0]
    device = q.device
    sel = torch.zeros(H, Tq, max(n_full, 1), dtype=torch.bool, device=device)
    ambiguous = torch.zeros(H, Tq, dtype=torch.bool, device=device)
    if n_full == 0 or top_k == 0:
        return sel[:, :, :n_full], ambiguous
    means = k[:n_full * chunk].double().reshape(n_full, chunk, H, D).mean(1)  # [C][H][D]
    scores = torch.einsum("thd,chd->htc", q.double(), means)
    avail = torch.arange(n_full, device=device)[None, :] < (positions // chunk)[:, None]  # [Tq][C]
    scores = scores.masked_fill(~avail[None], -math.inf)
    kk = min(top_k + 1, n_full)
    top = scores.topk(kk, dim=-1)
    take = min(top_k, n_full)
    chosen = top.indices[..., :take]
    sel.scatter_(-1, chosen, top.values[..., :take] > -math.inf)
    if kk > take:
        last, nxt = top.values[..., take - 1], top.values[..., take]
        ambiguous = (nxt > -math.inf) & ((last - nxt) < 1e-5 * (1 + last.abs()))
    return sel, ambiguous


def reference_rows(q, k, v, rows, sparse, chunk=0, top_k=0):
    """float64 causal attention of query rows `rows` (a range) of q over k, v ([T][H][D] tensors).

    Sparse: each query attends to its own chunk up to itself and the top_k selected complete chunks
    before it. Returns (o [Tq][H][D] float64, ambiguous [Tq][H] bool)."""
    T, H, D = k.shape
    device = q.device
    pos = torch.arange(rows.start, rows.stop, device=device)
    keys = torch.arange(T, device=device)
    mask = (keys[None, :] <= pos[:, None])[None].expand(H, -1, -1).clone()  # [H][Tq][Tk]
    ambiguous = torch.zeros(H, len(pos), dtype=torch.bool, device=device)
    if sparse:
        own = (keys[None, :] // chunk) == (pos[:, None] // chunk)
        mask &= own[None]
        sel, ambiguous = select_chunks(q[rows], k, chunk, top_k, pos)
        n_full = sel.shape[-1]
        if n_full:
            mask[:, :, :n_full * chunk] |= sel.repeat_interleave(chunk, dim=-1)
    qd, kd, vd = (x.double().permute(1, 0, 2) for x in (q[rows], k, v))  # [H][T][D]
    s = (qd @ kd.transpose(1, 2)) / math.sqrt(D)
    s = s.masked_fill(~mask, -math.inf)
    o = torch.softmax(s, dim=-1) @ vd
    return o.permute(1, 0, 2), ambiguous.permute(1, 0)


def tolerance(dtype):
    """Bound on |ours - reference| for O(1) outputs: tensor cores round q and P to K/V's dtype."""
    return 3e-2 if dtype == torch.bfloat16 else 8e-3


def max_error(got, want, ambiguous):
    """Largest |got - want| over the rows not marked ambiguous ([T][H] mask); NaN counts as inf."""
    err = (got.double() - want).abs().amax(dim=-1)
    err = torch.where(torch.isnan(err), torch.full_like(err, math.inf), err)
    err = err.masked_fill(ambiguous, 0.0)
    return err.max().item(), int(ambiguous.sum().item())


def check_kernels(rw, ctx, D, dtype, sparse_configs, log):
    """Checks our prefill (full and each sparse config) and decode (full and sparse) against the float64
    reference at T = 4096, 4 heads. Returns the set of kernel names that failed."""
    T, H = 4096, 4
    gen = torch.Generator(device="cuda").manual_seed(1)
    q, k, v = (torch.randn(T + 1, H, D, device="cuda", generator=gen).to(dtype) for _ in range(3))
    q32 = q.float().contiguous()
    failed = set()
    tol = tolerance(dtype)
    cases = [("full", False, 0, 0)] + [(f"sparse {c}/{t}", True, c, t) for c, t in sparse_configs]
    for name, sparse, chunk, top_k in cases:
        # Prefill of the first T tokens.
        o = torch.full((T, H, D), math.nan, device="cuda")
        p = attention_params(q32[:T], k[:T], v[:T], o, ATTN_SPARSE if sparse else ATTN_FULL, chunk, top_k)
        try:
            rw.check(rw.lib.rwkvx_attention_prefill(ctx, ctypes.byref(p)), "rwkvx_attention_prefill")
            rw.synchronize(ctx)
            want, amb = reference_rows(q[:T], k[:T], v[:T], range(0, T), sparse, chunk, top_k)
            err, skipped = max_error(o, want, amb)
        except RwkvxError as e:
            err, skipped = math.inf, 0
            log(f"  prefill {name}: {e}")
        ok = err <= tol
        log(f"  check D={D} {DTYPE_NAMES[dtype]} prefill {name}: max |o - ref| {err:.2e} (bound {tol:g}"
            f"{f', {skipped} near-tie rows skipped' if skipped else ''}) {'ok' if ok else 'FAIL'}")
        if not ok:
            failed.add(f"prefill {name}")
        # Decode of token T over a cache of the first T tokens: equals prefill row T. The cache's chunk
        # size must match the call's, FULL included.
        cache_chunk = chunk if sparse else 2048
        o1 = torch.full((1, H, D), math.nan, device="cuda")
        cache = None
        try:
            cache = KvCache(rw, ctx, H, D, dtype, cache_chunk, T + 1)
            cache.append(k[:T], v[:T])
            p = attention_params(q32[T:], k[T:], v[T:], o1, ATTN_SPARSE if sparse else ATTN_FULL, cache_chunk, top_k)
            rw.check(rw.lib.rwkvx_attention_decode(ctx, cache.handle, ctypes.byref(p)), "rwkvx_attention_decode")
            rw.synchronize(ctx)
            want, amb = reference_rows(q, k, v, range(T, T + 1), sparse, chunk, top_k)
            err, skipped = max_error(o1, want, amb)
        except RwkvxError as e:
            err, skipped = math.inf, 0
            log(f"  decode {name}: {e}")
        finally:
            if cache is not None:
                cache.close()
        ok = err <= tol
        log(f"  check D={D} {DTYPE_NAMES[dtype]} decode {name}: max |o - ref| {err:.2e} (bound {tol:g}"
            f"{f', {skipped} near-tie rows skipped' if skipped else ''}) {'ok' if ok else 'FAIL'}")
        if not ok:
            failed.add(f"decode {name}")
    return failed


# ---- the kernels under test --------------------------------------------------------------------------


def dense_kernels(q, k, v):
    """Name -> callable for each dense causal kernel available: SDPA's backends and FlashAttention-3.

    q, k, v are [batch][T][H][D] (FlashAttention's layout; SDPA gets [batch][H][T][D] views). A kernel
    that raises on its first call is left out (with the reason)."""
    kernels, skipped = {}, {}
    try:
        from torch.nn.attention import SDPBackend, sdpa_kernel
    except ImportError as e:  # PyTorch older than 2.3
        SDPBackend, skipped["sdpa"] = None, f"{type(e).__name__}: {e}"
    qt, kt, vt = (x.transpose(1, 2) for x in (q, k, v))
    for name in ("FLASH_ATTENTION", "CUDNN_ATTENTION", "EFFICIENT_ATTENTION") if SDPBackend else ():
        backend = getattr(SDPBackend, name, None)
        if backend is None:
            skipped[f"sdpa {name.lower()}"] = "not in this PyTorch"
            continue

        def run(backend=backend):
            with sdpa_kernel(backend):
                return F.scaled_dot_product_attention(qt, kt, vt, is_causal=True)

        kernels[f"sdpa {name.split('_')[0].lower()}"] = run
    try:
        from flash_attn_interface import flash_attn_func

        kernels["flash-attn 3"] = lambda: flash_attn_func(q, k, v, causal=True)
    except Exception as e:  # not installed, or built for another GPU
        skipped["flash-attn 3"] = f"{type(e).__name__}: {e}"
    for name in list(kernels):
        try:
            kernels[name]()
            torch.cuda.synchronize()
        except Exception as e:
            skipped[name] = f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
            del kernels[name]
    return kernels, skipped


def our_prefill(rw, ctx, q32, k, v, o32, mode, chunk=0, top_k=0):
    """A callable that enqueues our prefill of every sequence of the batch ([batch][T][H][D] tensors)."""
    params = [attention_params(q32[b], k[b], v[b], o32[b], mode, chunk, top_k) for b in range(q32.shape[0])]
    prefill = rw.lib.rwkvx_attention_prefill
    refs = [ctypes.byref(p) for p in params]

    def run():
        for r in refs:
            status = prefill(ctx, r)
            if status != RWKVX_OK:
                rw.check(status, "rwkvx_attention_prefill")

    return run


# ---- the benchmark -----------------------------------------------------------------------------------


def bench_prefill(rw, ctx, args, T, D, dtype, broken, results, log):
    """Times every dense kernel, our full prefill and our sparse prefills at one (T, D, dtype)."""
    batch, H = max(1, 16384 // T), 2048 // D
    gen = torch.Generator(device="cuda").manual_seed(T + D)
    q, k, v = (torch.randn(batch, T, H, D, device="cuda", generator=gen).to(dtype) for _ in range(3))
    flops = causal_flops(batch, H, T, D)
    row = dict(T=T, D=D, dtype=DTYPE_NAMES[dtype], batch=batch, H=H)
    kernels, skipped = dense_kernels(q, k, v)
    for name, why in skipped.items():
        log(f"  T={T} D={D} {DTYPE_NAMES[dtype]}: {name} skipped ({why})")
    for name, fn in kernels.items():
        try:
            ms = time_ms(fn, args)
        except Exception as e:  # e.g. out of memory at 128K
            log(f"  T={T} D={D} {DTYPE_NAMES[dtype]}: {name} failed while timed ({type(e).__name__}: {e})")
            continue
        results.append(dict(row, kernel=name, kind="dense", ms=ms, tflops=flops / ms / 1e9))
    torch.cuda.empty_cache()
    q32 = q.float()
    o32 = torch.empty_like(q32)
    ours = [("rwkvx full", "ours", ATTN_FULL, 0, 0, "prefill full")]
    ours += [(f"rwkvx sparse {c}/{t}", "sparse", ATTN_SPARSE, c, t, f"prefill sparse {c}/{t}")
             for c, t in args.sparse_configs]
    for name, kind, mode, chunk, top_k, check_name in ours:
        if check_name in broken:
            log(f"  {name}: not timed (failed its correctness check)")
            continue
        try:
            ms = time_ms(our_prefill(rw, ctx, q32, k, v, o32, mode, chunk, top_k), args)
            rw.synchronize(ctx)
        except RwkvxError as e:
            log(f"  T={T} D={D} {DTYPE_NAMES[dtype]} {name}: {e}")
            broken.add(check_name)
            continue
        results.append(dict(row, kernel=name, kind=kind, ms=ms, tflops=flops / ms / 1e9, chunk=chunk, top_k=top_k))
    del q, k, v, q32, o32
    torch.cuda.empty_cache()


def bench_decode(rw, ctx, args, D, dtype, broken, decode_results, log):
    """Per-token time of our full and sparse decode over a cache of args.decode_len tokens (plus SDPA's
    fastest backend attending one query to the same keys, for scale)."""
    H, L, steps, warm = 2048 // D, args.decode_len, args.decode_steps, 3
    gen = torch.Generator(device="cuda").manual_seed(D)
    k, v = (torch.randn(L + warm + steps, H, D, device="cuda", generator=gen).to(dtype) for _ in range(2))
    q32 = torch.randn(L + warm + steps, H, D, device="cuda", generator=gen).to(dtype).float()
    o32 = torch.empty(warm + steps, H, D, device="cuda")
    modes = [("rwkvx full decode", ATTN_FULL, 2048, 0, "decode full")]
    modes += [(f"rwkvx sparse decode {c}/{t}", ATTN_SPARSE, c, t, f"decode sparse {c}/{t}")
              for c, t in args.sparse_configs]
    for name, mode, chunk, top_k, check_name in modes:
        if check_name in broken:
            log(f"  {name}: not timed (failed its correctness check)")
            continue
        cache = None
        try:
            cache = KvCache(rw, ctx, H, D, dtype, chunk, L + warm + steps)
            cache.append(k[:L], v[:L])
            rw.synchronize(ctx)
            params = [attention_params(q32[L + i:L + i + 1], k[L + i:L + i + 1], v[L + i:L + i + 1], o32[i:i + 1],
                                       mode, chunk, top_k) for i in range(warm + steps)]
            decode = rw.lib.rwkvx_attention_decode
            for p in params[:warm]:
                rw.check(decode(ctx, cache.handle, ctypes.byref(p)), "rwkvx_attention_decode")
            torch.cuda.synchronize()
            begin, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
            refs = [ctypes.byref(p) for p in params[warm:]]
            begin.record()
            for r in refs:
                status = decode(ctx, cache.handle, r)
                if status != RWKVX_OK:
                    rw.check(status, "rwkvx_attention_decode")
            end.record()
            end.synchronize()
            rw.synchronize(ctx)
            ms = begin.elapsed_time(end) / steps
            decode_results.append(dict(D=D, dtype=DTYPE_NAMES[dtype], H=H, L=L, kernel=name, ms=ms, chunk=chunk,
                                       top_k=top_k, mode=mode))
        except RwkvxError as e:
            log(f"  {name}: {e}")
            broken.add(check_name)
        finally:
            if cache is not None:
                cache.close()
    # SDPA, one query over the L cached keys (no causal mask needed), for scale.
    try:
        from torch.nn.attention import SDPBackend, sdpa_kernel
    except ImportError:
        SDPBackend = None
    qd = q32[L:L + 1].to(dtype).permute(1, 0, 2)[None]  # [1][H][1][D]
    kd, vd = (x[:L].permute(1, 0, 2)[None] for x in (k, v))  # [1][H][L][D]
    best = None
    for backend_name in ("FLASH_ATTENTION", "CUDNN_ATTENTION", "EFFICIENT_ATTENTION") if SDPBackend else ():
        backend = getattr(SDPBackend, backend_name, None)
        if backend is None:
            continue

        def run(backend=backend):
            with sdpa_kernel(backend):
                return F.scaled_dot_product_attention(qd, kd, vd)

        try:
            run()
            torch.cuda.synchronize()
            ms = time_ms(run, args)
        except Exception:
            continue
        if best is None or ms < best[1]:
            best = (backend_name.split("_")[0].lower(), ms)
    if best:
        decode_results.append(dict(D=D, dtype=DTYPE_NAMES[dtype], H=H, L=L, kernel=f"sdpa {best[0]} (1 query)",
                                   ms=best[1], chunk=0, top_k=0, mode=None))
    del k, v, q32, o32
    torch.cuda.empty_cache()


# ---- report ------------------------------------------------------------------------------------------


def fmt_t(T):
    """512 -> '512', 131072 -> '128K'."""
    return f"{T // 1024}K" if T >= 1024 and T % 1024 == 0 else str(T)


def report(results, decode_results, args, broken, header):
    """The markdown report: tables, crossover lengths and targets. Returns (text, targets_ok)."""
    out = [header, ""]
    groups = {}
    for r in results:
        groups.setdefault((r["D"], r["dtype"], r["T"]), []).append(r)
    fastest = {}
    for key, rows in groups.items():
        dense = [r for r in rows if r["kind"] == "dense"]
        if dense:
            fastest[key] = min(dense, key=lambda r: r["ms"])

    out += ["## Dense causal prefill", "",
            "ratio = fastest dense kernel's time / this kernel's time (1.00 = as fast).", "",
            "| T | D | dtype | batch x H | kernel | ms | TFLOP/s | ratio |", "|---|---|---|---|---|---|---|---|"]
    for key in sorted(groups):
        for r in sorted((r for r in groups[key] if r["kind"] in ("dense", "ours")), key=lambda r: r["ms"]):
            best = fastest.get(key)
            ratio = f"{best['ms'] / r['ms']:.2f}" if best else "n/a"
            out.append(f"| {fmt_t(r['T'])} | {r['D']} | {r['dtype']} | {r['batch']} x {r['H']} | {r['kernel']} | "
                       f"{r['ms']:.3f} | {r['tflops']:.1f} | {ratio} |")

    out += ["", "## Sparse prefill (dense_below = 0)", "",
            "speed-up = fastest dense kernel's time / sparse time; TFLOP/s counts the dense causal FLOPs.", "",
            "| T | D | dtype | batch x H | kernel | ms | dense-equiv. TFLOP/s | fastest dense | speed-up |",
            "|---|---|---|---|---|---|---|---|---|"]
    crossover = {}
    for key in sorted(groups):
        best = fastest.get(key)
        for r in (r for r in groups[key] if r["kind"] == "sparse"):
            up = best["ms"] / r["ms"] if best else None
            out.append(f"| {fmt_t(r['T'])} | {r['D']} | {r['dtype']} | {r['batch']} x {r['H']} | {r['kernel']} | "
                       f"{r['ms']:.3f} | {r['tflops']:.1f} | {best['kernel'] + ' ' + format(best['ms'], '.3f') if best else 'n/a'} | "
                       f"{format(up, '.2f') + 'x' if up else 'n/a'} |")
            crossover.setdefault((r["D"], r["dtype"], r["kernel"]), []).append((r["T"], up))
    out += ["", "Crossover (the shortest T of the grid from which on sparse prefill beats the fastest dense kernel):", ""]
    for (D, dtype, kernel), points in sorted(crossover.items()):
        points.sort()
        first = None
        for T, up in reversed(points):
            if up is None or up <= 1.0:
                break
            first = T
        out.append(f"- D={D} {dtype} {kernel}: " + (f"T >= {fmt_t(first)}" if first else "not within the grid"))

    out += ["", f"## Decode: one token over a {fmt_t(args.decode_len)}-token KV cache", "",
            f"Mean of {args.decode_steps} consecutive rwkvx_attention_decode calls (each appends its token).", "",
            "| D | dtype | H | kernel | ms/token | vs our full decode |", "|---|---|---|---|---|---|"]
    full_decode = {(r["D"], r["dtype"]): r for r in decode_results if r["mode"] == ATTN_FULL}
    for r in decode_results:
        base = full_decode.get((r["D"], r["dtype"]))
        up = f"{base['ms'] / r['ms']:.2f}x" if base else "n/a"
        out.append(f"| {r['D']} | {r['dtype']} | {r['H']} | {r['kernel']} | {r['ms']:.4f} | {up} |")

    # Targets.
    targets_ok = True
    lines = ["", "## Targets", ""]

    def verdict(ok):
        return "n/a" if ok is None else ("PASS" if ok else "FAIL")

    ratios = [(fastest[key]["ms"] / r["ms"], key) for key, rows in groups.items() if key in fastest
              for r in rows if r["kind"] == "ours"]
    if ratios:
        worst, where = min(ratios)
        med = statistics.median(x for x, _ in ratios)
        full_ok = worst >= 0.5
        lines.append(f"- full prefill >= 0.5x the fastest dense kernel at every point: {verdict(full_ok)} (worst "
                     f"{worst:.2f} at T={fmt_t(where[2])} D={where[0]} {where[1]}, median {med:.2f}); stretch 0.8x: "
                     f"{verdict(worst >= 0.8)}")
    else:
        full_ok = None
        lines.append("- full prefill >= 0.5x the fastest dense kernel: n/a (not measured)")
    main_cfg = f"rwkvx sparse {args.sparse_configs[0][0]}/{args.sparse_configs[0][1]}"
    ups = [(fastest[(r["D"], r["dtype"], r["T"])]["ms"] / r["ms"], r) for r in results
           if r["kind"] == "sparse" and r["kernel"] == main_cfg and r["T"] == 131072
           and (r["D"], r["dtype"], r["T"]) in fastest]
    sparse_ok = min(u for u, _ in ups) >= 3.0 if ups else None
    lines.append(f"- sparse prefill ({main_cfg[len('rwkvx sparse '):]}) at 128K >= 3x the fastest dense kernel: "
                 f"{verdict(sparse_ok)}" + (" (" + ", ".join(f"D={r['D']} {r['dtype']} {u:.2f}x" for u, r in ups) + ")"
                                            if ups else ""))
    dec = [(full_decode[(r["D"], r["dtype"])]["ms"] / r["ms"], r) for r in decode_results
           if r["mode"] == ATTN_SPARSE and r["kernel"].endswith(main_cfg[len("rwkvx sparse "):])
           and (r["D"], r["dtype"]) in full_decode and r["L"] == 131072]
    decode_ok = min(u for u, _ in dec) >= 10.0 if dec else None
    lines.append(f"- sparse decode at 128K >= 10x our full decode: {verdict(decode_ok)}" +
                 (" (" + ", ".join(f"D={r['D']} {r['dtype']} {u:.1f}x" for u, r in dec) + ")" if dec else ""))
    if broken:
        lines.append(f"- correctness: FAIL ({', '.join(sorted(broken))} failed; not timed)")
    else:
        lines.append("- correctness: PASS (every rwkvx kernel matched the float64 reference before timing)")
    for ok in (full_ok, sparse_ok, decode_ok):
        targets_ok &= ok is not False
    out += lines
    return "\n".join(out) + "\n", targets_ok


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lib", default=DEFAULT_LIB, help="path of librwkvx.so (default: build-gpu/librwkvx.so)")
    ap.add_argument("--quick", action="store_true",
                    help="reduced grid: T in {1K, 8K, 32K, 128K}, D 128, bf16, fewer repeats (about 2 minutes)")
    ap.add_argument("--out", help="also write the markdown report to this file")
    ap.add_argument("--head-dims", default="64,128")
    ap.add_argument("--dtypes", default="bf16,fp16")
    ap.add_argument("--t-min", type=int, default=512)
    ap.add_argument("--t-max", type=int, default=131072)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--repeats", type=int, default=10, help="timed calls per point (median)")
    ap.add_argument("--max-seconds", type=float, default=4.0,
                    help="fewer repeats (at least 3) where they would take longer than this")
    ap.add_argument("--decode-len", type=int, default=131072, help="KV cache length for the decode timings")
    ap.add_argument("--decode-steps", type=int, default=50)
    ap.add_argument("--strict", action="store_true", help="exit 1 when a performance target fails")
    args = ap.parse_args()
    args.sparse_configs = [(2048, 3), (512, 3)]
    dtypes = {"bf16": torch.bfloat16, "fp16": torch.float16}
    if args.quick:
        args.head_dims, args.dtypes, args.t_list = [128], [torch.bfloat16], [1024, 8192, 32768, 131072]
        args.warmup, args.repeats, args.max_seconds = 2, 5, 2.0
    else:
        args.head_dims = [int(x) for x in args.head_dims.split(",")]
        args.dtypes = [dtypes[x] for x in args.dtypes.split(",")]
        args.t_list = [1 << i for i in range(20) if args.t_min <= (1 << i) <= args.t_max]
    return args


def main():
    args = parse_args()
    if not torch.cuda.is_available():
        print("bench_attention: no CUDA device visible to PyTorch", file=sys.stderr)
        return 2
    start = time.time()
    lines = []

    def log(msg):
        print(msg, flush=True)
        lines.append(msg)

    rw = Rwkvx(args.lib)
    # A stream of our own: PyTorch's default stream is the legacy NULL stream, which rwkvx would read as
    # "the context's own stream".
    stream = torch.cuda.Stream()
    with torch.cuda.stream(stream):
        ctx = rw.cuda_context(torch.cuda.current_stream().cuda_stream)
        try:
            flash3 = "yes"
            try:
                import flash_attn_interface  # noqa: F401
            except Exception as e:
                flash3 = f"no ({type(e).__name__})"
            header = (f"# rwkvx attention on {torch.cuda.get_device_name()}\n\n"
                      f"rwkvx {rw.version} ({rw.lib.rwkvx_context_describe(ctx).decode()}), torch {torch.__version__}, "
                      f"CUDA {torch.version.cuda}, cuDNN {torch.backends.cudnn.version()}, flash-attn 3: {flash3}; "
                      f"{'quick grid' if args.quick else 'full grid'}, warm-up {args.warmup}, median of up to "
                      f"{args.repeats} (fewer past {args.max_seconds:g} s a point).")
            log(header)
            broken = set()
            for D in args.head_dims:
                for dtype in args.dtypes:
                    broken |= check_kernels(rw, ctx, D, dtype, args.sparse_configs, log)
            results, decode_results = [], []
            for D in args.head_dims:
                for dtype in args.dtypes:
                    for T in args.t_list:
                        log(f"prefill T={fmt_t(T)} D={D} {DTYPE_NAMES[dtype]} ({time.time() - start:.0f} s)")
                        bench_prefill(rw, ctx, args, T, D, dtype, broken, results, log)
                    log(f"decode D={D} {DTYPE_NAMES[dtype]} ({time.time() - start:.0f} s)")
                    bench_decode(rw, ctx, args, D, dtype, broken, decode_results, log)
        finally:
            torch.cuda.synchronize()
            rw.check(rw.lib.rwkvx_context_free(ctx), "rwkvx_context_free")
    text, targets_ok = report(results, decode_results, args, broken, header)
    text += f"\n({time.time() - start:.0f} s)\n"
    print()
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
            f.write("\n## Log\n\n```\n" + "\n".join(lines) + "\n```\n")
    if broken:
        return 1
    return 1 if args.strict and not targets_ok else 0


if __name__ == "__main__":
    sys.exit(main())
