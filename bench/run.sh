#!/usr/bin/env bash
# Builds rwkvx + rwkvx_bench (Release) and runs the benchmark. All arguments go to rwkvx_bench,
# e.g.  bench/run.sh --threads 1,2 --formats bf16 --quick        (no arguments: everything)
# Build directory: target/bench-build (override with BENCH_BUILD_DIR=...). The benchmark is CPU-only,
# so native tests and the CUDA backend are not built; extra CMake options: BENCH_CMAKE_ARGS="...".
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${BENCH_BUILD_DIR:-$ROOT/target/bench-build}"
JOBS="${BENCH_JOBS:-$(nproc 2>/dev/null || echo 2)}"

# shellcheck disable=SC2086
cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DRWKVX_BUILD_BENCH=ON \
      -DRWKVX_BUILD_TESTS=OFF -DRWKVX_CUDA=OFF ${BENCH_CMAKE_ARGS:-} >/dev/null
cmake --build "$BUILD_DIR" --target rwkvx_bench -j "$JOBS"

exec "$BUILD_DIR/bench/rwkvx_bench" "$@"
