#!/usr/bin/env bash
# Builds librwkvx and the native tests with sanitizers, runs ctest, then (ASan/UBSan only) runs the
# JUnit suite against that library. The jar's library is never built this way; CUDA is always off.
#   tests/sanitize.sh                                  # address,undefined: native tests, then JUnit (CI)
#   tests/sanitize.sh address,undefined --native-only  # the native tests only
#   tests/sanitize.sh thread                           # TSan: native tests only (a JVM cannot run under it)
#   tests/sanitize.sh thread -R 'thread|lifecycle|concurr'  # the tests whose ctest names match (CI)
# Options:
#   --native-only   skip the JUnit pass (implied by thread)
#   -R, --tests RE  run only the native tests whose ctest name matches RE (ctest -R); with
#                   --native-only or thread, only their programs are built
# The first sanitizer report fails the run (halt_on_error), and ctest stops at the first failing test.
# Build directory: target/sanitize-<sanitizers> (override with SANITIZE_BUILD_DIR=...), apart from
# Maven's target/native. Compile and ctest jobs: nproc (override with SANITIZE_JOBS=...).
set -euo pipefail

usage() {
    sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SANITIZERS=address,undefined
NATIVE_ONLY=false
TESTS=""
while (($#)); do
    case "$1" in
        --native-only) NATIVE_ONLY=true ;;
        -R | --tests)
            (($# >= 2)) || usage
            TESTS="$2"
            shift
            ;;
        -h | --help) usage ;;
        -*) echo "sanitize.sh: unknown option $1" >&2 && usage ;;
        *) SANITIZERS="$1" ;;
    esac
    shift
done
[[ "$SANITIZERS" == *thread* ]] && NATIVE_ONLY=true
BUILD_DIR="${SANITIZE_BUILD_DIR:-$ROOT/target/sanitize-${SANITIZERS//,/-}}"
JOBS="${SANITIZE_JOBS:-$(nproc 2>/dev/null || echo 2)}"

# Seconds since the script started, for the step lines.
step() { echo "sanitize.sh [${SECONDS}s]: $*"; }

step "$SANITIZERS: configuring $BUILD_DIR"
cmake -S "$ROOT" -B "$BUILD_DIR" -DRWKVX_SANITIZE="$SANITIZERS" -DRWKVX_CUDA=OFF -DRWKVX_BUILD_BENCH=OFF >/dev/null
targets=()
if [[ -n "$TESTS" ]]; then
    # A pattern that matches nothing would pass silently: fail on none.
    selected=$(cd "$BUILD_DIR" && ctest -N -R "$TESTS" | sed -n 's/^ *Test *#[0-9]*: //p')
    [[ -n "$selected" ]] || {
        echo "sanitize.sh: no native test matches -R '$TESTS'" >&2
        exit 1
    }
    step "$SANITIZERS: native tests matching '$TESTS': $(echo $selected)"
    # Build only the programs they run (target name = program name, read from ctest's files; librwkvx
    # comes with them), or everything when the JUnit pass follows (it needs librwkvx) or none is found.
    if $NATIVE_ONLY; then
        for name in $selected; do
            program=$(find "$BUILD_DIR" -name CTestTestfile.cmake -exec sed -n -E \
                "s/^add_test\((\[=\[)?$name(\]=\])? \"([^\"]*)\".*/\3/p" {} + | head -n 1)
            if [[ "$program" == "$BUILD_DIR"/* ]]; then targets+=("$(basename "$program")"); fi
        done
    fi
fi
step "$SANITIZERS: building ${targets[*]:-librwkvx and all native tests}"
cmake --build "$BUILD_DIR" -j "$JOBS" ${targets[@]:+--target "${targets[@]}"}

# halt_on_error: the first report fails the test (UBSan and TSan would otherwise only print and go on).
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1"
ctest_args=(--output-on-failure --stop-on-failure --parallel "$JOBS")
[[ -z "$TESTS" ]] || ctest_args+=(-R "$TESTS")
step "$SANITIZERS: running the native tests"
(cd "$BUILD_DIR" && ctest "${ctest_args[@]}")

if ! $NATIVE_ONLY && [[ "$SANITIZERS" == *address* ]]; then
    # Compiles the Java sources and the tests (and Maven's own librwkvx) without the sanitizer runtime,
    # then runs only Surefire with it: cmake and the uninstrumented native tests stay outside ASan.
    step "$SANITIZERS: compiling the Java sources and tests"
    mvn -B -q -f "$ROOT/pom.xml" test-compile
    # The JVM is not instrumented: the ASan runtime must be loaded first (LD_PRELOAD), must leave the
    # JVM's own SIGSEGV handling alone, and cannot tell the JVM's deliberate leaks from ours.
    preload="$(readlink -f "$(g++ -print-file-name=libasan.so)")"
    if [[ "$SANITIZERS" == *undefined* ]]; then
        preload="$preload $(readlink -f "$(g++ -print-file-name=libubsan.so)")"
    fi
    step "$SANITIZERS: running the JUnit suite against $BUILD_DIR/librwkvx.so"
    # Surefire would bury a report in the crashed fork's dump file: the reports go to files of their own
    # (log_path, one per process), printed here when the run fails. validate selects the JDK toolchain
    # that surefire:test then forks.
    reports="$BUILD_DIR/junit-sanitizer-report"
    rm -f "$reports".*
    if ! LD_PRELOAD="$preload" \
        ASAN_OPTIONS="halt_on_error=1:detect_leaks=0:handle_segv=0:allow_user_segv_handler=1:use_sigaltstack=0:log_path=$reports" \
        UBSAN_OPTIONS="$UBSAN_OPTIONS:log_path=$reports" \
        JAVA_TOOL_OPTIONS="-Drwkvx.library.path=$BUILD_DIR/librwkvx.so" \
        mvn -B -q -f "$ROOT/pom.xml" validate surefire:test; then
        for f in "$reports".*; do
            [[ -e "$f" ]] || continue
            echo "==== sanitizer report $f" >&2
            cat "$f" >&2
        done
        step "$SANITIZERS: the JUnit suite failed"
        exit 1
    fi
fi
step "$SANITIZERS: all tests passed$($NATIVE_ONLY && echo ' (native only)')"
