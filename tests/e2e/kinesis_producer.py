#!/usr/bin/python3
"""An independent Kinesis producer for eventlake's AWS mode, and the independent lake reader
that checks what eventlake made of it. Needs Debian's python3-boto3 (run with /usr/bin/python3).

Producer: a seeded corpus of Kinesis records (one JSON event or NDJSON) for a stream of N shards,
put with PutRecords and ExplicitHashKey (each record lands on the shard chosen for it; after a
reshard, on the open shards named; put_records() puts hand-made records on any open shard). It holds
valid events, unusual event types (partition values that must be escaped), duplicates of every
kind (the same uuid on different shards, the same record put twice, later copies on the same shard,
copies inside one NDJSON record, a uuid spelled with JSON escapes), invalid events of every reason,
blank lines and a record with no event at all. The expected outcome is computed from how each line
was built and from PutRecords' answers (shard, sequence number), never by running a validator:

  * every valid uuid appears exactly once in the lake. Its candidates are the first copy on each
    shard that carries it (in sequence, then line order): copies on one shard are decided in order
    by whoever reads that shard, while which shard's copy wins is a race. Copies on different
    shards are identical unless the difference is the point (then any candidate is accepted).
  * every invalid line is one dead letter (reason, source, sequence number, line, raw bytes).

Reader (check_lake): lists the lake with ListObjectsV2 (paginated, no delimiter), fetches every
object and compares: every key has the documented shape, every event is in its partition directory
(escaped as src/partition/partition_key.cc does: re-implemented here from README.md), its fields are
the input's plus event_type, event_subtype, created_datetime, and nothing is missing or repeated.
Parquet objects are read with DuckDB (@duckdb/node-api from tests/interop/node_modules).

Command line (the environment of `tests/awsbed/bed.sh env DIR`; used by scripts/aws-demo.sh):

  kinesis_producer.py put --stream S [--shards 4] --events N [--seed 1] --expected FILE [--bucket B]
  kinesis_producer.py check --bucket B --prefix P --expected FILE [--format json|parquet] [REPORT...]
"""
import argparse
import base64
import collections
import datetime
import gzip
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "awsbed"))
import awsbed  # noqa: E402

INTEROP_DIR = os.path.normpath(os.path.join(HERE, "..", "interop"))

# created_at of every event: BASE + up to SPAN seconds. SPAN stays far inside the default dedup
# window (7 days, driven by event time), so no claim expires and every copy of a uuid after the
# first is a duplicate whatever the order of reading.
BASE = 1700000000  # 2023-11-14T22:13:20Z
SPAN = 2 * 86400 + 7200

NORMAL_TYPES = [
    ("account", ["created", "deleted", "renamed"]),
    ("lesson", ["started", "completed"]),
    ("payment", ["order:completed", "refund"]),
    ("session", ["start", "end"]),
    ("page", ["view"]),
]
# Event types whose partition value must be escaped (or must survive as it is).
ODD_TYPES = [
    "a/b", "..", ".hidden", "_under", "k=v", "with space", "ünïcødé", "日本語", "null", "NULL",
    "%41", "tab\there", "back\\slash", "q?*[1]", "emoji💥", "lon" + "é" * 150,
]

REASONS = ["malformed_json", "not_an_object", "missing_field", "empty_field", "wrong_type", "bad_event_name",
           "created_at_out_of_range", "trailing_content", "duplicate_key", "reserved_field", "invalid_utf8"]

# The fields every output record has (the rest is payload).
CORE = ("event_uuid", "event_name", "created_at", "event_type", "event_subtype", "created_datetime")

KEY_RE = re.compile(r"^event_type=([^/]+)/event_date=(\d{4}-\d{2}-\d{2})/"
                    r"part-(shardId-\d+)-(\d{10})-(\d{5})\.(jsonl|parquet)$")
# Dead letters are JSON lines, compressed like the data (zstd with the Parquet default).
ERR_RE = re.compile(r"^_errors/part-(shardId-\d+)-(\d{10})-(\d{5})\.jsonl(\.zst|\.gz)?$")


