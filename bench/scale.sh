#!/usr/bin/env bash
# Scale notes for BENCHMARKS.md: how eventlake's throughput and memory change with the number
# of partitions, the duplicate rate, the size of the dedup state, and the input size.
#
#   bench/scale.sh [--only partitions,duplicates,state,memory] [--count 1000000]
#                  [--state-sizes 1000000,50000000] [--sizes 1000000,5000000,20000000]
#                  [--format json|parquet] [--dedup rocksdb|memory]
#
#   partitions  --count events over 10, 240 and 10,000 partitions (types x days)
#   duplicates  --count events with 0% and 50% duplicates
#   state       the standard --count input into a lake whose RocksDB state already holds
#               N live claims on other uuids (eventlake_prefill_state, built in build-bench/)
#   memory      peak RSS and throughput for each of --sizes (the standard generator input)
#
# Every run is `eventlake ingest` with the defaults except --format/--dedup (lake on the disk
# under bench/out/scale/), timed with GNU time, and checked: the report's written, duplicates
# and invalid must equal the generator's expected outcome. Inputs are cached in
# bench/out/inputs/. Writes bench/out/scale.md (the table) and bench/out/scale.tsv.
# Duration on the 2-core dev machine: about 10 minutes with the defaults (the 20M run and
# the 50M-claim state dominate; 20M events need 4.4 GB of disk for the input).
set -euo pipefail

invocation="bench/scale.sh${*:+ $*}"
only=partitions,duplicates,state,memory
count=1000000
state_sizes=1000000,50000000
sizes=1000000,5000000,20000000
format=json
dedup=rocksdb
while [[ $# -gt 0 ]]; do
  case "$1" in
    --only) only="$2"; shift 2 ;;
    --count) count="$2"; shift 2 ;;
    --state-sizes) state_sizes="$2"; shift 2 ;;
    --sizes) sizes="$2"; shift 2 ;;
    --format) format="$2"; shift 2 ;;
    --dedup) dedup="$2"; shift 2 ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "scale.sh: unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/bench/out"
bin="${EVENTLAKE_BIN:-$root/build/eventlake}"
[[ -x "$bin" ]] || { echo "scale.sh: $bin not found: run scripts/build.sh first" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "scale.sh: GNU time (/usr/bin/time, Debian package 'time') is missing" >&2; exit 2; }
mkdir -p "$out/inputs" "$out/scale"
tsv="$out/scale.tsv"
printf 'group\tcase\tevents\tpartitions\twall_s\tevents_per_s\tcpu_s\tmax_rss_mb\tfiles\tcheck\n' >"$tsv"
failed=0

# gen NAME ARGS...: a cached input and its expected outcome; sets $input and $expected.
gen() {
  local name="$1"; shift
  input="$out/inputs/$name.ndjson"
  expected="$out/inputs/$name.expected.json"
  if [[ ! -s "$input" || ! -s "$expected" ]]; then
    echo "== generating $name"
    "$bin" gen "$@" --output "$input.tmp" --expected "$expected.tmp"
    mv "$expected.tmp" "$expected"
    mv "$input.tmp" "$input"
  fi
}

