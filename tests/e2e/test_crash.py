"""Crash test: SIGKILL the binary at many points of the commit protocol (test-only sync
points), rerun, and require every valid event exactly once, no partial or stray files."""
import json
import os
import random
import signal
import unittest

from lakeutil import LakeTestCase, dead_letters, lake_events, lake_files, run, staging_leftovers

T0 = 1644838800


def make_input(n=12000, seed=5):
    """NDJSON with duplicates (near and far), invalid lines, several partitions; returns
    (bytes, expected {uuid: partition}, invalid count)."""
    rng = random.Random(seed)
    lines, expected, seen, invalid = [], {}, [], 0
    types = ["account", "lesson", "payment", "quiz", "page"]
    for i in range(n):
        r = rng.random()
        if r < 0.02:
            lines.append(rng.choice([b'{"event_uuid":', b"[1]", b'{"event_uuid":"x","event_name":"ab","created_at":1}']))
            invalid += 1
            continue
        if r < 0.12 and seen:
            uuid = rng.choice(seen) if rng.random() < 0.5 else seen[-1 - rng.randrange(min(20, len(seen)))]
        else:
            uuid = f"u{i:07d}-{rng.getrandbits(32):08x}"
            seen.append(uuid)
        t = T0 + i * 30 + rng.randrange(3) * 86400
        etype = rng.choice(types)
        d = {"event_uuid": uuid, "event_name": f"{etype}:sub{rng.randrange(3)}", "created_at": t,
             "payload": "p" * rng.randrange(10, 200), "n": i}
        if uuid not in expected:
            date = __import__("datetime").datetime.fromtimestamp(t, __import__("datetime").timezone.utc).strftime("%Y-%m-%d")
            expected[uuid] = f"event_type={etype}/event_date={date}"
        lines.append(json.dumps(d).encode())
    return b"\n".join(lines) + b"\n", expected, invalid


FLAGS = ["--read-size", "64KiB", "--flush-size", "64KiB", "--memory-budget", "1MiB", "--flush-count", "700", "--quiet"]


class CrashTest(LakeTestCase):
    @classmethod
    def setUpClass(cls):
        cls.data, cls.expected, cls.invalid = make_input()

    def assert_lake_exact(self):
        seen = {}
        for part, rec in lake_events(self.lake):
            self.assertNotIn(rec["event_uuid"], seen, "event written twice")
            seen[rec["event_uuid"]] = part
        self.assertEqual(seen, self.expected)
        self.assertEqual(len(dead_letters(self.lake)), self.invalid)
        self.assertEqual(staging_leftovers(self.lake), [])

    def assert_no_partial_files(self):
        # Whatever a reader can see after a crash is complete: whole lines of valid JSON.
        for rel, data in lake_files(self.lake).items():
            self.assertTrue(data.endswith(b"\n"), rel)
            for line in data.split(b"\n")[:-1]:
                json.loads(line)

    def crash_then_finish(self, points, flags=()):
        path = self.write_input("in.ndjson", self.data)
        for point in points:
            p = run(["ingest", "--lake", self.lake, *FLAGS, *flags, path],
                    env={"EVENTLAKE_TEST_CRASH_AT": point}, check=False)
            self.assertEqual(p.returncode, -signal.SIGKILL, f"{point} was not reached: {p.err}")
            self.assert_no_partial_files()
        run(["ingest", "--lake", self.lake, *FLAGS, *flags, path])
        self.assert_lake_exact()

    def test_single_crash_points(self):
        points = [f"{name}:{n}" for name in ("commit:staged", "commit:committed", "publish:file", "epoch:done")
                  for n in (1, 2, 5)] + ["batch:done:1", "batch:done:3", "publish:file:13"]
        for point in points:
            with self.subTest(point=point):
                self.lake = os.path.join(self.tmp, "lake-" + point.replace(":", "_"))
                self.crash_then_finish([point])

    def test_repeated_crashes(self):
        self.crash_then_finish(["publish:file:3", "commit:staged:2", "batch:done:2", "commit:committed:1",
                                "publish:file:1"])

    def test_crash_with_memory_dedup_and_zstd(self):
        # Memory dedup forgets claims, so the rerun relies on the checkpoint alone for
        # what an interrupted run committed; still exactly once.
        self.crash_then_finish(["commit:committed:2"], flags=["--compression", "zstd"])

    def test_window_decisions_survive_crashes(self):
        # Event time runs 30 days through a 6h window, so claims expire all the time: a
        # resume must decide exactly as the uninterrupted run (the generator's outcome).
        src = os.path.join(self.tmp, "w.ndjson")
        ids = src + ".uuids"
        run(["gen", "--count", "20000", "--seed", "21", "--window", "6h", "--span", "30d", "--late-rate", "0.05",
             "--max-lateness", "3h", "--duplicate-rate", "0.3", "--output", src, "--expected-uuids", ids])
        with open(ids) as f:
            want = sorted(tuple(l.rstrip("\n").split("\t")[:2]) for l in f if l.strip())
        flags = [*FLAGS, "--dedup-window", "6h"]
        for point in ["commit:committed:3", "batch:done:7", "publish:file:20", "commit:staged:9"]:
            p = run(["ingest", "--lake", self.lake, *flags, src], env={"EVENTLAKE_TEST_CRASH_AT": point}, check=False)
            self.assertEqual(p.returncode, -signal.SIGKILL, point)
        run(["ingest", "--lake", self.lake, *flags, src])
        got = sorted((r["event_uuid"], r["event_type"]) for _, r in lake_events(self.lake))
        self.assertEqual(len(got), len(want))
        self.assertTrue(got == want, "the lake differs from the uninterrupted outcome")

    def test_crash_with_parquet_output(self):
        self.crash_then_finish(["commit:staged:2", "publish:file:4", "commit:committed:5"],
                               flags=["--format", "parquet", "--row-group-size", "64KiB"])

    def test_uninterrupted_run_matches(self):
        path = self.write_input("in.ndjson", self.data)
        run(["ingest", "--lake", self.lake, *FLAGS, path])
        self.assert_lake_exact()


if __name__ == "__main__":
    unittest.main()