# ---------------------------------------------------------------------------------------------
# Partition values, as README.md ("The lake") specifies them.
# ---------------------------------------------------------------------------------------------
def fnv1a64(data):
    h = 0xcbf29ce484222325
    for c in data:
        h ^= c
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def escape_partition_value(value):
    """ASCII other than letters, digits and . _ - becomes %XX; UTF-8 stays; a leading . or _ is
    escaped; null (any case) gets its first letter escaped; past 200 bytes: 180 bytes (not cut
    inside an escape or a UTF-8 sequence) + '~' + 16 hex digits of FNV-1a 64 of the raw value."""
    raw = value.encode("utf-8")
    is_null = len(raw) == 4 and raw.lower() == b"null"
    out = bytearray()
    for i, c in enumerate(raw):
        plain = (48 <= c <= 57) or (65 <= c <= 90) or (97 <= c <= 122) or c in b"._-" or c >= 0x80
        if plain and not (i == 0 and (c in b"._" or is_null)):
            out.append(c)
        else:
            out += b"%%%02X" % c
    if len(out) > 200:
        cut = 180
        if out[cut - 1:cut] == b"%":
            cut -= 1
        elif out[cut - 2:cut - 1] == b"%":
            cut -= 2
        while cut > 0 and (out[cut] & 0xC0) == 0x80:
            cut -= 1
        out = out[:cut] + b"~%016x" % fnv1a64(raw)
    return out.decode("utf-8")


def rfc3339(created_text):
    """created_datetime for a created_at written as CREATED_TEXT (integer or short fraction)."""
    sec, _, frac = created_text.partition(".")
    dt = datetime.datetime.fromtimestamp(int(sec), datetime.timezone.utc)
    frac = frac[:6].rstrip("0")
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + ("." + frac if frac else "") + "Z"


def event_date(created_text):
    sec = int(created_text.partition(".")[0])
    return datetime.datetime.fromtimestamp(sec, datetime.timezone.utc).strftime("%Y-%m-%d")


def micros(created_text):
    sec, _, frac = created_text.partition(".")
    return int(sec) * 1_000_000 + int((frac[:6] + "000000")[:6])


# ---------------------------------------------------------------------------------------------
# The corpus.
# ---------------------------------------------------------------------------------------------
class Line:
    """One line of a record: kind "valid" | "invalid" | "blank", its bytes and what it must become."""

    __slots__ = ("kind", "data", "uuid", "out", "etype", "date", "us", "reason")

    def __init__(self, kind, data, uuid=None, out=None, etype=None, date=None, us=None, reason=None):
        self.kind, self.data, self.uuid, self.out = kind, data, uuid, out
        self.etype, self.date, self.us, self.reason = etype, date, us, reason

    def to_json(self):
        d = {"kind": self.kind, "data": base64.b64encode(self.data).decode()}
        if self.kind == "valid":
            d.update(uuid=self.uuid, out=self.out, etype=self.etype, date=self.date, us=self.us)
        elif self.kind == "invalid":
            d["reason"] = self.reason
        return d

    @classmethod
    def from_json(cls, d):
        return cls(d["kind"], base64.b64decode(d["data"]), d.get("uuid"), d.get("out"), d.get("etype"),
                   d.get("date"), d.get("us"), d.get("reason"))


def valid_line(uuid, etype, subtype, created_text, payload, uuid_literal=None):
    """A valid event line, its bytes built by hand: created_at exactly as CREATED_TEXT and, when
    given, the uuid spelled as UUID_LITERAL (JSON escapes)."""
    head = '{"event_uuid":%s,"event_name":%s,"created_at":%s' % (
        uuid_literal or json.dumps(uuid, ensure_ascii=False), json.dumps(f"{etype}:{subtype}", ensure_ascii=False),
        created_text)
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    text = head + ("," + body[1:] if len(body) > 2 else "}")
    out = json.loads(text)
    out.update(event_type=etype, event_subtype=subtype, created_datetime=rfc3339(created_text))
    return Line("valid", text.encode("utf-8"), uuid=uuid, out=out, etype=etype, date=event_date(created_text),
                us=micros(created_text))


