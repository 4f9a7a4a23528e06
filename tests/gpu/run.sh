#!/usr/bin/env bash
# The GPU machine's one command: configures a fresh CUDA build in build-gpu/ (no benchmark harness),
# builds it with every core, runs every ctest test (native and gpu) with RWKVX_REQUIRE_GPU=1 so that
# nothing skips for want of a device, then the attention benchmark in quick mode
# (bench/gpu/bench_attention.py --quick), and prints a summary. The benchmark runs even after failed
# tests, so one device call gives all the information; the exit status is non-zero when the build, a
# test or the benchmark failed. Logs and the benchmark table are copied into $OUT when it is set.
# Needs CUDA (nvcc), cmake, g++ and, for the benchmark, Python 3 with PyTorch; no network. Meant to
# finish in under 5 minutes on an H100 machine with 16 cores (build ~2, tests ~1-2, benchmark ~1-2).
#
# Usage: bash tests/gpu/run.sh [--reuse] [--full-bench | --no-bench]
#   --reuse       keep an existing build-gpu/ (incremental build) instead of starting fresh
#   --full-bench  the benchmark's full grid (head dims 64 and 128, bf16 and fp16, T 512..128K: longer)
#   --no-bench    tests only
# Environment: RWKVX_GPU_BUILD_DIR (default build-gpu), OUT (where logs are copied), JOBS (default nproc).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD_DIR="${RWKVX_GPU_BUILD_DIR:-$ROOT/build-gpu}"
JOBS="${JOBS:-$(nproc 2>/dev/null || echo 4)}"
reuse=false
bench=quick

usage() {
    sed -n '/^# Usage:/,/^# Environment:/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}
while (($#)); do
    case "$1" in
        --reuse) reuse=true ;;
        --full-bench) bench=full ;;
        --no-bench) bench=none ;;
        -h | --help)
            usage
            exit 0
            ;;
        *)
            echo "run.sh: unknown argument '$1'" >&2
            usage >&2
            exit 2
            ;;
    esac
    shift
done

# nvcc may be installed without being on PATH.
if ! command -v nvcc >/dev/null && [[ -x /usr/local/cuda/bin/nvcc ]]; then
    export PATH="/usr/local/cuda/bin:$PATH"
fi

if ! $reuse; then rm -rf "$BUILD_DIR"; fi
LOG_DIR="$BUILD_DIR/logs"
mkdir -p "$LOG_DIR"
SUMMARY="$LOG_DIR/summary.txt"
: >"$SUMMARY"
failed=()
start=$SECONDS

say() { printf '%s\n' "$*" | tee -a "$SUMMARY"; }
header() { printf '\n==================== gpu: %s ====================\n' "$*"; }

# Copies the logs into $OUT whatever happens (also when the script stops early).
copy_out() {
    if [[ -n "${OUT:-}" ]]; then
        mkdir -p "$OUT"
        cp -r "$LOG_DIR"/. "$OUT"/ 2>/dev/null || true
    fi
}
trap copy_out EXIT

# step <name> <log file> <command...>: runs the command with its output in the log; records a failure.
step() {
    local name=$1 log=$2 t0=$SECONDS rc=0
    shift 2
    "$@" >"$log" 2>&1 || rc=$?
    if ((rc == 0)); then
        say "$(printf '%-28s ok      %4ds  (%s)' "$name" $((SECONDS - t0)) "${log#"$BUILD_DIR"/}")"
    else
        say "$(printf '%-28s FAILED  %4ds  (exit %d; %s)' "$name" $((SECONDS - t0)) "$rc" "${log#"$BUILD_DIR"/}")"
        failed+=("$name")
    fi
    return "$rc"
}

header "machine"
{
    echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'), $(nproc) cores, jobs $JOBS"
    command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
    echo "nvcc: $(nvcc --version 2>/dev/null | tail -n 1 || echo 'not found')"
    echo "cmake: $(cmake --version | head -n 1)"
    echo "python: $(python3 -c 'import sys, torch; print(sys.version.split()[0], "torch", torch.__version__, "cuda", torch.version.cuda)' 2>&1 | tail -n 1)"
} | tee "$LOG_DIR/machine.txt"

header "configure and build ($BUILD_DIR)"
built=false
if step "configure" "$LOG_DIR/configure.log" \
    cmake -S "$ROOT" -B "$BUILD_DIR" -G "Unix Makefiles" -DCMAKE_BUILD_TYPE=Release -DRWKVX_CUDA=ON \
    -DRWKVX_BUILD_TESTS=ON -DRWKVX_BUILD_BENCH=OFF; then
    if ! grep -q "CUDA backend enabled" "$LOG_DIR/configure.log"; then
        say "configure: the CUDA backend was not enabled (is nvcc installed?); see logs/configure.log"
        failed+=("cuda backend")
    fi
    # -k: build everything that compiles, so that ctest still runs the programs that built.
    if step "build (-j $JOBS)" "$LOG_DIR/build.log" cmake --build "$BUILD_DIR" -j "$JOBS" -- -k; then
        built=true
    else
        grep -E 'error|Error [0-9]' "$LOG_DIR/build.log" | head -n 30 || true
    fi
fi

header "tests (ctest, RWKVX_REQUIRE_GPU=1)"
if [[ -f "$BUILD_DIR/CTestTestfile.cmake" ]]; then
    # Half the cores: the GPU tests share the device and the CPU tests use 2 threads each.
    step "ctest" "$LOG_DIR/ctest.log" env RWKVX_REQUIRE_GPU=1 \
        ctest --test-dir "$BUILD_DIR" --output-on-failure --timeout 300 -j "$(((JOBS + 1) / 2))" || true
    # The tally and the failed tests, then the first FAIL lines of each failed program.
    sed -n '/tests passed/,$p' "$LOG_DIR/ctest.log" | head -n 40
    grep -E '^(FAIL|cuda flavours skipped|CUDA error)' "$LOG_DIR/ctest.log" | head -n 40 || true
    grep -E '^ *[0-9]+/[0-9]+ Test +#[0-9]+: ' "$LOG_DIR/ctest.log" >"$LOG_DIR/ctest_times.txt" || true
else
    say "ctest                        FAILED  (no build tree)"
    failed+=("ctest")
fi

header "benchmark ($bench)"
if [[ "$bench" == none ]]; then
    say "benchmark                    skipped (--no-bench)"
elif [[ ! -f "$BUILD_DIR/librwkvx.so" ]]; then
    say "benchmark                    FAILED  (no librwkvx.so)"
    failed+=("benchmark")
else
    args=(--lib "$BUILD_DIR/librwkvx.so" --out "$LOG_DIR/bench_attention.md")
    [[ "$bench" == quick ]] && args+=(--quick)
    step "benchmark" "$LOG_DIR/bench.log" python3 "$ROOT/bench/gpu/bench_attention.py" "${args[@]}" || {
        tail -n 25 "$LOG_DIR/bench.log"
    }
    # The report without its log section.
    [[ -f "$LOG_DIR/bench_attention.md" ]] && sed '/^## Log/,$d' "$LOG_DIR/bench_attention.md"
fi

header "summary ($((SECONDS - start)) s)"
cat "$SUMMARY"
$built || echo "(the build failed: tests whose programs did not build count as failed)"
if ((${#failed[@]})); then
    echo "gpu: FAILED: ${failed[*]}"
    exit 1
fi
echo "gpu: all steps passed"
