#!/usr/bin/env bash
# bench/remote: `lmev cache pull` throughput from an S3 remote beside curl fetching the same objects from the same server in
# the same run. A script that prints figures, not a test.
#
#   bench/remote/run.sh [ROWS]      (default 8000000: a download and a filter-spanish entry of ~520 MB together)
#
# The server is s3rver (node, on 127.0.0.1, started and stopped here; .ci/run installs it into ~/.cache/lmev/s3rver).
# lmev pushes the two entries, then pulls them into an empty cache three times (`lmev cache pull`: a whole process, the
# manifests read and checked, each file hashed on the way and published by rename); curl fetches the same objects (the
# manifests, the .partial.json lists and the files, one after the other, into files) three times; the fastest of each.
# Goal: lmev's MB/s / curl's MB/s >= 0.8. The machine's load is printed with every figure: on a shared 2-core machine the
# server, the client and whatever else runs compete.
# BENCH_DIR: the folder to build and work in (default: a new one under $TMPDIR). BENCH_BUILD=only builds into it and stops;
# BENCH_BUILD=skip runs what it holds (bench/run builds every bench first, then runs them). Besides its prose it prints
# bench/run's result lines (see bench/BenchFigure.cs).
set -euo pipefail
ROWS=${1:-8000000}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORK=${BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/lmev-bench-remote.XXXXXX")}
if [ "${BENCH_BUILD:-}" != skip ]; then
  echo "# building lmev (Release)"
  dotnet build "$ROOT/src/Cli/Lmev.Cli.csproj" -c Release -o "$WORK/bin" --nologo -v q -clp:NoSummary
fi
if [ "${BENCH_BUILD:-}" = only ]; then exit 0; fi
LMEV=(dotnet "$WORK/bin/lmev.dll")
load() { cut -d' ' -f1-3 /proc/loadavg; }

S3RVER="${XDG_CACHE_HOME:-$HOME/.cache}/lmev/s3rver/node_modules/s3rver/bin/s3rver.js"
if [ ! -f "$S3RVER" ] || ! command -v node >/dev/null || ! command -v curl >/dev/null; then
  printf "skipped\tremote\ts3rver (in ~/.cache/lmev/s3rver), node or curl is missing\n"
  exit 0
fi

# A project whose dataset is a generated file, so that its first two steps make entries of a useful size.
PROJECT="$WORK/project"
rm -rf "$PROJECT" "$WORK/s3" "$WORK/pulled" "$WORK/curl" "$WORK/s3rver.log" # an old log would name an old port
mkdir -p "$PROJECT/experiments" "$WORK/s3" "$WORK/curl"
[ -f "$WORK/titles-$ROWS.csv.gz" ] || "${LMEV[@]}" demo-data --rows "$ROWS" --seed 7 -o "$WORK/titles-$ROWS.csv.gz" >/dev/null 2>&1
cat > "$PROJECT/data.lock.json" <<JSON
{ "sources": { "titles": { "url": "$WORK/titles-$ROWS.csv.gz", "format": "csv.gz" } } }
JSON
cat > "$PROJECT/experiments/bench.json" <<JSON
{ "description": "remote benchmark", "dataset": { "source": "titles" }, "filter": {},
  "sample": { "rows": 1000, "seed": 1 }, "split": { "testRows": 100 }, "train": {} }
JSON
echo "# the entries (not timed)"
"${LMEV[@]}" download --experiment bench --root "$PROJECT" >/dev/null
"${LMEV[@]}" filter-spanish --experiment bench --root "$PROJECT" >/dev/null

node "$S3RVER" -d "$WORK/s3" -a 127.0.0.1 -p 0 --configure-bucket bench --silent >"$WORK/s3rver.log" 2>&1 &
S3PID=$!
trap 'kill "$S3PID" 2>/dev/null || true' EXIT
PORT=""
for _ in $(seq 100); do
  PORT=$(grep -oE '127\.0\.0\.1:[0-9]+' "$WORK/s3rver.log" | head -1 | cut -d: -f2 || true)
  [ -n "$PORT" ] && break
  sleep 0.2
done
if [ -z "$PORT" ]; then
  # --silent keeps s3rver from printing where it listens on some versions: ask it again, talking.
  kill "$S3PID"; node "$S3RVER" -d "$WORK/s3" -a 127.0.0.1 -p 0 --configure-bucket bench >"$WORK/s3rver.log" 2>&1 &
  S3PID=$!
  for _ in $(seq 100); do PORT=$(grep -oE '127\.0\.0\.1:[0-9]+' "$WORK/s3rver.log" | head -1 | cut -d: -f2 || true); [ -n "$PORT" ] && break; sleep 0.2; done
fi
[ -n "$PORT" ] || { echo "error: s3rver did not start" >&2; exit 1; }
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER
REMOTE="s3://bench/lmev?endpoint=http://127.0.0.1:$PORT&path-style=true"
"${LMEV[@]}" cache push --experiment bench --root "$PROJECT" --steps download,filter-spanish --remote "$REMOTE" | tail -1

# The objects, as the remote holds them: <stage>/<key>/{manifest.json,.partial.json,outputs}.
# (s3rver keeps each object's bytes in <key>._S3rver_object.)
OBJECTS=$(cd "$WORK/s3/bench" && find lmev -type f -name '*._S3rver_object' | sed 's|\._S3rver_object$||' | sort)
BYTES=$(cd "$WORK/s3/bench" && find lmev -type f -name '*._S3rver_object' -printf '%s\n' | awk '{ s += $1 } END { print s }')
COUNT=$(echo "$OBJECTS" | wc -l)
echo "# $COUNT objects, $BYTES bytes; load average $(load)"

best() { sort -n | head -1; }
now() { date +%s.%N; }
LMEV_S=$(for i in 1 2 3; do
  rm -rf "$WORK/pulled"
  t0=$(now); "${LMEV[@]}" cache pull --experiment bench --root "$PROJECT" --cache "$WORK/pulled" --steps download,filter-spanish --remote "$REMOTE" >"$WORK/pull.log"; t1=$(now)
  echo "$t1 - $t0" | bc -l
done | best)
tail -1 "$WORK/pull.log"
LOAD_LMEV=$(load)
CURL_S=$(for i in 1 2 3; do
  rm -rf "$WORK/curl"; mkdir -p "$WORK/curl"
  t0=$(now)
  n=0
  for o in $OBJECTS; do n=$((n + 1)); curl -sf -o "$WORK/curl/$n" "http://127.0.0.1:$PORT/bench/$o"; done
  t1=$(now)
  echo "$t1 - $t0" | bc -l
done | best)
LOAD_CURL=$(load)
CURLED=$(du -cb "$WORK/curl" | tail -1 | cut -f1)
echo "# curl fetched $CURLED bytes of files"

awk -v bytes="$BYTES" -v l="$LMEV_S" -v c="$CURL_S" -v count="$COUNT" -v ll="$LOAD_LMEV" -v lc="$LOAD_CURL" '
function num(v) { return v >= 1000 ? sprintf("%.0f", v) : v >= 100 ? sprintf("%.1f", v) : v >= 1 ? sprintf("%.2f", v) : sprintf("%.3f", v) }
BEGIN {
  mb = bytes / 1e6; lr = mb / l; cr = mb / c; ratio = lr / cr
  printf "lmev cache pull: %.1f MB in %.2f s = %.1f MB/s (load %s); curl, the same %d objects: %.2f s = %.1f MB/s (load %s); ratio %.2f\n", mb, l, lr, ll, count, c, cr, lc, ratio
  printf "figure\tremote\tpull from S3 (s3rver), %.0f MB in %d objects, whole process (load %s)\t%s\tMB/s\tcurl, same objects and server (load %s)\t%s\t%s\t>= 0.8\t%s\n", mb, count, ll, num(lr), lc, num(cr), num(ratio), (ratio >= 0.8 ? "met" : "missed")
}'
