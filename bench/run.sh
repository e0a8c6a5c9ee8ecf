#!/usr/bin/env bash
# eventlake against DuckDB on the same job: NDJSON events in, invalid records dropped, duplicates
# (by event_uuid, first occurrence wins) dropped, event_type/event_subtype/created_datetime
# derived, a Hive-partitioned lake (event_type=T/event_date=D/) out, as JSON lines and as ZSTD
# Parquet. Every output is checked against the generator's expected outcome.
#
#   bench/run.sh [--sizes 1000000,5000000] [--rounds 2] [--large-rounds 1] [--formats json,parquet]
#                [--seed 42]
#   bench/run.sh --quick          # 100000 events, 1 round: a smoke test of the harness
#
# Configurations: eventlake {json, parquet} x {memory, rocksdb} x {--threads 1, all cores} and
# DuckDB {json, parquet} x {threads=1, all cores}. Sizes of 2M events and more run
# --large-rounds rounds, smaller ones --rounds; each round alternates the order.
# Duration with the defaults on the 2-core dev machine: about 13 minutes (1.1 GB input at 5M;
# DuckDB's peak RSS grows by about 1 KB an event, several GB at 5M).
#
# Builds eventlake first (scripts/build.sh, which installs the Debian packages it needs); needs
# node >= 20 and npm (DuckDB comes from the lockfile in tests/interop) and GNU time
# (/usr/bin/time; Debian package `time`, installed when missing).
# Writes everything under bench/out/ (git-ignored): inputs/, runs.tsv (every run), logs/, and
# results.md (the tables: medians over the rounds). Exit status 1 when an output does not match
# the expected outcome (the failing configurations are named), 2 on a setup problem.
#
# Env: EVENTLAKE_BIN: an eventlake binary to measure instead of building this checkout.
set -euo pipefail

usage() { sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; }

sizes=1000000,5000000
rounds=2
large_rounds=1
formats=json,parquet
seed=42
quick=0
sizes_set=0
rounds_set=0
invocation="bench/run.sh${*:+ $*}"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --sizes) sizes="$2"; sizes_set=1; shift 2 ;;
    --rounds) rounds="$2"; rounds_set=1; shift 2 ;;
    --large-rounds) large_rounds="$2"; shift 2 ;;
    --formats) formats="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --quick) quick=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
done
if [[ $quick == 1 ]]; then
  [[ $sizes_set == 1 ]] || sizes=100000
  [[ $rounds_set == 1 ]] || rounds=1
