#!/usr/bin/python3
"""sources/kinesis against kinesalite (run inside `tests/awsbed/bed.sh run DIR -- ...`).

An independent producer (boto3) puts records into a 4-shard stream: single JSON events, NDJSON
records (with a blank line), the same event put twice, the same uuid sent to every shard. The
reader (kinesis_read_tool, built on StreamReader) reads them all back and every event must come
out exactly once with the identity PutRecords gave it (shard, sequence number) plus its line
index. Then SplitShard + MergeShards, more records, a read from TRIM_HORIZON showing every parent
drained before its children; then a read through the fault proxy injecting
ExpiredIteratorException and ProvisionedThroughputExceeded: nothing lost or repeated.

--bench: records/s read over 4 shards by the reader vs kinesalite's GetRecords ceiling
(ceilings.py --only kinesis-get) in the same run.
"""
import base64
import collections
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
AWSBED = os.path.join(os.path.dirname(HERE), "awsbed")
sys.path.insert(0, AWSBED)
import awsbed  # noqa: E402

TOOL = os.environ.get("KINESIS_READ_TOOL")
SHARD_SPAN = 2 ** 128 // 4


def shard_id(i):
    return "shardId-%012d" % i


def events_of(data):
    """(line index, bytes) of each event of a record, as record_events.cc splits it."""
    out = []
    for i, line in enumerate(data.split(b"\n")[: -1 if data.endswith(b"\n") else None]):
        if line.endswith(b"\r"):
            line = line[:-1]
        if line.strip(b" \t\r"):
            out.append((i, line))
    return out


class Expected:
    """What the producer put, from PutRecords' own answers (shard + sequence number)."""

    def __init__(self):
        self.records = []  # (shard, seq, data)

    def put(self, kinesis, stream, items):
        """items: [(data bytes, explicit hash key)]"""
        resp = kinesis.put_records(StreamName=stream, Records=[
            {"Data": d, "PartitionKey": "pk", "ExplicitHashKey": str(h)} for d, h in items])
        assert resp.get("FailedRecordCount", 0) == 0, resp
        for (d, _), r in zip(items, resp["Records"]):
            self.records.append((r["ShardId"], r["SequenceNumber"], d))

    def events(self):
        return collections.Counter((s, q, i, b) for s, q, d in self.records for i, b in events_of(d))


def run_tool(stream, endpoint=None, extra=()):
    env = dict(os.environ)
    if endpoint:
        env["AWS_ENDPOINT_URL_KINESIS"] = endpoint
    with tempfile.NamedTemporaryFile("r", suffix=".jsonl") as ev:
        cmd = [TOOL, "--stream", stream, "--events", ev.name, *extra]
        p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
        if p.returncode != 0:
            raise AssertionError(f"{cmd} exit {p.returncode}\nstdout {p.stdout}\nstderr {p.stderr}")
        summary = json.loads(p.stdout.strip().splitlines()[-1])
        rows = [json.loads(line) for line in ev]
    out = [(r["shard"], r["seq"], r["line"], base64.b64decode(r["data"])) for r in rows]
    return out, summary, p.stderr


def check_exactly_once(got, expected, what):
    counts = collections.Counter(got)
    repeated = [k for k, n in counts.items() if n > 1]
    assert not repeated, f"{what}: repeated events {repeated[:5]}"
    missing = expected - counts
    extra = counts - expected
    assert not missing, f"{what}: {sum(missing.values())} missing, e.g. {list(missing)[:3]}"
    assert not extra, f"{what}: {sum(extra.values())} unexpected, e.g. {list(extra)[:3]}"
    # Within a shard: sequence order, then line order.
    last = {}
    for s, q, i, _ in got:
        key = (int(q), i)
        assert s not in last or last[s] < key, f"{what}: {s} out of order at {q}/{i}"
        last[s] = key


def event(uid):
    return json.dumps({"event_uuid": uid, "event_name": "account:created", "created_at": 1644838800}).encode()


