"""End-to-end: a hand-written hostile corpus through the binary, checked record by record."""
import json
import os
import unittest

from lakeutil import LakeTestCase, dead_letters, lake_events, lake_files, last_report, run, staging_leftovers

T = 1644838800  # 2022-02-14T11:40:00Z


def ev(uuid, name="account:created", created=T, **payload):
    d = {"event_uuid": uuid, "event_name": name, "created_at": created}
    d.update(payload)
    return json.dumps(d, ensure_ascii=False).encode()


LONG_TYPE = "x" * 300
# (raw line bytes, expected): "w" written, "d" duplicate, "b" blank, or an invalid reason.
CORPUS = [
    (b"\xef\xbb\xbf" + ev("h1", age=30), "w"),  # BOM on the first line only
    (ev("h2", "lesson:started") + b"\r", "w"),  # CRLF
    (b'{"event_uuid":"\\u0068\\u0031","event_name":"account:created","created_at":1644838800}', "d"),
    (ev("h3", "payment:order:completed", T + 0.25), "w"),
    (ev("h4", "événement:créé", T, note="日本語 ✓"), "w"),
    (ev("h5", "a/b:c"), "w"),
    (ev("h6", "../../etc:passwd"), "w"),
    (ev("h7", "%:x"), "w"),
    (ev("h8", "a\u0001b:c"), "w"),
    (ev("h9", LONG_TYPE + ":long"), "w"),
    (ev("h10", "a b:c", T + 0.5), "w"),
    (b'{"event_uuid":"h11","event_name":"num:big","created_at":1644838800,"big":123456789012345678901234567890,"huge":1e400}', "w"),
    (ev("h12", "nest:ed", T, obj={"a": [1, 2, {"b": None}]}, arr=[], t=True, f=False, n=None), "w"),
    (b"   ", "b"),
    (b"\r", "b"),
    (b"", "b"),
    (b'{"event_uuid":', "malformed_json"),
    (b"{not json}", "malformed_json"),
    (b"[1]", "not_an_object"),
    (b'"str"', "not_an_object"),
    (b"42", "not_an_object"),
    (b"null", "not_an_object"),
    (b'{"event_name":"a:b","created_at":1644838800}', "missing_field"),
    (b'{"event_uuid":"m2","created_at":1644838800}', "missing_field"),
    (b'{"event_uuid":"m3","event_name":"a:b"}', "missing_field"),
    (ev(""), "empty_field"),
    (b'{"event_uuid":5,"event_name":"a:b","created_at":1644838800}', "wrong_type"),
    (b'{"event_uuid":"w2","event_name":true,"created_at":1644838800}', "wrong_type"),
    (b'{"event_uuid":"w3","event_name":"a:b","created_at":"1644838800"}', "wrong_type"),
    (b'{"event_uuid":"w4","event_name":"a:b","created_at":null}', "wrong_type"),
    (ev("n1", "accountcreated"), "bad_event_name"),
    (ev("n2", ":b"), "bad_event_name"),
    (ev("n3", "a:"), "bad_event_name"),
    (ev("r1", created=-1), "created_at_out_of_range"),
    (ev("r2", created=4102444800), "created_at_out_of_range"),
    (ev("r3", created=1e12), "created_at_out_of_range"),
    (b'{"event_uuid":"r4","event_name":"a:b","created_at":123456789012345678901234567890}', "created_at_out_of_range"),
    (ev("t1") + b" trailing", "trailing_content"),
    (ev("t2") + b"{}", "trailing_content"),
    (b'{"event_uuid":"k1","event_name":"a:b","created_at":1644838800,"x":1,"x":2}', "duplicate_key"),
    (b'{"event_uuid":"k2","event_name":"a:b","created_at":1644838800,"event_type":"z"}', "reserved_field"),
    (b'{"event_uuid":"k3","event_name":"a:b","created_at":1644838800,"event_date":"z"}', "reserved_field"),
    (b'{"event_uuid":"u1","event_name":"a:b","created_at":1644838800,"s":"\xff\xfe"}', "invalid_utf8"),
    (b'{"event_uuid":"big1","event_name":"a:b","created_at":1644838800,"pad":"' + b"p" * 5000 + b'"}', "record_too_large"),
    (ev("h1", age=99), "d"),  # same uuid, other payload
    (ev("h1", age=30), "d"),  # exact copy
    (b'{"event_uuid":"h\\"q","event_name":"x\\u003ay","created_at":1644838800}', "w"),
    (ev("h13", created=0), "w"),
    (ev("h14", created=4102444799.5), "created_at_out_of_range"),  # default bound: now + 1 day
    (ev("h17", created=T + 0.999), "w"),
    (ev("123"), "w"),
    (b"  \t" + ev("h15") + b" \t ", "w"),
    (ev("h16", created=1644838800.0), "w"),
]

ESCAPED = {
    "account": "account", "lesson": "lesson", "payment": "payment", "événement": "événement",
    "a/b": "a%2Fb", "../../etc": "%2E.%2F..%2Fetc", "%": "%25", "a\u0001b": "a%01b", "a b": "a%20b",
    "num": "num", "nest": "nest", "x": "x",
}


