#include "app/ingest_options.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "core/time_util.h"
#include "dedup/dynamodb/claim_request.h"
#include "encode/jsonl/jsonl_encoder.h"
#include "encode/parquet/parquet_encoder.h"
#include "store/aws/dynamodb_table.h"

namespace eventlake {

void AddIngestOptions(CLI::App& sub, IngestOptions& o) {
  sub.add_option("--lake", o.lake,
                 "Lake: a directory (created if missing), or s3://BUCKET/PREFIX (endpoint, region and "
                 "credentials from AWS_* variables; AWS_ENDPOINT_URL_S3 for S3-compatible stores)")
      ->required();
  sub.add_option("--work-dir", o.work_dir,
                 "With an s3:// lake: local directory for staged files, state, lock and run reports "
                 "(default: ./eventlake-work/BUCKET/PREFIX); keep it across runs for exactly-once. With --source: this "
                 "worker's staging (default: ./eventlake-work/WORKER-ID)");
  sub.add_option("inputs", o.inputs, "NDJSON inputs, plain, gzip or zstd (detected by content); '-' or none: stdin");
  sub.add_option("--format", o.format, "Output format: json (JSON lines) | parquet")->capture_default_str();
  sub.add_option("--compression", o.compression,
                 "Output compression: auto (json: none, parquet: zstd) | none | gzip | zstd | snappy (parquet only)")
      ->capture_default_str();
  sub.add_option("--row-group-size", o.row_group_size, "Parquet: uncompressed bytes per row group")
      ->capture_default_str();
  sub.add_option("--page-size", o.page_size, "Parquet: uncompressed bytes per data page")->capture_default_str();
  sub.add_option("--dedup", o.dedup,
                 "Dedup store: rocksdb (persistent, under the lake) | memory (this run only) | dynamodb://TABLE (with "
                 "--source kinesis://: claims shared by all workers)")
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
                 "of the ordered dedup/encode/commit thread; 0: one per core. With --source the worker is one pipeline "
                 "thread plus one renewing leases")
      ->capture_default_str();
  sub.add_option("--report", o.report_path, "Also write the JSON run report to this file");
  sub.add_option("--progress", o.progress, "Progress line on stderr: auto (when a terminal) | always | never")
      ->capture_default_str();
  sub.add_flag("--quiet,-q", o.quiet, "No summary and no progress on stderr (errors still print)");

  // AWS mode (issue 5): N workers over a Kinesis stream, claims in DynamoDB, lake in S3.
  sub.add_option("--source", o.source,
                 "Read a Kinesis stream instead of files: kinesis://STREAM (needs --dedup dynamodb://TABLE and an "
                 "s3:// --lake; run one worker per process/machine, they share the shards)");
  sub.add_option("--leases", o.leases,
                 "With --source: DynamoDB table for shard leases, checkpoints and epoch intents "
                 "(default: dynamodb://<claims table>-leases)");
  sub.add_option("--worker-id", o.worker_id,
                 "With --source: this worker's name in the lease table (default: HOSTNAME-PID); restart a crashed "
                 "worker with the same id to take its shards back at once");
  sub.add_flag("--create-tables", o.create_tables,
               "With --source: create the claim and lease tables when missing (on-demand capacity)");
  sub.add_option("--start-position", o.start_position,
                 "With --source, for shards without a checkpoint: trim_horizon | latest | at_timestamp:UNIX_SECONDS")
      ->capture_default_str();
  sub.add_flag("--stop-when-caught-up", o.stop_when_caught_up,
               "With --source: exit once every shard is read to its current end and committed and no lease is left "
               "to take (backfills, tests); without it the worker runs until SIGINT/SIGTERM");
  sub.add_option("--lease-duration", o.lease_duration,
                 "With --source: a lease not renewed for this long (s|m) is taken over; renewed every third of it")
      ->capture_default_str();
  sub.add_option("--request-timeout", o.request_timeout,
                 "AWS requests (S3, DynamoDB, Kinesis): time allowed per attempt before it is retried (s|m)")
      ->capture_default_str();
  sub.add_option("--endpoint-url", o.endpoint_url,
                 "AWS endpoint for every service (else AWS_ENDPOINT_URL; S3-compatible stores, emulators)");
  sub.add_option("--kinesis-endpoint", o.kinesis_endpoint, "Kinesis endpoint (else AWS_ENDPOINT_URL_KINESIS)");
  sub.add_option("--dynamodb-endpoint", o.dynamodb_endpoint, "DynamoDB endpoint (else AWS_ENDPOINT_URL_DYNAMODB)");
  sub.add_option("--s3-endpoint", o.s3_endpoint, "S3 endpoint (else AWS_ENDPOINT_URL_S3)");
  sub.add_option("--region", o.region, "AWS region (else AWS_REGION, AWS_DEFAULT_REGION)");
  sub.add_flag("--s3-path-style", o.s3_path_style,
               "Path-style S3 URLs (endpoint/bucket/key); the default when an S3 endpoint is given");
}