def invalid_line(rnd, n):
    """An invalid event of one of REASONS (each kind broken in exactly one way)."""
    u = f"bad-{n:06d}"
    t = BASE + rnd.randrange(SPAN)
    reason = REASONS[n % len(REASONS)]
    variants = {
        "malformed_json": [f'{{"event_uuid":"{u}","event_name":', f'{{"event_uuid":"{u}" "event_name":"a:b"}}',
                           "{not json at all}"],
        "not_an_object": ["[1,2,3]", f'"{u}"', "42"],
        "missing_field": [f'{{"event_name":"account:created","created_at":{t}}}',
                          f'{{"event_uuid":"{u}","created_at":{t}}}',
                          f'{{"event_uuid":"{u}","event_name":"account:created"}}'],
        "empty_field": [f'{{"event_uuid":"","event_name":"account:created","created_at":{t}}}'],
        "wrong_type": [f'{{"event_uuid":"{u}","event_name":"account:created","created_at":"{t}"}}',
                       f'{{"event_uuid":{n},"event_name":"account:created","created_at":{t}}}',
                       f'{{"event_uuid":"{u}","event_name":["account","created"],"created_at":{t}}}'],
        "bad_event_name": [f'{{"event_uuid":"{u}","event_name":"accountcreated","created_at":{t}}}',
                           f'{{"event_uuid":"{u}","event_name":":created","created_at":{t}}}',
                           f'{{"event_uuid":"{u}","event_name":"account:","created_at":{t}}}'],
        "created_at_out_of_range": [f'{{"event_uuid":"{u}","event_name":"account:created","created_at":32503680000}}'],
        "trailing_content": [f'{{"event_uuid":"{u}","event_name":"account:created","created_at":{t}}} trailing'],
        "duplicate_key": [f'{{"event_uuid":"{u}","event_name":"account:created","created_at":{t},"event_uuid":"x"}}'],
        "reserved_field": [f'{{"event_uuid":"{u}","event_name":"account:created","created_at":{t},'
                           '"event_type":"forged"}'],
        "invalid_utf8": [None],
    }
    text = rnd.choice(variants[reason])
    if reason == "invalid_utf8":
        data = b'{"event_uuid":"' + u.encode() + b'","event_name":"account:created","created_at":%d,"x":"\xff\xfe"}' % t
    else:
        data = text.encode("utf-8")
    return Line("invalid", data, reason=reason)


