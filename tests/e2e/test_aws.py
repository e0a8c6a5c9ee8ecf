#!/usr/bin/python3
"""eventlake's AWS mode end to end: `eventlake ingest --source kinesis://STREAM --dedup
dynamodb://TABLE --lake s3://BUCKET/PREFIX` workers against the local AWS test bed (kinesalite,
dynalite, s3rver; tests/awsbed/), started and stopped by this test.

An independent producer (kinesis_producer.py, boto3) puts generated records on chosen shards of a
4-shard stream and computes the expected outcome itself; an independent reader (boto3
ListObjectsV2 + GetObject; DuckDB for Parquet) checks the lake: every valid event exactly once in
its partition directory with the derived fields, every invalid one in _errors/ with its reason
and position, nothing else. Workers are crashed (EVENTLAKE_TEST_CRASH_AT, or SIGKILL from here)
and restarted, or stopped with SIGTERM; faults are injected with tests/awsbed/fault_proxy.mjs. The
stream is also resharded (SplitShard, MergeShards) before the workers read it, read from
--start-position latest and at_timestamp:T, and rebalanced when a second worker joins a running one;
the lease table is checked with boto3 Scans.

    /usr/bin/python3 tests/e2e/test_aws.py [-v] [unittest args]
    env: EVENTLAKE_BIN (default build/eventlake), KEEP_TMP=1 (keep the workers' logs and reports)
"""
import collections
import json
import math
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "awsbed"))
import awsbed  # noqa: E402
import kinesis_producer as kp  # noqa: E402
from lakeutil import BIN  # noqa: E402

BUCKET = "lake-aws-e2e"
WORKER_TIMEOUT = 240  # seconds one worker run may take before the test gives up on it
# Many small epochs (several objects per shard and partition) and a short lease, so a dead
# worker's shards move within seconds.
EPOCHS = ("--flush-count", "25", "--lease-duration", "2s")

AWS_KEYS = {"retries", "expired_iterators", "leases_taken", "leases_lost", "replayed_epochs", "claims"}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class Worker:
    """One `eventlake ingest` process; stdout and stderr go to files in the test's directory."""

    def __init__(self, args, env, base, run):
        self.args, self.base = args, base
        path = f"{base}-run{run}"
        self.report = path + ".report.json"
        self.out_path, self.err_path = path + ".out", path + ".err"
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            self.proc = subprocess.Popen([BIN] + args + ["--report", self.report], stdout=out, stderr=err,
                                         stdin=subprocess.DEVNULL, env=env)
        self.started = time.monotonic()
        self.seconds = None
        self.returncode = None

    def wait(self, timeout=WORKER_TIMEOUT):
        try:
            self.returncode = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"eventlake {' '.join(self.args)} did not exit within {timeout} s:\n{self.stderr()}")
        self.seconds = time.monotonic() - self.started
        return self.returncode

    def terminate(self):
        """SIGTERM (by PID): a clean stop, publishing what it holds and releasing its leases."""
        if self.proc.poll() is not None:
            raise AssertionError(f"eventlake {' '.join(self.args)} exited ({self.proc.returncode}) before SIGTERM:\n"
                                 f"{self.stderr()}")
        self.proc.send_signal(signal.SIGTERM)

    def kill(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)  # by PID: only this process
        self.returncode = self.proc.wait(timeout=60)
        self.seconds = time.monotonic() - self.started
        return self.returncode

    def stderr(self, tail=4000):
        with open(self.err_path, "rb") as f:
            return f.read().decode("utf-8", "replace")[-tail:]

    def load_report(self):
        with open(self.report) as f:
            return json.load(f)


class AwsModeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        warnings.simplefilter("ignore", ResourceWarning)  # boto3 keeps its pooled connections open
        cls.tmp = tempfile.mkdtemp(prefix="eventlake-aws-")
        cls.bed_dir = os.path.join(cls.tmp, "bed")
        cls.workers = []
        bed = awsbed.start_bed(cls.bed_dir)
        try:
            cls.ep = {k: v["endpoint"] for k, v in bed["services"].items()}
            cls.env = awsbed.bed_env(cls.bed_dir)
            cls.kinesis = awsbed.client("kinesis", cls.ep["kinesis"])
            cls.ddb = awsbed.client("dynamodb", cls.ep["dynamodb"])
            cls.s3 = awsbed.client("s3", cls.ep["s3"])
            cls.s3.create_bucket(Bucket=BUCKET)
            cls.main_corpus = kp.Corpus(3000, seed=11)  # "a few thousand" events over 4 shards
            cls.small_corpus = kp.Corpus(600, seed=12)
            # Parquet: one type per payload field (engines merge files by column name).
            cls.parquet_corpus = kp.Corpus(400, seed=13, payload="simple")
        except BaseException:
            awsbed.stop_bed(cls.bed_dir)
            raise

    @classmethod
    def tearDownClass(cls):
        for w in cls.workers:  # a failed test may leave one running: end it by its PID
            if w.proc.poll() is None:
                w.kill()
        awsbed.stop_bed(cls.bed_dir)
        if os.environ.get("KEEP_TMP"):
            log(f"kept {cls.tmp}")
        else:
            shutil.rmtree(cls.tmp, ignore_errors=True)

    # -----------------------------------------------------------------------------------------
    # Helpers
    # -----------------------------------------------------------------------------------------
    def make_stream(self, name, corpus=None, shards=4):
        """Creates kinesis://NAME and puts CORPUS on it; returns the expected outcome."""
        self.kinesis.create_stream(StreamName=name, ShardCount=shards)
        awsbed.wait_stream_active(self.kinesis, name)
        return corpus.put(self.kinesis, name) if corpus else None

    def start(self, name, worker_id, *extra, stream=None, table=None, create_tables=True, crash_at=None,
              env=None, stop=True):
        """Starts a worker on stream NAME (or STREAM), claims table claims-NAME (or TABLE), lake
        s3://BUCKET/NAME, work dir per worker id (a restart reuses it); with --stop-when-caught-up
        unless STOP is false (then it runs until a signal)."""
        if not os.access(BIN, os.X_OK):
            self.fail(f"eventlake binary not found at {BIN} (set EVENTLAKE_BIN)")
        full_env = {k: v for k, v in os.environ.items() if k != "EVENTLAKE_TEST_CRASH_AT"}
        full_env.update(self.env)
        full_env.update(env or {})
        if crash_at:
            full_env["EVENTLAKE_TEST_CRASH_AT"] = crash_at
        args = ["ingest", "--source", f"kinesis://{stream or name}",
                "--dedup", f"dynamodb://{table or 'claims-' + name}",
                "--lake", f"s3://{BUCKET}/{name}", "--worker-id", worker_id,
                "--work-dir", os.path.join(self.tmp, "work", name, worker_id), "--quiet"]
        if stop:
            args.append("--stop-when-caught-up")
        if create_tables:
            args.append("--create-tables")
        args += list(extra)
        base = os.path.join(self.tmp, f"{name}-{worker_id}")
        runs = sum(1 for w in self.workers if w.base == base)
        w = Worker(args, full_env, base, runs + 1)
        self.workers.append(w)
        return w

    def finish(self, worker, expect=0):
        rc = worker.wait()
        if expect == "nonzero":  # an error exit, not a crash
            self.assertGreater(rc, 0, f"eventlake {' '.join(worker.args)} should have failed with an error "
                                      f"(exit {rc}):\n{worker.stderr()}")
        else:
            self.assertEqual(rc, expect, f"eventlake {' '.join(worker.args)} exited {rc} (want {expect}):\n"
                                         f"{worker.stderr()}")
        return rc

    def keys(self, prefix):
        return kp.list_keys(self.s3, BUCKET, prefix)

    def assert_lake_exact(self, prefix, expected, fmt="json"):
        problems = kp.check_lake(self.s3, BUCKET, prefix, expected, fmt)
        self.assertEqual(problems, [], f"the lake s3://{BUCKET}/{prefix} differs from the expected outcome:\n  "
                         + "\n  ".join(problems))

    def reports(self, *workers):
        """The run reports of finished workers, each balanced and with the aws object."""
        out = []
        for w in workers:
            rep = w.load_report()
            self.assertIsNone(kp.report_balance(rep), f"{w.report}: {kp.report_balance(rep)}")
            aws = rep.get("aws")
            self.assertIsInstance(aws, dict, f"{w.report} has no aws object")
            self.assertLessEqual(AWS_KEYS, set(aws), f"{w.report}: aws object {aws}")
            self.assertLessEqual({"kinesis", "dynamodb", "s3"}, set(aws["retries"]), f"{w.report}: {aws}")
            self.assertLessEqual({"won", "won_expired", "won_own_token", "lost"}, set(aws["claims"]),
                                 f"{w.report}: {aws}")
            log(f"  {os.path.basename(w.report)} ({w.seconds:.1f} s): "
                + ", ".join(f"{k} {rep.get(k)}" for k in ("read", "written", "duplicates", "invalid",
                                                          "already_committed"))
                + f"; aws {json.dumps(aws)}")
            out.append(rep)
        return out

    def wait_for_first_object(self, prefix, worker, timeout=120):
        """Returns once an object is visible under PREFIX/ (fails if WORKER exits first)."""
        def visible():
            if worker.proc.poll() is not None:
                raise AssertionError(f"the worker exited ({worker.proc.returncode}) before any object was visible:\n"
                                     f"{worker.stderr()}")
            return self.s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix + "/", MaxKeys=1).get("KeyCount", 0) > 0
        awsbed.wait_until(visible, f"a first object under s3://{BUCKET}/{prefix}/", timeout=timeout, interval=0.02)

    def assert_single_worker_counts(self, rep, expected):
        """One worker, no crash: every event read once, so the report's counts are exact."""
        n = expected.counts()
        got = {k: rep.get(k) for k in ("written", "duplicates", "invalid", "already_committed")}
        want = {"written": n["written"], "duplicates": n["duplicates"], "invalid": n["invalid"], "already_committed": 0}
        self.assertEqual(got, want, "report counts of a single worker without a crash")

    @staticmethod
    def injected(faults, which=None):
        """Faults the proxy acted on (error answers and delays), over all rules or rules WHICH."""
        return sum(r["injected"] for i, r in enumerate(faults["rules"]) if which is None or i in which)

    def leases(self, name, table=None):
        """{shard id: item} of stream NAME in its lease table (a consistent boto3 Scan; items as
        plain values: S -> str, N -> int, BOOL -> bool); {} while the table does not exist."""
        table = table or f"claims-{name}-leases"
        out, kw = {}, {"TableName": table, "ConsistentRead": True}
        while True:
            try:
                page = self.ddb.scan(**kw)
            except self.ddb.exceptions.ResourceNotFoundException:
                return {}
            for item in page["Items"]:
                plain = {k: int(v["N"]) if "N" in v else v.get("S", v.get("BOOL")) for k, v in item.items()}
                stream, _, shard = plain["lease"].partition("/")
                if stream == name:
                    out[shard] = plain
            if "LastEvaluatedKey" not in page:
                return out
            kw["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def owners(self, name):
        """{worker id: leases it owns} of stream NAME."""
        return dict(collections.Counter(item["owner"] for item in self.leases(name).values() if "owner" in item))

    def wait_for(self, predicate, what, workers, timeout=60):
        """Polls PREDICATE until true; fails at once if one of WORKERS exits meanwhile."""
        def check():
            for w in workers:
                if w.proc.poll() is not None:
                    raise AssertionError(f"eventlake {' '.join(w.args)} exited ({w.proc.returncode}) while waiting "
                                         f"for {what}:\n{w.stderr()}")
            return predicate()
        return awsbed.wait_until(check, what, timeout=timeout, interval=0.05)

    def stop_cleanly(self, *workers):
        """SIGTERM each (all at once), then each must exit 0."""
        for w in workers:
            w.terminate()
        for w in workers:
            self.finish(w)

    def assert_no_owner(self, name, shards=None):
        """Every lease of NAME (or of SHARDS) is free and carries no intent."""
        leases = self.leases(name)
        held = {s: {k: v for k, v in item.items() if k in ("owner", "intent_first", "intent_last")}
                for s, item in leases.items() if shards is None or s in shards}
        self.assertEqual({s: v for s, v in held.items() if v}, {}, f"leases of {name} still held or with an intent")
        return leases

    def assert_counts_sum(self, reps, expected):
        """Workers that all exited cleanly (no crash) committed every record exactly once between
        them, so their reports add up to the expected counts."""
        n = expected.counts()
        got = {k: sum(r.get(k, 0) for r in reps) for k in ("read", "written", "duplicates", "invalid",
                                                           "already_committed")}
        want = {"read": n["events"], "written": n["written"], "duplicates": n["duplicates"], "invalid": n["invalid"],
                "already_committed": 0}
        self.assertEqual(got, want, "the reports of workers that stopped cleanly do not add up to the input")

    # -----------------------------------------------------------------------------------------
    # a. Two workers, one crashed and restarted: the lake is exact.
    # -----------------------------------------------------------------------------------------
    def test_crash_at_third_upload_then_two_workers(self):
        name = "crashpoint"
        exp = self.make_stream(name, self.main_corpus)
        # Alone, worker 1 holds every shard, so it surely reaches its third upload: it dies with an
        # epoch's intent recorded and part of its objects uploaded.
        w1 = self.start(name, "w1", *EPOCHS, crash_at="publish:file:3")
        self.finish(w1, -signal.SIGKILL)
        self.assertGreaterEqual(len(self.keys(name)), 1, "no object was uploaded before the crash")
        # Worker 2 and the restarted worker 1 (same id, same work dir) share the shards.
        w2 = self.start(name, "w2", *EPOCHS)
        w1b = self.start(name, "w1", *EPOCHS)
        self.finish(w2)
        self.finish(w1b)
        self.assert_lake_exact(name, exp)
        reps = self.reports(w2, w1b)
        self.assertGreaterEqual(sum(r["aws"]["replayed_epochs"] for r in reps), 1,
                                "the crashed epoch (intent recorded, not checkpointed) was not replayed")
        # --create-tables made the claim table and the lease table (default name: <claims>-leases).
        for table in (f"claims-{name}", f"claims-{name}-leases"):
            self.assertEqual(self.ddb.describe_table(TableName=table)["Table"]["TableStatus"], "ACTIVE")
        # A third worker finds every shard read and committed: it reads and writes nothing.
        before = sorted(self.keys(name))
        w3 = self.start(name, "w3", *EPOCHS)
        self.finish(w3)
        rep3 = self.reports(w3)[0]
        self.assertEqual((rep3["read"], rep3["written"]), (0, 0), "a worker after the others read again")
        self.assertEqual(sorted(self.keys(name)), before)

    def test_sigkill_once_first_object_visible_then_two_workers(self):
        name = "sigkill"
        exp = self.make_stream(name, self.main_corpus)
        w1 = self.start(name, "w1", *EPOCHS)
        self.wait_for_first_object(name, w1)
        w2 = self.start(name, "w2", *EPOCHS)
        self.assertEqual(w1.kill(), -signal.SIGKILL, f"worker 1 finished before it could be killed:\n{w1.stderr()}")
        w1b = self.start(name, "w1", *EPOCHS)
        self.finish(w2)
        self.finish(w1b)
        self.assert_lake_exact(name, exp)
        self.reports(w2, w1b)

    def test_crashes_at_intent_and_checkpoint_then_two_workers(self):
        # The other two sync points of an epoch: intent recorded but nothing uploaded, and just
        # after a checkpoint. Each restart (same worker id) takes its shards back at once.
        name = "crashsteps"
        exp = self.make_stream(name, self.small_corpus)
        for point in ("stream:intent:2", "stream:checkpoint:2"):
            w1 = self.start(name, "w1", *EPOCHS, crash_at=point)
            self.assertEqual(w1.wait(), -signal.SIGKILL, f"{point} was not reached:\n{w1.stderr()}")
        w1 = self.start(name, "w1", *EPOCHS)
        w2 = self.start(name, "w2", *EPOCHS)
        self.finish(w1)
        self.finish(w2)
        self.assert_lake_exact(name, exp)
        self.reports(w1, w2)

    def test_two_workers_start_together(self):
        # Both create the tables at the same moment and split the shards; no crash.
        name = "together"
        exp = self.make_stream(name, self.small_corpus)
        w1 = self.start(name, "w1", *EPOCHS)
        w2 = self.start(name, "w2", *EPOCHS)
        self.finish(w1)
        self.finish(w2)
        self.assert_lake_exact(name, exp)
        reps = self.reports(w1, w2)
        self.assertGreaterEqual(sum(r["aws"]["leases_taken"] for r in reps), 4, "4 shards, fewer leases taken")

    # -----------------------------------------------------------------------------------------
    # b. Parquet, read back with DuckDB.
    # -----------------------------------------------------------------------------------------
    def test_parquet_crash_then_two_workers(self):
        name = "parquet"
        exp = self.make_stream(name, self.parquet_corpus)
        fmt = ("--format", "parquet", "--flush-count", "20", "--lease-duration", "2s")
        w1 = self.start(name, "w1", *fmt, crash_at="publish:file:2")
        self.finish(w1, -signal.SIGKILL)
        w2 = self.start(name, "w2", *fmt)
        w1b = self.start(name, "w1", *fmt)
        self.finish(w2)
        self.finish(w1b)
        keys = self.keys(name)
        self.assertTrue(keys)
        self.assertTrue(all(k.endswith(".parquet") for k in keys if "/_errors/" not in k), keys[:10])
        self.assert_lake_exact(name, exp, fmt="parquet")
        self.reports(w2, w1b)

    # -----------------------------------------------------------------------------------------
    # c. Faults through the fault proxy: retried, counted, and the lake stays exact.
    # -----------------------------------------------------------------------------------------
    def run_through_proxy(self, name, service, rules, *extra):
        exp = self.make_stream(name, self.small_corpus)
        with awsbed.FaultProxy(self.ep[service], rules) as proxy:
            # Only this service goes through the proxy: the flag overrides the environment.
            w = self.start(name, "w1", f"--{service}-endpoint", proxy.url, *extra)
            self.finish(w)
            faults = proxy.faults()
        log(f"  {name}: proxy rules " + ", ".join(f"{r.get('preset') or 'delay'} {r['injected']}/{r['matched']}"
                                                  for r in faults["rules"]) + f"; totals {faults['totals']}")
        self.assert_lake_exact(name, exp)
        rep = self.reports(w)[0]
        self.assert_single_worker_counts(rep, exp)
        return rep, faults

    def test_dynamodb_throttling_and_5xx(self):
        put = {"target": "PutItem"}  # the claims (and the creation of the leases)
        rules = [{"match": put, "skip": 20, "times": 3, "preset": "dynamodb-throttle"},
                 {"match": put, "nth": 60, "preset": "dynamodb-500"},
                 {"match": put, "nth": 90, "preset": "dynamodb-503"},
                 {"match": put, "nth": 120, "preset": "dynamodb-request-limit"},
                 {"match": {"target": "UpdateItem"}, "nth": 2, "preset": "dynamodb-throttle"},
                 {"match": {"target": "UpdateItem"}, "nth": 3, "preset": "dynamodb-500"},
                 {"match": {"target": "Scan"}, "nth": 1, "preset": "dynamodb-500"},  # listing the leases
                 {"match": {"target": "GetItem"}, "nth": 1, "preset": "dynamodb-throttle"}]
        rep, faults = self.run_through_proxy("ddbfaults", "dynamodb", rules)
        # Hundreds of claims: these were surely hit (the others depend on the lease protocol's calls).
        self.assertEqual(self.injected(faults, {0, 1, 2, 3}), 6, "the claim faults were not all hit")
        self.assertGreaterEqual(rep["aws"]["retries"]["dynamodb"], self.injected(faults))

    def test_dynamodb_claim_timeout(self):
        # The claim is written, the answer comes after the request timeout: the retry finds the
        # claim held by the record's own token and wins it again.
        rules = [{"match": {"target": "PutItem"}, "nth": 40, "delay_response_ms": 3000}]
        rep, faults = self.run_through_proxy("ddbtimeout", "dynamodb", rules, "--request-timeout", "1s")
        self.assertEqual(self.injected(faults), 1)
        self.assertGreaterEqual(rep["aws"]["retries"]["dynamodb"], 1)

    def test_kinesis_expired_iterators_and_5xx(self):
        get = {"target": "GetRecords"}
        rules = [{"match": get, "nth": 2, "preset": "kinesis-expired-iterator"},
                 {"match": get, "nth": 3, "preset": "kinesis-500"},
                 {"match": get, "nth": 6, "preset": "kinesis-expired-iterator"},
                 {"match": get, "nth": 7, "preset": "kinesis-throughput-exceeded"},
                 {"match": {"target": "ListShards"}, "nth": 1, "preset": "kinesis-500"},
                 {"match": {"target": "GetShardIterator"}, "nth": 2, "preset": "kinesis-500"}]
        rep, faults = self.run_through_proxy("kinfaults", "kinesis", rules)
        # 4 shards, each read at least twice (records, then caught up): every rule was hit.
        self.assertEqual([r["injected"] for r in faults["rules"]], [1] * len(rules), json.dumps(faults["rules"]))
        self.assertGreaterEqual(rep["aws"]["expired_iterators"], self.injected(faults, {0, 2}))
        # The 500s are HTTP retries; the throttled GetRecords may be paced by the shard reader instead.
        self.assertGreaterEqual(rep["aws"]["retries"]["kinesis"], self.injected(faults, {1, 4, 5}))

    def test_s3_put_500s_and_timeouts(self):
        put = {"method": "PUT", "path": f"^/{BUCKET}/s3faults/"}
        rules = [{"match": put, "nth": 2, "preset": "s3-500"},
                 {"match": put, "nth": 4, "delay_response_ms": 3000},  # stored, answered after the timeout
                 {"match": put, "nth": 6, "preset": "s3-500"},
                 {"match": put, "nth": 9, "delay_response_ms": 3000}]
        rep, faults = self.run_through_proxy("s3faults", "s3", rules, "--request-timeout", "1s", "--flush-count", "20")
        self.assertEqual([r["injected"] for r in faults["rules"]], [1] * len(rules), json.dumps(faults["rules"]))
        self.assertGreaterEqual(rep["aws"]["retries"]["s3"], 4)

    # -----------------------------------------------------------------------------------------
    # d. Clear errors.
    # -----------------------------------------------------------------------------------------
    def test_missing_stream_is_named(self):
        w = self.start("nostream", "w1", stream="no-such-stream-e2e")
        self.finish(w, "nonzero")
        self.assertIn("no-such-stream-e2e", w.stderr())

    def test_missing_claim_table_needs_create_tables(self):
        self.make_stream("notable")
        w = self.start("notable", "w1", table="claims-not-created", create_tables=False)
        self.finish(w, "nonzero")
        err = w.stderr()
        self.assertIn("claims-not-created", err)
        self.assertIn("--create-tables", err)

    def test_missing_lease_table_needs_create_tables(self):
        self.make_stream("noleases")
        self.ddb.create_table(TableName="claims-noleases", KeySchema=[{"AttributeName": "uuid", "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": "uuid", "AttributeType": "S"}],
                              BillingMode="PAY_PER_REQUEST")
        awsbed.wait_table_active(self.ddb, "claims-noleases")
        w = self.start("noleases", "w1", create_tables=False)
        self.finish(w, "nonzero")
        err = w.stderr()
        self.assertIn("claims-noleases-leases", err)
        self.assertIn("--create-tables", err)

    # -----------------------------------------------------------------------------------------
    # e. Resharding: parents read to their end before their children, every shard leased.
    # -----------------------------------------------------------------------------------------
    def copies(self, rnd, sources, targets, marker, n):
        """N records copying uuids of SOURCES (valid Lines) onto the shards TARGETS: the same bytes,
        or the same uuid with other content carrying MARKER (a payload field)."""
        out = []
        for i, line in enumerate(rnd.sample(sources, n)):
            if i % 2:
                copy = line
            else:
                copy = kp.valid_line(line.uuid, "account", marker, str(kp.BASE + rnd.randrange(kp.SPAN)),
                                     {marker: True, "n": -i})
            out.append((targets[i % len(targets)], [copy], b"\n", bool(i % 3)))
        return out

    def reshard(self, name, action, **kw):
        """SplitShard or MergeShards, then waits until the stream is ACTIVE (children listed)."""
        getattr(self.kinesis, action)(StreamName=name, **kw)
        awsbed.wait_stream_active(self.kinesis, name)
        return kp.shard_ranges(self.kinesis, name)

    def test_split_and_merge_then_two_workers_one_crashed(self):
        # shardId-0 and -1; records; split 0 into 2 (low half) and 3; records, also copies of 0's
        # uuids into 2 and 3; merge 3 and 1 into 4; records, copies into 2 and 4. Closed: 0, 1, 3.
        name = "reshard"
        rnd = random.Random(21)
        self.kinesis.create_stream(StreamName=name, ShardCount=2)
        awsbed.wait_stream_active(self.kinesis, name)
        s0, s1 = sorted(kp.shard_ranges(self.kinesis, name))
        exp = kp.Corpus(400, seed=21, shards=2).put(self.kinesis, name, shard_ids=[s0, s1])
        lo, hi, _ = kp.shard_ranges(self.kinesis, name)[s0]
        ranges = self.reshard(name, "split_shard", ShardToSplit=s0, NewStartingHashKey=str(lo + (hi - lo + 1) // 2))
        s2, s3 = sorted(set(ranges) - {s0, s1}, key=lambda s: ranges[s][0])
        exp.extend(kp.Corpus(300, seed=22, shards=3).put(self.kinesis, name, shard_ids=[s2, s3, s1]))
        # Copies of a parent's uuids in its children lose: the parent is read (and its claims
        # made) to its end before a child is read. Copies from a shard that is no ancestor may win.
        exp.extend(kp.put_records(self.kinesis, name, self.copies(rnd, exp.valid_lines(s0), [s2, s3],
                                                                  "ancestor_copy", 30)))
        exp.extend(kp.put_records(self.kinesis, name, self.copies(rnd, exp.valid_lines(s1), [s2], "cousin_copy", 10)))
        ranges = self.reshard(name, "merge_shards", ShardToMerge=s3, AdjacentShardToMerge=s1)
        (s4,) = set(ranges) - {s0, s1, s2, s3}
        exp.extend(kp.Corpus(300, seed=23, shards=2).put(self.kinesis, name, shard_ids=[s2, s4]))
        ancestors = exp.valid_lines(s0) + exp.valid_lines(s1) + exp.valid_lines(s3)
        exp.extend(kp.put_records(self.kinesis, name, self.copies(rnd, ancestors, [s4], "ancestor_copy", 30)))
        exp.extend(kp.put_records(self.kinesis, name, self.copies(rnd, exp.valid_lines(s3), [s2], "cousin_copy", 10)))
        closed = {s for s, (_, _, c) in ranges.items() if c}
        self.assertEqual(closed, {s0, s1, s3})
        log(f"  {name}: {s0} -> {s2} + {s3}; {s3} + {s1} -> {s4}; {exp.counts()}")

        # Alone, worker 1 dies at its second upload (an epoch's intent recorded, not checkpointed).
        w1 = self.start(name, "w1", *EPOCHS, crash_at="publish:file:2")
        self.finish(w1, -signal.SIGKILL)
        finished_before = {s for s, item in self.leases(name).items() if item.get("finished")}
        w2 = self.start(name, "w2", *EPOCHS)
        w1b = self.start(name, "w1", *EPOCHS)
        self.finish(w2)
        self.finish(w1b)
        self.assert_lake_exact(name, exp)
        reps = self.reports(w2, w1b)

        # The parents' copies won: no ancestor_copy in the lake (cousin copies may be there).
        lake = kp.read_lake(self.s3, BUCKET, name)
        won = [(k, r["event_uuid"]) for k, _, r in lake["data"] if "ancestor_copy" in r]
        self.assertEqual(won, [], "a child's copy of a uuid its parent carries won over the parent's copy")
        log(f"  {name}: cousin copies that won: {sum(1 for _, _, r in lake['data'] if 'cousin_copy' in r)}")
        # Every shard, children included, published objects of its own.
        by_shard = collections.Counter(kp.KEY_RE.match(k[len(name) + 1:]).group(3) for k in lake["objects"]
                                       if kp.KEY_RE.match(k[len(name) + 1:]))
        self.assertEqual(set(by_shard), set(ranges), f"objects per shard: {dict(by_shard)}")
        # A lease for every shard; the closed ones finished (counted by whoever finished them),
        # the open ones not, and free.
        leases = self.leases(name)
        self.assertEqual(set(leases), set(ranges))
        self.assertEqual({s for s, item in leases.items() if item.get("finished")}, closed)
        self.assertEqual(sum(r["aws"]["shards_finished"] for r in reps), len(closed - finished_before),
                         f"shards finished before the two workers: {sorted(finished_before)}")
        self.assert_no_owner(name, set(ranges) - closed)

    # -----------------------------------------------------------------------------------------
    # f. SIGTERM: a clean stop.
    # -----------------------------------------------------------------------------------------
    def test_sigterm_publishes_and_releases(self):
        # A heavy shard 0 (its ranges reach --flush-count at once: the first objects) and three
        # light ones (below --flush-count, far from --flush-age: held until something else says
        # publish). Leases are taken one per tick and a taken shard is read in the same loop turn,
        # so once worker 1 owns two leases it holds a light shard's range unpublished.
        name = "sigterm"
        self.make_stream(name)
        shards = sorted(kp.shard_ranges(self.kinesis, name))
        exp = kp.Corpus(1200, seed=61, shards=2).put(self.kinesis, name, shard_ids=[shards[0]] * 2)
        exp.extend(kp.Corpus(150, seed=62, shards=3).put(self.kinesis, name, shard_ids=shards[1:]))
        flags = ("--flush-count", "40", "--lease-duration", "2s")
        w1 = self.start(name, "w1", *flags, stop=False)
        self.wait_for_first_object(name, w1)
        self.wait_for(lambda: self.owners(name).get("w1", 0) >= 2, "worker 1 owning 2 leases", [w1])
        before = self.leases(name)
        held = {s for s, item in before.items() if item.get("owner") == "w1"}
        self.assertTrue([s for s in held if s != shards[0] and "checkpoint" not in before[s]],
                        f"worker 1 holds no light shard with nothing published: {before}")
        self.stop_cleanly(w1)
        # It published what it held (checkpoints, no intent left) and released every lease.
        leases = self.assert_no_owner(name)
        self.assertEqual(set(leases), set(shards))
        unpublished = sorted(s for s in held if "checkpoint" not in leases[s])
        self.assertEqual(unpublished, [], "shards worker 1 held at SIGTERM and did not publish")
        # Its report counts exactly the records up to the checkpoints.
        done = [x for s, q, lines in exp.records if int(q) <= int(leases[s].get("checkpoint", 0))
                for x in lines if x.kind != "blank"]
        r1 = self.reports(w1)[0]
        self.assertEqual(r1["read"], len(done))
        w2 = self.start(name, "w2", *flags)
        self.finish(w2)
        self.assert_lake_exact(name, exp)
        r2 = self.reports(w2)[0]
        self.assertEqual(r2["aws"]["replayed_epochs"], 0, "the stopped worker left an epoch half done")
        self.assert_counts_sum([r1, r2], exp)
        self.assert_no_owner(name)

    # -----------------------------------------------------------------------------------------
    # g. --start-position for shards without a checkpoint.
    # -----------------------------------------------------------------------------------------
    def test_start_position_latest(self):
        name = "latest"
        self.make_stream(name, kp.Corpus(300, seed=31))  # old records: never read
        # Through a proxy that only counts (times 0: never acts): GetShardIterator and GetRecords.
        rules = [{"match": {"target": t}, "times": 0, "delay_request_ms": 0}
                 for t in ("GetShardIterator", "GetRecords")]
        with awsbed.FaultProxy(self.ep["kinesis"], rules) as proxy:
            w = self.start(name, "w1", *EPOCHS, "--flush-age", "1s", "--start-position", "latest",
                           "--kinesis-endpoint", proxy.url, stop=False)
            matched = lambda: [r["matched"] for r in proxy.faults()["rules"]]  # noqa: E731
            # Every shard leased and its LATEST iterator asked for ...
            self.wait_for(lambda: self.owners(name) == {"w1": 4} and matched()[0] >= 4,
                          "4 leases owned and 4 iterators asked for", [w])
            # ... and answered: a poll round submits at most one GetRecords per shard and waits
            # for all of its answers (the iterators' included) before the next round, so a 5th
            # GetRecords from here on belongs to a later round.
            iterators, reads = matched()
            self.assertEqual(iterators, 4, "a shard asked for a second iterator")
            self.wait_for(lambda: matched()[1] >= reads + 5, "a poll round after the iterators", [w])
            exp = kp.Corpus(300, seed=32).put(self.kinesis, name)
            last = exp.last_sequence()
            self.assertEqual(len(last), 4)
            # Read and committed (--flush-age 1s) up to the last new record on every shard.
            self.wait_for(lambda: all(int(self.leases(name)[s].get("checkpoint", 0)) >= int(q)
                                      for s, q in last.items()), "checkpoints at the last new records", [w])
            self.stop_cleanly(w)
        self.assert_lake_exact(name, exp)  # none of the old records, every new one
        rep = self.reports(w)[0]
        self.assert_counts_sum([rep], exp)

    def test_start_position_at_timestamp(self):
        # kinesalite stamps ApproximateArrivalTimestamp with Date.now() / 1000 (milliseconds) and
        # AT_TIMESTAMP starts at the first record stamped >= T; eventlake sends T with 3 decimals.
        # kinesalite never answers an AT_TIMESTAMP GetShardIterator on a shard without such a
        # record (AWS gives an iterator at the tip), so every shard gets records after T.
        name = "attimestamp"
        self.make_stream(name, kp.Corpus(300, seed=41))
        t_ms = math.floor(time.time() * 1000) + 1  # after every arrival stamp of the first batch
        awsbed.wait_until(lambda: time.time() * 1000 >= t_ms + 1, "the clock past T", interval=0.001)
        exp = kp.Corpus(300, seed=42).put(self.kinesis, name)
        # The stamps, as an independent reader (boto3) sees them, fall on either side of T.
        new = {(s, q) for s, q, _ in exp.records}
        before, after = [], []
        for sid in kp.shard_ranges(self.kinesis, name):
            it = self.kinesis.get_shard_iterator(StreamName=name, ShardId=sid,
                                                 ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            while it:
                page = self.kinesis.get_records(ShardIterator=it, Limit=1000)
                for r in page["Records"]:
                    ms = round(r["ApproximateArrivalTimestamp"].timestamp() * 1000)
                    (after if (sid, r["SequenceNumber"]) in new else before).append(ms)
                it = page.get("NextShardIterator") if page["Records"] else None
        self.assertEqual(len(exp.last_sequence()), 4, "a shard has no record after T")
        self.assertEqual(len(after), len(exp.records))
        self.assertLess(max(before), t_ms)
        self.assertGreater(min(after), t_ms)
        w = self.start(name, "w1", *EPOCHS, "--start-position", f"at_timestamp:{t_ms // 1000}.{t_ms % 1000:03d}")
        self.finish(w)
        self.assert_lake_exact(name, exp)
        self.assert_counts_sum(self.reports(w), exp)

    # -----------------------------------------------------------------------------------------
    # h. A worker joins a running one: they end up with half the shards each.
    # -----------------------------------------------------------------------------------------
    def test_second_worker_joins_and_takes_half(self):
        # Not "join": kinesalite keeps its stream databases in a JavaScript array indexed by name, so
        # a stream named like an Array method (join, map, push, ...) crashes it at the first put.
        name = "joining"
        exp = self.make_stream(name, self.small_corpus)
        w1 = self.start(name, "w1", *EPOCHS, stop=False)
        self.wait_for(lambda: self.owners(name) == {"w1": 4}, "worker 1 holding the 4 leases", [w1])
        w2 = self.start(name, "w2", *EPOCHS, stop=False)
        self.wait_for(lambda: self.owners(name) == {"w1": 2, "w2": 2}, "2 leases each", [w1, w2])
        # More records while both read, then both stop; a last worker reads what is left.
        exp.extend(kp.Corpus(400, seed=52).put(self.kinesis, name))
        self.stop_cleanly(w1, w2)
        self.assert_no_owner(name)
        w3 = self.start(name, "w3", *EPOCHS)
        self.finish(w3)
        self.assert_lake_exact(name, exp)
        r1, r2, r3 = self.reports(w1, w2, w3)
        self.assertEqual(r1["aws"]["leases_taken"], 4)
        self.assertGreaterEqual(r2["aws"]["leases_taken"], 2)
        self.assert_counts_sum([r1, r2, r3], exp)


if __name__ == "__main__":
    unittest.main()
