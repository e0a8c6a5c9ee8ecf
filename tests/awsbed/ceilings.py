#!/usr/bin/python3
"""Measure each emulator's throughput ceiling on this machine, against a running bed.

    eval "$(tests/awsbed/bed.sh env DIR)"; /usr/bin/python3 tests/awsbed/ceilings.py [--seconds N]
    /usr/bin/python3 tests/awsbed/ceilings.py --bed DIR        # endpoints from DIR/bed.json
    /usr/bin/python3 tests/awsbed/ceilings.py --start          # own bed in a temp dir, stopped after
    ... [--only dynamodb-put,kinesis-put,...] [--json FILE]

Measurements (each for --seconds, default 5, after a 1 s warm-up):
  dynamodb-put       conditional PutItem (attribute_not_exists, new uuids: all succeed), 32 in flight
  dynamodb-batchget  BatchGetItem of 100 existing keys, 16 in flight
  kinesis-put        PutRecords of 500 x 200-byte records to a 4-shard stream, 8 in flight
  kinesis-get        GetRecords (Limit 10000) over the 4 shards, one reader per shard
  s3-put             PUT of 1 MiB objects, 8 in flight (each worker overwrites its own few keys,
                     so disk use stays bounded)

The load is raw HTTP/1.1 on keep-alive connections from a thread pool, with pre-built bodies and a
well-formed but unverified SigV4 Authorization header: the emulators do not check signatures, and
leaving out signing and SDK overhead keeps the client from being the bottleneck (boto3 tops out far
below dynalite's ceiling on 2 cores). Prints a markdown table; the emulators are single-threaded
node processes, so each ceiling is about one core's worth of that emulator's work.
"""
import argparse
import base64
import http.client
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from urllib.parse import urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import awsbed  # noqa: E402

WARMUP_S = 1.0
FAKE_SIG = ("AWS4-HMAC-SHA256 Credential=S3RVER/{date}/us-east-1/{svc}/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + "0" * 64)


def amz_date():
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())


class Conn:
    """One keep-alive HTTP connection to an endpoint."""

    def __init__(self, endpoint, timeout=30):
        u = urlsplit(endpoint)
        self.host, self.port = u.hostname, u.port
        self.hostheader = f"{u.hostname}:{u.port}"
        self.timeout = timeout
        self.c = None

    def request(self, method, path, body, headers):
        for attempt in (0, 1):
            if self.c is None:
                self.c = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.c.request(method, path, body=body, headers=headers)
                r = self.c.getresponse()
                data = r.read()
                return r.status, data
            except (http.client.HTTPException, ConnectionError):
                self.c.close()
                self.c = None
                if attempt:
                    raise


class JsonApi:
    """AWS JSON protocol (DynamoDB 1.0, Kinesis 1.1) over raw HTTP."""

    def __init__(self, endpoint, target_prefix, content_type, svc):
        self.conn = Conn(endpoint)
        self.prefix, self.ctype, self.svc = target_prefix, content_type, svc

    def call(self, op, body):
        date = amz_date()
        headers = {
            "Host": self.conn.hostheader,
            "Content-Type": self.ctype,
            "X-Amz-Target": f"{self.prefix}.{op}",
            "X-Amz-Date": date,
            "Authorization": FAKE_SIG.format(date=date[:8], svc=self.svc),
        }
        if isinstance(body, str):
            body = body.encode()
        status, data = self.conn.request("POST", "/", body, headers)
        return status, data


def ddb(endpoint):
    return JsonApi(endpoint, "DynamoDB_20120810", "application/x-amz-json-1.0", "dynamodb")


def kinesis(endpoint):
    return JsonApi(endpoint, "Kinesis_20131202", "application/x-amz-json-1.1", "kinesis")


def check(status, data, what):
    if status != 200:
        raise RuntimeError(f"{what}: HTTP {status}: {data[:300]!r}")
    return json.loads(data) if data else {}


