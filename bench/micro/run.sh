#!/usr/bin/env bash
# Micro-benchmarks of the hot stages (Google Benchmark): framing, validate + derive,
# dedup per store with its epoch commit, partition routing, JSON lines and Parquet encoding.
# Input: the records of `eventlake gen --count 200000 --seed 42`, generated in-process once.
#
#   bench/micro/run.sh                              # all benchmarks, about a minute
#   bench/micro/run.sh --benchmark_filter=Dedup     # extra flags go to the benchmark binary
#
# Configures and builds build-bench/ (Release, -DEVENTLAKE_BENCH=ON, -j2), then writes
# bench/out/micro.json (Google Benchmark JSON), bench/out/micro.txt (the console table) and
# bench/out/micro.md (median events/s and MB/s per benchmark). Each benchmark runs REPETITIONS
# times; the console shows mean/median/stddev/cv, the JSON every repetition too. Exits
# non-zero when a benchmark's sanity check fails (e.g. dedup did not find the generator's
# duplicate count).
#
# Env: EVENTLAKE_BENCH_RECORDS (records generated, default 200000),
#      MIN_TIME (seconds each repetition runs at least, default 1), REPETITIONS (default 3).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
min_time=${MIN_TIME:-1}
repetitions=${REPETITIONS:-3}

cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DEVENTLAKE_BENCH=ON -DEVENTLAKE_TESTS=OFF >/dev/null
cmake --build build-bench -j2 --target eventlake_micro_bench

mkdir -p bench/out
# Libbenchmark 1.7 wants the minimum time as plain seconds (no "s" suffix).
build-bench/eventlake_micro_bench --benchmark_min_time="$min_time" \
  --benchmark_repetitions="$repetitions" --benchmark_display_aggregates_only=true \
  --benchmark_out=bench/out/micro.json --benchmark_out_format=json "$@" | tee bench/out/micro.txt

python3 - bench/out/micro.json bench/out/micro.md <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
ctx = data["context"]
rows = [f"Input: {ctx.get('input', '?')} ({int(ctx.get('input_bytes', 0)) / 1e6:.1f} MB), "
        f"{ctx.get('date', '')}, load average {', '.join(f'{x:.2f}' for x in ctx.get('load_avg', []))}", "",
        "| benchmark | events/s | events/s by CPU time | MB/s (input bytes) | wall ms / iteration | cv of events/s |",
        "|---|---:|---:|---:|---:|---:|"]
benchmarks = data["benchmarks"]
# With repetitions: the median row of each benchmark (and its coefficient of variation).
medians = [b for b in benchmarks if b.get("aggregate_name") == "median"]
cvs = {b["run_name"]: b for b in benchmarks if b.get("aggregate_name") == "cv"}
for b in medians or [b for b in benchmarks if b.get("run_type") == "iteration"]:
    cv = cvs.get(b.get("run_name"), {}).get("items_per_second")
    items = b.get("items_per_second", 0)
    by_cpu = items * b["real_time"] / b["cpu_time"] if b["cpu_time"] > 0 else 0
    rows.append(f"| {b.get('run_name', b['name'])} | {items / 1e3:,.0f} k | {by_cpu / 1e3:,.0f} k | "
                f"{b.get('bytes_per_second', 0) / 1e6:,.0f} | {b['real_time']:.1f} | "
                f"{'' if cv is None else f'{100 * cv:.1f}%'} |")
open(sys.argv[2], "w").write("\n".join(rows) + "\n")
print("\n".join(rows))
PY
