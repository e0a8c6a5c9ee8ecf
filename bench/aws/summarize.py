#!/usr/bin/python3
"""bench/aws.sh's table: the workers' reports against the generator's expected counts and the
emulator ceilings measured before and after, with each emulator's CPU share during the run.

    summarize.py DIR WORKERS T0 T1 DYNALITE_TICKS KINESALITE_TICKS S3RVER_TICKS CLK_TCK
"""
import json
import sys


def main():
    d, workers = sys.argv[1], int(sys.argv[2])
    t0, t1 = float(sys.argv[3]), float(sys.argv[4])
    dt, kt, st, hz = (int(x) for x in sys.argv[5:9])
    wall = t1 - t0
    reps = [json.load(open(f"{d}/report-w{w}.json")) for w in range(1, workers + 1)]
    exp = json.load(open(f"{d}/expected.json"))
    tot = {k: sum(r[k] for r in reps) for k in ("read", "written", "duplicates", "invalid")}
    claims = sum(sum(r["aws"]["claims"].values()) for r in reps)
    requests = sum(sum(r["aws"]["claim_requests"].values()) for r in reps)
    ok = tot["written"] == exp["written"] and tot["invalid"] == exp["invalid"] and tot["read"] == exp["records"]

    def ceiling(name):
        vals = [r["units_per_s"] for f in ("ceil-before.json", "ceil-after.json")
                for r in json.load(open(f"{d}/{f}"))["results"] if r["name"] == name]
        return sum(vals) / len(vals)

    ddb, kin, s3 = ceiling("dynamodb-put"), ceiling("kinesis-get"), ceiling("s3-put")
    ddb_cpu = [r["units_per_cpu_s"] for f in ("ceil-before.json", "ceil-after.json")
               for r in json.load(open(f"{d}/{f}"))["results"] if r["name"] == "dynamodb-put" and r["units_per_cpu_s"]]
    mb = sum(sum(p["bytes"] for p in r["partitions"]) for r in reps) / 1e6
    files = sum(r["files_published"] for r in reps)
    print(f"\n## eventlake, {workers} worker(s), {tot['read']} events: {wall:.1f} s wall, "
          f"{tot['read'] / wall:,.0f} events/s, {claims / wall:,.0f} claims/s")
    print(f"check against the generator: {'OK' if ok else 'MISMATCH'} (read {tot['read']} / {exp['records']}, "
          f"written {tot['written']} / {exp['written']}, invalid {tot['invalid']} / {exp['invalid']}, "
          f"duplicates {tot['duplicates']})")
    print("| path | eventlake | emulator ceiling (mean of before/after) | ratio | emulator CPU during the run |")
    print("|---|---:|---:|---:|---:|")
    print(f"| claims (DynamoDB conditional PutItem) | {claims / wall:,.0f} claims/s | {ddb:,.0f} puts/s "
          f"| {100 * claims / wall / ddb:.0f}% | dynalite {100 * dt / hz / wall:.0f}% |")
    print(f"| DynamoDB requests of the claims (PutItem, UpdateItem, GetItem) | {requests / wall:,.0f} requests/s "
          f"| {ddb:,.0f} puts/s | {100 * requests / wall / ddb:.0f}% | |")
    print(f"| reading (Kinesis GetRecords) | {tot['read'] / wall:,.0f} records/s | {kin:,.0f} records/s "
          f"| {100 * tot['read'] / wall / kin:.0f}% | kinesalite {100 * kt / hz / wall:.0f}% |")
    print(f"| publishing (S3 PUT) | {files} objects, {mb / wall:.2f} MB/s | {s3:,.0f} x 1 MiB objects/s | "
          f"| s3rver {100 * st / hz / wall:.0f}% |")
    if ddb_cpu and dt > 0:  # steadier on a shared machine: work per CPU-second the emulator got
        mean = sum(ddb_cpu) / len(ddb_cpu)
        print(f"claims per dynalite CPU-second: {claims / (dt / hz):,.0f} vs the ceiling's {mean:,.0f} puts "
              f"({100 * claims / (dt / hz) / mean:.0f}%); requests {requests / (dt / hz):,.0f} "
              f"({100 * requests / (dt / hz) / mean:.0f}%)")
    print("retries per worker:", [r["aws"]["retries"] for r in reps])
    print("claims per worker:", [r["aws"]["claims"] for r in reps])
    print("claim requests per worker:", [r["aws"]["claim_requests"] for r in reps])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
