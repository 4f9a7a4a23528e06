// The larger of two errors, where NaN wins: std::max and std::fmax drop a NaN operand, so an output
// left unwritten (NaN-filled) or poisoned would otherwise pass a max-error check.
#pragma once
#include <cmath>

inline double worse(double so_far, double error) {
    if (std::isnan(so_far)) return so_far;
    return std::isnan(error) || error > so_far ? error : so_far;
}
