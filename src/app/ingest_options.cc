#include "app/ingest_options.h"

#include <unistd.h>

#include <algorithm>
#include <thread>

#include "core/time_util.h"

namespace eventlake {

void AddIngestOptions(CLI::App& sub, IngestOptions& o) {
  sub.add_option("--lake", o.lake,
                 "Lake: a directory (created if missing), or s3://BUCKET/PREFIX (endpoint, region and "
                 "credentials from AWS_* variables; AWS_ENDPOINT_URL_S3 for S3-compatible stores)")
      ->required();
  sub.add_option("--work-dir", o.work_dir,
                 "With an s3:// lake: local directory for staged files, state, lock and run reports "
                 "(default: ./eventlake-work/BUCKET/PREFIX); keep it across runs for exactly-once");
  sub.add_option("inputs", o.inputs, "NDJSON inputs, plain, gzip or zstd (detected by content); '-' or none: stdin");
  sub.add_option("--format", o.format, "Output format: json (JSON lines) | parquet")->capture_default_str();
  sub.add_option("--compression", o.compression,
                 "Output compression: auto (json: none, parquet: zstd) | none | gzip | zstd | snappy (parquet only)")
      ->capture_default_str();
  sub.add_option("--row-group-size", o.row_group_size, "Parquet: uncompressed bytes per row group")
      ->capture_default_str();
  sub.add_option("--page-size", o.page_size, "Parquet: uncompressed bytes per data page")->capture_default_str();
  sub.add_option("--dedup", o.dedup, "Dedup store: rocksdb (persistent, under the lake) | memory (this run only)")
      ->capture_default_str();
  sub.add_option("--state", o.state_dir,
                 "State directory (claims, checkpoints, commit log); default LAKE/_eventlake/state");
  sub.add_option(
         "--dedup-window", o.dedup_window,
         "Event-time dedup window (s|m|h|d): a uuid stays claimed until the watermark passes first-seen + window")
      ->capture_default_str();
  sub.add_option("--flush-size", o.flush_size, "Flush a partition's buffer at this many bytes (KiB|MiB|GiB)")
      ->capture_default_str();
  sub.add_option("--flush-count", o.flush_count, "Flush a partition's buffer at this many events (0: no limit)")
      ->capture_default_str();
  sub.add_option("--flush-age", o.flush_age, "Flush a partition's buffer this long after its first event (s|m|h)")
      ->capture_default_str();
  sub.add_option(
         "--memory-budget", o.memory_budget,
         "Memory for all partition buffers together, with their pending dedup claims; over it, the largest are flushed")
      ->capture_default_str();
  sub.add_option("--max-record-size", o.max_record_size, "Longer records are dead-lettered as record_too_large")
      ->capture_default_str();
  sub.add_option("--read-size", o.read_size, "Input bytes per batch; buffers are checked for flushing between batches")
      ->capture_default_str();
  sub.add_option("--min-created-at", o.min_created_at,
                 "Earliest valid created_at, inclusive: Unix seconds, YYYY-MM-DD or now-DURATION")
      ->capture_default_str();
  sub.add_option("--max-created-at", o.max_created_at,
                 "Latest valid created_at, exclusive: Unix seconds, YYYY-MM-DD or now+DURATION. Events from the "
                 "future are rejected because one would move the dedup watermark ahead and expire every claim")
      ->capture_default_str();
  sub.add_option("--threads", o.threads,
                 "Threads: 1 runs everything on one thread; N > 1 frames and validates on N-1 worker threads ahead "
                 "of the ordered dedup/encode/commit thread; 0: one per core")
      ->capture_default_str();
  sub.add_option("--report", o.report_path, "Also write the JSON run report to this file");
  sub.add_option("--progress", o.progress, "Progress line on stderr: auto (when a terminal) | always | never")
      ->capture_default_str();
  sub.add_flag("--quiet,-q", o.quiet, "No summary and no progress on stderr (errors still print)");
}

namespace {
Status Bad(const std::string& flag, const std::string& value, const std::string& want) {
  return Status::Error("invalid " + flag + " '" + value + "': " + want);
}
}  // namespace

Status ValidateIngestOptions(IngestOptions& o) {
  if (o.lake.empty()) return Status::Error("--lake must name a directory");
  if (o.format != "json" && o.format != "parquet") return Bad("--format", o.format, "expected json or parquet");
  o.parquet = o.format == "parquet";
  const std::string comp = o.compression == "auto" ? (o.parquet ? "zstd" : "none") : o.compression;
  if (comp == "none") {
    o.compression_kind = Compression::kNone;
  } else if (comp == "gzip") {
    o.compression_kind = Compression::kGzip;
  } else if (comp == "zstd") {
    o.compression_kind = Compression::kZstd;
  } else if (comp == "snappy" && o.parquet) {
    o.compression_kind = Compression::kSnappy;
  } else {
    return Bad("--compression", o.compression,
               o.parquet ? "expected auto, none, gzip, zstd or snappy"
                         : "expected auto, none, gzip or zstd (snappy is for parquet)");
  }
  o.errors_compression = o.compression_kind == Compression::kSnappy ? Compression::kNone : o.compression_kind;
  auto row_group = ParseSize(o.row_group_size);
  if (!row_group || *row_group < (64 << 10) || *row_group > (1ULL << 30))
    return Bad("--row-group-size", o.row_group_size, "expected 64KiB to 1GiB");
  o.row_group_bytes = *row_group;
  // The default page size shrinks with a small row group; an explicit one must fit.
  const bool page_default = o.page_size == "1MiB";
  auto page = ParseSize(o.page_size);
  if (page && page_default) page = std::min(*page, *row_group);
  if (!page || *page < 4096 || *page > *row_group)
    return Bad("--page-size", o.page_size, "expected 4KiB up to the row group size");
  o.page_bytes = *page;
  if (o.dedup != "rocksdb" && o.dedup != "memory") return Bad("--dedup", o.dedup, "expected rocksdb or memory");
  auto window = ParseDuration(o.dedup_window);
  if (!window || *window <= 0)
    return Bad("--dedup-window", o.dedup_window, "expected a positive duration like 7d or 36h");
  o.window_seconds = *window;
  auto size = ParseSize(o.flush_size);
  if (!size || *size == 0 || *size > (2ULL << 30))
    return Bad("--flush-size", o.flush_size, "expected a size from 1 byte to 2GiB, like 64MiB");
  o.flush.max_bytes = *size;
  o.flush.max_events = o.flush_count;
  auto age = ParseDuration(o.flush_age);
  if (!age || *age <= 0) return Bad("--flush-age", o.flush_age, "expected a positive duration like 60s or 5m");
  o.flush.max_age_us = *age * 1000000;
  auto budget = ParseSize(o.memory_budget);
  if (!budget || *budget < (1 << 20)) return Bad("--memory-budget", o.memory_budget, "expected at least 1MiB");
  o.flush.memory_budget = *budget;
  // A persistent store keeps each buffered event's claim in the deduplicator's pending
  // table until the commit (a 40-byte slot at 35-70% load, plus the uuid); the memory
  // store's table holds every claim of the window whether buffered or not.
  o.flush.pending_claim_bytes = o.dedup == "memory" ? 0 : 112;
  auto rec = ParseSize(o.max_record_size);
  if (!rec || *rec < 64 || *rec > (16ULL << 20))
    return Bad("--max-record-size", o.max_record_size, "expected 64 bytes to 16MiB");
  o.max_record_bytes = *rec;
  auto read = ParseSize(o.read_size);
  if (!read || *read < 4096 || *read > (256ULL << 20))
    return Bad("--read-size", o.read_size, "expected 4KiB to 256MiB");
  o.read_bytes = *read;
  const int64_t now = WallMicros() / 1000000;
  auto lo = ParseTimePoint(o.min_created_at, now);
  if (!lo)
    return Bad("--min-created-at", o.min_created_at, "expected Unix seconds (>= 0), YYYY-MM-DD or now[+-]DURATION");
  if (*lo < 0) return Bad("--min-created-at", o.min_created_at, "times before 1970 are not supported");
  auto hi = ParseTimePoint(o.max_created_at, now);
  if (!hi) return Bad("--max-created-at", o.max_created_at, "expected Unix seconds, YYYY-MM-DD or now[+-]DURATION");
  if (*hi <= *lo) return Status::Error("--max-created-at must be after --min-created-at");
  if (*hi > 253402300800) return Bad("--max-created-at", o.max_created_at, "must be before year 10000");
  o.min_created = *lo;
  o.max_created = *hi;
  if (o.progress == "auto")
    o.show_progress = isatty(STDERR_FILENO) != 0;
  else if (o.progress == "always")
    o.show_progress = true;
  else if (o.progress == "never")
    o.show_progress = false;
  else
    return Bad("--progress", o.progress, "expected auto, always or never");
  if (o.quiet) o.show_progress = false;
  if (o.threads < 0 || o.threads > 256)
    return Bad("--threads", std::to_string(o.threads), "expected 0 (all cores) to 256");
  if (o.threads == 0) o.threads = std::max(1U, std::thread::hardware_concurrency());
  if (o.inputs.empty()) o.inputs.push_back("-");
  int stdin_count = 0;
  for (const auto& in : o.inputs) stdin_count += in == "-";
  if (stdin_count > 1) return Status::Error("standard input ('-') can be given only once");
  o.s3 = o.lake.rfind("s3://", 0) == 0;
  if (o.s3) {
    auto where = s3::ParseS3Url(o.lake);
    if (!where.ok()) return Bad("--lake", o.lake, where.status().message());
    o.s3_location = *where;
    if (o.work_dir.empty()) {
      o.work_dir = "eventlake-work/" + where->bucket;
      if (!where->prefix.empty()) o.work_dir += "/" + where->prefix;
    }
    o.local_root = o.work_dir;
  } else {
    if (!o.work_dir.empty()) return Status::Error("--work-dir is for an s3:// lake; a local lake keeps its own");
    o.local_root = o.lake;
  }
  if (o.state_dir.empty()) o.state_dir = o.local_root + "/_eventlake/state";
  return Status::Ok();
}

}  // namespace eventlake