def cpu_seconds(pid):
    """utime + stime of PID in seconds (None if unknown)."""
    if not pid:
        return None
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_load(workers, seconds, make_worker, pid=None):
    """Run WORKERS threads, each calling its op() in a loop until the window [WARMUP_S,
    WARMUP_S + seconds] is over; count the units of the requests completing inside the window.
    op() returns (units, ok). Returns a result dict."""
    start = time.monotonic()
    t0, t1 = start + WARMUP_S, start + WARMUP_S + seconds
    lock = threading.Lock()
    totals = {"units": 0, "requests": 0, "errors": 0, "lat": []}
    failures = []

    def loop(i):
        try:
            op = make_worker(i)
            units = reqs = errs = 0
            lat = []
            while True:
                a = time.monotonic()
                if a >= t1:
                    break
                n, ok = op()
                b = time.monotonic()
                if t0 <= b <= t1:  # counted when it completes inside the window
                    units += n
                    reqs += 1
                    errs += 0 if ok else 1
                    if len(lat) < 20000:
                        lat.append(b - a)
            with lock:
                totals["units"] += units
                totals["requests"] += reqs
                totals["errors"] += errs
                totals["lat"] += lat
        except Exception as e:  # noqa: BLE001 - reported below
            failures.append(repr(e))

    cpu = {}

    def sample():  # the emulator's CPU time over the window (it shares the machine with us)
        for key, at in (("t0", t0), ("t1", t1)):
            time.sleep(max(0.0, at - time.monotonic()))
            cpu[key] = cpu_seconds(pid)
            cpu["client_" + key] = time.process_time()

    threads = [threading.Thread(target=loop, args=(i,), daemon=True) for i in range(workers)]
    threads.append(threading.Thread(target=sample, daemon=True))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    used = cpu["t1"] - cpu["t0"] if cpu.get("t0") is not None and cpu.get("t1") is not None else None
    if failures:
        raise RuntimeError(f"{len(failures)} workers failed, first: {failures[0]}")
    lat = sorted(totals["lat"]) or [0.0]
    return {
        "units_per_s": totals["units"] / seconds,
        "req_per_s": totals["requests"] / seconds,
        "errors": totals["errors"],
        "p50_ms": 1000 * statistics.median(lat),
        "p99_ms": 1000 * lat[min(len(lat) - 1, int(0.99 * len(lat)))],
        "emulator_cpu": used / seconds if used is not None else None,  # fraction of one core
        "client_cpu": (cpu["client_t1"] - cpu["client_t0"]) / seconds,
        "units_per_cpu_s": totals["units"] / used if used else None,
    }


CLEANUP = []  # callables undoing what the measurements created (tables, streams, objects)


def cleanup():
    while CLEANUP:
        try:
            CLEANUP.pop()()
        except Exception as e:  # noqa: BLE001 - best effort
            print(f"cleanup: {e!r}", file=sys.stderr)


def create_table(endpoint, name):
    d = ddb(endpoint)
    CLEANUP.append(lambda: check(*ddb(endpoint).call("DeleteTable", json.dumps({"TableName": name})), "DeleteTable"))
    check(*d.call("CreateTable", json.dumps({
        "TableName": name, "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": [{"AttributeName": "uuid", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "uuid", "AttributeType": "S"}]})), "CreateTable")
    awsbed.wait_until(lambda: check(*d.call("DescribeTable", json.dumps({"TableName": name})), "DescribeTable")
                      ["Table"]["TableStatus"] == "ACTIVE", f"table {name}")


def m_dynamodb_put(ep, seconds, inflight=32):
    table = f"ceil-put-{uuid.uuid4().hex[:8]}"
    create_table(ep["dynamodb"], table)
    tmpl = ('{"TableName":"%s","Item":{"uuid":{"S":"%%s"},"owner":{"S":"shardId-000000000001:%%d"},'
            '"expires":{"N":"1999999999"}},"ConditionExpression":"attribute_not_exists(#u) OR #o = :tok",'
            '"ExpressionAttributeNames":{"#u":"uuid","#o":"owner"},'
            '"ExpressionAttributeValues":{":tok":{"S":"shardId-000000000001:%%d"}}}') % table

    def make(i):
        d = ddb(ep["dynamodb"])
        seq = [0]

        def op():
            seq[0] += 1
            status, data = d.call("PutItem", tmpl % (uuid.uuid4(), seq[0], seq[0]))
            return 1, status == 200
        return op

    return run_load(inflight, seconds, make, ep.get("pid_dynamodb")), f"conditional PutItem, {inflight} in flight", "ops/s"


def m_dynamodb_batchget(ep, seconds, inflight=16, nkeys=20000):
    table = f"ceil-get-{uuid.uuid4().hex[:8]}"
    create_table(ep["dynamodb"], table)
    keys = [f"{uuid.UUID(int=random.getrandbits(128))}" for _ in range(nkeys)]

    def fill(i):
        d = ddb(ep["dynamodb"])
        for j in range(i * 25, nkeys, 25 * 8):
            items = [{"PutRequest": {"Item": {"uuid": {"S": k}, "owner": {"S": "s:1"}, "expires": {"N": "1999999999"}}}}
                     for k in keys[j:j + 25]]
            r = check(*d.call("BatchWriteItem", json.dumps({"RequestItems": {table: items}})), "BatchWriteItem")
            if r.get("UnprocessedItems"):
                raise RuntimeError("BatchWriteItem left unprocessed items")
    fillers = [threading.Thread(target=fill, args=(i,)) for i in range(8)]
    for t in fillers:
        t.start()
    for t in fillers:
        t.join()

    def make(i):
        d = ddb(ep["dynamodb"])
        rnd = random.Random(i)

        def op():
            ks = rnd.sample(keys, 100)
            body = json.dumps({"RequestItems": {table: {"Keys": [{"uuid": {"S": k}} for k in ks]}}})
            status, data = d.call("BatchGetItem", body)
            if status != 200:
                return 1, False
            r = json.loads(data)
            return 1, len(r["Responses"][table]) == 100 and not r.get("UnprocessedKeys")
        return op

    return run_load(inflight, seconds, make, ep.get("pid_dynamodb")), f"BatchGetItem(100 keys), {inflight} in flight", "req/s"