# run GROUP CASE LAKE: ingests $input into LAKE (which may hold a prefilled state), records a row.
run() {
  local group="$1" case="$2" lake="$3"
  local log="$out/scale/$group-$case.log"
  cat "$input" >/dev/null  # from the page cache, like every other run
  if ! /usr/bin/time -f '%e %U %S %M' -o "$out/scale/time" "$bin" ingest -q --progress never --lake "$lake" \
      --format "$format" --dedup "$dedup" --report "$out/scale/report.json" "$input" >"$log" 2>&1; then
    echo "   $group $case: FAILED (see $log)"; failed=1; return
  fi
  local wall user sys rss
  read -r wall user sys rss <"$out/scale/time"
  local files
  files="$(find "$lake" -path '*/event_type=*' -type f | wc -l)"
  python3 - "$out/scale/report.json" "$expected" "$group" "$case" "$wall" "$user" "$sys" "$rss" "$files" >>"$tsv" <<'PY'
import json, sys
report, expected = (json.load(open(p)) for p in sys.argv[1:3])
group, case, wall, user, sys_s, rss, files = sys.argv[3:10]
keys = ("written", "duplicates", "invalid")
ok = all(report.get(k) == expected[k] for k in keys)
events = report["read"]
partitions = len(expected.get("partitions", {}))
print(f"{group}\t{case}\t{events}\t{partitions}\t{wall}\t{events / max(float(wall), 1e-9):.0f}\t"
      f"{float(user) + float(sys_s):.2f}\t{int(rss) / 1024:.0f}\t{files}\t{'OK' if ok else 'FAIL'}")
PY
  tail -1 "$tsv" | awk -F'\t' '{ printf "   %-11s %-14s %9s events %6s partitions %7.2f s %9s ev/s  cpu %6s s  rss %5s MB  files %6s  %s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 }'
  [[ "$(tail -1 "$tsv" | cut -f10)" == OK ]] || failed=1
  rm -rf "$lake"
}

common=(--seed 42 --invalid-rate 0.01)
lake="$out/scale/lake"
rm -rf "$lake"

if [[ ",$only," == *,partitions,* ]]; then
  echo "== partitions ($count events, 10% duplicates, no late events: exact partition counts)"
  # types x days: 10 x 1, 24 x 10, 100 x 100 (event time spread evenly over the days).
  for spec in 10:10:43200 240:24:820800 10000:100:8596800; do  # spans 12 h, 9.5 d, 99.5 d
    IFS=: read -r p types span_s <<<"$spec"
    gen "scale-p$p-$count" --count "$count" "${common[@]}" --types "$types" --span "$span_s" --late-rate 0
    run partitions "p$p" "$lake"
  done
fi

if [[ ",$only," == *,duplicates,* ]]; then
  echo "== duplicates ($count events)"
  for d in 0 0.5; do
    gen "scale-d$d-$count" --count "$count" "${common[@]}" --duplicate-rate "$d"
    run duplicates "dup$d" "$lake"
  done
fi

if [[ ",$only," == *,state,* ]]; then
  echo "== dedup state ($count events into a lake already holding N claims)"
  prefill="$root/build-bench/eventlake_prefill_state"
  if [[ ! -x "$prefill" ]]; then
    cmake -S "$root" -B "$root/build-bench" -DCMAKE_BUILD_TYPE=Release -DEVENTLAKE_BENCH=ON -DEVENTLAKE_TESTS=OFF >/dev/null
    cmake --build "$root/build-bench" -j2 --target eventlake_prefill_state >/dev/null
  fi
  gen "events-$count-seed42" --count "$count" --seed 42 --duplicate-rate 0.1 --far-duplicate-share 0.5 --invalid-rate 0.01
  IFS=, read -ra ns <<<"$state_sizes"
  for n in "${ns[@]}"; do
    rm -rf "$lake"
    start=$SECONDS
    "$prefill" "$lake" "$n" >/dev/null
    echo "   (prefilled $n claims in $((SECONDS - start)) s, $(du -sh "$lake/_eventlake/state" | cut -f1) on disk)"
    run state "claims$n" "$lake"
  done
fi

if [[ ",$only," == *,memory,* ]]; then
  echo "== input size"
  IFS=, read -ra ns <<<"$sizes"
  for n in "${ns[@]}"; do
    gen "events-$n-seed42" --count "$n" --seed 42 --duplicate-rate 0.1 --far-duplicate-share 0.5 --invalid-rate 0.01
    run memory "n$n" "$lake"
  done
fi

{
  echo "Command: \`$invocation\` (eventlake ingest --format $format --dedup $dedup, default threads),"
  echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, load average now $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  echo "| group | case | events | partitions | wall s | events/s | CPU s | peak RSS MB | data files | check |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---|"
  tail -n +2 "$tsv" | awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 }'
} >"$out/scale.md"
cat "$out/scale.md"
exit "$failed"