PartitionBuffers::EncoderFactory EncoderFactoryFor(const IngestOptions& o) {
  return [&o]() -> std::unique_ptr<Encoder> {
    if (!o.parquet) return std::make_unique<JsonlEncoder>(o.compression_kind);
    ParquetOptions p;
    p.compression = o.compression_kind;
    p.row_group_bytes = o.row_group_bytes;
    p.page_bytes = o.page_bytes;
    return MakeParquetEncoder(p);
  };
}

namespace {
Status Bad(const std::string& flag, const std::string& value, const std::string& want) {
  return Status::Error("invalid " + flag + " '" + value + "': " + want);
}

std::string DefaultWorkerId() {
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0') std::snprintf(host, sizeof(host), "worker");
  std::string id;
  for (const char* p = host; *p != '\0'; ++p)
    id += std::isalnum(static_cast<unsigned char>(*p)) || *p == '-' ? *p : '_';
  return id + "-" + std::to_string(getpid());
}

// AWS mode: --source kinesis://STREAM. Called before the generic checks fill defaults.
Status ValidateStreamOptions(IngestOptions& o) {
  auto stream = kinesis::ParseKinesisUri(o.source);
  if (!stream.ok()) return Bad("--source", o.source, stream.status().message());
  o.stream = true;
  o.stream_name = *stream;
  if (!o.inputs.empty())
    return Status::Error("--source kinesis:// reads the stream; input files ('" + o.inputs.front() +
                         "') cannot be given with it");
  if (o.dedup.rfind("dynamodb://", 0) != 0)
    return Status::Error("--source kinesis:// needs --dedup dynamodb://TABLE: every worker must see every claim");
  auto claims = dynamodb::ParseDynamoDbLocation(o.dedup);
  if (!claims.ok()) return Bad("--dedup", o.dedup, claims.status().message());
  o.claims_table = *claims;
  if (o.leases.empty()) o.leases = "dynamodb://" + o.claims_table + "-leases";
  auto leases = aws::ParseDynamoDbTableUrl(o.leases, "leases");
  if (!leases.ok()) return Bad("--leases", o.leases, leases.status().message());
  o.leases_table = *leases;
  if (o.leases_table == o.claims_table) return Status::Error("--leases must name another table than --dedup");
  if (o.lake.rfind("s3://", 0) != 0)
    return Bad("--lake", o.lake, "with --source kinesis:// the lake is s3://BUCKET/PREFIX (shared by all workers)");
  if (!o.state_dir.empty()) return Status::Error("--state is for file inputs; with --source the state is in DynamoDB");
  if (o.worker_id.empty()) o.worker_id = DefaultWorkerId();
  if (o.worker_id.size() > 128) return Bad("--worker-id", o.worker_id, "at most 128 characters");
  for (char c : o.worker_id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.' && c != ':')
      return Bad("--worker-id", o.worker_id, "use letters, digits and - _ . :");
  if (o.work_dir.empty()) o.work_dir = "eventlake-work/" + o.worker_id;
  const std::string& sp = o.start_position;
  if (sp == "trim_horizon") {
    o.start = kinesis::StartPosition::TrimHorizon();
  } else if (sp == "latest") {
    o.start = kinesis::StartPosition::Latest();
  } else if (sp.rfind("at_timestamp:", 0) == 0) {
    char* end = nullptr;
    const std::string num = sp.substr(13);
    const double t = std::strtod(num.c_str(), &end);
    if (num.empty() || end == nullptr || *end != '\0' || !(t >= 0))
      return Bad("--start-position", sp, "at_timestamp needs Unix seconds, like at_timestamp:1700000000");
    o.start = kinesis::StartPosition::AtTimestamp(t);
  } else {
    return Bad("--start-position", sp, "expected trim_horizon, latest or at_timestamp:UNIX_SECONDS");
  }
  auto lease = ParseDuration(o.lease_duration);
  if (!lease || *lease < 1 || *lease > 3600)
    return Bad("--lease-duration", o.lease_duration, "expected 1s to 1h, like 10s");
  o.lease_duration_ms = *lease * 1000;
  return Status::Ok();
}
}  // namespace

Status ValidateIngestOptions(IngestOptions& o) {
  if (o.lake.empty()) return Status::Error("--lake must name a directory");
  if (!o.source.empty()) {
    EL_RETURN_IF_ERROR(ValidateStreamOptions(o));
  } else {
    const std::pair<const char*, bool> stream_only[] = {
        {"--leases", !o.leases.empty()},
        {"--worker-id", !o.worker_id.empty()},
        {"--start-position", o.start_position != "trim_horizon"},
        {"--lease-duration", o.lease_duration != "10s"},
    };
    for (const auto& [flag, given] : stream_only)
      if (given) return Status::Error(std::string(flag) + " is for --source kinesis://STREAM");
    if (o.create_tables || o.stop_when_caught_up)
      return Status::Error("--create-tables and --stop-when-caught-up are for --source kinesis://STREAM");
    if (o.dedup.rfind("dynamodb://", 0) == 0)
      return Status::Error("--dedup dynamodb:// is for --source kinesis://STREAM (file inputs use rocksdb or memory)");
  }
  auto timeout = ParseDuration(o.request_timeout);
  if (!timeout || *timeout < 1 || *timeout > 3600)
    return Bad("--request-timeout", o.request_timeout, "expected 1s to 1h, like 30s");
  o.request_timeout_ms = *timeout * 1000;
  auto set = [](std::optional<std::string>& to, const std::string& v) {
    if (!v.empty()) to = v;
  };
  set(o.aws.endpoint_url, o.endpoint_url);
  set(o.aws.kinesis_endpoint, o.kinesis_endpoint);
  set(o.aws.dynamodb_endpoint, o.dynamodb_endpoint);
  set(o.aws.s3_endpoint, o.s3_endpoint);
  set(o.aws.region, o.region);
  if (o.s3_path_style) o.aws.s3_path_style = true;
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
  if (o.dedup != "rocksdb" && o.dedup != "memory" && !o.stream)
    return Bad("--dedup", o.dedup, "expected rocksdb or memory (or dynamodb://TABLE with --source kinesis://)");
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
  o.flush.pending_claim_bytes = o.dedup == "memory" || o.stream ? 0 : 112;
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
  if (o.inputs.empty() && !o.stream) o.inputs.push_back("-");
  int stdin_count = 0;
  for (const auto& in : o.inputs) stdin_count += in == "-";
  if (stdin_count > 1) return Status::Error("standard input ('-') can be given only once");
  o.s3 = o.lake.rfind("s3://", 0) == 0;
  if (o.s3) {
    auto where = s3::ParseS3Url(o.lake);
    if (!where.ok()) return Bad("--lake", o.lake, where.status().message());
    o.s3_location = *where;
    if (o.work_dir.empty()) {  // (set already in AWS mode: per worker)
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
