#!/usr/bin/env bash
# Claims/s of the DynamoDB claim store against dynalite (fresh uuids: one conditional
# PutItem per claim, no UpdateItem or GetItem, which the bench checks), next to dynalite's
# own conditional-PutItem ceiling (tests/awsbed/ceilings.py, 32 in flight) measured in the
# same bed before and after, plus the claims per dynalite CPU-second (on a shared machine
# the emulator rarely gets a whole core; that column compares the emulator's work per
# request, src/dedup/dynamodb/README.md).
#   Usage: dynamodb_bench.sh BUILD_DIR [CLAIMS] [IN_FLIGHT]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
bin="$(cd "$1" && pwd -P)/tests/dynamodb_bed_test"
claims="${2:-8000}"
in_flight="${3:-32}"
dir="$(mktemp -d /tmp/ddb-bench.XXXXXX)"
nice -n 19 "$root/tests/awsbed/bed.sh" run "$dir" -- bash -c '
  set -e
  root="$0" bin="$1" claims="$2" in_flight="$3"
  pid="$(/usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[\"services\"][\"dynamodb\"][\"pid\"])" "$EVENTLAKE_AWSBED_DIR/bed.json")"
  ticks() { awk "{print \$14 + \$15}" "/proc/$pid/stat"; }
  /usr/bin/python3 "$root/tests/awsbed/ceilings.py" --only dynamodb-put --seconds 5 | grep "^| dynalite"
  t0=$(ticks); s0=$(date +%s.%N)
  out="$(DYNAMODB_BENCH_CLAIMS="$claims" DYNAMODB_BENCH_IN_FLIGHT="$in_flight" "$bin" --gtest_filter="*ClaimThroughput*" | grep "\[ bench \]")"
  t1=$(ticks); s1=$(date +%s.%N)
  echo "$out"
  awk -v c="$claims" -v t="$((t1 - t0))" -v hz="$(getconf CLK_TCK)" -v s0="$s0" -v s1="$s1" \
    "BEGIN { cpu = t / hz; printf \"[ bench ] dynalite CPU %.0f%% of the run, %.0f claims per dynalite CPU-second\\n\", 100 * cpu / (s1 - s0), c / cpu }"
  /usr/bin/python3 "$root/tests/awsbed/ceilings.py" --only dynamodb-put --seconds 5 | grep "^| dynalite"
' "$root" "$bin" "$claims" "$in_flight"
rm -rf "$dir"
