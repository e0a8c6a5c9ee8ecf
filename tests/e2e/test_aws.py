#!/usr/bin/python3
"""eventlake's AWS mode end to end: `eventlake ingest --source kinesis://STREAM --dedup
dynamodb://TABLE --lake s3://BUCKET/PREFIX` workers against the local AWS test bed (kinesalite,
dynalite, s3rver; tests/awsbed/), started and stopped by this test.

An independent producer (kinesis_producer.py, boto3) puts generated records on chosen shards of a
4-shard stream and computes the expected outcome itself; an independent reader (boto3
ListObjectsV2 + GetObject; DuckDB for Parquet) checks the lake: every valid event exactly once in
its partition directory with the derived fields, every invalid one in _errors/ with its reason
and position, nothing else. Workers are crashed (EVENTLAKE_TEST_CRASH_AT, or SIGKILL from here)
and restarted; faults are injected with tests/awsbed/fault_proxy.mjs.

    /usr/bin/python3 tests/e2e/test_aws.py [-v] [unittest args]
    env: EVENTLAKE_BIN (default build/eventlake), KEEP_TMP=1 (keep the workers' logs and reports)
"""
import json
import os
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
            cls.env = cls.load_env()
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
    def load_env(cls):
        env = {}
        with open(os.path.join(cls.bed_dir, "bed.env")) as f:
            for line in f:
                line = line.strip()
                if line.startswith("export "):
                    line = line[len("export "):]
                if "=" in line and not line.startswith("#"):
                    k, v = line.split("=", 1)
                    env[k] = v.strip("'\"")
        return env

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
              env=None):
        """Starts a worker on stream NAME (or STREAM), claims table claims-NAME (or TABLE), lake
        s3://BUCKET/NAME, work dir per worker id (a restart reuses it)."""
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
                "--work-dir", os.path.join(self.tmp, "work", name, worker_id), "--stop-when-caught-up", "--quiet"]
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


if __name__ == "__main__":
    unittest.main()
