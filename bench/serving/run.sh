#!/usr/bin/env bash
# Serving benchmark (bench/README.md, "Serving"): an OpenAI-compatible server on loopback over a synthetic
# 0.1B-shaped RWKV-7 (written once to target/bench-serving), FP16 and Q8_0, 2 threads.
#   bench/serving/run.sh            # full run (a few minutes on 2 cores)
#   bench/serving/run.sh --quick    # under 2 minutes
# Other options: --formats f16,q8_0  --threads N  --dir DIR. Builds the jar (no tests, no CUDA) when missing;
# REBUILD=1 builds it again.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
if [[ "${REBUILD:-0}" == 1 || ! -d target/lib || ! -f target/classes/io/rwkvx/server/OpenAiServer.class ]]; then
    mvn -B -q -o -DskipTests -Drwkvx.cuda=OFF package >&2
fi

JAVA=java
for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/*25* /usr/lib/jvm/*; do
    if [[ -n "$candidate" && -x "$candidate/bin/java" ]] \
        && "$candidate/bin/java" -version 2>&1 | grep -qE 'version "(2[2-9]|[3-9][0-9])'; then
        JAVA="$candidate/bin/java"
        break
    fi
done

exec "$JAVA" --enable-native-access=ALL-UNNAMED -Xmx4g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -cp "target/classes:target/lib/*" bench/serving/ServingBench.java "$@"
