// Random named float32 tensors for model tests through the C ABI: a synthetic RWKV-7 of any size
// with BlinkDL's tensor names, the attention blocks that make it an RWKV-X hybrid, and synthetic
// RWKV-4 models (RWKV-5.2 and RWKV-6: synthetic_rwkv56.h).
#pragma once
#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "rwkvx.h"

struct Tensors {
    std::map<std::string, std::pair<std::vector<int64_t>, std::vector<float>>> t;
    std::mt19937 rng{7};
    // N(offset, scale²) values.
    void add(const std::string &name, std::vector<int64_t> shape, float scale, float offset = 0) {
        int64_t n = 1;
        for (auto d : shape) n *= d;
        std::normal_distribution<float> nd(0.0f, 1.0f);
        std::vector<float> v(static_cast<size_t>(n));
        for (auto &x : v) x = offset + scale * nd(rng);
        t[name] = {shape, v};
    }
    // Borrowed views, valid while this object lives unchanged.
    std::vector<rwkvx_named_tensor> named() {
        std::vector<rwkvx_named_tensor> out;
        for (auto &e : t) {
            rwkvx_named_tensor nt{};
            nt.name = e.first.c_str();
            nt.tensor.data = e.second.second.data();
            nt.tensor.dtype = RWKVX_DTYPE_F32;
            nt.tensor.ndim = int32_t(e.second.first.size());
            int64_t stride = 1;
            for (int i = nt.tensor.ndim - 1; i >= 0; i--) {
                nt.tensor.shape[i] = e.second.first[size_t(i)];
                nt.tensor.strides[i] = stride;
                stride *= nt.tensor.shape[i];
            }
            out.push_back(nt);
        }
        return out;
    }
};

struct Rwkv7Sizes {
    int64_t embd, head_size, vocab, ffn, layers;
    int64_t lora_w, lora_a, lora_g, lora_v;
};

// The tensors around the layers, the same for RWKV-4 and RWKV-7: embedding, ln0, ln_out, head.
inline void add_outer_tensors(Tensors &w, int64_t C, int64_t V) {
    w.add("emb.weight", {V, C}, 1.0f);
    w.add("blocks.0.ln0.weight", {C}, 0.1f, 1.0f);
    w.add("blocks.0.ln0.bias", {C}, 0.1f);
    w.add("ln_out.weight", {C}, 0.1f, 1.0f);
    w.add("ln_out.bias", {C}, 0.1f);
    w.add("head.weight", {V, C}, 0.2f);
}

// embd / head_size heads (the loader reads both from r_k's shape).
inline Tensors synthetic_rwkv7(const Rwkv7Sizes &s) {
    const int64_t C = s.embd, V = s.vocab, F = s.ffn;
    Tensors w;
    add_outer_tensors(w, C, V);
    for (int64_t i = 0; i < s.layers; i++) {
        const std::string p = "blocks." + std::to_string(i) + ".";
        for (const char *n : {"ln1.weight", "ln2.weight", "att.ln_x.weight"}) w.add(p + n, {C}, 0.1f, 1.0f);
        for (const char *n : {"ln1.bias", "ln2.bias", "att.ln_x.bias", "att.w0", "att.a0", "att.k_a"})
            w.add(p + n, {C}, 0.1f);
        for (const char *n : {"att.x_r", "att.x_w", "att.x_k", "att.x_v", "att.x_a", "att.x_g", "ffn.x_k", "att.k_k"})
            w.add(p + n, {C}, 0.2f, 0.5f);
        w.add(p + "att.r_k", {C / s.head_size, s.head_size}, 0.2f);
        for (auto [n, d] :
             {std::pair<const char *, int64_t>{"att.w", s.lora_w}, {"att.a", s.lora_a}, {"att.g", s.lora_g}}) {
            w.add(p + n + "1", {d, C}, 0.2f);
            w.add(p + n + "2", {C, d}, 0.2f);
        }
        if (i > 0) {
            w.add(p + "att.v0", {C}, 0.2f);
            w.add(p + "att.v1", {s.lora_v, C}, 0.2f);
            w.add(p + "att.v2", {C, s.lora_v}, 0.2f);
        }
        for (const char *n : {"att.receptance.weight", "att.key.weight", "att.value.weight", "att.output.weight"})
            w.add(p + n, {C, C}, 0.12f);
        w.add(p + "ffn.key.weight", {F, C}, 0.12f);
        w.add(p + "ffn.value.weight", {C, F}, 0.06f);
    }
    return w;
}

// Adds A RWKV-X attention blocks "moba.j.*" (docs/rwkv-x.md §3) to a model of embd C and FFN size F;
// zero = output and ffn.value zero (the expansion initialisation: the RWKV-7 function is unchanged).
inline void add_hybrid_attention(Tensors &w, int64_t A, int64_t C, int64_t F, bool zero) {
    for (int64_t j = 0; j < A; j++) {
        const std::string p = "moba." + std::to_string(j) + ".";
        w.add(p + "ln1.weight", {C}, zero ? 0.0f : 0.1f, 1.0f);
        w.add(p + "ln2.weight", {C}, zero ? 0.0f : 0.1f, 1.0f);
        w.add(p + "ln1.bias", {C}, zero ? 0.0f : 0.1f);
        w.add(p + "ln2.bias", {C}, zero ? 0.0f : 0.1f);
        for (const char *n : {"att.receptance.weight", "att.key.weight", "att.value.weight"})
            w.add(p + n, {C, C}, 0.3f);
        w.add(p + "att.output.weight", {C, C}, zero ? 0.0f : 0.15f);
        w.add(p + "ffn.x_k", {1, 1, C}, zero ? 0.0f : 0.2f, zero ? 0.0f : 0.5f);
        w.add(p + "ffn.key.weight", {F, C}, 0.12f);
        w.add(p + "ffn.value.weight", {C, F}, zero ? 0.0f : 0.06f);
    }
}

// A synthetic RWKV-4 (docs/formats.md §3.3): embd C, vocabulary V, FFN size F; att.time_decay is
// already in the recurrence's form w = -exp(d) (negative).
inline Tensors synthetic_rwkv4(int64_t C, int64_t V, int64_t F, int64_t layers) {
    Tensors w;
    add_outer_tensors(w, C, V);
    for (int64_t i = 0; i < layers; i++) {
        const std::string p = "blocks." + std::to_string(i) + ".";
        for (const char *n : {"ln1.weight", "ln2.weight"}) w.add(p + n, {C}, 0.1f, 1.0f);
        for (const char *n : {"ln1.bias", "ln2.bias", "att.time_first"}) w.add(p + n, {C}, 0.1f);
        for (const char *n : {"att.time_mix_k", "att.time_mix_v", "att.time_mix_r", "ffn.time_mix_k", "ffn.time_mix_r"})
            w.add(p + n, {C}, 0.1f, 0.5f);
        w.add(p + "att.time_decay", {C}, 0.05f, -0.5f);  // -0.5 +- 0.05: negative
        for (const char *n : {"att.receptance.weight", "att.key.weight", "att.value.weight", "att.output.weight",
                              "ffn.receptance.weight"})
            w.add(p + n, {C, C}, 0.12f);
        w.add(p + "ffn.key.weight", {F, C}, 0.12f);
        w.add(p + "ffn.value.weight", {C, F}, 0.06f);
    }
    return w;
}
