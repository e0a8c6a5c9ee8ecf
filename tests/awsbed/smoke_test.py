#!/usr/bin/python3
"""Smoke test of the local AWS test bed with an independent client (Debian's python3-boto3).

    /usr/bin/python3 tests/awsbed/smoke_test.py [-v] [unittest args]

Starts the bed (bed.sh start) in a temporary directory, exercises Kinesis, DynamoDB and S3 the
way eventlake's AWS mode uses them, checks fault_proxy.mjs (injected throttling is retried by
botocore and counted), stops the bed and checks that no emulator process is left. Exits non-zero
on failure.
"""
import hashlib
import http.client
import http.server
import json
import os
import shutil
import sys
import tempfile
import threading
import unittest
import uuid
import warnings

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import awsbed  # noqa: E402

from botocore.exceptions import ClientError, ReadTimeoutError  # noqa: E402

BED = {}


def setUpModule():
    # boto3 1.26 clients have no close(); their pooled sockets would be reported at exit.
    warnings.filterwarnings("ignore", category=ResourceWarning)
    BED["dir"] = tempfile.mkdtemp(prefix="awsbed-smoke-")
    BED["bed"] = awsbed.start_bed(BED["dir"])
    BED["ep"] = {k: v["endpoint"] for k, v in BED["bed"]["services"].items()}


def tearDownModule():
    try:
        awsbed.stop_bed(BED["dir"])
        left = [p for p in awsbed.bed_pids(BED["bed"]) if awsbed.pid_running(p)]
        if left:
            raise AssertionError(f"emulator processes left after bed.sh stop: {left}")
    finally:
        shutil.rmtree(BED["dir"], ignore_errors=True)


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