class Corpus:
    """Records for a stream of SHARDS shards: [(shard index, [Line], separator, trailing newline)]
    in put order. Deterministic for a seed."""

    def __init__(self, events, seed=1, shards=4, odd_types=ODD_TYPES, invalid_rate=0.05,
                 payload="rich"):
        rnd = random.Random(seed)
        self.shards = shards
        self.records = []
        self.tag = f"s{seed}"
        n_valid = 0
        n_invalid = 0
        pool = []  # valid lines that may be copied later: (shard, Line)

        def created():
            t = BASE + rnd.randrange(SPAN)
            return str(t) if rnd.random() < 0.7 else f"{t}.{rnd.choice(['5', '25', '125', '75', '000001'])}"

        def payload_of(i):
            if payload == "simple":  # one type per field (Parquet readers merge files by name)
                return {"n": i, "tag": f"t{i % 7}"}
            return rnd.choice([
                {"n": i, "tag": f"t{i % 7}"},
                {"n": i, "amount": round(rnd.random() * 100, 2), "currency": "EUR"},
                {"n": i, "user": {"id": rnd.randrange(10**6), "name": "Zoë 🚀 \"q\" \\ 日本"}, "tags": ["a", "b"]},
                {"n": i, "ok": rnd.random() < 0.5, "note": None, "text": "line1\nline2\ttab"},
            ])

        def new_valid():
            nonlocal n_valid
            n_valid += 1
            uuid = f"{self.tag}-{n_valid:06d}"
            if odd_types and rnd.random() < 0.04:
                etype, subtype = rnd.choice(odd_types), "odd"
            else:
                etype, subs = rnd.choice(NORMAL_TYPES)
                subtype = rnd.choice(subs)
            return valid_line(uuid, etype, subtype, created(), payload_of(n_valid))

        def new_invalid():
            nonlocal n_invalid
            n_invalid += 1
            return invalid_line(rnd, n_invalid)

        total = 0
        while total < events:
            shard = rnd.randrange(shards)
            lines = []
            k = 1 if rnd.random() < 0.6 else rnd.randint(2, 6)
            for _ in range(k):
                r = rnd.random()
                if r < 0.03 and lines:
                    lines.append(Line("blank", rnd.choice([b"", b"  ", b"\t"])))
                    continue
                line = new_invalid() if r < 0.03 + invalid_rate else new_valid()
                if line.kind == "valid":
                    pool.append((shard, line))
                lines.append(line)
            total += sum(1 for x in lines if x.kind != "blank")
            self.add(shard, lines, rnd)

        # Duplicates, inserted at random later positions (the expected outcome is computed from
        # the actual sequence numbers, so the order only changes which copies are candidates).
        def insert_later(after, shard, lines, sep=None):
            pos = rnd.randrange(after + 1, len(self.records) + 1)
            self.records.insert(pos, (shard, lines, sep or b"\n", rnd.random() < 0.5))

        def index_of(line):
            for i, (_, lines, _, _) in enumerate(self.records):
                if any(x is line for x in lines):
                    return i
            raise KeyError

        n_dups = max(8, events // 40)
        for j in range(n_dups):
            shard, line = rnd.choice(pool)
            at = index_of(line)
            other = (shard + 1 + rnd.randrange(shards - 1)) % shards
            kind = j % 6
            if kind == 0:  # the same event on another shard (identical bytes)
                insert_later(at, other, [line])
            elif kind == 1:  # the same uuid on another shard, different content: either copy may win
                insert_later(at, other, [valid_line(line.uuid, rnd.choice(NORMAL_TYPES)[0], "copy",
                                                    created(), {"copy_of": line.uuid, "n": -1})])
            elif kind == 2:  # the same record put twice (identical data, same shard)
                rec = self.records[at]
                insert_later(at, rec[0], list(rec[1]), rec[2])
            elif kind == 3:  # a later record on the same shard, other content: the first one wins
                insert_later(at, shard, [new_valid(), valid_line(line.uuid, "account", "late_copy", created(),
                                                                {"late": True})])
            elif kind == 4:  # the uuid spelled with JSON escapes, on any shard
                lit = '"' + "".join("\\u%04x" % ord(c) for c in line.uuid[:3]) + line.uuid[3:] + '"'
                insert_later(at, rnd.choice([shard, other]), [valid_line(
                    line.uuid, line.etype, line.out["event_subtype"], json.dumps(line.out["created_at"]),
                    {k: v for k, v in line.out.items() if k not in CORE}, uuid_literal=lit)])
            else:  # two copies inside one NDJSON record, a blank line between: the first wins
                first = new_valid()
                second = valid_line(first.uuid, "lesson", "second_line", created(), {"second": 1})
                self.add(rnd.randrange(shards), [first, Line("blank", b""), second], rnd, sep=b"\r\n")
        # A record holding only blank lines: no event, still read and checkpointed.
        self.add(rnd.randrange(shards), [Line("blank", b""), Line("blank", b" ")], rnd, trailing=True)

    def add(self, shard, lines, rnd, sep=None, trailing=None):
        sep = sep or (b"\r\n" if rnd.random() < 0.1 else b"\n")
        trailing = (rnd.random() < 0.5) if trailing is None else trailing
        self.records.append((shard, lines, sep, trailing))

    @staticmethod
    def data_of(lines, sep, trailing):
        data = sep.join(x.data for x in lines)
        if trailing or lines[-1].data == b"":  # a final newline does not start another line
            data += b"\n"
        return data

    def put(self, kinesis, stream, batch=250, shard_ids=None):
        """PutRecords every record on its shard; returns the Expected outcome. The corpus's shard i
        is SHARD_IDS[i] (default: every shard of the stream, in hash key order; after a reshard,
        name open shards)."""
        if shard_ids is None:
            ranges = shard_ranges(kinesis, stream)
            shard_ids = sorted(ranges, key=lambda s: ranges[s][0])
        assert len(shard_ids) == self.shards, f"{stream}: {len(shard_ids)} shards given, the corpus has {self.shards}"
        return put_records(kinesis, stream, [(shard_ids[s], lines, sep, tr) for s, lines, sep, tr in self.records],
                           batch)


def shard_ranges(kinesis, stream):
    """{shard id: (starting hash key, ending hash key, closed)} of every shard, closed ones too."""
    out, token = {}, None
    while True:
        page = kinesis.list_shards(NextToken=token) if token else kinesis.list_shards(StreamName=stream)
        for s in page["Shards"]:
            out[s["ShardId"]] = (int(s["HashKeyRange"]["StartingHashKey"]), int(s["HashKeyRange"]["EndingHashKey"]),
                                 "EndingSequenceNumber" in s["SequenceNumberRange"])
        token = page.get("NextToken")
        if not token:
            return out


def put_records(kinesis, stream, records, batch=250):
    """PutRecords RECORDS [(shard id, [Line], separator, trailing newline)] in order, each with an
    ExplicitHashKey in its shard's range (the shard must be open); returns the Expected outcome."""
    ranges = shard_ranges(kinesis, stream)
    keys = {}
    for sid in {r[0] for r in records}:
        lo, hi, closed = ranges[sid]
        assert not closed, f"{stream}/{sid} is closed: records cannot be put on it"
        keys[sid] = str(lo + (hi - lo) // 2)
    pending = [(i, Corpus.data_of(lines, sep, tr)) for i, (_, lines, sep, tr) in enumerate(records)]
    placed = {}
    while pending:
        chunk, pending = pending[:batch], pending[batch:]
        resp = kinesis.put_records(StreamName=stream, Records=[
            {"Data": data, "PartitionKey": "pk", "ExplicitHashKey": keys[records[i][0]]} for i, data in chunk])
        retry = []
        for (i, data), r in zip(chunk, resp["Records"]):
            if "ErrorCode" in r:
                retry.append((i, data))
            else:
                assert r["ShardId"] == records[i][0], (r, records[i][0])
                placed[i] = (r["ShardId"], r["SequenceNumber"])
        pending = retry + pending
    exp = Expected(stream)
    for i, (_, lines, _, _) in enumerate(records):
        exp.add(placed[i][0], placed[i][1], lines)
    return exp


# ---------------------------------------------------------------------------------------------
# The expected outcome.
# ---------------------------------------------------------------------------------------------
class Expected:
    def __init__(self, stream):
        self.stream = stream
        self.records = []  # (shard id, sequence number, [Line])

    def add(self, shard, seq, lines):
        self.records.append((shard, seq, lines))

    def extend(self, other):
        """Adds the records of OTHER (put on the same stream later, e.g. after a reshard)."""
        assert other.stream == self.stream, (other.stream, self.stream)
        self.records += other.records
        return self

    def last_sequence(self):
        """{shard id: the largest sequence number put on it}."""
        out = {}
        for s, q, _ in self.records:
            if s not in out or int(q) > int(out[s]):
                out[s] = q
        return out

    def valid_lines(self, shard=None):
        """Every valid Line put (on SHARD), in put order."""
        return [x for s, _, lines in self.records if shard is None or s == shard for x in lines if x.kind == "valid"]

    def to_json(self):
        return {"stream": self.stream,
                "records": [[s, q, [x.to_json() for x in lines]] for s, q, lines in self.records]}

    @classmethod
    def from_json(cls, d):
        exp = cls(d["stream"])
        for s, q, lines in d["records"]:
            exp.add(s, q, [Line.from_json(x) for x in lines])
        return exp

    def events(self):
        """(shard, seq, line index, Line) of every non-blank line, in shard order."""
        out = []
        for s, q, lines in self.records:
            for i, x in enumerate(lines):
                if x.kind != "blank":
                    out.append((s, q, i, x))
        out.sort(key=lambda e: (e[0], int(e[1]), e[2]))
        return out

    def candidates(self):
        """uuid -> the first copy on each shard that carries it: [(shard, seq, line, Line)]."""
        first = {}
        for s, q, i, x in self.events():
            if x.kind == "valid":
                first.setdefault((x.uuid, s), (s, q, i, x))
        out = collections.defaultdict(list)
        for (uuid, _), c in first.items():
            out[uuid].append(c)
        return dict(out)

    def invalid(self):
        """(shard, seq, line) -> Line of every invalid line."""
        return {(s, q, i): x for s, q, i, x in self.events() if x.kind == "invalid"}

    def counts(self):
        ev = self.events()
        valid = sum(1 for e in ev if e[3].kind == "valid")
        written = len(self.candidates())
        return {"events": len(ev), "written": written, "duplicates": valid - written,
                "invalid": sum(1 for e in ev if e[3].kind == "invalid"),
                "blank": sum(1 for _, _, lines in self.records for x in lines if x.kind == "blank"),
                "records": len(self.records)}

    def partitions(self):
        """(event type, date) -> events, when which copy wins does not change it; else None for
        the uuids whose candidates differ in partition."""
        out = collections.Counter()
        for cands in self.candidates().values():
            parts = {(c[3].etype, c[3].date) for c in cands}
            out[next(iter(parts)) if len(parts) == 1 else None] += 1
        return out


# ---------------------------------------------------------------------------------------------
# The independent reader.
# ---------------------------------------------------------------------------------------------
def list_keys(s3, bucket, prefix):
    """Every key under PREFIX/ (ListObjectsV2 pages, no delimiter: s3rver's is broken)."""
    keys, token = [], None
    while True:
        kw = {"Bucket": bucket, "Prefix": prefix + "/", "MaxKeys": 500}
        if token:
            kw["ContinuationToken"] = token
        page = s3.list_objects_v2(**kw)
        keys += [o["Key"] for o in page.get("Contents", [])]
        if not page.get("IsTruncated"):
            return keys
        token = page["NextContinuationToken"]


def duckdb_rows(directory):
    """Rows of every Parquet file under DIRECTORY read by DuckDB with Hive partitioning."""
    script = r"""
import { createRequire } from 'node:module';
const require = createRequire(process.argv[2] + '/package.json');
const { DuckDBInstance } = require('@duckdb/node-api');
const dir = process.argv[3];
const inst = await DuckDBInstance.create(':memory:', {
  threads: '1', autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
const conn = await inst.connect();
const glob = dir.replaceAll("'", "''") + '/event_type=*/event_date=*/*.parquet';
const r = await conn.runAndReadAll(`SELECT * REPLACE (CAST(created_at AS DOUBLE)::VARCHAR AS created_at,
      epoch_us(created_datetime)::VARCHAR AS created_datetime), typeof(created_datetime) AS created_datetime_type
  FROM read_parquet('${glob}', hive_partitioning = true, union_by_name = true, filename = true,
    hive_types = {'event_type': 'VARCHAR', 'event_date': 'VARCHAR'})`);
for (const row of r.getRowObjectsJson()) process.stdout.write(JSON.stringify(row) + '\n');
"""
    if not os.path.isdir(os.path.join(INTEROP_DIR, "node_modules", "@duckdb", "node-api")):
        raise RuntimeError("DuckDB is not installed for the tests: run tests/interop/run.sh --install-only")
    with tempfile.NamedTemporaryFile("w", suffix=".mjs", delete=False) as f:
        f.write(script)
    try:
        p = subprocess.run(["node", f.name, INTEROP_DIR, directory], capture_output=True, text=True, timeout=300)
    finally:
        os.unlink(f.name)
    if p.returncode != 0:
        raise RuntimeError(f"DuckDB read of {directory} failed:\n{p.stderr}")
    return [json.loads(line) for line in p.stdout.splitlines() if line]


def read_lake(s3, bucket, prefix, fmt="json", download_dir=None):
    """{"data": [(key, shard, record)], "errors": [(key, shard, dead letter)], "bad_keys": [...],
    "objects": {key: events}}; Parquet rows come from DuckDB over a local copy of the lake."""
    out = {"data": [], "errors": [], "bad_keys": [], "objects": {}}
    parquet_keys = []
    for key in list_keys(s3, bucket, prefix):
        rel = key[len(prefix) + 1:]
        m, e = KEY_RE.match(rel), ERR_RE.match(rel)
        if e:
            body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
            if e.group(4) == ".zst":
                body = subprocess.run(["zstd", "-dc"], input=body, capture_output=True, check=True).stdout
            elif e.group(4) == ".gz":
                body = gzip.decompress(body)
            lines = [json.loads(x) for x in body.split(b"\n") if x]
            out["errors"] += [(key, e.group(1), x) for x in lines]
            out["objects"][key] = len(lines)
        elif m and m.group(6) == ("parquet" if fmt == "parquet" else "jsonl"):
            if fmt == "parquet":
                parquet_keys.append(key)
                continue
            body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
            lines = [json.loads(x) for x in body.split(b"\n") if x]
            out["data"] += [(key, m.group(3), x) for x in lines]
            out["objects"][key] = len(lines)
        else:
            out["bad_keys"].append(key)
    if parquet_keys:
        with tempfile.TemporaryDirectory(prefix="eventlake-parquet-") as tmp:
            _read_parquet(s3, bucket, prefix, parquet_keys, download_dir or tmp, out)
    return out


def _read_parquet(s3, bucket, prefix, parquet_keys, tmp, out):
    """Downloads the Parquet objects under TMP (same layout) and reads them with DuckDB."""
    for key in parquet_keys:
        path = os.path.join(tmp, key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
        out["objects"][key] = 0
    for row in duckdb_rows(os.path.join(tmp, prefix)):
        key = os.path.relpath(row.pop("filename"), tmp)
        out["objects"][key] += 1
        out["data"].append((key, KEY_RE.match(key[len(prefix) + 1:]).group(3), row))


def _int_text(v):
    """Integers as text: DuckDB hands BIGINT to JavaScript as a string."""
    return str(v) if isinstance(v, int) and not isinstance(v, bool) else v


def _matches_parquet(row, line, key_type, key_date):
    """A DuckDB row (BIGINT as text, created_at as DOUBLE text, created_datetime as epoch
    microseconds) against the expected event; payload columns the event lacks must be null."""
    o = line.out
    if not (row["event_uuid"] == line.uuid and row["event_name"] == o["event_name"]
            and row["event_subtype"] == o["event_subtype"]
            # DuckDB reads event_type from the Hive path, %XX-decoded.
            and row["event_type"] == urllib.parse.unquote(escape_partition_value(line.etype))
            and row["event_date"] == line.date == key_date and key_type == escape_partition_value(line.etype)
            and float(row["created_at"]) == float(o["created_at"]) and int(row["created_datetime"]) == line.us
            and row["created_datetime_type"].startswith("TIMESTAMP")):
        return False
    extra = {k: v for k, v in o.items() if k not in CORE}
    for k, v in row.items():
        if k in CORE or k in ("event_date", "filename", "created_datetime_type"):
            continue
        want = extra.pop(k, None)
        if _int_text(v) != _int_text(want):
            return False
    return not extra


def check_lake(s3, bucket, prefix, expected, fmt="json", limit=20):
    """Problems found comparing the lake under s3://BUCKET/PREFIX with EXPECTED ([] = exact)."""
    lake = read_lake(s3, bucket, prefix, fmt)
    problems = [f"unexpected object {k}" for k in lake["bad_keys"]]
    problems += [f"empty object {k}" for k, n in lake["objects"].items() if n == 0]
    cands = expected.candidates()
    seen = collections.Counter()
    for key, shard, rec in lake["data"]:
        m = KEY_RE.match(key[len(prefix) + 1:])
        key_type, key_date = m.group(1), m.group(2)
        uuid = rec.get("event_uuid")
        seen[uuid] += 1
        if uuid not in cands:
            problems.append(f"{key}: event {uuid!r} should not be in the lake: "
                            f"{json.dumps(rec, ensure_ascii=False)[:200]}")
            continue
        ok = False
        for s, _, _, line in cands[uuid]:
            if s != shard:
                continue
            if fmt == "parquet":
                ok = _matches_parquet(rec, line, key_type, key_date)
            else:
                ok = (rec == line.out and key_type == escape_partition_value(line.etype) and key_date == line.date)
            if ok:
                break
        if not ok:
            want = [(s, escape_partition_value(x.etype), x.date, x.out) for s, _, _, x in cands[uuid]]
            problems.append(f"{key}: event {uuid!r} is not one of its candidates: got "
                            f"{json.dumps(rec, ensure_ascii=False)[:300]}, want one of {str(want)[:600]}")
    for uuid in cands:
        if seen[uuid] != 1:
            problems.append(f"event {uuid!r} is in the lake {seen[uuid]} times (want 1)")
    # Dead letters: one per invalid line, at its position, with its reason and raw bytes.
    want_dl = expected.invalid()
    seen_dl = collections.Counter()
    for key, shard, dl in lake["errors"]:
        pos = (shard, str(dl.get("sequence_number")), dl.get("line"))
        seen_dl[pos] += 1
        line = want_dl.get(pos)
        if line is None:
            problems.append(f"{key}: unexpected dead letter {json.dumps(dl)[:300]}")
            continue
        raw = dl["raw"].encode("utf-8") if "raw" in dl else base64.b64decode(dl.get("raw_base64", ""))
        source = f"kinesis://{expected.stream}/{shard}"
        if dl.get("reason") != line.reason or raw != line.data or dl.get("source") != source:
            problems.append(f"{key}: dead letter {json.dumps(dl)[:300]} != reason {line.reason!r}, "
                            f"raw {line.data[:120]!r}, "
                            f"source kinesis://{expected.stream}/{shard}")
    for pos in want_dl:
        if seen_dl[pos] != 1:
            problems.append(f"dead letter {pos} ({want_dl[pos].reason}) is in _errors/ {seen_dl[pos]} times (want 1)")
    if len(problems) > limit:
        problems = problems[:limit] + [f"... and {len(problems) - limit} more"]
    return problems


def lake_summary(s3, bucket, prefix, fmt="json"):
    """{(event_type dir, date): [objects, events]} and {reason: count} of a lake."""
    lake = read_lake(s3, bucket, prefix, fmt)
    parts = collections.defaultdict(lambda: [0, 0])
    for key, n in lake["objects"].items():
        m = KEY_RE.match(key[len(prefix) + 1:])
        if m:
            parts[(m.group(1), m.group(2))][0] += 1
            parts[(m.group(1), m.group(2))][1] += n
    reasons = collections.Counter(dl.get("reason") for _, _, dl in lake["errors"])
    return dict(parts), reasons


def report_balance(report):
    """read == written + duplicates + invalid + already_committed (None if it holds)."""
    lhs = report.get("read")
    rhs = sum(report.get(k, 0) for k in ("written", "duplicates", "invalid", "already_committed"))
    return None if lhs == rhs else f"read {lhs} != written + duplicates + invalid + already_committed = {rhs}"


# ---------------------------------------------------------------------------------------------
# Command line (scripts/aws-demo.sh).
# ---------------------------------------------------------------------------------------------
def _clients():
    ep = awsbed.endpoints_from_env()
    return {k: awsbed.client(k, v) for k, v in ep.items()}


def main(argv=None):
    import warnings

    warnings.simplefilter("ignore", ResourceWarning)
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("put", help="create the stream (and bucket), put a generated corpus")
    p.add_argument("--stream", required=True)
    p.add_argument("--shards", type=int, default=4)
    p.add_argument("--events", type=int, default=5000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--bucket")
    p.add_argument("--expected", required=True, help="write the expected outcome here (JSON)")
    c = sub.add_parser("check", help="summarize the lake and compare it with the expected outcome")
    c.add_argument("--bucket", required=True)
    c.add_argument("--prefix", required=True)
    c.add_argument("--expected", required=True)
    c.add_argument("--format", default="json", choices=["json", "parquet"])
    c.add_argument("reports", nargs="*")
    a = ap.parse_args(argv)
    cl = _clients()
    if a.cmd == "put":
        k = cl["kinesis"]
        names = k.list_streams().get("StreamNames", [])
        if a.stream not in names:
            k.create_stream(StreamName=a.stream, ShardCount=a.shards)
        awsbed.wait_stream_active(k, a.stream)
        if a.bucket:
            cl["s3"].create_bucket(Bucket=a.bucket)
        exp = Corpus(a.events, seed=a.seed, shards=a.shards).put(k, a.stream)
        with open(a.expected, "w") as f:
            json.dump(exp.to_json(), f)
        n = exp.counts()
        print(f"put {n['records']} records ({n['events']} events: {n['written']} unique, {n['duplicates']} duplicates, "
              f"{n['invalid']} invalid; {n['blank']} blank lines) into kinesis://{a.stream} ({a.shards} shards)")
        return 0
    with open(a.expected) as f:
        exp = Expected.from_json(json.load(f))
    parts, reasons = lake_summary(cl["s3"], a.bucket, a.prefix, a.format)
    print(f"s3://{a.bucket}/{a.prefix}/: {len(parts)} partitions, {sum(v[0] for v in parts.values())} objects, "
          f"{sum(v[1] for v in parts.values())} events")
    by_type = collections.defaultdict(lambda: [[], 0, 0])
    for (t, d), (objs, n) in parts.items():
        by_type[t][0].append(d)
        by_type[t][1] += objs
        by_type[t][2] += n
    print(f"  {'event_type= (escaped)':<32} {'event_date=':<32} {'objects':>7} {'events':>7}")
    for t, (dates, objs, n) in sorted(by_type.items()):
        dates.sort()
        span = f"{len(dates)} ({dates[0]}..{dates[-1]})" if len(dates) > 1 else dates[0]
        print(f"  {t if len(t) <= 32 else t[:29] + '...':<32} {span:<32} {objs:>7} {n:>7}")
    print(f"  _errors/: {sum(reasons.values())} dead letters: "
          + ", ".join(f"{r} {n}" for r, n in sorted(reasons.items())))
    for path in a.reports:
        with open(path) as f:
            rep = json.load(f)
        keys = ["read", "written", "duplicates", "invalid", "already_committed"]
        print(f"report {os.path.basename(path)}: " + ", ".join(f"{k} {rep.get(k)}" for k in keys)
              + f"; aws {json.dumps(rep.get('aws'))}")
        bad = report_balance(rep)
        if bad:
            print(f"  UNBALANCED: {bad}")
    n = exp.counts()
    problems = check_lake(cl["s3"], a.bucket, a.prefix, exp, a.format)
    print(f"expected: {n['written']} events written once, {n['duplicates']} duplicates dropped, "
          f"{n['invalid']} dead letters")
    if problems:
        print("lake check: MISMATCH\n  " + "\n  ".join(problems))
        return 1
    print("lake check: MATCH (every valid event exactly once in its partition, every invalid one in _errors/)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
