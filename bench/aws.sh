#!/usr/bin/env bash
# eventlake's AWS mode against the local AWS bed (tests/awsbed/), next to each emulator's own
# ceiling measured in the same bed just before and just after (tests/awsbed/ceilings.py):
# N generated events (`eventlake gen`, one per Kinesis record, with its duplicates and invalid
# records) are put into a 4-shard stream, then `eventlake ingest --source kinesis://
# --stop-when-caught-up` reads them, claims every valid uuid in dynalite and publishes the
# lake to s3rver, checked against the generator's expected counts. Reported: events/s end to
# end, claims/s against dynalite's conditional-PutItem ceiling, and the share of the run each
# emulator process spent on CPU (an emulator near 100% of a core is the bottleneck).
#   Usage: bench/aws.sh [EVENTS] [WORKERS]      (default 40000 events, 1 worker)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
events="${1:-40000}"
workers="${2:-1}"
bash "$root/scripts/build.sh" >/dev/null
bash "$root/tests/awsbed/bed.sh" --install-only
dir="$(mktemp -d /tmp/eventlake-aws-bench.XXXXXX)"
trap 'rm -rf "$dir"' EXIT
"$root/tests/awsbed/bed.sh" run "$dir/bed" -- bash -c '
  set -euo pipefail
  root="$0" events="$1" workers="$2" dir="$3"
  bin="$root/build/eventlake"
  py=/usr/bin/python3
  pid_of() { $py -c "import json,sys; print(json.load(open(sys.argv[1]))[\"services\"][sys.argv[2]][\"pid\"])" "$EVENTLAKE_AWSBED_DIR/bed.json" "$1"; }
  ticks() { awk "{print \$14 + \$15}" "/proc/$1/stat"; }
  ceilings() { $py "$root/tests/awsbed/ceilings.py" --only dynamodb-put,kinesis-get,s3-put --seconds 5 --json "$1" | grep "^| [a-z]"; }
  echo "## ceilings before"; ceilings "$dir/ceil-before.json"
  "$bin" gen --count "$events" --seed 11 --output "$dir/in.ndjson" --expected "$dir/expected.json" 2>/dev/null
  $py - "$dir" <<PY
import os, sys
sys.path.insert(0, os.path.join("$root", "tests", "awsbed"))
import awsbed
k = awsbed.client("kinesis", os.environ["AWS_ENDPOINT_URL_KINESIS"])
k.create_stream(StreamName="bench", ShardCount=4)
awsbed.wait_stream_active(k, "bench")
awsbed.client("s3", os.environ["AWS_ENDPOINT_URL_S3"]).create_bucket(Bucket="bench")
PY
  $py "$root/bench/aws/put_events.py" bench "$dir/in.ndjson"
  ddb=$(pid_of dynamodb) kin=$(pid_of kinesis) s3=$(pid_of s3)
  d0=$(ticks $ddb) k0=$(ticks $kin) s0=$(ticks $s3) t0=$(date +%s.%N)
  pids=()
  for w in $(seq 1 "$workers"); do
    "$bin" ingest --source kinesis://bench --dedup dynamodb://bench-claims --lake s3://bench/lake --create-tables \
      --stop-when-caught-up --worker-id "w$w" --work-dir "$dir/work-w$w" --flush-age 30s --quiet \
      --report "$dir/report-w$w.json" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
  t1=$(date +%s.%N) d1=$(ticks $ddb) k1=$(ticks $kin) s1=$(ticks $s3)
  echo "## ceilings after"; ceilings "$dir/ceil-after.json"
  $py "$root/bench/aws/summarize.py" "$dir" "$workers" "$t0" "$t1" "$((d1 - d0))" "$((k1 - k0))" "$((s1 - s0))" "$(getconf CLK_TCK)"
' "$root" "$events" "$workers" "$dir"
