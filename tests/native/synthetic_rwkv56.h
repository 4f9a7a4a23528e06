// A synthetic RWKV-5.2 or RWKV-6 through the C ABI's named tensors (test_quantized.cpp,
// test_batch_api.cpp, test_batch_models.cpp).
#pragma once
#include <algorithm>
#include <cstdint>
#include <string>

#include "synthetic_rwkv7.h"

// A synthetic RWKV-5.2 (v6 false) or RWKV-6 (docs/formats.md §3.4, §3.5): H heads over C, LoRA ranks
// D (time_maa) and Dw (time_decay) for RWKV-6.
inline Tensors synthetic_rwkv56(bool v6, int64_t C, int64_t H, int64_t V, int64_t F, int64_t layers, int64_t D,
                                int64_t Dw) {
    Tensors w;
    add_outer_tensors(w, C, V);
    const int64_t N = C / H;
    for (int64_t i = 0; i < layers; i++) {
        const std::string p = "blocks." + std::to_string(i) + ".";
        for (const char *n : {"ln1.weight", "ln2.weight", "att.ln_x.weight"}) w.add(p + n, {C}, 0.1f, 1.0f);
        for (const char *n : {"ln1.bias", "ln2.bias", "att.ln_x.bias"}) w.add(p + n, {C}, 0.1f);
        if (v6) {
            for (const char *n : {"att.time_maa_x", "att.time_maa_w", "att.time_maa_k", "att.time_maa_v",
                                  "att.time_maa_r", "att.time_maa_g", "ffn.time_maa_k", "ffn.time_maa_r"})
                w.add(p + n, {C}, 0.1f, 0.5f);
            w.add(p + "att.time_maa_w1", {5 * D, C}, 0.1f);
            w.add(p + "att.time_maa_w2", {5, C, D}, 0.1f);
            w.add(p + "att.time_decay_w1", {Dw, C}, 0.1f);
            w.add(p + "att.time_decay_w2", {C, Dw}, 0.1f);
            w.add(p + "att.time_decay", {H, N}, 0.3f, -1.0f);  // raw d: exp(-exp(d)) in about (0.5, 0.8)
        } else {
            for (const char *n : {"att.time_mix_k", "att.time_mix_v", "att.time_mix_r", "att.time_mix_g",
                                  "ffn.time_mix_k", "ffn.time_mix_r"})
                w.add(p + n, {C}, 0.1f, 0.5f);
            w.add(p + "att.time_decay", {H, N}, 0.03f, 0.9f);
            for (float &v : w.t[p + "att.time_decay"].second) v = std::min(1.0f, std::max(0.05f, v));  // in (0, 1]
        }
        w.add(p + "att.time_faaaa", {H, N}, 0.2f);
        for (const char *n : {"att.receptance.weight", "att.key.weight", "att.value.weight", "att.gate.weight",
                              "att.output.weight", "ffn.receptance.weight"})
            w.add(p + n, {C, C}, 0.12f);
        w.add(p + "ffn.key.weight", {F, C}, 0.12f);
        w.add(p + "ffn.value.weight", {C, F}, 0.06f);
    }
    return w;
}
