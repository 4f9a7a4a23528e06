// What every native test program shares: expect() counts checks and prints the first failures,
// fmt() builds their messages, worse() keeps NaN in a max-error, finish() prints the tally and gives
// main's exit status.
#pragma once
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <string>

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

inline int finish() {
    std::printf("%d checks, %d failures\n", check_tally::checks, check_tally::failures);
    return check_tally::failures == 0 ? 0 : 1;
}
