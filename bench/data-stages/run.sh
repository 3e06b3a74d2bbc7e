#!/usr/bin/env bash
# bench/data-stages: FilterSpanish + Sample throughput against `gzip -dc` on the same file, and
# Sample's peak memory on a 1 M-row and a 5 M-row input. A script that prints figures, not a test.
#
#   bench/data-stages/run.sh [ROWS]        (default 5000000; needs ~2 GB of disk under $TMPDIR)
#
# Goals (issue 2): (FilterSpanish+Sample rows/s) / (gzip -dc rows/s) >= 0.7; Sample's peak RSS
# (N = 100,000) within 20 % between the 1 M-row and the 5 M-row input.
set -euo pipefail
ROWS=${1:-5000000}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/lmev-bench-data.XXXXXX")}
mkdir -p "$WORK/experiments"
echo "# building lmev (Release)"
dotnet build "$ROOT/src/Cli/Lmev.Cli.csproj" -c Release -o "$WORK/bin" --nologo -v q >/dev/null
LMEV=(dotnet "$WORK/bin/lmev.dll")

for n in 1000000 "$ROWS"; do
  [ -f "$WORK/meli-$n.csv.gz" ] || "${LMEV[@]}" demo-data --rows "$n" --seed 7 -o "$WORK/meli-$n.csv.gz" 2>/dev/null
done

# A project folder whose lock points at the generated files.
cat > "$WORK/data.lock.json" <<JSON
{ "sources": {
  "bench-1m": { "url": "meli-1000000.csv.gz", "format": "csv.gz" },
  "bench-big": { "url": "meli-$ROWS.csv.gz", "format": "csv.gz" } } }
JSON
for name in bench-1m bench-big; do
  cat > "$WORK/experiments/$name.json" <<JSON
{ "description": "data-stages benchmark", "dataset": { "source": "$name" }, "filter": {},
  "sample": { "rows": 100000, "seed": 1 }, "split": { "testRows": 1000 }, "train": {} }
JSON
done

run() { # run STEP EXPERIMENT -> prints wall seconds and peak RSS (KiB)
  /usr/bin/time -o "$WORK/time.txt" -f "%e %M" "${LMEV[@]}" "$1" --experiment "$2" --root "$WORK" --force >/dev/null 2>&1
  tail -1 "$WORK/time.txt"
}

echo "# copying the sources into the cache (not timed)"
"${LMEV[@]}" download --experiment bench-1m --root "$WORK" >/dev/null 2>&1
"${LMEV[@]}" download --experiment bench-big --root "$WORK" >/dev/null 2>&1
FILE="$WORK/meli-$ROWS.csv.gz"
BYTES=$(stat -c %s "$FILE")

# Warm the page cache, then time each three times and keep the fastest.
cat "$FILE" > /dev/null
best() { sort -n | head -1; }
GZ=$(for i in 1 2 3; do /usr/bin/time -o "$WORK/time.txt" -f "%e" gzip -dc "$FILE" >/dev/null; tail -1 "$WORK/time.txt"; done | best)
"${LMEV[@]}" filter-spanish --experiment bench-big --root "$WORK" >/dev/null 2>&1  # so sample has its input
FS=$(for i in 1 2 3; do run filter-spanish bench-big | cut -d' ' -f1; done | best)
SA_BIG=$(run sample bench-big)
"${LMEV[@]}" filter-spanish --experiment bench-1m --root "$WORK" >/dev/null 2>&1
SA_1M=$(run sample bench-1m)
SA=$(echo "$SA_BIG" | cut -d' ' -f1)
RSS_BIG=$(echo "$SA_BIG" | cut -d' ' -f2)
RSS_1M=$(echo "$SA_1M" | cut -d' ' -f2)

awk -v rows="$ROWS" -v bytes="$BYTES" -v gz="$GZ" -v fs="$FS" -v sa="$SA" -v r1="$RSS_1M" -v rb="$RSS_BIG" 'BEGIN {
  printf "\ninput: %d MeLi-shaped rows, %.0f MiB gzip, 2 cores: %s\n\n", rows, bytes/1048576, ENVIRON["HOSTNAME"]
  printf "%-34s %10s %14s\n", "measurement", "seconds", "rows/s"
  printf "%-34s %10.2f %14.0f\n", "gzip -dc FILE > /dev/null", gz, rows/gz
  printf "%-34s %10.2f %14.0f\n", "lmev filter-spanish (whole stage)", fs, rows/fs
  printf "%-34s %10.2f %14s\n", "lmev sample N=100,000", sa, "-"
  printf "%-34s %10.2f %14.0f\n", "filter-spanish + sample", fs+sa, rows/(fs+sa)
  printf "\nratio (filter+sample rows/s) / (gzip -dc rows/s) = %.2f   (goal >= 0.7)\n", gz/(fs+sa)
  printf "sample peak RSS: 1 M rows %.1f MiB, %d rows %.1f MiB, difference %+.1f %%   (goal within 20 %%)\n", r1/1024, rows, rb/1024, (rb-r1)/r1*100
}'
echo "(stage timings are whole processes: .NET start-up, hashing of outputs and manifest included; work folder $WORK)"
