#!/usr/bin/env bash
# bench/baselines: on the meli-100k split (experiments/meli-100k.json: 95,000 train + 5,000 validation,
# 25,000 test rows), fastText 0.9.2 (Debian's `fasttext`) against lmev's `fasttext` model with the same
# settings, one after the other in this run: test balanced accuracy, accuracy and training seconds of both.
# A script that prints figures, not a test. Needs the team's ../shared/data; skips with a message without it.
#
#   bench/baselines/run.sh [--rows N]
#
# --rows N: N training rows instead (a smoke run): the meli-100k experiment with its sample and test rows
# scaled to N (sample 1.25 N, test N/4), in a project folder of its own under BENCH_DIR, not this one's cache.
# BENCH_DIR: the folder to build and work in (default: a new one under $TMPDIR). BENCH_BUILD=only builds
# into it and stops; BENCH_BUILD=skip runs what it holds (bench/run builds every bench first, then runs them).
# Without fastText, and when apt cannot install it (or BENCH_NO_INSTALL=1), it says so and exits 0.
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
ROWS=""
case "${1:-}" in
  --rows) ROWS=${2:?--rows needs a number} ;;
  "") ;;
  *) echo "bench/baselines: unknown argument '$1' (usage: run.sh [--rows N])" >&2; exit 2 ;;
esac
skip() { echo "bench/baselines: skipped: $1"; printf "skipped\tbaselines\t%s\n" "$1"; exit 0; }
[ -f "$DATA" ] || skip "$DATA not found (the team's shared data; not in a user's clone)"
if ! command -v fasttext >/dev/null && [ "${BENCH_BUILD:-}" != only ]; then
  [ -z "${BENCH_NO_INSTALL:-}" ] || skip "no fasttext command (Debian's fasttext; BENCH_NO_INSTALL is set)"
  echo "# installing Debian's fasttext"
  SUDO=$([ "$(id -u)" = 0 ] && echo "" || echo sudo)
  { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq fasttext >/dev/null; } || skip "no fasttext command, and apt-get could not install Debian's fasttext"
fi
OUT=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/lmev-bench-baselines.XXXXXX")}
if [ "${BENCH_BUILD:-}" != skip ]; then
  echo "# building lmev and bench/baselines (Release) into $OUT"
  dotnet build "$ROOT/src/Cli/Lmev.Cli.csproj" -c Release -o "$OUT/lmev" --nologo -v q -clp:NoSummary
  dotnet build "$HERE/Lmev.Bench.Baselines.csproj" -c Release -o "$OUT/bench" --nologo -v q -clp:NoSummary
fi
if [ "${BENCH_BUILD:-}" = only ]; then exit 0; fi
LMEV=(dotnet "$OUT/lmev/lmev.dll")
BENCH=(dotnet "$OUT/bench/lmev-bench-baselines.dll")

EXPERIMENT=meli-100k
PROJECT="$ROOT"
if [ -n "$ROWS" ]; then
  # A project of its own: this lock with the shared file's absolute path, meli-100k scaled to ROWS.
  EXPERIMENT=meli-bench
  PROJECT="$OUT/project"
  mkdir -p "$PROJECT/experiments"
  sed "s|\"../shared/data/meli2019-es-titles.csv.gz\"|\"$DATA\"|" "$ROOT/data.lock.json" > "$PROJECT/data.lock.json"
  sed -e "s/\"rows\": 125000,/\"rows\": $((ROWS * 5 / 4)),/" -e "s/\"testRows\": 25000,/\"testRows\": $((ROWS / 4)),/" \
    "$ROOT/experiments/meli-100k.json" > "$PROJECT/experiments/$EXPERIMENT.json"
  grep -q "\"rows\": $((ROWS * 5 / 4))," "$PROJECT/experiments/$EXPERIMENT.json" && grep -q "\"testRows\": $((ROWS / 4))," "$PROJECT/experiments/$EXPERIMENT.json" \
    || { echo "bench/baselines: experiments/meli-100k.json no longer has \"rows\": 125000 and \"testRows\": 25000 to scale; update run.sh" >&2; exit 1; }
fi

for step in download filter-spanish sample split; do "${LMEV[@]}" "$step" --experiment "$EXPERIMENT" --root "$PROJECT" | grep -v "^ " | tail -1; done
KEY=$(sed -n 's/^  "key": "\(.*\)",$/\1/p' "$PROJECT/cache/refs/$EXPERIMENT/split.json")
SPLIT="$PROJECT/cache/split/$KEY"
"${BENCH[@]}" to-fasttext "$SPLIT" "$OUT/fasttext"
echo "# machine: $(nproc) CPUs; load average $(cut -d' ' -f1-3 /proc/loadavg)"

start=$(date +%s.%N)
fasttext supervised -input "$OUT/fasttext/train.txt" -output "$OUT/fasttext/model" \
  -dim 100 -wordNgrams 2 -epoch 15 -lr 0.5 -loss softmax -minCount 1 -verbose 0
ft_seconds=$(echo "$(date +%s.%N) - $start" | bc)
fasttext predict "$OUT/fasttext/model.bin" "$OUT/fasttext/test.txt" > "$OUT/fasttext/predictions.txt"
FT_VERSION=$(dpkg-query -W -f='${Version}' fasttext 2>/dev/null || echo '?')
echo "fastText $FT_VERSION:" \
     "$("${BENCH[@]}" score "$SPLIT" "$OUT/fasttext/predictions.txt") train seconds $(printf '%.1f' "$ft_seconds") (load average $(cut -d' ' -f1-3 /proc/loadavg))"

start=$(date +%s.%N)
"${LMEV[@]}" train --experiment "$EXPERIMENT" --model fasttext --force --root "$PROJECT" > "$OUT/lmev-train.log"
lmev_wall=$(echo "$(date +%s.%N) - $start" | bc)
METRICS="$PROJECT/saved_models/$EXPERIMENT/fasttext/run-1/metrics.json"
echo "lmev fasttext:   $("${BENCH[@]}" run "$METRICS"); command wall $(printf '%.1f' "$lmev_wall") s (load average $(cut -d' ' -f1-3 /proc/loadavg))"
echo
"${BENCH[@]}" figures "$SPLIT" "$OUT/fasttext/predictions.txt" "$ft_seconds" "fastText $FT_VERSION CLI" "$METRICS"
