// Float64 references of the WKV-4 and WKV-5/6 recurrences and the random cases they run on, shared by
// the CPU tests (test_wkv4.cpp, test_wkv5.cpp) and the GPU test (tests/gpu/test_gpu_wkv.cu).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace wkv_reference {

// ---- WKV-4 -------------------------------------------------------------------------------------------

constexpr float kInitialPp = -1e38f;  // the documented start-of-sequence pp

struct Wkv4Case {
    int64_t T, C;
    std::vector<float> w, u, k, v;
};

// extreme_fraction of the keys after the first token are +80, -80 or -inf (only -inf when neg_inf_only).
inline Wkv4Case make_wkv4(std::mt19937 &rng, int64_t T, int64_t C, double extreme_fraction, bool neg_inf_only = false) {
    std::uniform_real_distribution<float> U(-1, 1), K(-3, 3), D(-3, 1), P(0, 1);
    Wkv4Case c{T, C, {}, {}, {}, {}};
    for (int64_t i = 0; i < C; i++) {
        c.w.push_back(-std::exp(D(rng)));
        c.u.push_back(U(rng));
    }
    for (int64_t i = 0; i < T * C; i++) {
        float k = K(rng);
        // Extremes only after the first token, so that no channel has seen nothing but -inf (0/0).
        if (i >= C && P(rng) < extreme_fraction) {
            const float r = P(rng);
            k = neg_inf_only || r >= 0.66f ? -INFINITY : r < 0.33f ? 80.0f : -80.0f;
        }
        c.k.push_back(k);
        c.v.push_back(U(rng));
    }
    return c;
}

// The start-of-sequence state [3][C]: aa = bb = 0, pp = kInitialPp.
inline std::vector<float> wkv4_initial_state(int64_t C) {
    std::vector<float> s(size_t(3 * C), 0.0f);
    for (int64_t i = 2 * C; i < 3 * C; i++) s[size_t(i)] = kInitialPp;
    return s;
}

// Float64 recurrence; state [3][C] (aa, bb, pp) updated in place.
inline std::vector<double> wkv4(const Wkv4Case &c, std::vector<double> &state) {
    std::vector<double> y(size_t(c.T * c.C));
    for (int64_t ch = 0; ch < c.C; ch++) {
        double aa = state[size_t(ch)], bb = state[size_t(c.C + ch)], pp = state[size_t(2 * c.C + ch)];
        for (int64_t t = 0; t < c.T; t++) {
            const double k = c.k[size_t(t * c.C + ch)], v = c.v[size_t(t * c.C + ch)];
            double ww = double(c.u[size_t(ch)]) + k;
            double q = std::max(pp, ww);
            double e1 = std::exp(pp - q), e2 = std::exp(ww - q);
            y[size_t(t * c.C + ch)] = (e1 * aa + e2 * v) / (e1 * bb + e2);
            ww = pp + double(c.w[size_t(ch)]);
            q = std::max(ww, k);
            e1 = std::exp(ww - q);
            e2 = std::exp(k - q);
            aa = e1 * aa + e2 * v;
            bb = e1 * bb + e2;
            pp = q;
        }
        state[size_t(ch)] = aa;
        state[size_t(c.C + ch)] = bb;
        state[size_t(2 * c.C + ch)] = pp;
    }
    return y;
}

// ---- WKV-5 / WKV-6 -----------------------------------------------------------------------------------

struct Wkv5Case {
    int64_t T;
    int32_t H, N;
    bool per_token;  // RWKV-6: a decay per token; RWKV-5.2: one per channel
    std::vector<float> r, k, v, w, u, state0;
};

inline Wkv5Case make_wkv5(std::mt19937 &rng, int64_t T, int32_t H, int32_t N, bool per_token) {
    std::uniform_real_distribution<float> d(-1.0f, 1.0f), dw(0.3f, 1.0f);
    Wkv5Case c{T, H, N, per_token, {}, {}, {}, {}, {}, {}};
    const size_t n = size_t(T) * H * N;
    for (auto *vec : {&c.r, &c.k, &c.v}) {
        vec->resize(n);
        for (auto &x : *vec) x = d(rng);
    }
    c.w.resize(per_token ? n : size_t(H) * N);
    for (auto &x : c.w) x = dw(rng);
    c.u.resize(size_t(H) * N);
    for (auto &x : c.u) x = d(rng);
    c.state0.resize(size_t(H) * N * N);
    for (auto &x : c.state0) x = 0.5f * d(rng);
    return c;
}

// y_j = sum_i r_i (u_i k_i v_j + S[i][j]);  S[i][j] <- w_i S[i][j] + k_i v_j (state [H][key i][value j]).
// S starts from the case's state0 and ends as the final state.
inline std::vector<double> wkv5(const Wkv5Case &c, std::vector<double> &S) {
    const int64_t C = int64_t(c.H) * c.N;
    S.assign(c.state0.begin(), c.state0.end());
    std::vector<double> y(size_t(c.T * C), 0.0);
    for (int64_t t = 0; t < c.T; t++)
        for (int h = 0; h < c.H; h++)
            for (int i = 0; i < c.N; i++) {
                const size_t o = size_t(t * C + h * c.N);
                const double ri = c.r[o + size_t(i)], ki = c.k[o + size_t(i)], ui = c.u[size_t(h * c.N + i)];
                const double wi = c.per_token ? c.w[o + size_t(i)] : c.w[size_t(h * c.N + i)];
                for (int j = 0; j < c.N; j++) {
                    double &s = S[size_t((h * c.N + i) * c.N + j)];
                    y[o + size_t(j)] += ri * (ui * ki * c.v[o + size_t(j)] + s);
                    s = wi * s + ki * c.v[o + size_t(j)];
                }
            }
    return y;
}

}  // namespace wkv_reference
