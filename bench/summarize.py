#!/usr/bin/env python3
"""bench/out/runs.tsv + bench/out/meta.txt (written by bench/run.sh) -> results.md on stdout.

One table per input size: the median over the rounds of every measure, per configuration, and
for eventlake the ratio of its events/s to DuckDB's (same output format) with 1 thread and
with all cores.
"""
import csv
import json
import statistics
import sys
from collections import defaultdict


def read_meta(path):
    meta = defaultdict(list)
    with open(path, encoding="utf-8") as f:
        for line in f:
            key, _, value = line.rstrip("\n").partition("=")
            meta[key].append(value)
    return meta


def fmt_rate(x):
    return f"{x / 1e6:.2f} M" if x >= 1e6 else f"{x / 1e3:.0f} k"


def main(runs_path, meta_path):
    meta = read_meta(meta_path)
    one = lambda k: meta[k][0] if meta[k] else "?"  # noqa: E731
    with open(runs_path, encoding="utf-8") as f:
        runs = list(csv.DictReader(f, delimiter="\t"))

    by_size = defaultdict(lambda: defaultdict(list))
    order = defaultdict(list)  # configurations per size, in the order they first ran
    for r in runs:
        size = int(r["size"])
        if r["config"] not in order[size]:
            order[size].append(r["config"])
        by_size[size][r["config"]].append(r)

    out = []
    w = out.append
    w("# eventlake vs DuckDB: benchmark results\n")
    w(f"Command: `{one('invocation')}` ({one('date')}, {int(one('duration_s')) / 60:.1f} min in all).\n")
    w(f"Machine: {one('cpu')}, {one('nproc')} cores (`nproc`), {one('memory')} RAM; {one('os')}. "
      f"Load average (1/5/15 min) before: {one('load_before')}, after: {one('load_after')}; "
      "other work on the machine slows every configuration, and the wall times show it.\n")
    w(f"Versions: eventlake {one('eventlake')}; DuckDB {one('duckdb')}.\n")
    w(f"Input: `{one('gen')} --output INPUT.ndjson --expected EXPECTED.json` "
      "(~10% duplicates, half of them far apart; 1% invalid records, one contract violation each).\n")
    w("Each value is the median over the rounds. events/s = input records / wall time; MB/s = input "
      "bytes / 10^6 / wall time; CPU = user + sys seconds; RSS = peak resident memory; output = "
      "the data files under `event_type=*/` (not eventlake's `_errors/` dead letters or "
      "`_eventlake/` state). ÷ DuckDB = eventlake events/s divided by DuckDB's, same output "
      "format, DuckDB with 1 thread and with all cores (an eventlake configuration without a "
      "thread count is one ingest process as the build runs it). Check = the run's counts and "
      "its output match the expected outcome: exactly the expected events in every partition "
      "(count and uuid hash), in every round.\n")

    for size in sorted(by_size):
        configs = by_size[size]
        first = next(iter(configs.values()))[0]
        input_bytes, records = int(first["input_bytes"]), int(first["records"])
        w(f"\n## {size:,} events ({input_bytes / 1e6:.0f} MB, {input_bytes / records:.0f} bytes a line)\n")

        ran = {c: [r for r in rs if r["check"] != "RUNFAIL"] for c, rs in configs.items()}

        def med(config, key):
            return statistics.median(float(r[key]) for r in ran[config])

        rate = {c: records / max(med(c, "wall_s"), 0.01) for c in configs if ran[c]}
        duck = {}
        for c, rs in configs.items():
            if rs[0]["tool"] == "duckdb" and c in rate:
                duck[(rs[0]["format"], int(rs[0]["threads"]))] = rate[c]
        thread_cols = sorted({t for (_, t) in duck})
        head = ["configuration", "check", "wall s", "events/s", "MB/s", "CPU s", "RSS MB",
                "output MB", "files"] + [f"÷ DuckDB {t} thr" for t in thread_cols]
        w("| " + " | ".join(head) + " |")
        w("|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|")
        for c in order[size]:
            rs = configs[c]
            fails = sum(r["check"] != "OK" for r in rs)
            check = "OK" if not fails else f"**FAIL {fails}/{len(rs)}**"
            if not ran[c]:
                w("| " + " | ".join([c, "**RUN FAILED**"] + [""] * (len(head) - 2)) + " |")
                continue
            wall = max(med(c, "wall_s"), 0.01)
            cpu = statistics.median(float(r["user_s"]) + float(r["sys_s"]) for r in ran[c])
            row = [c, check, f"{wall:.2f}", fmt_rate(rate[c]), f"{input_bytes / 1e6 / wall:.0f}",
                   f"{cpu:.1f}", f"{med(c, 'max_rss_kb') / 1024:.0f}",
                   f"{med(c, 'output_bytes') / 1e6:.0f}", f"{med(c, 'output_files'):.0f}"]
            for t in thread_cols:
                d = duck.get((rs[0]["format"], t))
                row.append(f"{rate[c] / d:.2f}" if rs[0]["tool"] == "eventlake" and d else "")
            w("| " + " | ".join(row) + " |")
        n_rounds = max(len(rs) for rs in configs.values())
        w(f"\n{n_rounds} round(s); the configurations ran in turn, in reverse order every other round.")

    w("\n## Commands\n")
    w("`INPUT.ndjson` is the generated input, `RUN` a fresh directory per run; every command ran "
      "under `/usr/bin/time -f '%e %U %S %M'`.\n")
    for entry in meta["command"]:
        name, _, cmd = entry.partition("|")
        w(f"- {name}: `{cmd}`")

    w("\n## How the two jobs compare\n")
    w("- Same contract, same outcome: every output of both tools is checked against the "
      "generator's expected outcome. DuckDB's JSON lines are the input record (as written, without "
      "the whitespace before its closing brace) plus the three derived fields, like eventlake's.")
    w("- eventlake does more: it writes dead letters (`_errors/`) with reasons, fsyncs staged "
      "files and commits each epoch (exactly once across crashes), and with `--dedup rocksdb` "
      "keeps its claims on disk for the next run. DuckDB keeps nothing between runs: its only "
      "dedup is the one inside the query (compare it with `--dedup memory`).")
    w("- Parquet schemas differ: eventlake writes the payload fields as typed columns; the DuckDB "
      "job writes event_uuid, event_name, created_at, event_subtype, created_datetime (TIMESTAMP "
      "WITH TIME ZONE, as eventlake's) and the whole record as one JSON column `record`; "
      "event_type and event_date are in the path for both. Output sizes differ accordingly.")
    w("- Wall times are whole processes. Starting node and loading DuckDB's library and exiting "
      "take about 0.6-0.8 s on the dev machine, which matters at small sizes; runs.tsv also has "
      "each tool's own measure of its work (`tool_elapsed_s`: eventlake's report, the DuckDB "
      "job's time around its SQL).")

    w("\n## What DuckDB gets wrong (and what the DuckDB job does about it)\n")
    for entry in meta["diagnose"]:
        size, _, js = entry.partition("|")
        d = json.loads(js)
        w(f"On the {int(size):,}-event input ({d['records']:,} records, {d['invalid_expected']:,} invalid):\n")
        sized = [r for rs in by_size.get(int(size), {}).values() for r in rs if r["tool"] == "duckdb"]
        if sized and all(r["check"] == "OK" for r in sized):
            lost = ("none of them is a valid line: every DuckDB run's counts and output match the "
                    "expected outcome")
        else:
            lost = "**a DuckDB run on this input failed its check: see the table**"
        w(f"- `read_ndjson_objects(..., ignore_errors=true)` returns one row per line "
          f"({d['read_ndjson_objects_rows']:,} rows) and NULL for the {d['read_ndjson_objects_unparsed']:,} "
          f"lines its parser rejects (malformed JSON, invalid UTF-8, content after the object); {lost}.")
        w(f"- {d['accepted_only_by_lenient_parser']:,} malformed lines parse anyway: DuckDB's JSON reader "
          "(yyjson with ALLOW_TRAILING_COMMAS and ALLOW_INF_AND_NAN) accepts `{..., }` and `NaN`/`Infinity`. "
          "The job rejects them with a regexp check on the raw text (`lenient_json` in bench/duckdb_job.mjs).")
        w(f"- The obvious query, `read_json(..., ignore_errors=true, columns={{event_uuid: 'VARCHAR', "
          f"event_name: 'VARCHAR', created_at: 'DOUBLE'}})` plus the value rules, accepts "
          f"{d['naive_read_json_valid']:,} records where {d['naive_read_json_valid_expected']:,} are valid "
          f"and finds {d['naive_read_json_unique_uuids']:,} unique uuids where {d['written_expected']:,} "
          "events are written: typed columns coerce (`12345` becomes the uuid \"12345\", \"1644838800\" "
          "a number) and cannot see duplicate or reserved keys. The job reads raw objects instead.")
    w("- `row_number() OVER ()` would give file order but makes the whole read single-threaded "
      "(STREAMING_WINDOW is not a parallel operator); the job uses the rowid of a table built with "
      "`preserve_insertion_order` (parallel, order-preserving insert) instead.")

    if meta["note"]:
        w("\n## Notes\n")
        for note in meta["note"]:
            w(f"- {note}")
    print("\n".join(out))


if __name__ == "__main__":
    main(*sys.argv[1:3])