def create_stream(endpoint, name, shards=4):
    k = kinesis(endpoint)
    CLEANUP.append(lambda: check(*kinesis(endpoint).call("DeleteStream", json.dumps({"StreamName": name})),
                                 "DeleteStream"))
    check(*k.call("CreateStream", json.dumps({"StreamName": name, "ShardCount": shards})), "CreateStream")
    awsbed.wait_until(lambda: check(*k.call("DescribeStream", json.dumps({"StreamName": name})), "DescribeStream")
                      ["StreamDescription"]["StreamStatus"] == "ACTIVE", f"stream {name}")
    return [s["ShardId"] for s in check(*k.call("ListShards", json.dumps({"StreamName": name})), "ListShards")["Shards"]]


def put_records_body(stream, n=500, size=200, rnd=random):
    payload = base64.b64encode(b'{"uuid":"%s","type":"click","pad":"' + b"x" * (size - 60) + b'"}').decode()
    recs = ",".join('{"Data":"%s","PartitionKey":"%08x"}' % (payload, rnd.getrandbits(32)) for _ in range(n))
    return '{"StreamName":"%s","Records":[%s]}' % (stream, recs)


def m_kinesis_put(ep, seconds, inflight=8, state=None):
    stream = f"ceil-{uuid.uuid4().hex[:8]}"
    create_stream(ep["kinesis"], stream)
    if state is not None:
        state["stream"] = stream

    def make(i):
        k = kinesis(ep["kinesis"])
        rnd = random.Random(i)
        bodies = [put_records_body(stream, rnd=rnd) for _ in range(8)]
        n = [0]

        def op():
            n[0] += 1
            status, data = k.call("PutRecords", bodies[n[0] % len(bodies)])
            if status != 200:
                return 0, False
            failed = json.loads(data)["FailedRecordCount"]
            return 500 - failed, failed == 0
        return op

    return run_load(inflight, seconds, make, ep.get("pid_kinesis")), f"PutRecords(500 x 200 B), 4 shards, {inflight} in flight", "records/s"


def m_kinesis_get(ep, seconds, state=None):
    stream = (state or {}).get("stream")
    if not stream:
        stream = f"ceil-{uuid.uuid4().hex[:8]}"
        create_stream(ep["kinesis"], stream)
        k = kinesis(ep["kinesis"])
        for _ in range(160):  # 80k records
            check(*k.call("PutRecords", put_records_body(stream)), "PutRecords")
    shards = [s["ShardId"] for s in check(*kinesis(ep["kinesis"]).call(
        "ListShards", json.dumps({"StreamName": stream})), "ListShards")["Shards"]]

    def make(i):
        k = kinesis(ep["kinesis"])
        shard = shards[i]

        def fresh():
            return check(*k.call("GetShardIterator", json.dumps({
                "StreamName": stream, "ShardId": shard, "ShardIteratorType": "TRIM_HORIZON"})),
                "GetShardIterator")["ShardIterator"]
        it = [fresh()]

        def op():
            status, data = k.call("GetRecords", '{"ShardIterator":"%s","Limit":10000}' % it[0])
            if status != 200:
                it[0] = fresh()
                return 0, False
            r = json.loads(data)
            n = len(r["Records"])
            # At the end of the shard, start over: the measurement is read throughput.
            it[0] = r["NextShardIterator"] if n and r.get("NextShardIterator") else fresh()
            return n, True
        return op

    return run_load(len(shards), seconds, make, ep.get("pid_kinesis")), "GetRecords(Limit 10000), 4 shards, 1 reader each", "records/s"


