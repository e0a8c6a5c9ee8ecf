"""Helpers for end-to-end tests: run the eventlake binary, read a lake back."""
import gzip
import json
import os
import subprocess
import tempfile
import unittest

BIN = os.environ.get("EVENTLAKE_BIN", os.path.join(os.path.dirname(__file__), "../../build/eventlake"))


def run(args, stdin=None, env=None, check=True):
    """Runs eventlake; returns CompletedProcess (stdout/stderr as text)."""
    full_env = dict(os.environ)
    full_env.pop("EVENTLAKE_TEST_CRASH_AT", None)
    if env:
        full_env.update(env)
    p = subprocess.run([BIN] + args, input=stdin, capture_output=True, env=full_env, timeout=300)
    p.out = p.stdout.decode("utf-8", "replace")
    p.err = p.stderr.decode("utf-8", "replace")
    if check and p.returncode != 0:
        raise AssertionError(f"eventlake {' '.join(args)} failed ({p.returncode}):\n{p.err}")
    return p


def read_bytes(path):
    if path.endswith(".parquet"):
        # Parquet read back through `eventlake cat` (independent readers check the
        # format itself in tests/interop/); as JSON lines with event_type added, since
        # it lives in the path, not in the file.
        out = run(["cat", path]).stdout
        lines = []
        for line in out.split(b"\n"):
            if line:
                rec = json.loads(line)
                rec["event_type"] = rec["event_name"].split(":", 1)[0]
                lines.append(json.dumps(rec).encode())
        return b"\n".join(lines) + (b"\n" if lines else b"")
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        return gzip.decompress(data)
    if data[:4] == b"\x28\xb5\x2f\xfd":
        return subprocess.run(["zstd", "-dc"], input=data, capture_output=True, check=True).stdout
    return data


def lake_files(lake):
    """Every published data file: {relative path: bytes}. Staging and state are skipped."""
    out = {}
    for root, dirs, files in os.walk(lake):
        rel_root = os.path.relpath(root, lake)
        if rel_root.startswith("_eventlake") or rel_root.startswith("_errors"):
            continue
        for name in files:
            out[os.path.join(rel_root, name)] = read_bytes(os.path.join(root, name))
    return out


def lake_events(lake):
    """[(partition dir, record dict)] for every event in the lake."""
    events = []
    for rel, data in sorted(lake_files(lake).items()):
        part = os.path.dirname(rel)
        for line in data.split(b"\n"):
            if line:
                events.append((part, json.loads(line)))
    return events


def dead_letters(lake):
    out = []
    d = os.path.join(lake, "_errors")
    if not os.path.isdir(d):
        return out
    for name in sorted(os.listdir(d)):
        for line in read_bytes(os.path.join(d, name)).split(b"\n"):
            if line:
                out.append(json.loads(line))
    return out


def staging_leftovers(lake):
    d = os.path.join(lake, "_eventlake", "staging")
    return sorted(os.listdir(d)) if os.path.isdir(d) else []


def last_report(lake):
    d = os.path.join(lake, "_eventlake", "reports")
    names = sorted(os.listdir(d), key=lambda n: os.path.getmtime(os.path.join(d, n)))
    with open(os.path.join(d, names[-1])) as f:
        return json.load(f)


class LakeTestCase(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="eventlake-e2e-")
        self.tmp = self._tmp.name
        self.lake = os.path.join(self.tmp, "lake")

    def tearDown(self):
        self._tmp.cleanup()

    def write_input(self, name, data):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        return path
