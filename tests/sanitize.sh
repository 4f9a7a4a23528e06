#!/usr/bin/env bash
# Builds librwkvx and the native tests with sanitizers, runs ctest, then (ASan/UBSan only) runs the
# JUnit suite against that library. The jar's library is never built this way.
#   tests/sanitize.sh                     # address,undefined (the default)
#   tests/sanitize.sh thread              # ThreadSanitizer: native tests only (a JVM cannot run under it)
# Build directory: target/sanitize-<sanitizers> (override with SANITIZE_BUILD_DIR=...).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SANITIZERS="${1:-address,undefined}"
BUILD_DIR="${SANITIZE_BUILD_DIR:-$ROOT/target/sanitize-${SANITIZERS//,/-}}"

cmake -S "$ROOT" -B "$BUILD_DIR" -DRWKVX_SANITIZE="$SANITIZERS" -DRWKVX_CUDA=OFF -DRWKVX_BUILD_BENCH=OFF >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc 2>/dev/null || echo 2)"
# halt_on_error: the first report fails the test (UBSan would otherwise only print).
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1" UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
(cd "$BUILD_DIR" && ctest --output-on-failure)

if [[ "$SANITIZERS" == *address* ]]; then
    # The JVM is not instrumented: the ASan runtime must be loaded first (LD_PRELOAD), must leave the
    # JVM's own SIGSEGV handling alone, and cannot tell the JVM's deliberate leaks from ours.
    preload="$(readlink -f "$(g++ -print-file-name=libasan.so)")"
    if [[ "$SANITIZERS" == *undefined* ]]; then
        preload="$preload $(readlink -f "$(g++ -print-file-name=libubsan.so)")"
    fi
    LD_PRELOAD="$preload" \
    ASAN_OPTIONS="halt_on_error=1:detect_leaks=0:handle_segv=0:allow_user_segv_handler=1:use_sigaltstack=0" \
    JAVA_TOOL_OPTIONS="-Drwkvx.library.path=$BUILD_DIR/librwkvx.so" \
        mvn -B -q -f "$ROOT/pom.xml" test
fi
echo "sanitize.sh: $SANITIZERS: all tests passed"
