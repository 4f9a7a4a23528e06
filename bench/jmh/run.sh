#!/usr/bin/env bash
# JMH benchmarks of the Java layer (bench/README.md, "Java layer (JMH)"): FFM downcall cost, Session.decodeStep
# against rwkvx_model_eval alone, zero-copy tensor hand-off against copies, tokenizer MB/s, sampler cost.
#   bench/jmh/run.sh                       # the figures of bench/README.md (about 15 minutes on 2 cores)
#   bench/jmh/run.sh --quick               # smoke: 1 fork, short iterations (about 3 minutes)
#   bench/jmh/run.sh --quick Decode        # any JMH arguments after it: a benchmark regex, -p threads=1, -prof gc
# Builds the root project (no tests, no CUDA) and this one first; the 0.1B-shaped model is the serving
# benchmark's (target/bench-serving), written once. Results also go to bench/jmh/target/jmh-result.json.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
JMH="$ROOT/bench/jmh"

quick=()
if [[ "${1:-}" == "--quick" ]]; then
    quick=(-f 1 -wi 1 -w 1s -i 2 -r 1s)
    shift
fi

if [[ -z "${JAVA_HOME:-}" || ! -x "${JAVA_HOME}/bin/java" ]]; then
    for candidate in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*25*; do
        if [[ -x "$candidate/bin/java" ]]; then export JAVA_HOME="$candidate"; break; fi
    done
fi
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
JAVAC="${JAVA_HOME:+$JAVA_HOME/bin/}javac"

# The root's classes (and the native library under META-INF/native), then the benchmarks against them.
mvn -B -q -o -DskipTests -Drwkvx.cuda=OFF package >&2
mvn -B -q -o -f "$JMH/pom.xml" package >&2
CP="$JMH/target/classes:$(cat "$JMH/target/classpath.txt")"

if [[ ! -f target/bench-serving/rwkv7-0.1b-synthetic-f16.safetensors ]]; then
    # The serving benchmark's generator (its libraries in target/lib, copied there by the root's package).
    "$JAVAC" -nowarn -d "$JMH/target/serving-classes" -cp "target/classes:target/lib/*" bench/serving/ServingBench.java
    "$JAVA" --enable-native-access=ALL-UNNAMED -cp "$CP:$JMH/target/serving-classes:target/lib/*" \
        io.rwkvx.bench.jmh.SyntheticModelFile
fi

echo "# $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs; load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$JAVA" -cp "$CP" org.openjdk.jmh.Main "${quick[@]}" -rf json -rff "$JMH/target/jmh-result.json" "$@"
echo "# load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
