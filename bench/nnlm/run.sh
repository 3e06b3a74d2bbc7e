#!/usr/bin/env bash
# bench/nnlm: the NNLM-size (976,640 × 128) bag-of-embeddings table in the training pipeline.
# A script that prints figures, not a test.
#
#   bench/nnlm/run.sh finetune [--rows N] [--epochs E] [--buckets B] [--update-steps S] [--threads T] [--cuda] [--profile-epochs P] [--profile-only | --update-only | --fine-tune-only]
#       fine-tune vs frozen on real titles (../shared/data/meli2019-es-titles.csv.gz), a 976,640 × 128 table
#       (--buckets B rows for a smaller one): seconds per epoch, s/step, peak RSS and peak RSS / table bytes;
#       then STREAM's triad over arrays of the table's size and the table update alone: fine-tune / frozen
#       s/epoch (goal <= 1.3), update bandwidth / triad (goal >= 0.5), peak RSS / table (goal <= 4)
#   bench/nnlm/run.sh import [--rows N] [--dim D] [--tokens V] [--partitions K] [--float64]
#       the NNLM import of a 976,640 × 128 checkpoint (made by the tests' bundle writer) in a child
#       process: seconds and peak RSS / table bytes (goal < 2)
# BENCH_DIR: the folder to build and work in (default: a new one under $TMPDIR). BENCH_BUILD=only builds
# into it and stops; BENCH_BUILD=skip runs what it holds (bench/run builds every bench first, then runs them).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/lmev-bench-nnlm.XXXXXX")}
if [ "${BENCH_BUILD:-}" != skip ]; then
  echo "# building bench/nnlm (Release) into $OUT"
  dotnet build "$HERE/Lmev.Bench.Nnlm.csproj" -c Release -o "$OUT" --nologo -v q -clp:NoSummary
fi
if [ "${BENCH_BUILD:-}" = only ]; then exit 0; fi
cd "$HERE/../.."   # the data path ../shared/data is relative to the project root
dotnet "$OUT/lmev-bench-nnlm.dll" "$@"