fi
[[ "$sizes" =~ ^[0-9]+(,[0-9]+)*$ ]] || { echo "run.sh: --sizes wants N[,N...]" >&2; exit 2; }
[[ "$rounds" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --rounds wants a positive number" >&2; exit 2; }
[[ "$large_rounds" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --large-rounds wants a positive number" >&2; exit 2; }
[[ "$formats" =~ ^(json|parquet)(,(json|parquet))*$ ]] || { echo "run.sh: --formats wants json and/or parquet" >&2; exit 2; }

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bench="$root/bench"
out="$bench/out"
job="$bench/duckdb_job.mjs"
bin="${EVENTLAKE_BIN:-$root/build/eventlake}"

# ---- tools ------------------------------------------------------------------------------------
if [[ -z "${EVENTLAKE_BIN:-}" ]]; then
  echo "== building eventlake (scripts/build.sh: Debian packages, then cmake; quick when up to date)"
  bash "$root/scripts/build.sh"
fi
if [[ ! -x "$bin" ]]; then
  echo "run.sh: $bin not found (EVENTLAKE_BIN)" >&2
  exit 2
fi
if [[ ! -x /usr/bin/time ]]; then
  echo "run.sh: GNU time (/usr/bin/time) is missing: installing Debian's 'time' package" >&2
  sudo=""; [[ $(id -u) == 0 ]] || sudo="sudo"
  $sudo apt-get install -y --no-install-recommends time >&2 ||
    { $sudo apt-get update >&2 && $sudo apt-get install -y --no-install-recommends time >&2; }
fi
bash "$root/tests/interop/run.sh" --install-only
duckdb_version="$(node "$job" version)"

ingest_help="$("$bin" ingest --help)"
eventlake_parquet=0
[[ "$(grep -- '--format' <<<"$ingest_help")" == *parquet* ]] && eventlake_parquet=1
eventlake_threads=0
[[ "$ingest_help" == *--threads* ]] && eventlake_threads=1
ncores="$(nproc)"
thread_counts=(1); [[ $ncores -gt 1 ]] && thread_counts+=("$ncores")

# ---- configurations: "name|tool|format|dedup|threads" -------------------------------------------
configs=()
notes=()
IFS=, read -ra format_list <<<"$formats"
for fmt in "${format_list[@]}"; do
  if [[ $fmt == parquet && $eventlake_parquet == 0 ]]; then
    notes+=("eventlake parquet skipped: \`eventlake ingest --help\` offers no --format parquet in this build")
  else
    for dedup in memory rocksdb; do
      if [[ $eventlake_threads == 1 ]]; then
        for t in "${thread_counts[@]}"; do configs+=("eventlake $fmt $dedup t$t|eventlake|$fmt|$dedup|$t"); done
      else
        configs+=("eventlake $fmt $dedup|eventlake|$fmt|$dedup|")
      fi
    done
  fi
  for t in "${thread_counts[@]}"; do configs+=("duckdb $fmt t$t|duckdb|$fmt||$t"); done
done
[[ $eventlake_threads == 1 ]] || notes+=("eventlake has no --threads option in this build: one eventlake configuration per format and dedup store")

# The command of one configuration, into the array `cmd`. $1 config, $2 input, $3 run directory.
command_for() {
  local name tool fmt dedup threads
  IFS='|' read -r name tool fmt dedup threads <<<"$1"
  if [[ $tool == eventlake ]]; then
    cmd=("$bin" ingest --lake "$3/lake" --format "$fmt" --dedup "$dedup" --progress never -q
         --report "$3/report.json")
    # JSON lines uncompressed, Parquet with ZSTD pages (the check logs the codecs it finds).
    if [[ $fmt == json ]]; then cmd+=(--compression none); else cmd+=(--compression zstd); fi
    [[ -n $threads ]] && cmd+=(--threads "$threads")
    cmd+=("$2")
  else
    cmd=(node "$job" ingest --input "$2" --out "$3/lake" --format "$fmt" --threads "$threads"
         --report "$3/report.json" --temp-dir "$3/duckdb_tmp")
  fi
}

# ---- inputs -----------------------------------------------------------------------------------
rm -rf "$out/logs" "$out/runs" "$out"/diagnose-*.json # what an earlier run left
mkdir -p "$out/inputs" "$out/logs"
IFS=, read -ra size_list <<<"$sizes"
gen_args=(--seed "$seed" --duplicate-rate 0.1 --far-duplicate-share 0.5 --invalid-rate 0.01)
for n in "${size_list[@]}"; do
  base="$out/inputs/events-$n-seed$seed"
  if [[ ! -s "$base.ndjson" || ! -s "$base.expected.json" ]]; then
    echo "== generating $n events into ${base#"$root/"}.ndjson"
    "$bin" gen --count "$n" "${gen_args[@]}" --output "$base.ndjson.tmp" --expected "$base.expected.json.tmp"
    mv "$base.expected.json.tmp" "$base.expected.json"
    mv "$base.ndjson.tmp" "$base.ndjson"
  fi
done

# ---- runs -------------------------------------------------------------------------------------
runs="$out/runs.tsv"
printf 'size\tround\tconfig\ttool\tformat\tdedup\tthreads\twall_s\tuser_s\tsys_s\tmax_rss_kb\tinput_bytes\trecords\toutput_bytes\toutput_files\tcheck\ttool_elapsed_s\n' >"$runs"
failed=()
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
started=$SECONDS

# One timed run, its check, and its line in runs.tsv. $1 size, $2 round, $3 config.
run_one() {
  local n="$1" round="$2" config="$3" name tool fmt dedup threads
  IFS='|' read -r name tool fmt dedup threads <<<"$config"
  local base="$out/inputs/events-$n-seed$seed"
  local slug="${name// /-}"
  local dir="$out/runs/$n/$slug"
  local log="$out/logs/$n-$slug-round$round.log"
  rm -rf "$dir"
  mkdir -p "$dir"
  command_for "$config" "$base.ndjson" "$dir"
  if ! /usr/bin/time -f '%e %U %S %M' -o "$dir/time" "${cmd[@]}" >"$log" 2>&1; then
    echo "   $name: FAILED to run (see ${log#"$root/"})"
    failed+=("$name (size $n, round $round): the run failed, see ${log#"$root/"}")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t\t\t\t\t%s\t%s\t\t\tRUNFAIL\t\n' \
      "$n" "$round" "$name" "$tool" "$fmt" "$dedup" "$threads" "$input_bytes" "$records" >>"$runs"
    return
  fi
  local wall user sys rss
  read -r wall user sys rss <"$dir/time"
  # Data files only (not eventlake's _errors/ dead letters or _eventlake/ state).
  local files bytes
  read -r files bytes < <(find "$dir/lake" -path '*/event_type=*' -type f -printf '%s\n' |
                          awk '{ n++; b += $1 } END { print n + 0, b + 0 }')
  local verdict=OK
  # The tool's own counts, then the lake's content, against the expected outcome.
  if ! python3 - "$dir/report.json" "$base.expected.json" >>"$log" 2>&1 <<'PY'
import json, sys
report, expected = (json.load(open(p)) for p in sys.argv[1:3])
keys = ("written", "duplicates", "invalid")
got, want = {k: report.get(k) for k in keys}, {k: expected[k] for k in keys}
print("report counts", got, "expected", want)
sys.exit(0 if got == want else 1)
PY
  then
    verdict=FAIL
  fi
  node "$job" check --expected "$base.expected.json" --lake "$dir/lake" --format "$fmt" >>"$log" 2>&1 || verdict=FAIL
  # The tool's own measure of its work (without process start and exit), for reference.
  local elapsed
  elapsed="$(python3 -c 'import json, sys; print(round(json.load(open(sys.argv[1]))["elapsed_s"], 3))' \
             "$dir/report.json" 2>/dev/null || true)"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
    "$n" "$round" "$name" "$tool" "$fmt" "$dedup" "$threads" "$wall" "$user" "$sys" "$rss" \
    "$input_bytes" "$records" "$bytes" "$files" "$verdict" "$elapsed" >>"$runs"
  awk -v name="$name" -v w="$wall" -v r="$records" -v v="$verdict" \
    'BEGIN { printf "   %-28s %8.2f s  %9.0f events/s  check %s\n", name, w, r / (w > 0 ? w : 1e-9), v }'
  if [[ $verdict == OK ]]; then
    rm -rf "$dir"
  else
    failed+=("$name (size $n, round $round): output does not match the expected outcome, see ${log#"$root/"} and ${dir#"$root/"}")
  fi
}

for n in "${size_list[@]}"; do
  base="$out/inputs/events-$n-seed$seed"
  cat "$base.ndjson" >/dev/null # the input comes from the page cache in every run, the first too
  input_bytes="$(stat -c %s "$base.ndjson")"
  records="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["records"])' "$base.expected.json")"
  echo "== what DuckDB's JSON readers get wrong on ${base#"$root/"}.ndjson (not timed)"
  node "$job" diagnose --input "$base.ndjson" --expected "$base.expected.json" | tee "$out/diagnose-$n.json"
  size_rounds=$rounds
  ((n >= 2000000)) && size_rounds=$large_rounds
  for ((round = 1; round <= size_rounds; round++)); do
    echo "== $n events, round $round/$size_rounds"
    # Alternate the order of the configurations from round to round (A B C, C B A, ...).
    order=("${configs[@]}")
    if ((round % 2 == 0)); then
      order=()
      for ((i = ${#configs[@]} - 1; i >= 0; i--)); do order+=("${configs[$i]}"); done
    fi
    for config in "${order[@]}"; do run_one "$n" "$round" "$config"; done
  done
done
rmdir "$out/runs"/* "$out/runs" 2>/dev/null || true

# ---- results ----------------------------------------------------------------------------------
{
  echo "invocation=$invocation"
  echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "duration_s=$((SECONDS - started))"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "nproc=$ncores"
  echo "memory=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
  echo "os=Debian $(cat /etc/debian_version 2>/dev/null || echo '?'), Linux $(uname -r)"
  echo "load_before=$load_before"
  echo "load_after=$(cut -d' ' -f1-3 /proc/loadavg)"
  dirty=""; [[ -n "$(git -C "$root" status --porcelain 2>/dev/null)" ]] && dirty=" (uncommitted changes in the tree)"
  echo "eventlake=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')$dirty"
  echo "duckdb=$duckdb_version (@duckdb/node-api from tests/interop/package-lock.json), node $(node --version)"
  echo "gen=eventlake gen --count N ${gen_args[*]}"
  for config in "${configs[@]}"; do
    command_for "$config" "INPUT.ndjson" "RUN"
    echo "command=${config%%|*}|${cmd[*]//$root\//}"
  done
  for note in "${notes[@]}"; do echo "note=$note"; done
  for n in "${size_list[@]}"; do echo "diagnose=$n|$(cat "$out/diagnose-$n.json")"; done
} >"$out/meta.txt"
python3 "$bench/summarize.py" "$out/runs.tsv" "$out/meta.txt" >"$out/results.md"
cat "$out/results.md"
echo "(written to ${out#"$root/"}/results.md; every run in ${out#"$root/"}/runs.tsv)"

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "run.sh: CHECK FAILED for ${#failed[@]} run(s):" >&2
  for f in "${failed[@]}"; do echo "  $f" >&2; done
  exit 1
fi
