"""End-to-end on generated data: the lake equals the generator's expected outcome,
partition by partition and uuid by uuid, across dedup stores, inputs and flush policies."""
import gzip
import json
import os
import subprocess

import unittest

from lakeutil import LakeTestCase, dead_letters, lake_events, lake_files, last_report, run


def fnv1a64(data):
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


class GeneratedTest(LakeTestCase):
    def gen(self, *args, count=20000, seed=3):
        out = os.path.join(self.tmp, f"gen-{seed}-{count}.ndjson")
        exp = out + ".expected.json"
        ids = out + ".uuids.tsv"
        run(["gen", "--count", str(count), "--seed", str(seed), "--output", out, "--expected", exp,
             "--expected-uuids", ids, *args])
        with open(exp) as f:
            expected = json.load(f)
        with open(ids) as f:
            uuids = [tuple(line.rstrip("\n").split("\t")) for line in f if line.strip()]
        return out, expected, uuids

    def assert_matches(self, expected, uuids, lake=None):
        lake = lake or self.lake
        # A multiset: with a short window a uuid may legitimately be written twice.
        got = []
        for part, rec in lake_events(lake):
            got.append((rec["event_uuid"], rec["event_type"], part.split("event_date=")[1]))
            self.assertEqual(part.split("/")[0], "event_type=" + rec["event_type"])
        self.assertEqual(len(got), len(uuids))
        self.assertTrue(sorted(got) == sorted(uuids), "the lake's events differ from the expected ones")
        per_part = {}
        for uuid, etype, date in got:
            p = per_part.setdefault(f"{etype}/{date}", [0, 0])
            p[0] += 1
            p[1] ^= fnv1a64(uuid.encode())
        self.assertEqual({k: {"events": v[0], "uuid_hash": f"{v[1]:016x}"} for k, v in per_part.items()},
                         expected["partitions"])
        reasons = {}
        for d in dead_letters(lake):
            reasons[d["reason"]] = reasons.get(d["reason"], 0) + 1
        self.assertEqual(reasons, expected["invalid_by_reason"])

    def assert_report(self, expected):
        rep = last_report(self.lake)
        for k in ("written", "duplicates", "invalid", "blank_lines"):
            self.assertEqual(rep[k], expected[k], k)
        self.assertEqual(rep["read"], expected["records"])
        self.assertTrue(rep["check"]["balanced"])
        self.assertEqual(rep["invalid_by_reason"], expected["invalid_by_reason"])

    def test_rocksdb_default(self):
        path, expected, uuids = self.gen("--blank-rate", "0.01", "--huge-rate", "0.001", "--max-record-size", "65536")
        run(["ingest", "--lake", self.lake, "--quiet", "--max-record-size", "64KiB", path])
        self.assert_matches(expected, uuids)
        self.assert_report(expected)
        # Again, and again through stdin: nothing is added.
        before = lake_files(self.lake)
        run(["ingest", "--lake", self.lake, "--quiet", "--max-record-size", "64KiB", path])
        with open(path, "rb") as f:
            run(["ingest", "--lake", self.lake, "--quiet", "--max-record-size", "64KiB"], stdin=f.read())
        self.assertEqual(lake_files(self.lake), before)

    def test_memory_dedup_gzip_stdin_zstd_output(self):
        path, expected, uuids = self.gen(seed=11)
        with open(path, "rb") as f:
            data = gzip.compress(f.read())
        run(["ingest", "--lake", self.lake, "--quiet", "--dedup", "memory", "--compression", "zstd", "-"], stdin=data)
        self.assert_matches(expected, uuids)
        self.assert_report(expected)

    def test_parquet_output(self):
        path, expected, uuids = self.gen(seed=16)
        run(["ingest", "--lake", self.lake, "--quiet", "--format", "parquet", path])
        self.assert_matches(expected, uuids)
        self.assert_report(expected)

    def test_zstd_input_split_in_two_files(self):
        path, expected, uuids = self.gen(seed=12)
        with open(path, "rb") as f:
            lines = f.read().split(b"\n")
        half = len(lines) // 2
        a = self.write_input("a.ndjson", b"\n".join(lines[:half]) + b"\n")
        b = self.write_input("b.ndjson.zst", subprocess.run(["zstd", "-c"], input=b"\n".join(lines[half:]),
                                                             capture_output=True, check=True).stdout)
        run(["ingest", "--lake", self.lake, "--quiet", a, b])
        self.assert_matches(expected, uuids)

    def test_short_window_and_late_events(self):
        path, expected, uuids = self.gen("--window", "1h", "--late-rate", "0.05", "--max-lateness", "3h", seed=13)
        run(["ingest", "--lake", self.lake, "--quiet", "--dedup-window", "1h", path])
        self.assert_matches(expected, uuids)
        self.assert_report(expected)

    def test_many_partitions_small_budget(self):
        # 1000 types x 3 days with a 2 MiB budget: memory stays bounded, every event lands once.
        path, expected, uuids = self.gen("--types", "1000", count=30000, seed=14)
        run(["ingest", "--lake", self.lake, "--quiet", "--memory-budget", "2MiB", "--read-size", "256KiB", path])
        self.assert_matches(expected, uuids)
        rep = last_report(self.lake)
        self.assertGreater(len(rep["partitions"]), 1000)

    def test_flush_count_bounds_file_size(self):
        path, expected, uuids = self.gen(seed=15)
        run(["ingest", "--lake", self.lake, "--quiet", "--flush-count", "250", "--read-size", "16KiB", path])
        self.assert_matches(expected, uuids)
        for rel, data in lake_files(self.lake).items():
            self.assertLessEqual(data.count(b"\n"), 250 + 200, rel)  # a batch may add a few past the count


if __name__ == "__main__":
    unittest.main()
