"""End-to-end: errors people can act on. Each gives one clear message, a non-zero exit,
and leaves the lake and its state as they were."""
import fcntl
import gzip
import json
import os
import shutil
import subprocess
import unittest

from lakeutil import BIN, LakeTestCase, dead_letters, lake_events, run, staging_leftovers

LINES = [json.dumps({"event_uuid": f"e{i}", "event_name": "account:created", "created_at": 1644838800 + i,
                     "pad": "x" * 100}).encode() for i in range(2000)]
DATA = b"\n".join(LINES) + b"\n"


def slurp(path):
    with open(path) as f:
        return f.read()


def can_mount():
    return os.geteuid() == 0 and subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode == 0


class ErrorsTest(LakeTestCase):
    def test_unknown_flag_and_bad_values(self):
        for args, needle in [(["ingest", "--lake", self.lake, "--no-such-flag"], "--no-such-flag"),
                             (["ingest", "--lake", self.lake, "--compression", "lz4"], "--compression"),
                             (["ingest", "--lake", self.lake, "--flush-size", "64XB"], "--flush-size"),
                             (["ingest", "--lake", self.lake, "--dedup-window", "-1d"], "--dedup-window"),
                             (["ingest", "--lake", self.lake, "--dedup", "redis"], "--dedup"),
                             (["ingest"], "--lake"),
                             (["nosuchcommand"], "nosuchcommand")]:
            with self.subTest(args=args):
                p = run(args, check=False)
                self.assertNotEqual(p.returncode, 0)
                self.assertIn(needle, p.err + p.out)
                self.assertFalse(os.path.exists(os.path.join(self.lake, "_eventlake", "state")),
                                 "options must be checked before any I/O")

    def test_unreadable_input(self):
        missing = os.path.join(self.tmp, "missing.ndjson")
        p = run(["ingest", "--lake", self.lake, missing], check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("cannot open input " + missing, p.err)
        p = run(["ingest", "--lake", self.lake, self.tmp], check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("is a directory", p.err)

    def test_truncated_gzip_input_is_an_error_not_silence(self):
        good = self.write_input("in.ndjson", DATA)
        gz = gzip.compress(DATA)
        path = self.write_input("in.ndjson.gz", gz[: len(gz) // 2])
        p = run(["ingest", "--lake", self.lake, path], check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("truncated", p.err)
        # What was complete may be committed; the rest arrives when the full input does.
        run(["ingest", "--lake", self.lake, "--quiet", good])
        self.assertEqual(len(lake_events(self.lake)), len(LINES))

    def test_lake_locked_by_another_run(self):
        path = self.write_input("in.ndjson", DATA)
        run(["ingest", "--lake", self.lake, "--quiet", path])
        with open(os.path.join(self.lake, "_eventlake", "lock"), "r+") as f:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            f.truncate(0)
            f.write("4242")
            f.flush()
            p = run(["ingest", "--lake", self.lake, path], check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("in use by another eventlake (pid 4242)", p.err)
        self.assertEqual(len(lake_events(self.lake)), len(LINES))

    def in_namespace(self, script):
        """Runs a shell script in a private mount namespace (tmpfs mounts vanish with it)."""
        if not can_mount():
            self.skipTest("needs root and mount namespaces to make a full or read-only filesystem")
        env = dict(os.environ, BIN=BIN, TMP=self.tmp)
        return subprocess.run(["unshare", "-m", "sh", "-ec", script], capture_output=True, env=env, text=True,
                              timeout=120)

    def test_full_disk_then_recovery(self):
        path = self.write_input("in.ndjson", DATA)
        # The lake lives on a 128 KiB tmpfs (the state elsewhere): staging runs out of space.
        script = """
        mkdir -p $TMP/small $TMP/copy
        mount -t tmpfs -o size=128k tmpfs $TMP/small
        set +e
        $BIN ingest --lake $TMP/small/lake --state $TMP/state --flush-count 500 --quiet """ + path + """ 2>$TMP/err1
        echo $? > $TMP/rc1
        set -e
        cp -a $TMP/small/lake $TMP/copy/after-failure
        mount -o remount,size=64m $TMP/small
        $BIN ingest --lake $TMP/small/lake --state $TMP/state --flush-count 500 --quiet """ + path + """
        cp -a $TMP/small/lake $TMP/copy/final
        """
        p = self.in_namespace(script)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(slurp(os.path.join(self.tmp, "rc1")).strip(), "1")
        err = slurp(os.path.join(self.tmp, "err1"))
        self.assertIn("No space left on device", err)
        self.assertEqual(err.count("error:"), 1, err)
        # Only complete, committed files are visible after the failure.
        for _, rec in lake_events(os.path.join(self.tmp, "copy", "after-failure")):
            self.assertIn("event_uuid", rec)
        final = os.path.join(self.tmp, "copy", "final")
        uuids = [r["event_uuid"] for _, r in lake_events(final)]
        self.assertEqual(sorted(uuids), sorted(f"e{i}" for i in range(len(LINES))))
        self.assertEqual(staging_leftovers(final), [])

    def test_read_only_lake(self):
        path = self.write_input("in.ndjson", DATA)
        more = self.write_input("more.ndjson", DATA.replace(b'"e', b'"f'))
        script = """
        mkdir -p $TMP/ro $TMP/copy
        mount -t tmpfs -o size=64m tmpfs $TMP/ro
        $BIN ingest --lake $TMP/ro/lake --quiet """ + path + """
        mount -o remount,ro $TMP/ro
        set +e
        $BIN ingest --lake $TMP/ro/lake """ + more + """ 2>$TMP/err1
        echo $? > $TMP/rc1
        set -e
        cp -a $TMP/ro/lake $TMP/copy/lake
        """
        p = self.in_namespace(script)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(slurp(os.path.join(self.tmp, "rc1")).strip(), "1")
        err = slurp(os.path.join(self.tmp, "err1"))
        self.assertIn("Read-only file system", err)
        self.assertEqual(len(lake_events(os.path.join(self.tmp, "copy", "lake"))), len(LINES))


if __name__ == "__main__":
    unittest.main()
