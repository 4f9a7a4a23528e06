#!/usr/bin/env python3
"""Cross-language check of `bin/rwkvx attn` against a float64 NumPy reference.

Writes Q/K/V as .npy (float32 and float16, shape (T, H, D)), runs the rwkvx kernels through the CLI,
and compares the outputs (and the full-attention log-sum-exp) with straightforward NumPy code:
causal full attention, and MoBA-style sparse attention (own chunk causally plus the top-k complete
past chunks by q . mean(k), ties to the more recent chunk). Usage: bench/cross/attn_vs_numpy.py
(needs NumPy; build the jar first with `mvn -q -DskipTests package`).
"""
import os
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RWKVX = os.path.join(ROOT, "bin", "rwkvx")


def full_reference(q, k, v):
    T, H, D = q.shape
    o, lse = np.zeros((T, H, D)), np.zeros((T, H))
    for h in range(H):
        s = q[:, h].astype(np.float64) @ k[:, h].astype(np.float64).T / np.sqrt(D)
        s[np.triu_indices(T, 1)] = -np.inf
        m = s.max(1, keepdims=True)
        p = np.exp(s - m)
        l = p.sum(1, keepdims=True)
        o[:, h] = (p / l) @ v[:, h].astype(np.float64)
        lse[:, h] = (m + np.log(l))[:, 0]
    return o, lse


def sparse_reference(q, k, v, chunk, top_k):
    T, H, D = q.shape
    q64, k64, v64 = (x.astype(np.float64) for x in (q, k, v))
    o = np.zeros((T, H, D))
    for h in range(H):
        for t in range(T):
            own = t // chunk
            scores = {c: q64[t, h] @ k64[c * chunk:(c + 1) * chunk, h].mean(0) for c in range(own)}
            chosen = sorted(scores, key=lambda c: (-scores[c], -c))[:top_k]
            keys = sorted(j for c in chosen for j in range(c * chunk, (c + 1) * chunk))
            keys += list(range(own * chunk, t + 1))
            s = k64[keys, h] @ q64[t, h] / np.sqrt(D)
            p = np.exp(s - s.max())
            o[t, h] = (p / p.sum()) @ v64[keys, h]
    return o


def run(args):
    subprocess.run([RWKVX, "attn", *args], check=True)


def main():
    rng = np.random.default_rng(0)
    T, H, D, chunk, top_k = 300, 2, 64, 32, 2
    worst = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for dtype in (np.float32, np.float16):
            q, k, v = (rng.standard_normal((T, H, D)).astype(dtype) for _ in range(3))
            paths = {}
            for name, arr in (("q", q), ("k", k), ("v", v)):
                paths[name] = os.path.join(tmp, f"{name}.npy")
                np.save(paths[name], arr)
            out, lse, sp = (os.path.join(tmp, f) for f in ("o.npy", "lse.npy", "sparse.npy"))
            common = ["--q", paths["q"], "--k", paths["k"], "--v", paths["v"]]
            run(common + ["--mode", "full", "--out", out, "--lse-out", lse])
            run(common + ["--mode", "sparse", "--attn-chunk", str(chunk), "--attn-top-k", str(top_k), "--attn-scope", "head", "--out", sp])
            ref_o, ref_lse = full_reference(q, k, v)
            errors = {
                "full O": np.abs(np.load(out) - ref_o).max(),
                "full LSE": np.abs(np.load(lse) - ref_lse).max(),
                "sparse O": np.abs(np.load(sp) - sparse_reference(q, k, v, chunk, top_k)).max(),
            }
            for what, err in errors.items():
                print(f"{np.dtype(dtype).name:8s} {what:9s} max |diff| = {err:.2e}")
                worst = max(worst, err)
    ok = worst <= 1e-5
    print("OK" if ok else "FAIL", f"(worst {worst:.2e}, bound 1e-5)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
