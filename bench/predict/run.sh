#!/usr/bin/env bash
# bench/predict: how fast `lmev predict` classifies the meli-100k test titles (25,000), in one run:
#  - the fasttext run against Debian's fastText 0.9.2 `fasttext predict` with a model trained on the same split and settings
#    (bench/baselines' protocol: train + validation, -dim 100 -wordNgrams 2 -epoch 15 -lr 0.5 -loss softmax -minCount 1),
#    both on one thread (fastText's predict has one; lmev's --threads 1) and pinned to one core (taskset -c 0: lmev's runtime
#    threads, libtorch's loading beside the titles' reading included, share that core), titles/s and their ratio (goal >= 1);
#  - a 128-dim table (the random-dim128-fine-tune run: the table and the MLP in one classifier) through TorchSharp and
#    through its ONNX export (`lmev export-onnx`, `lmev predict --onnx`), one thread each, pinned to the same core.
# A script that prints figures, not a test. Needs the team's ../shared/data and fastText; skips with a message without them.
#
#   bench/predict/run.sh [--rows N] [--repeat R]
#
# Each command reads the titles one per line on standard input (fastText: its predict's file argument) and writes its
# predictions to a file; its wall time is the whole command (start, loading the model, the titles, the output). Each is run R
# times (default 3) and the fastest counts: on a shared machine the least disturbed run is the closest to the machine's speed.
# A second figure takes out start-up and loading: the command on the titles less the same command on no titles. The load
# average before each command is printed beside it and in the figure's name. Training (lmev's runs, fastText's model) is done
# first when the cache or the work folder lacks it, and is not timed.
#
# --rows N: N training rows instead (a smoke run), as bench/baselines does it: the meli-100k experiment scaled to N in a project
# folder of its own under BENCH_DIR. BENCH_DIR: the folder to build and work in (default: a new one under $TMPDIR).
# BENCH_BUILD=only builds into it and stops; BENCH_BUILD=skip runs what it holds (bench/run builds every bench first).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DATA="$ROOT/../shared/data/meli2019-es-titles.csv.gz"
ROWS="" REPEAT=3
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) ROWS=${2:?--rows needs a number}; shift ;;
    --repeat) REPEAT=${2:?--repeat needs a number}; shift ;;
    *) echo "bench/predict: unknown argument '$1' (usage: run.sh [--rows N] [--repeat R])" >&2; exit 2 ;;
  esac
  shift
done
skip() { echo "bench/predict: skipped: $1"; printf "skipped\tpredict\t%s\n" "$1"; exit 0; }
[ -f "$DATA" ] || skip "$DATA not found (the team's shared data; not in a user's clone)"
command -v fasttext >/dev/null || [ "${BENCH_BUILD:-}" = only ] || skip "no fasttext command (Debian's fasttext: apt-get install fasttext; bench/baselines installs it)"
OUT=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/lmev-bench-predict.XXXXXX")}
if [ "${BENCH_BUILD:-}" != skip ]; then
  echo "# building lmev, bench/baselines and bench/predict (Release) into $OUT"
  dotnet build "$ROOT/src/Cli/Lmev.Cli.csproj" -c Release -o "$OUT/lmev" --nologo -v q -clp:NoSummary
  dotnet build "$ROOT/bench/baselines/Lmev.Bench.Baselines.csproj" -c Release -o "$OUT/baselines" --nologo -v q -clp:NoSummary
  dotnet build "$HERE/Lmev.Bench.Predict.csproj" -c Release -o "$OUT/bench" --nologo -v q -clp:NoSummary
fi
if [ "${BENCH_BUILD:-}" = only ]; then exit 0; fi
LMEV=(dotnet "$OUT/lmev/lmev.dll")
BENCH=(dotnet "$OUT/bench/lmev-bench-predict.dll")
load() { cut -d' ' -f1 /proc/loadavg; }

EXPERIMENT=meli-100k
PROJECT="$ROOT"
if [ -n "$ROWS" ]; then
  EXPERIMENT=meli-bench
  PROJECT="$OUT/project"
  mkdir -p "$PROJECT/experiments"
  sed "s|\"../shared/data/meli2019-es-titles.csv.gz\"|\"$DATA\"|" "$ROOT/data.lock.json" > "$PROJECT/data.lock.json"
  sed -e "s/\"rows\": 125000,/\"rows\": $((ROWS * 5 / 4)),/" -e "s/\"testRows\": 25000,/\"testRows\": $((ROWS / 4)),/" \
    "$ROOT/experiments/meli-100k.json" > "$PROJECT/experiments/$EXPERIMENT.json"
  grep -q "\"rows\": $((ROWS * 5 / 4))," "$PROJECT/experiments/$EXPERIMENT.json" \
    || { echo "bench/predict: experiments/meli-100k.json no longer has \"rows\": 125000 and \"testRows\": 25000 to scale; update run.sh" >&2; exit 1; }
fi
TABLE=random-dim128-fine-tune
grep -q "\"name\": \"$TABLE\"" "$PROJECT/experiments/$EXPERIMENT.json" && grep -q '"name": "fasttext"' "$PROJECT/experiments/$EXPERIMENT.json" \
  || { echo "bench/predict: experiments/$EXPERIMENT.json no longer has the models fasttext and $TABLE; update run.sh" >&2; exit 1; }

