#!/usr/bin/env bash
# bench/baselines: on the meli-100k split (experiments/meli-100k.json: 95,000 train + 5,000 validation,
# 25,000 test rows), fastText 0.9.2 (Debian's `fasttext`) against lmev's `fasttext` model with the same
# settings, one after the other in this run: test balanced accuracy, accuracy and training seconds of both.
# A script that prints figures, not a test. Needs the team's ../shared/data; skips with a message without it.
#
#   bench/baselines/run.sh
#
# fastText: `supervised -dim 100 -wordNgrams 2 -epoch 15 -lr 0.5 -loss softmax -minCount 1` (its default
# -thread 12, Hogwild) on train + validation, as the issue that asked for this measured it; its seconds are
# the wall time of that command (dictionary and all). lmev: `lmev train --model fasttext --force` with the
# entry of experiments/meli-100k.json (the same settings; batches of 32; one libtorch thread), trained on
# train only (validation is scored after each epoch); its seconds are the run's train_seconds (the training
# loop), and the command's wall time is printed beside them.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DATA="$ROOT/../shared/data/meli2019-es-titles.csv.gz"
if [ ! -f "$DATA" ]; then
  echo "bench/baselines: skipped: $DATA not found (the team's shared data; not in a user's clone)"
  exit 0
fi
if ! command -v fasttext >/dev/null; then
  echo "# installing Debian's fasttext"
  SUDO=$([ "$(id -u)" = 0 ] && echo "" || echo sudo)
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq fasttext >/dev/null
fi
OUT=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/lmev-bench-baselines.XXXXXX")}
echo "# building lmev and bench/baselines (Release) into $OUT"
dotnet build "$ROOT/src/Cli/Lmev.Cli.csproj" -c Release -o "$OUT/lmev" --nologo -v q >/dev/null
dotnet build "$HERE/Lmev.Bench.Baselines.csproj" -c Release -o "$OUT/bench" --nologo -v q >/dev/null
LMEV=(dotnet "$OUT/lmev/lmev.dll")
BENCH=(dotnet "$OUT/bench/lmev-bench-baselines.dll")

for step in download filter-spanish sample split; do "${LMEV[@]}" "$step" --experiment meli-100k --root "$ROOT" | grep -v "^ " | tail -1; done
KEY=$(sed -n 's/^  "key": "\(.*\)",$/\1/p' "$ROOT/cache/refs/meli-100k/split.json")
SPLIT="$ROOT/cache/split/$KEY"
"${BENCH[@]}" to-fasttext "$SPLIT" "$OUT/fasttext"
echo "# machine: $(nproc) CPUs; load average $(cut -d' ' -f1-3 /proc/loadavg)"

start=$(date +%s.%N)
fasttext supervised -input "$OUT/fasttext/train.txt" -output "$OUT/fasttext/model" \
  -dim 100 -wordNgrams 2 -epoch 15 -lr 0.5 -loss softmax -minCount 1 -verbose 0
ft_seconds=$(echo "$(date +%s.%N) - $start" | bc)
fasttext predict "$OUT/fasttext/model.bin" "$OUT/fasttext/test.txt" > "$OUT/fasttext/predictions.txt"
echo "fastText $(dpkg-query -W -f='${Version}' fasttext 2>/dev/null || echo '?'):" \
     "$("${BENCH[@]}" score "$SPLIT" "$OUT/fasttext/predictions.txt") train seconds $(printf '%.1f' "$ft_seconds") (load average $(cut -d' ' -f1-3 /proc/loadavg))"

start=$(date +%s.%N)
"${LMEV[@]}" train --experiment meli-100k --model fasttext --force --root "$ROOT" > "$OUT/lmev-train.log"
lmev_wall=$(echo "$(date +%s.%N) - $start" | bc)
echo "lmev fasttext:   $("${BENCH[@]}" run "$ROOT/saved_models/meli-100k/fasttext/run-1/metrics.json"); command wall $(printf '%.1f' "$lmev_wall") s (load average $(cut -d' ' -f1-3 /proc/loadavg))"
