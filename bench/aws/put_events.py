#!/usr/bin/python3
"""Puts an NDJSON file into a Kinesis stream, one event per record, spread over the shards
by a random partition key (500 records per PutRecords, several in flight), for bench/aws.sh.

    put_events.py STREAM FILE       (endpoint and credentials from the bed's environment)
"""
import concurrent.futures
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "awsbed"))
import awsbed  # noqa: E402


def main():
    stream, path = sys.argv[1], sys.argv[2]
    endpoint = os.environ["AWS_ENDPOINT_URL_KINESIS"]
    with open(path, "rb") as f:
        lines = [line.rstrip(b"\n") for line in f if line.strip()]
    batches = [lines[i:i + 500] for i in range(0, len(lines), 500)]

    client = awsbed.client("kinesis", endpoint)  # one client: creating them is not thread-safe, using one is

    def put(args):
        n, batch = args
        records = [{"Data": data, "PartitionKey": f"k{n}-{i}"} for i, data in enumerate(batch)]
        while records:  # PutRecords may refuse some records (throughput): put those again
            answer = client.put_records(StreamName=stream, Records=records)
            records = [r for r, res in zip(records, answer["Records"]) if "ErrorCode" in res]
        return len(batch)

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        total = sum(pool.map(put, enumerate(batches)))
    print(f"put {total} records into {stream}", file=sys.stderr)


if __name__ == "__main__":
    main()
