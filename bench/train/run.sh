#!/usr/bin/env bash
# bench/train: samples/s of the study's MLP (dim 50 and 128, 1,588 classes, batch 4096, hidden 512,
# random data) through Lmev.Training's Trainer, and the achieved GFLOP/s as a fraction of a
# 2048×2048 torch.mm measured in the same process. A script that prints figures, not a test.
#
#   bench/train/run.sh [--threads N] [--batches B] [--cuda]     (defaults: all cores, 8 batches/epoch)
# BENCH_DIR: the folder to build and work in (default: a new one under $TMPDIR). BENCH_BUILD=only builds
# into it and stops; BENCH_BUILD=skip runs what it holds (bench/run builds every bench first, then runs them).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/lmev-bench-train.XXXXXX")}
if [ "${BENCH_BUILD:-}" != skip ]; then
  echo "# building bench/train (Release) into $OUT"
  dotnet build "$HERE/Lmev.Bench.Train.csproj" -c Release -o "$OUT" --nologo -v q -clp:NoSummary
fi
if [ "${BENCH_BUILD:-}" = only ]; then exit 0; fi
dotnet "$OUT/lmev-bench-train.dll" "$@"
