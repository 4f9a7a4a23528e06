// What every native test program shares: expect() counts checks and prints the first failures,
// fmt() builds their messages, worse() keeps NaN in a max-error, relative_diff() and bitwise_equal()
// compare result vectors, finish() prints the tally and gives main's exit status.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace check_tally {
inline int failures = 0, checks = 0;
}

// printf into a std::string (messages up to 511 characters).
inline std::string fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
inline std::string fmt(const char *f, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, f);
    std::vsnprintf(buf, sizeof buf, f, ap);
    va_end(ap);
    return buf;
}

inline void expect(bool ok, const std::string &what) {
    check_tally::checks++;
    if (!ok && ++check_tally::failures <= 60) std::printf("FAIL: %s\n", what.c_str());
}

// The larger of two errors, where NaN wins: std::max and std::fmax drop a NaN operand, so an output
// left unwritten (NaN-filled) or poisoned would otherwise pass a max-error check.
inline double worse(double so_far, double error) {
    if (std::isnan(so_far)) return so_far;
    return std::isnan(error) || error > so_far ? error : so_far;
}

// max |a − b| / (1 + max |b|); NaN when the sizes differ, the vectors are empty or a value is NaN.
inline double relative_diff(const std::vector<float> &a, const std::vector<float> &b) {
    if (a.size() != b.size() || a.empty()) return NAN;
    double err = 0, scale = 0;
    for (size_t i = 0; i < a.size(); i++) {
        err = worse(err, std::fabs(double(a[i]) - double(b[i])));
        scale = std::max(scale, std::fabs(double(b[i])));
    }
    return err / (1 + scale);
}

// Equal bit for bit (and not empty: an unwritten result is no match).
inline bool bitwise_equal(const std::vector<float> &a, const std::vector<float> &b) {
    return !a.empty() && a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * 4) == 0;
}

inline int finish() {
    std::printf("%d checks, %d failures\n", check_tally::checks, check_tally::failures);
    return check_tally::failures == 0 ? 0 : 1;
}