def m_s3_put(ep, seconds, inflight=8, keys_per_worker=4):
    bucket = f"ceil-{uuid.uuid4().hex[:8]}"
    conn = Conn(ep["s3"])

    def headers(length):
        date = amz_date()
        return {"Host": conn.hostheader, "X-Amz-Date": date, "X-Amz-Content-Sha256": "UNSIGNED-PAYLOAD",
                "Content-Length": str(length),
                "Authorization": FAKE_SIG.format(date=date[:8], svc="s3").replace(
                    "content-type;host;x-amz-date;x-amz-target", "host;x-amz-content-sha256;x-amz-date")}
    status, data = conn.request("PUT", f"/{bucket}", b"", headers(0))
    if status != 200:
        raise RuntimeError(f"CreateBucket: HTTP {status} {data[:300]!r}")
    body = os.urandom(1 << 20)

    def path(i, j):
        return f"/{bucket}/ceiling/worker%3D{i}/part%20{j}.bin"

    def remove():
        for i in range(inflight):
            for j in range(keys_per_worker):
                conn.request("DELETE", path(i, j), b"", headers(0))
        conn.request("DELETE", f"/{bucket}", b"", headers(0))
    CLEANUP.append(remove)

    def make(i):
        c = Conn(ep["s3"])
        n = [0]

        def op():
            n[0] += 1
            status, data = c.request("PUT", path(i, n[0] % keys_per_worker), body, headers(len(body)))
            return 1, status == 200
        return op

    return run_load(inflight, seconds, make, ep.get("pid_s3")), f"PUT 1 MiB objects, {inflight} in flight", "objects/s"


MEASUREMENTS = {
    "dynamodb-put": ("dynalite", m_dynamodb_put),
    "dynamodb-batchget": ("dynalite", m_dynamodb_batchget),
    "kinesis-put": ("kinesalite", m_kinesis_put),
    "kinesis-get": ("kinesalite", m_kinesis_get),
    "s3-put": ("s3rver", m_s3_put),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=5.0, help="per measurement (default 5)")
    src = ap.add_mutually_exclusive_group()
    src.add_argument("--bed", metavar="DIR", help="read endpoints from DIR/bed.json (default: environment)")
    src.add_argument("--start", action="store_true", help="start a bed in a temp dir and stop it afterwards")
    ap.add_argument("--only", help="comma-separated subset of: " + ", ".join(MEASUREMENTS))
    ap.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    args = ap.parse_args()
    names = args.only.split(",") if args.only else list(MEASUREMENTS)
    for n in names:
        if n not in MEASUREMENTS:
            ap.error(f"unknown measurement {n}")

    tmp = None
    try:
        bed = None
        if args.start:
            tmp = tempfile.mkdtemp(prefix="awsbed-ceil-")
            bed = awsbed.start_bed(tmp)
        elif args.bed:
            bed = awsbed.load_bed(args.bed)
        if bed:
            ep = {k: v["endpoint"] for k, v in bed["services"].items()}
        else:
            ep = awsbed.endpoints_from_env()
            envdir = os.environ.get("EVENTLAKE_AWSBED_DIR")
            if envdir and os.path.exists(os.path.join(envdir, "bed.json")):
                bed = awsbed.load_bed(envdir)
                if {k: v["endpoint"] for k, v in bed["services"].items()} != ep:
                    bed = None
        if bed:  # PIDs known: also report each emulator's CPU use during its measurement
            ep.update({f"pid_{k}": v["pid"] for k, v in bed["services"].items()})

        results, state = [], {}
        for name in names:
            emulator, fn = MEASUREMENTS[name]
            kw = {"state": state} if name.startswith("kinesis") else {}
            res, what, unit = fn(ep, args.seconds, **kw)
            res.update(name=name, emulator=emulator, what=what, unit=unit, seconds=args.seconds)
            results.append(res)
            print(f"{name}: {res['units_per_s']:.0f} {unit} ({res['errors']} errors)", file=sys.stderr)

        load = os.getloadavg()
        print(f"\nEmulator ceilings ({os.cpu_count()} cores, load average {load[0]:.2f} at the end, "
              f"{args.seconds:g} s each, client on the same machine):\n")
        print("| emulator | measurement | throughput | requests/s | p50 ms | p99 ms | errors "
              "| emulator CPU | per emulator CPU-second | client CPU |")
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for r in results:
            cpu = f"{100 * r['emulator_cpu']:.0f}%" if r["emulator_cpu"] is not None else "?"
            per = f"{r['units_per_cpu_s']:,.0f}" if r["units_per_cpu_s"] else "?"
            print(f"| {r['emulator']} | {r['what']} | {r['units_per_s']:,.0f} {r['unit']} | {r['req_per_s']:,.0f} "
                  f"| {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['errors']} | {cpu} | {per} "
                  f"| {100 * r['client_cpu']:.0f}% |")
        if args.json:
            with open(args.json, "w", encoding="utf-8") as f:
                json.dump({"results": results, "loadavg": load, "cores": os.cpu_count()}, f, indent=2)
        bad = [r["name"] for r in results if r["errors"]]
        return 1 if bad else 0
    finally:
        cleanup()
        if tmp:
            awsbed.stop_bed(tmp)
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