def expected_datetime(created):
    import datetime
    secs = int(created // 1)
    s = datetime.datetime.fromtimestamp(secs, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    frac = repr(float(created)).split(".")[1].rstrip("0") if isinstance(created, float) else ""
    return s + ("." + frac if frac else "") + "Z", s[:10]


class HostileCorpusTest(LakeTestCase):
    def ingest_corpus(self, extra_args=()):
        data = b"\n".join(line for line, _ in CORPUS) + b"\n"
        path = self.write_input("hostile.ndjson", data)
        p = run(["ingest", "--lake", self.lake, "--max-record-size", "4KiB", "--quiet", *extra_args, path])
        return path, p

    def check_lake(self, path):
        events = lake_events(self.lake)
        by_uuid = {}
        for part, rec in events:
            self.assertNotIn(rec["event_uuid"], by_uuid, "an event was written twice")
            by_uuid[rec["event_uuid"]] = (part, rec)
        written = [line for line, exp in CORPUS if exp == "w"]
        self.assertEqual(len(by_uuid), len(written))
        for line in written:
            raw = line.lstrip(b"\xef\xbb\xbf").strip()
            src = json.loads(raw)
            part, rec = by_uuid[src["event_uuid"]]
            etype, _, esub = src["event_name"].partition(":")
            dt, date = expected_datetime(src["created_at"])
            want = dict(src, event_type=etype, event_subtype=esub, created_datetime=dt)
            self.assertEqual(rec, want, f"record {src['event_uuid']}")
            if etype == LONG_TYPE:
                dirname = part.split("/")[0]
                self.assertLessEqual(len(dirname), len("event_type=") + 200)
                self.assertTrue(dirname.startswith("event_type=" + "x" * 150))
            else:
                self.assertEqual(part, f"event_type={ESCAPED[etype]}/event_date={date}")
        # Output bytes keep the input object as it was: only fields are appended.
        raw_h11 = [l for l, e in CORPUS if b'"h11"' in l][0]
        num_files = [d for rel, d in lake_files(self.lake).items() if rel.startswith("event_type=num/")]
        self.assertEqual(len(num_files), 1)
        self.assertTrue(num_files[0].startswith(raw_h11[:-1] + b',"event_type":"num"'))

        letters = dead_letters(self.lake)
        invalid = [(i + 1, line, exp) for i, (line, exp) in enumerate(CORPUS) if exp not in ("w", "d", "b")]
        self.assertEqual(len(letters), len(invalid))
        for (line_no, line, reason), dl in zip(invalid, letters):
            self.assertEqual(dl["reason"], reason, f"line {line_no}: {line[:60]!r}")
            self.assertEqual(dl["line"], line_no)
            self.assertEqual(dl["source"], path)
            self.assertTrue(dl["detail"])
            if reason == "invalid_utf8":
                import base64
                self.assertEqual(base64.b64decode(dl["raw_base64"]), line)
            elif reason == "record_too_large":
                self.assertTrue(dl["raw_truncated"])
                self.assertEqual(dl["raw_size"], len(line))
                self.assertTrue(line.startswith(dl["raw"].encode()))
            else:
                self.assertEqual(dl["raw"].encode(), line.strip(b"\r"))
        self.assertEqual(staging_leftovers(self.lake), [])

    def test_corpus_record_by_record(self):
        path, p = self.ingest_corpus()
        self.check_lake(path)
        rep = last_report(self.lake)
        n_blank = sum(1 for _, e in CORPUS if e == "b")
        self.assertEqual(rep["read"], len(CORPUS) - n_blank)
        self.assertEqual(rep["blank_lines"], n_blank)
        self.assertEqual(rep["written"], sum(1 for _, e in CORPUS if e == "w"))
        self.assertEqual(rep["duplicates"], sum(1 for _, e in CORPUS if e == "d"))
        self.assertEqual(rep["invalid"], len(CORPUS) - n_blank - rep["written"] - rep["duplicates"])
        self.assertTrue(rep["check"]["balanced"])
        reasons = {}
        for _, e in CORPUS:
            if e not in ("w", "d", "b"):
                reasons[e] = reasons.get(e, 0) + 1
        self.assertEqual(rep["invalid_by_reason"], reasons)

    def test_memory_dedup_and_compressed_output(self):
        for comp in ("gzip", "zstd"):
            with self.subTest(comp=comp):
                self.lake = os.path.join(self.tmp, "lake-" + comp)
                path, _ = self.ingest_corpus(["--dedup", "memory", "--compression", comp])
                self.check_lake(path)

    def test_rerun_adds_nothing(self):
        path, _ = self.ingest_corpus()
        before = lake_events(self.lake)
        letters = dead_letters(self.lake)
        run(["ingest", "--lake", self.lake, "--max-record-size", "4KiB", "--quiet", path])
        self.assertEqual(lake_events(self.lake), before)
        self.assertEqual(dead_letters(self.lake), letters)
        # The same bytes under another name: every event is a duplicate now.
        copy = self.write_input("copy.ndjson", open(path, "rb").read())
        run(["ingest", "--lake", self.lake, "--max-record-size", "4KiB", "--quiet", copy])
        self.assertEqual(sorted(map(str, lake_events(self.lake))), sorted(map(str, before)))
        rep = last_report(self.lake)
        self.assertEqual(rep["written"], 0)
        self.assertTrue(rep["check"]["balanced"])

    def test_created_at_bounds(self):
        lines = [ev("b1", created=946684799), ev("b2", created=946684800), ev("b3", created=1000000000.5),
                 ev("b4", created=1100000000)]
        path = self.write_input("bounds.ndjson", b"\n".join(lines))
        run(["ingest", "--lake", self.lake, "--quiet", "--min-created-at", "2000-01-01",
             "--max-created-at", "1100000000", path])
        self.assertEqual(sorted(r["event_uuid"] for _, r in lake_events(self.lake)), ["b2", "b3"])
        self.assertEqual([d["reason"] for d in dead_letters(self.lake)], ["created_at_out_of_range"] * 2)
        bad = run(["ingest", "--lake", self.lake, "--max-created-at", "tomorrow", path], check=False)
        self.assertEqual(bad.returncode, 2)
        self.assertIn("--max-created-at", bad.err)


if __name__ == "__main__":
    unittest.main()