echo "# the runs (trained here unless the cache has them; not timed)"
for step in download filter-spanish sample split; do "${LMEV[@]}" "$step" --experiment "$EXPERIMENT" --root "$PROJECT" | grep -v "^ " | tail -1; done
"${LMEV[@]}" train --experiment "$EXPERIMENT" --root "$PROJECT" --model fasttext --run 1 | tail -1
"${LMEV[@]}" model --experiment "$EXPERIMENT" --root "$PROJECT" --model "$TABLE" | tail -1
"${LMEV[@]}" train --experiment "$EXPERIMENT" --root "$PROJECT" --model "$TABLE" --run 1 | tail -1
KEY=$(sed -n 's/^  "key": "\(.*\)",$/\1/p' "$PROJECT/cache/refs/$EXPERIMENT/split.json")
SPLIT="$PROJECT/cache/split/$KEY"
"${BENCH[@]}" titles "$SPLIT/test.csv" "$OUT/titles.txt"
TITLES=$(wc -l < "$OUT/titles.txt")
: > "$OUT/empty.txt"

echo "# fastText 0.9.2's model on the same split (train + validation; trained once per work folder; not timed)"
if [ ! -f "$OUT/fasttext/model.bin" ]; then
  dotnet "$OUT/baselines/lmev-bench-baselines.dll" to-fasttext "$SPLIT" "$OUT/fasttext"
  fasttext supervised -input "$OUT/fasttext/train.txt" -output "$OUT/fasttext/model" \
    -dim 100 -wordNgrams 2 -epoch 15 -lr 0.5 -loss softmax -minCount 1 -verbose 0
fi
echo "# $TABLE's export (not timed)"
"${LMEV[@]}" export-onnx --experiment "$EXPERIMENT" --root "$PROJECT" --model "$TABLE" --run 1 -o "$OUT/onnx/$TABLE.onnx"

# One core for every timed command (without taskset, as the shell's affinity allows; said below).
ONE_CORE=()
if command -v taskset >/dev/null; then ONE_CORE=(taskset -c 0); fi
declare -A BEST=() LOADS=()
# time NAME INPUT COMMAND...: the fastest of REPEAT runs of COMMAND < INPUT (its output in $OUT/NAME.out, messages in NAME.err).
time_it() {
  local name=$1 input=$2; shift 2
  local best="" l
  for ((i = 1; i <= REPEAT; i++)); do
    l=$(load)
    local start end seconds
    start=$(date +%s.%N)
    "${ONE_CORE[@]}" "$@" < "$input" > "$OUT/$name.out" 2> "$OUT/$name.err"
    end=$(date +%s.%N)
    seconds=$(echo "$end - $start" | bc)
    echo "  $name: $(printf '%.3f' "$seconds") s (load average $l; $(uptime | sed 's/.*load average/load average/'))"
    if [ -z "$best" ] || [ "$(echo "$seconds < $best" | bc)" = 1 ]; then best=$seconds; LOADS[$name]=$l; fi
  done
  BEST[$name]=$best
}
echo "# machine: $(nproc) CPUs; $(uptime); timed commands ${ONE_CORE[*]:-not pinned (no taskset)}"
echo "# timing ($TITLES titles, fastest of $REPEAT)"
time_it fasttext "$OUT/titles.txt" fasttext predict "$OUT/fasttext/model.bin" -
time_it fasttext-empty "$OUT/empty.txt" fasttext predict "$OUT/fasttext/model.bin" -
time_it lmev-ft "$OUT/titles.txt" "${LMEV[@]}" predict --experiment "$EXPERIMENT" --root "$PROJECT" --model fasttext --run 1 --threads 1
time_it lmev-ft-empty "$OUT/empty.txt" "${LMEV[@]}" predict --experiment "$EXPERIMENT" --root "$PROJECT" --model fasttext --run 1 --threads 1
time_it torch-128 "$OUT/titles.txt" "${LMEV[@]}" predict --experiment "$EXPERIMENT" --root "$PROJECT" --model "$TABLE" --run 1 --threads 1 --top 5
TORCH_RATE=$(sed -n 's/.* s (\([0-9,]*\) titles\/s).*/\1/p' "$OUT/torch-128.err" | tr -d ,)
time_it onnx-128 "$OUT/titles.txt" "${LMEV[@]}" predict --onnx "$OUT/onnx/$TABLE.onnx" --threads 1 --top 5
ONNX_RATE=$(sed -n 's/.* s (\([0-9,]*\) titles\/s).*/\1/p' "$OUT/onnx-128.err" | tr -d ,)

echo "# checks"
echo "  fasttext: $(wc -l < "$OUT/fasttext.out") fastText predictions, $(($(wc -l < "$OUT/lmev-ft.out") - 1)) lmev predictions"
"${LMEV[@]}" predict --experiment "$EXPERIMENT" --root "$PROJECT" --model fasttext --run 1 "$SPLIT/test.csv" -o "$OUT/lmev-ft-test.csv" 2>/dev/null
echo "  lmev fasttext on test.csv: $("${BENCH[@]}" agree "$OUT/lmev-ft-test.csv" "$PROJECT/saved_models/$EXPERIMENT/fasttext/run-1/test-predictions.csv" || true)"
echo "  $TABLE, TorchSharp against ONNX (top 5): $("${BENCH[@]}" compare "$OUT/torch-128.out" "$OUT/onnx-128.out" || true)"
echo
"${BENCH[@]}" figures "$TITLES" "fasttext=${BEST[fasttext]}" "fasttext-empty=${BEST[fasttext-empty]}" "lmev-ft=${BEST[lmev-ft]}" "lmev-ft-empty=${BEST[lmev-ft-empty]}" \
  "torch-128=${BEST[torch-128]}" "onnx-128=${BEST[onnx-128]}" "torch-128-rate=$TORCH_RATE" "onnx-128-rate=$ONNX_RATE" \
  "fasttext-load=${LOADS[fasttext]}" "lmev-ft-load=${LOADS[lmev-ft]}" "torch-128-load=${LOADS[torch-128]}" "onnx-128-load=${LOADS[onnx-128]}"