def produce_initial(kinesis, stream, exp):
    for i in range(4):
        h = i * SHARD_SPAN + 1000
        items = [(event(f"u-{i}-{k}"), h) for k in range(20)]
        # NDJSON records: three events, a blank line between, trailing newline.
        for k in range(3):
            nd = event(f"n-{i}-{k}-0") + b"\n\n" + event(f"n-{i}-{k}-2") + b"\r\n" + event(f"n-{i}-{k}-3") + b"\n"
            items.append((nd, h))
        items.append((event("shared-uuid"), h))  # the same uuid in every shard
        exp.put(kinesis, stream, items)
    # The same record put twice: two records, two identities.
    dup = event("put-twice")
    exp.put(kinesis, stream, [(dup, 1 * SHARD_SPAN + 5)])
    exp.put(kinesis, stream, [(dup, 1 * SHARD_SPAN + 5)])


def test_read_reshard_faults(kinesis, endpoint):
    stream = f"kin-it-{uuid.uuid4().hex[:8]}"
    kinesis.create_stream(StreamName=stream, ShardCount=4)
    awsbed.wait_stream_active(kinesis, stream)
    exp = Expected()
    produce_initial(kinesis, stream, exp)
    assert {s for s, _, _ in exp.records} == {shard_id(i) for i in range(4)}

    got, summary, _ = run_tool(stream, extra=["--limit", "10"])
    check_exactly_once(got, exp.events(), "initial read")
    assert summary["records"] == len(exp.records), summary
    dup_ids = [(s, q) for s, q, d in exp.records if d == event("put-twice")]
    assert len(set(dup_ids)) == 2
    print(f"initial: {summary['records']} records, {summary['events']} events exactly once "
          f"({summary['get_records']} GetRecords, peak {summary['peak_in_flight']} in flight)")

    # Resharding: split shard 0 (children 4, 5), merge 2 + 3 (child 6).
    kinesis.split_shard(StreamName=stream, ShardToSplit=shard_id(0), NewStartingHashKey=str(SHARD_SPAN // 2))
    awsbed.wait_stream_active(kinesis, stream)
    kinesis.merge_shards(StreamName=stream, ShardToMerge=shard_id(2), AdjacentShardToMerge=shard_id(3))
    awsbed.wait_stream_active(kinesis, stream)
    for h, tag in [(1000, "c4"), (SHARD_SPAN // 2 + 1000, "c5"), (2 * SHARD_SPAN + 1000, "c6"),
                   (SHARD_SPAN + 1000, "s1")]:
        exp.put(kinesis, stream, [(event(f"{tag}-{k}"), h) for k in range(15)])
    children = {s for s, _, d in exp.records if d.startswith(b'{"event_uuid": "c')}
    assert children == {shard_id(4), shard_id(5), shard_id(6)}, children

    got, summary, _ = run_tool(stream, extra=["--limit", "10"])
    check_exactly_once(got, exp.events(), "read after resharding")
    first = {}
    last = {}
    for pos, (s, _, _, _) in enumerate(got):
        first.setdefault(s, pos)
        last[s] = pos
    for child, parents in [(4, [0]), (5, [0]), (6, [2, 3])]:
        for p in parents:
            assert last[shard_id(p)] < first[shard_id(child)], f"shard {child} read before parent {p} was drained"
    assert summary["shards"] == 7 and summary["finished_shards"] == 3, summary
    print(f"resharding: {summary['records']} records exactly once over 7 shards; parents 0 -> 4,5 and "
          f"2+3 -> 6 drained before children (positions {last[shard_id(0)]} < {first[shard_id(4)]}, "
          f"{max(last[shard_id(2)], last[shard_id(3)])} < {first[shard_id(6)]}); "
          f"{summary['shard_list_refreshes']} ListShards refreshes")

    # Faults: expired iterators (at the first call of a shard and mid-shard) and throttling.
    expire = [{"match": {"target": "GetRecords"}, "nth": n, "preset": "kinesis-expired-iterator"}
              for n in (3, 7, 12, 20, 33)]
    throttle = [{"match": {"target": "GetRecords"}, "skip": 15, "times": 2, "preset": "kinesis-throughput-exceeded"}]
    with awsbed.FaultProxy(endpoint, expire + throttle) as proxy:
        got, summary, stderr = run_tool(stream, endpoint=proxy.url, extra=["--limit", "5"])
        faults = proxy.faults()
    check_exactly_once(got, exp.events(), "read through expired iterators")
    injected_expired = sum(r["injected"] for r in faults["rules"][: len(expire)])
    injected_throttle = faults["rules"][-1]["injected"]
    assert injected_expired == len(expire), faults
    assert summary["expired_iterators"] == injected_expired, (summary, faults)
    assert injected_throttle == 2 and summary["retries"] >= 2, (summary, faults)
    assert summary["errors"] == 0, stderr
    print(f"faults: {injected_expired} ExpiredIteratorException + {injected_throttle} throughput-exceeded injected; "
          f"{summary['iterator_requests']} GetShardIterator, {summary['retries']} client retries; "
          f"{summary['records']} records exactly once")


def bench(endpoint):
    import ceilings  # tests/awsbed/ceilings.py: raw PutRecords bodies, the GetRecords ceiling

    stream = f"kin-bench-{uuid.uuid4().hex[:8]}"
    api = ceilings.kinesis(endpoint)
    ceilings.check(*api.call("CreateStream", json.dumps({"StreamName": stream, "ShardCount": 4})), "CreateStream")
    awsbed.wait_until(lambda: ceilings.check(*api.call("DescribeStream", json.dumps({"StreamName": stream})),
                                             "DescribeStream")["StreamDescription"]["StreamStatus"] == "ACTIVE",
                      "stream")
    n = 0
    for _ in range(160):  # 80k records of 200 B, as ceilings.py's kinesis-get
        body = ceilings.put_records_body(stream)
        r = ceilings.check(*api.call("PutRecords", body), "PutRecords")
        n += 500 - r["FailedRecordCount"]
    runs = []
    pid = awsbed.load_bed(os.environ["EVENTLAKE_AWSBED_DIR"])["services"]["kinesis"]["pid"]

    def ours():
        cpu0 = ceilings.cpu_seconds(pid)
        p = subprocess.run([TOOL, "--stream", stream, "--limit", "10000", "--max-seconds", "300"],
                           capture_output=True, text=True, timeout=400)
        cpu1 = ceilings.cpu_seconds(pid)
        assert p.returncode == 0, p.stderr
        s = json.loads(p.stdout.strip().splitlines()[-1])
        assert s["records"] == n, (s, n)
        s["emulator_cpu_s"] = cpu1 - cpu0
        runs.append(s)

    ours()
    with tempfile.NamedTemporaryFile("r", suffix=".json") as f:
        subprocess.run([sys.executable, os.path.join(AWSBED, "ceilings.py"), "--bed", os.environ["EVENTLAKE_AWSBED_DIR"],
                        "--only", "kinesis-get", "--json", f.name], check=True, stdout=subprocess.DEVNULL)
        ceil = json.load(f)["results"][0]
    ours()
    c = ceil["units_per_s"]
    c_cpu = ceil["units_per_cpu_s"] or 0
    print(f"ceiling (ceilings.py kinesis-get, same bed, between our two runs): {c:,.0f} records/s, "
          f"{c_cpu:,.0f} per kinesalite CPU-second (kinesalite at {100 * (ceil['emulator_cpu'] or 0):.0f}% of a core)")
    for s in runs:
        rate = s["records_per_s"]
        per_cpu = s["records"] / s["emulator_cpu_s"] if s["emulator_cpu_s"] else 0
        print(f"eventlake kinesis reader: {s['records']} records over 4 shards in {s['seconds_to_last_record']:.2f} s "
              f"= {rate:,.0f} records/s, ratio {rate / c:.2f} of the ceiling; {per_cpu:,.0f} per kinesalite "
              f"CPU-second, ratio {per_cpu / c_cpu if c_cpu else 0:.2f} ({s['get_records']} GetRecords, "
              f"peak {s['peak_in_flight']} in flight)")
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (shared 2-core machine)")


def main():
    assert TOOL and os.path.exists(TOOL), "KINESIS_READ_TOOL must name the built kinesis_read_tool"
    endpoint = os.environ["AWS_ENDPOINT_URL_KINESIS"]
    if "--bench" in sys.argv:
        bench(endpoint)
        return
    kinesis = awsbed.client("kinesis", endpoint)
    t0 = time.monotonic()
    test_read_reshard_faults(kinesis, endpoint)
    print(f"kinesis_read_test: OK ({time.monotonic() - t0:.1f} s)")


if __name__ == "__main__":
    main()
