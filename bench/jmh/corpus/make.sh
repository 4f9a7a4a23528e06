#!/usr/bin/env bash
# Rebuilds corpus/mixed.txt, the fixed text of the tokenizer benchmark (TokenizerBenchmark): the project's own
# prose (README, docs), code (Java, C, C++) and, between them, corpus/unicode-sections.txt (many scripts, emoji,
# symbols). Only project files, so the text carries the project's license. It is NFC-normalised and spells
# GPT-NeoX's special token <|endoftext|> apart, so that both tokenizers decode it back byte for byte (NeoX
# normalises to NFC and decodes the special token to nothing), and the docs' links to each other name docs/
# (RepositoryLayoutTest wants that outside docs/). The committed mixed.txt is the
# reference: regenerating it after those files changed gives another text and figures not comparable with
# earlier ones.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
HERE="$ROOT/bench/jmh/corpus"
parts=(
    README.md docs/architecture.md
    java/io/rwkvx/Session.java java/io/rwkvx/BatchScheduler.java
    docs/numerics.md
    include/rwkvx.h
    java/io/rwkvx/sampling/Sampler.java java/io/rwkvx/tokenizer/WorldTokenizer.java
    docs/rwkv-x.md
    native/cpu/avx2/matmul_avx2.cpp
)
{
    for p in "${parts[@]}"; do
        printf '\n===== %s =====\n' "$p"
        cat "$ROOT/$p"
        cat "$HERE/unicode-sections.txt"
    done
} | python3 -c '
import re, sys, unicodedata
text = unicodedata.normalize("NFC", sys.stdin.read()).replace("<|endoftext|>", "<| endoftext |>")
text = re.sub(r"(?<![\w/.-])(formats|numerics|architecture|rwkv-x)\.md", r"docs/\1.md", text)
sys.stdout.write(text)' > "$HERE/mixed.txt"
wc -c "$HERE/mixed.txt"
