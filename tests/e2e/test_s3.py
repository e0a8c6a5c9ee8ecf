"""eventlake ingest into an S3 lake (--lake s3://bucket/prefix), checked by an independent
client: boto3 (Debian's python3-boto3) lists and fetches every object from s3rver, the S3
emulator of the local AWS test bed (tests/awsbed/), started and stopped by this test."""
import json
import os
import shutil
import signal
import sys
import tempfile
import unittest
import warnings
from collections import Counter

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "awsbed"))
import awsbed  # noqa: E402
from lakeutil import dead_letters, lake_events, run  # noqa: E402

BUCKET = "lake-e2e"


class S3LakeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        warnings.simplefilter("ignore", ResourceWarning)  # boto3 keeps its pooled connections open
        cls.tmp = tempfile.mkdtemp(prefix="eventlake-s3-")
        cls.bed_dir = os.path.join(cls.tmp, "bed")
        awsbed.start_bed(cls.bed_dir)
        cls.env = awsbed.bed_env(cls.bed_dir)
        cls.s3 = awsbed.client("s3", cls.env["AWS_ENDPOINT_URL_S3"])
        cls.s3.create_bucket(Bucket=BUCKET)
        src = os.path.join(cls.tmp, "in.ndjson")
        cls.uuids = src + ".uuids"
        run(["gen", "--count", "20000", "--seed", "7", "--output", src, "--expected", src + ".expected",
             "--expected-uuids", cls.uuids])
        cls.src = src
        with open(src + ".expected") as f:
            cls.expected = json.load(f)
        with open(cls.uuids) as f:
            cls.want = Counter(tuple(line.rstrip("\n").split("\t")[:3]) for line in f if line.strip())

    @classmethod
    def tearDownClass(cls):
        awsbed.stop_bed(cls.bed_dir)
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def ingest(self, prefix, *flags, crash_at=None, check=True):
        env = dict(self.env)
        if crash_at:
            env["EVENTLAKE_TEST_CRASH_AT"] = crash_at
        work = os.path.join(self.tmp, "work-" + prefix)
        return run(["ingest", "--lake", f"s3://{BUCKET}/{prefix}", "--work-dir", work, "--quiet", *flags, self.src],
                   env=env, check=check)

    def objects(self, prefix):
        keys, token = [], None
        while True:  # no delimiter: s3rver's delimiter listing is broken for nested prefixes
            kw = {"Bucket": BUCKET, "Prefix": prefix + "/"}
            if token:
                kw["ContinuationToken"] = token
            page = self.s3.list_objects_v2(**kw)
            keys += [o["Key"] for o in page.get("Contents", [])]
            if not page.get("IsTruncated"):
                return keys
            token = page["NextContinuationToken"]

    def download(self, prefix):
        """Every object of the lake into a local directory with the same layout."""
        out = os.path.join(self.tmp, "dl-" + prefix)
        shutil.rmtree(out, ignore_errors=True)
        for key in self.objects(prefix):
            path = os.path.join(out, key[len(prefix) + 1:])
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(self.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read())
        return out

    def assert_lake_exact(self, prefix):
        local = self.download(prefix)
        got = Counter()
        for rel, rec in lake_events(local):
            parts = dict(p.split("=", 1) for p in rel.split("/") if "=" in p)
            self.assertEqual(parts["event_type"], rec["event_type"], rel)
            got[(rec["event_uuid"], parts["event_type"], parts["event_date"])] += 1
        self.assertEqual(sum(got.values()), sum(self.want.values()))
        self.assertTrue(got == self.want, "the S3 lake differs from the expected outcome")
        self.assertEqual(len(dead_letters(local)), self.expected["invalid"])
        for key in self.objects(prefix):
            self.assertNotIn("_eventlake", key)  # staging and state stay local

    def test_json_lake_in_s3(self):
        self.ingest("json")
        self.assert_lake_exact("json")

    def test_parquet_lake_in_s3(self):
        self.ingest("parquet", "--format", "parquet")
        self.assertTrue(all(k.endswith(".parquet") for k in self.objects("parquet") if "/_errors/" not in k))
        self.assert_lake_exact("parquet")

    def test_crashes_then_rerun_exactly_once(self):
        for point in ("publish:file:3", "commit:committed:2"):
            p = self.ingest("crash", "--flush-count", "300", crash_at=point, check=False)
            self.assertEqual(p.returncode, -signal.SIGKILL, f"{point} was not reached: {p.err}")
        self.ingest("crash", "--flush-count", "300")
        self.assert_lake_exact("crash")
        # A second run over the same input adds nothing: every uuid is claimed.
        self.ingest("crash", "--flush-count", "300")
        self.assert_lake_exact("crash")

    def test_s3_faults_are_retried_and_counted(self):
        # Through the fault proxy: the 3rd and 7th PUT answer 500, the 5th 503 SlowDown. Nothing
        # lost or repeated, and the run report counts the three retries. (A dropped connection
        # is not here: libcurl itself re-sends a request whose reused connection died, without
        # telling, so the count would depend on connection reuse; aws_http_client_test covers
        # network errors.)
        put = {"method": "PUT", "path": f"^/{BUCKET}/faults/"}
        rules = [{"match": put, "nth": 3, "preset": "s3-500"},
                 {"match": put, "nth": 5, "preset": "s3-slowdown"},
                 {"match": put, "nth": 7, "preset": "s3-500"}]
        with awsbed.FaultProxy(self.env["AWS_ENDPOINT_URL_S3"], rules) as proxy:
            env = dict(self.env, AWS_ENDPOINT_URL_S3=proxy.url)
            report = os.path.join(self.tmp, "faults-report.json")
            run(["ingest", "--lake", f"s3://{BUCKET}/faults", "--work-dir", os.path.join(self.tmp, "work-faults"),
                 "--quiet", "--report", report, self.src], env=env)
            injected = proxy.faults()
        self.assert_lake_exact("faults")
        with open(report) as f:
            self.assertEqual(json.load(f)["http_retries"], 3)
        self.assertEqual(injected["totals"]["injected"], 3, json.dumps(injected))

    def test_missing_bucket_is_a_clear_error(self):
        env = dict(self.env)
        p = run(["ingest", "--lake", "s3://no-such-bucket-here/x", "--work-dir", os.path.join(self.tmp, "w-missing"),
                 "--quiet", self.src], env=env, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("no-such-bucket-here", p.err)

    def test_missing_credentials_are_named(self):
        env = {k: v for k, v in self.env.items() if k != "AWS_ACCESS_KEY_ID"}
        env["AWS_ACCESS_KEY_ID"] = ""
        p = run(["ingest", "--lake", f"s3://{BUCKET}/creds", "--work-dir", os.path.join(self.tmp, "w-creds"),
                 "--quiet", self.src], env=env, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("AWS_ACCESS_KEY_ID", p.err)


if __name__ == "__main__":
    unittest.main()
