#!/usr/bin/env bash
# The main job end to end on the embedded default (no services): builds eventlake,
# generates 1M realistic events (with duplicates, invalid and late ones), ingests them
# into a lake under demo/, and shows what landed. Run it again: nothing is added twice.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh -DEVENTLAKE_TESTS=OFF
count="${DEMO_COUNT:-1000000}"
mkdir -p demo
if [ ! -f demo/events.ndjson ]; then
  echo "== generating $count events into demo/events.ndjson"
  build/eventlake gen --count "$count" --seed 42 --output demo/events.ndjson --expected demo/expected.json
fi
echo "== eventlake ingest --lake demo/lake demo/events.ndjson"
build/eventlake ingest --lake demo/lake --report demo/report.json demo/events.ndjson
echo "== partitions (first 10)"
find demo/lake -path '*/event_type=*' -type d -name 'event_date=*' | sort | head -10
echo "== one event"
find demo/lake -path '*/event_type=*' -type f -name '*.jsonl*' | sort | head -1 | xargs head -c 600 | head -1
echo "== dead letters: $(cat demo/lake/_errors/* 2>/dev/null | wc -l) records in demo/lake/_errors/"
echo "== check against the generator's expected outcome (demo/expected.json)"
/usr/bin/python3 - <<'PY'
import json
rep, exp = json.load(open("demo/report.json")), json.load(open("demo/expected.json"))
if rep["read"] == 0:
    print("nothing new to read: this input was ingested before, and the lake is unchanged")
else:
    keys = ["written", "duplicates", "invalid"]
    got, want = {k: rep[k] for k in keys}, {k: exp[k] for k in keys}
    print("report", got, "expected", want, "->", "MATCH" if got == want else "MISMATCH")
    if got != want:
        raise SystemExit(1)
PY
