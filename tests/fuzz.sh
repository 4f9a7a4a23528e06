#!/usr/bin/env bash
# Coverage-guided fuzzing of every parser and decoder with Jazzer (the @FuzzTest methods of *FuzzTest.java).
#
#   tests/fuzz.sh               long run: 1,000,000 executions per target (at most FUZZ_MAX_DURATION each, 1h)
#   tests/fuzz.sh --ci          short run for CI: 8,000 executions per target (about 10^5 in all), a few minutes
#   tests/fuzz.sh [--ci] FormatFuzzTest#pth TokenizerFuzzTest#neoxRoundTrip ...   only the targets named
#
# Environment: FUZZ_RUNS (executions per target, overrides the mode's), FUZZ_MAX_DURATION (per target, Jazzer's
# duration syntax: 90s, 10m, 1h), FUZZ_TIMEOUT (seconds one input may take before it counts as a hang, 30),
# FUZZ_HEAP (the test JVM's -Xmx, 512m: an allocation sized by a corrupt field fails), MVN_FLAGS (e.g. -o).
#
# Jazzer fuzzes one @FuzzTest per JVM, so each target is its own surefire run (JAZZER_FUZZ=1, -Dtest=Class#method).
# The seeds are tests/corpus/<package>/<Class>Inputs/<method>/; `mvn test` replays them (and every committed
# crash-* input) without fuzzing. What fuzzing adds to the corpus stays in .cifuzz-corpus/ (not committed) and
# seeds the next run. A finding is written to the repository root as crash-<sha1> (timeout-, oom- likewise) with
# the stack trace in the log; once fixed, move the input into the target's corpus folder as a regression input.
# Logs: target/fuzz/<Class>#<method>.log. Exit status: non-zero if any target found something.
set -euo pipefail
cd "$(dirname "$0")/.."

ALL_TARGETS=(
  FormatFuzzTest#rwkvCpp
  FormatFuzzTest#safetensors
  FormatFuzzTest#pth
  FormatFuzzTest#pthZip
  FormatFuzzTest#pthUnpickler
  TokenizerFuzzTest#worldVocab
  TokenizerFuzzTest#neoxTokenizerFile
  TokenizerFuzzTest#worldRoundTrip
  TokenizerFuzzTest#neoxRoundTrip
  TokenizerFuzzTest#byteRoundTrip
  NpyFuzzTest#npy
  StateFuzzTest#stateLoad
  JsonParserFuzzTest#json
)

runs=1000000
max_duration=${FUZZ_MAX_DURATION:-1h}
targets=()
for arg in "$@"; do
  case "$arg" in
    --ci) runs=8000; max_duration=${FUZZ_MAX_DURATION:-90s} ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $arg (see --help)" >&2; exit 2 ;;
    *) targets+=("$arg") ;;
  esac
done
runs=${FUZZ_RUNS:-$runs}
[ ${#targets[@]} -gt 0 ] || targets=("${ALL_TARGETS[@]}")
# shellcheck disable=SC2206
mvn_flags=(-B ${MVN_FLAGS:-})

# Compile once (the fuzz targets need no native library, so CMake is skipped), then one JVM per target.
mvn "${mvn_flags[@]}" -q -Dexec.skip=true test-compile
mkdir -p target/fuzz
failed=()
total_runs=0
start_all=$SECONDS
for target in "${targets[@]}"; do
  log="target/fuzz/$target.log"
  start=$SECONDS
  # validate selects the JDK 25 toolchain; surefire:test alone then runs the one target on it. JUnit's own
  # timeout is off (a fuzzing run is one long invocation); Jazzer turns the per-method default into
  # libFuzzer's per-input -timeout.
  if JAZZER_FUZZ=1 mvn "${mvn_flags[@]}" validate surefire:test \
      -Dtest="$target" -Dsurefire.failIfNoSpecifiedTests=false \
      -Djazzer.max_executions="$runs" -Djazzer.max_duration="$max_duration" \
      -Djunit.jupiter.execution.timeout.mode=disabled \
      -Djunit.jupiter.execution.timeout.testtemplate.method.default="${FUZZ_TIMEOUT:-30} s" \
      -Dfuzz.argLine="-Xmx${FUZZ_HEAP:-512m}" >"$log" 2>&1; then
    status=ok
  else
    status=FAILED
    failed+=("$target")
  fi
  # libFuzzer's closing line "Done N runs in S second(s)"; after a finding, its last status line "#N ...".
  n=$(grep -Eo '^(INFO: )?#[0-9]+' "$log" | tail -1 | grep -Eo '[0-9]+' || true)
  secs=$(grep -Eo 'Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1 | awk '{n=$2; s=$5} END {print s}' || true)
  done_runs=$(grep -Eo 'Done [0-9]+ runs' "$log" | tail -1 | awk '{print $2}' || true)
  n=${done_runs:-${n:-0}}
  rate='?'
  [ -n "$secs" ] && rate=$((n / (secs > 0 ? secs : 1)))
  total_runs=$((total_runs + n))
  printf 'fuzz: %-36s %-6s %9s executions in %5ss (%6s exec/s), %4ss with JVM start\n' \
    "$target" "$status" "$n" "${secs:-?}" "$rate" $((SECONDS - start))
  if [ "$status" != ok ]; then
    grep -E '^(== Java Exception|Caused by|\s+at io\.rwkvx|.*FuzzTestFindingException|artifact_prefix|Test unit written)' \
      "$log" | head -20 | sed 's/^/fuzz:   /' || true
    echo "fuzz:   full log: $log" >&2
  fi
done
echo "fuzz: ${#targets[@]} targets, $total_runs executions in $((SECONDS - start_all)) s; ${#failed[@]} failed ${failed[*]:-}"
[ ${#failed[@]} -eq 0 ]
