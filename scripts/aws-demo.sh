#!/usr/bin/env bash
# AWS mode end to end on one machine, no AWS account: Kinesis, DynamoDB and S3 emulators on
# loopback (tests/awsbed/), a 4-shard stream with a few thousand generated events (duplicates
# across shards, invalid events, odd event types included), two eventlake workers sharing the
# shards (uuid claims and leases in DynamoDB, the lake in S3), then what landed in S3, the
# workers' report counters, and a check against the producer's expected outcome.
#
#   ./scripts/aws-demo.sh          env: DEMO_EVENTS (default 5000), EVENTLAKE_BIN (skip the build),
#                                  KEEP=1 (keep the work directory: reports, logs, expected outcome)
set -euo pipefail
cd "$(dirname "$0")/.."
count="${DEMO_EVENTS:-5000}"
py=/usr/bin/python3  # Debian's python3 with python3-boto3 (another python may come first on PATH)

if [ -n "${EVENTLAKE_BIN:-}" ]; then
  bash scripts/install-deps.sh
  bin="$EVENTLAKE_BIN"
else
  # The build of scripts/demo.sh (Debian packages, then cmake); an existing build keeps its settings.
  if [ -f build/CMakeCache.txt ]; then bash scripts/build.sh; else bash scripts/build.sh -DEVENTLAKE_TESTS=OFF; fi
  bin="$PWD/build/eventlake"
fi
bash tests/awsbed/bed.sh --install-only

work="$(mktemp -d "${TMPDIR:-/tmp}/eventlake-aws-demo.XXXXXX")"
bed="$work/bed"
cleanup() {
  tests/awsbed/bed.sh stop "$bed" >/dev/null 2>&1 || true
  if [ -n "${KEEP:-}" ]; then echo "== kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

echo "== starting the local AWS bed (kinesalite, dynalite, s3rver on 127.0.0.1) in $bed"
tests/awsbed/bed.sh start "$bed" >/dev/null
eval "$(tests/awsbed/bed.sh env "$bed")"

echo "== producer (boto3): stream kinesis://demo-events (4 shards), bucket s3://demo-lake"
"$py" tests/e2e/kinesis_producer.py put --stream demo-events --shards 4 --events "$count" --seed 42 \
  --bucket demo-lake --expected "$work/expected.json"

echo "== two workers: eventlake ingest --source kinesis://demo-events --dedup dynamodb://demo-claims" \
  "--lake s3://demo-lake/events --create-tables --stop-when-caught-up"
declare -A pid
for w in 1 2; do
  "$bin" ingest --source kinesis://demo-events --dedup dynamodb://demo-claims --lake s3://demo-lake/events \
    --create-tables --stop-when-caught-up --worker-id "demo-$w" --work-dir "$work/worker-$w" \
    --report "$work/report-$w.json" --quiet &
  pid[$w]=$!
done
status=0
for w in 1 2; do
  if wait "${pid[$w]}"; then
    echo "   worker demo-$w: done"
  else
    rc=$?; echo "   worker demo-$w: FAILED (exit $rc)"; status=1
  fi
done
[ "$status" -eq 0 ] || exit 1

echo "== what landed in S3, the reports, and the check against the expected outcome"
"$py" tests/e2e/kinesis_producer.py check --bucket demo-lake --prefix events --expected "$work/expected.json" \
  "$work/report-1.json" "$work/report-2.json"