class KinesisTest(unittest.TestCase):
    def test_four_shards_put_and_read(self):
        k = awsbed.client("kinesis", BED["ep"]["kinesis"])
        name = unique("stream")
        k.create_stream(StreamName=name, ShardCount=4)
        awsbed.wait_stream_active(k, name)
        shards = k.list_shards(StreamName=name)["Shards"]
        self.assertEqual(len(shards), 4)

        sent = {f"event-{i}".encode(): f"pk-{i}" for i in range(200)}
        entries = [{"Data": d, "PartitionKey": pk} for d, pk in sent.items()]
        for i in range(0, len(entries), 100):
            r = k.put_records(StreamName=name, Records=entries[i:i + 100])
            self.assertEqual(r["FailedRecordCount"], 0)
        # Same record twice: Kinesis keeps both copies (dedup is the consumer's job).
        k.put_record(StreamName=name, Data=b"event-0", PartitionKey="pk-0")

        got, per_shard = [], {}
        for shard in shards:
            it = k.get_shard_iterator(StreamName=name, ShardId=shard["ShardId"],
                                      ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            while it:
                r = k.get_records(ShardIterator=it, Limit=1000)
                got += [rec["Data"] for rec in r["Records"]]
                per_shard[shard["ShardId"]] = per_shard.get(shard["ShardId"], 0) + len(r["Records"])
                if not r["Records"] and r.get("MillisBehindLatest", 0) == 0:
                    break
                it = r.get("NextShardIterator")
        self.assertEqual(sorted(got), sorted(list(sent) + [b"event-0"]))
        self.assertEqual(len([n for n in per_shard.values() if n > 0]), 4, per_shard)

        k.delete_stream(StreamName=name)


class DynamoDBTest(unittest.TestCase):
    def setUp(self):
        self.ddb = awsbed.client("dynamodb", BED["ep"]["dynamodb"])
        self.table = unique("claims")
        self.ddb.create_table(
            TableName=self.table,
            KeySchema=[{"AttributeName": "uuid", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "uuid", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST")
        awsbed.wait_table_active(self.ddb, self.table)

    def claim(self, uid, token):
        """The dedup claim: succeeds when the uuid is absent or held by the same source token."""
        return self.ddb.put_item(
            TableName=self.table,
            Item={"uuid": {"S": uid}, "owner": {"S": token}, "expires": {"N": "1999999999"}},
            ConditionExpression="attribute_not_exists(#u) OR #o = :tok",
            ExpressionAttributeNames={"#u": "uuid", "#o": "owner"},
            ExpressionAttributeValues={":tok": {"S": token}})

    def test_conditional_put(self):
        self.claim("u-1", "shard-0:100")
        self.claim("u-1", "shard-0:100")  # a replay of the same record wins its own claim
        with self.assertRaises(ClientError) as cm:
            self.claim("u-1", "shard-3:7")  # the same uuid from another record loses
        self.assertEqual(cm.exception.response["Error"]["Code"], "ConditionalCheckFailedException")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        item = self.ddb.get_item(TableName=self.table, Key={"uuid": {"S": "u-1"}}, ConsistentRead=True)
        self.assertEqual(item["Item"]["owner"]["S"], "shard-0:100")

    def test_batch_write_and_get(self):
        keys = [f"b-{i}" for i in range(100)]
        for i in range(0, 100, 25):
            r = self.ddb.batch_write_item(RequestItems={self.table: [
                {"PutRequest": {"Item": {"uuid": {"S": key}, "owner": {"S": "t"}}}} for key in keys[i:i + 25]]})
            self.assertFalse(r["UnprocessedItems"])
        r = self.ddb.batch_get_item(RequestItems={self.table: {"Keys": [{"uuid": {"S": key}} for key in keys]}})
        self.assertFalse(r["UnprocessedKeys"])
        self.assertEqual(sorted(i["uuid"]["S"] for i in r["Responses"][self.table]), sorted(keys))

    def test_ttl_is_not_supported(self):
        # Documented quirk: dynalite has no UpdateTimeToLive (expiry must be tested in eventlake).
        with self.assertRaises(ClientError) as cm:
            self.ddb.update_time_to_live(TableName=self.table,
                                         TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"})
        self.assertEqual(cm.exception.response["Error"]["Code"], "UnknownOperationException")


class S3Test(unittest.TestCase):
    def setUp(self):
        self.s3 = awsbed.client("s3", BED["ep"]["s3"])
        self.bucket = unique("lake")
        self.s3.create_bucket(Bucket=self.bucket)

    def test_put_list_get_odd_keys(self):
        keys = {
            "events/event_type=click/date=2024-01-01/part 0001.json": b'{"a":1}\n',
            "events/event_type=page view/date=2024-01-02/part=0002 x.json": b'{"b":2}\n' * 1000,
            "events/event_type=click/date=2024-01-01/part-0003.json": b"",
        }
        for key, body in keys.items():
            self.s3.put_object(Bucket=self.bucket, Key=key, Body=body)
        listed = self.s3.list_objects_v2(Bucket=self.bucket, Prefix="events/")  # no delimiter
        self.assertEqual(sorted(o["Key"] for o in listed["Contents"]), sorted(keys))
        self.assertEqual({o["Key"]: o["Size"] for o in listed["Contents"]},
                         {k: len(v) for k, v in keys.items()})
        for key, body in keys.items():
            self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read(), body)
        # Same key, same bytes: an idempotent republish.
        first = self.s3.head_object(Bucket=self.bucket, Key=next(iter(keys)))["ETag"]
        self.s3.put_object(Bucket=self.bucket, Key=next(iter(keys)), Body=next(iter(keys.values())))
        self.assertEqual(self.s3.head_object(Bucket=self.bucket, Key=next(iter(keys)))["ETag"], first)

    def test_truncated_listing(self):
        # Needs node's --openssl-legacy-provider (continuation tokens are DES-encrypted).
        for i in range(7):
            self.s3.put_object(Bucket=self.bucket, Key=f"p/k{i}", Body=b"x")
        seen, token, pages = [], None, 0
        while True:
            kw = {"ContinuationToken": token} if token else {}
            r = self.s3.list_objects_v2(Bucket=self.bucket, Prefix="p/", MaxKeys=3, **kw)
            pages += 1
            seen += [o["Key"] for o in r.get("Contents", [])]
            if not r["IsTruncated"]:
                break
            token = r["NextContinuationToken"]
        self.assertEqual(seen, [f"p/k{i}" for i in range(7)])
        self.assertEqual(pages, 3)

    def test_multipart_upload(self):
        key = "events/event_type=big/date=2024-01-01/part 9.json"
        part1 = os.urandom(5 * 1024 * 1024)
        part2 = os.urandom(123457)
        up = self.s3.create_multipart_upload(Bucket=self.bucket, Key=key)
        etags = [self.s3.upload_part(Bucket=self.bucket, Key=key, UploadId=up["UploadId"], PartNumber=n,
                                     Body=body)["ETag"] for n, body in ((1, part1), (2, part2))]
        self.s3.complete_multipart_upload(
            Bucket=self.bucket, Key=key, UploadId=up["UploadId"],
            MultipartUpload={"Parts": [{"PartNumber": n, "ETag": e} for n, e in zip((1, 2), etags)]})
        data = self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        self.assertEqual(hashlib.sha256(data).digest(), hashlib.sha256(part1 + part2).digest())
        # Quirk: s3rver's multipart ETag is the md5 of the whole object, not AWS's "<md5 of the
        # part md5s>-2"; do not rely on the ETag format.
        self.assertEqual(self.s3.head_object(Bucket=self.bucket, Key=key)["ContentLength"], len(part1) + len(part2))


class _EchoHandler(http.server.BaseHTTPRequestHandler):
    """Records the raw request (header lines and body) and answers 200."""
    protocol_version = "HTTP/1.1"
    seen = []

    def do_PUT(self):
        n = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(n)
        _EchoHandler.seen.append((self.command, self.path, [(k, v) for k, v in self.headers.raw_items()], body))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


class FaultProxyTest(unittest.TestCase):
    def test_forwards_headers_and_body_unchanged(self):
        echo = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _EchoHandler)
        threading.Thread(target=echo.serve_forever, daemon=True).start()
        try:
            with awsbed.FaultProxy(f"http://127.0.0.1:{echo.server_address[1]}") as proxy:
                host, port = proxy.url[len("http://"):].split(":")
                conn = http.client.HTTPConnection(host, int(port), timeout=10)
                body = bytes(range(256)) * 64
                headers = [("Host", "Lake-Bucket.example:1234"), ("X-Amz-Date", "20240101T000000Z"),
                           ("x-amz-content-sha256", hashlib.sha256(body).hexdigest()),
                           ("Authorization", "AWS4-HMAC-SHA256 Credential=S3RVER/20240101/us-east-1/s3/aws4_request"),
                           ("Content-Length", str(len(body)))]
                conn.putrequest("PUT", "/b/k%3D1/a%20b?partNumber=1&uploadId=x", skip_host=True,
                                skip_accept_encoding=True)
                for k, v in headers:
                    conn.putheader(k, v)
                conn.endheaders(body)
                resp = conn.getresponse()
                self.assertEqual((resp.status, resp.read()), (200, b"ok"))
                conn.close()
        finally:
            echo.shutdown()
            echo.server_close()
        method, path, got_headers, got_body = _EchoHandler.seen[-1]
        self.assertEqual((method, path, got_body), ("PUT", "/b/k%3D1/a%20b?partNumber=1&uploadId=x", body))
        for h in headers:
            self.assertIn(h, got_headers)  # same name case and value; Host as the client sent it

    def test_dynamodb_throttling_is_retried_and_counted(self):
        ddb_ep = BED["ep"]["dynamodb"]
        table = unique("throttle")
        direct = awsbed.client("dynamodb", ddb_ep)
        direct.create_table(TableName=table, KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                            AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                            BillingMode="PAY_PER_REQUEST")
        awsbed.wait_table_active(direct, table)
        rules = [{"match": {"target": "DynamoDB_20120810.PutItem"}, "skip": 1, "times": 2,
                  "preset": "dynamodb-throttle"}]
        with awsbed.FaultProxy(ddb_ep, rules) as proxy:
            ddb = awsbed.client("dynamodb", proxy.url, retries={"max_attempts": 5, "mode": "standard"})
            r = ddb.put_item(TableName=table, Item={"k": {"S": "first"}})  # 1st match: passes
            self.assertEqual(r["ResponseMetadata"]["RetryAttempts"], 0)
            r = ddb.put_item(TableName=table, Item={"k": {"S": "second"}})  # 2nd, 3rd: throttled
            self.assertEqual(r["ResponseMetadata"]["RetryAttempts"], 2)
            got = direct.get_item(TableName=table, Key={"k": {"S": "second"}}, ConsistentRead=True)
            self.assertIn("Item", got)
            state = proxy.faults()
            self.assertEqual(state["rules"][0]["matched"], 4)
            self.assertEqual(state["rules"][0]["injected"], 2)
            self.assertEqual(state["totals"]["injected"], 2)

            # Not retried: a condition failure comes straight back through the proxy.
            with self.assertRaises(ClientError) as cm:
                ddb.put_item(TableName=table, Item={"k": {"S": "second"}},
                             ConditionExpression="attribute_not_exists(k)")
            self.assertEqual(cm.exception.response["Error"]["Code"], "ConditionalCheckFailedException")
            self.assertEqual(cm.exception.response["ResponseMetadata"]["RetryAttempts"], 0)

            # 5xx is retried as well.
            proxy.set_rules([{"match": {"target": "PutItem"}, "nth": 1, "preset": "dynamodb-500"}])
            r = ddb.put_item(TableName=table, Item={"k": {"S": "third"}})
            self.assertEqual(r["ResponseMetadata"]["RetryAttempts"], 1)
            self.assertEqual(proxy.faults()["totals"]["injected"], 3)

    def test_s3_slowdown_and_500_are_retried(self):
        s3_ep = BED["ep"]["s3"]
        bucket = unique("faults")
        awsbed.client("s3", s3_ep).create_bucket(Bucket=bucket)
        rules = [{"match": {"method": "PUT", "path": f"^/{bucket}/"}, "nth": 1, "preset": "s3-slowdown"},
                 {"match": {"method": "PUT", "path": f"^/{bucket}/"}, "nth": 2, "preset": "s3-500"}]
        with awsbed.FaultProxy(s3_ep, rules) as proxy:
            s3 = awsbed.client("s3", proxy.url, retries={"max_attempts": 5, "mode": "standard"})
            body = os.urandom(1024 * 1024)
            r = s3.put_object(Bucket=bucket, Key="a=1/b c.json", Body=body)
            self.assertEqual(r["ResponseMetadata"]["RetryAttempts"], 2)
            self.assertEqual(s3.get_object(Bucket=bucket, Key="a=1/b c.json")["Body"].read(), body)
            state = proxy.faults()
            self.assertEqual([r["injected"] for r in state["rules"]], [1, 1])

    def test_kinesis_expired_iterator_and_client_timeout(self):
        k_ep = BED["ep"]["kinesis"]
        name = unique("faults")
        direct = awsbed.client("kinesis", k_ep)
        direct.create_stream(StreamName=name, ShardCount=1)
        awsbed.wait_stream_active(direct, name)
        direct.put_record(StreamName=name, Data=b"x", PartitionKey="p")
        rules = [{"match": {"target": "GetRecords"}, "nth": 1, "preset": "kinesis-expired-iterator"},
                 {"match": {"target": "GetRecords"}, "nth": 2, "delay_response_ms": 1500}]
        with awsbed.FaultProxy(k_ep, rules) as proxy:
            k = awsbed.client("kinesis", proxy.url, read_timeout=0.5,
                              retries={"total_max_attempts": 1, "mode": "standard"})
            shard = k.list_shards(StreamName=name)["Shards"][0]["ShardId"]
            it = k.get_shard_iterator(StreamName=name, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            with self.assertRaises(ClientError) as cm:
                k.get_records(ShardIterator=it)
            self.assertEqual(cm.exception.response["Error"]["Code"], "ExpiredIteratorException")
            with self.assertRaises(ReadTimeoutError):
                k.get_records(ShardIterator=it)
            self.assertEqual(k.get_records(ShardIterator=it)["Records"][0]["Data"], b"x")
            state = proxy.faults()
            self.assertEqual([r["injected"] for r in state["rules"]], [1, 1])
            self.assertEqual((state["totals"]["injected"], state["totals"]["delayed"]), (1, 1))


if __name__ == "__main__":
    unittest.main()
