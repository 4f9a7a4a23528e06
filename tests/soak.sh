#!/usr/bin/env bash
# Soak run (not in CI): an hour of mixed sessions, snapshots, forks, saves and loads on an RWKV-X model,
# closed and reopened with both weight placements, from several threads (tests/java/io/rwkvx/soak/Soak.java,
# public API only). A line every --interval seconds (stdout and a CSV file): RSS, heap, live native
# handles, work done; at the end a summary: RSS after warm-up, min/max, slope (MB/h, linear fit over the
# second half), live handles at the start and the end. Exit status 1 when a check failed.
#   tests/soak.sh                       # 60 minutes, a line every 30 s, CSV in target/soak.csv
#   tests/soak.sh --minutes 3 --interval 10
#   tests/soak.sh --model X.safetensors # an RWKV-X model of your own (default: a random one, C=128)
# Other options: --warmup S, --csv FILE, --threads N (worker threads per model, default 3), --seed S.
# --no-build skips `mvn -B -q test-compile` (which builds librwkvx and compiles the test classes).
# SOAK_JAVA_OPTS replaces the JVM options (default: a fixed 256 MB heap, touched at start, so that RSS
# growth is native memory, not the heap expanding). RSS includes glibc's malloc arenas (one per thread,
# up to 8 per core, and the soak starts new threads all the time): a second run with MALLOC_ARENA_MAX=2
# tells allocator growth from a leak.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

build=true
args=()
csv_given=false
for a in "$@"; do
    case "$a" in
        --no-build) build=false ;;
        -h | --help)
            sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        *)
            [[ "$a" == --csv ]] && csv_given=true
            args+=("$a")
            ;;
    esac
done
$csv_given || args+=(--csv "$ROOT/target/soak.csv")

# A JDK 22 or newer: $JAVA_HOME, else the newest under /usr/lib/jvm (as bin/rwkvx picks it).
java_major() {
    local v
    v=$("$1" -version 2>&1 | sed -n '1s/.*version "\([0-9]*\).*/\1/p')
    echo "${v:-0}"
}
java=""
if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" && $(java_major "$JAVA_HOME/bin/java") -ge 22 ]]; then
    java="$JAVA_HOME/bin/java"
else
    best=0
    for candidate in /usr/lib/jvm/*/bin/java; do
        [[ -x $candidate ]] || continue
        major=$(java_major "$candidate")
        if ((major >= 22 && major > best)); then
            java=$candidate
            best=$major
        fi
    done
fi
[[ -n $java ]] || {
    echo "soak.sh: no JDK 22 or newer found (checked \$JAVA_HOME and /usr/lib/jvm/*)" >&2
    exit 1
}

if $build; then
    echo "soak.sh: building (mvn -B -q test-compile)"
    mvn -B -q test-compile >&2 # its output (cmake's) to stderr: stdout is the report
fi
# The program needs only the main and test classes (librwkvx is in target/classes/META-INF/native).
# shellcheck disable=SC2086 # SOAK_JAVA_OPTS is a list of options
exec "$java" --enable-native-access=ALL-UNNAMED ${SOAK_JAVA_OPTS:--Xms256m -Xmx256m -XX:+AlwaysPreTouch} \
    -cp "$ROOT/target/classes:$ROOT/target/test-classes" io.rwkvx.soak.Soak "${args[@]}"
