#pragma once
// `eventlake ingest` options: registered on the CLI, then checked before any I/O
// (a typo fails at start with the flag's name, never an hour later).
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "encode/encoder.h"
#include "partition/buffers.h"
#include "sources/kinesis/kinesis_api.h"
#include "store/aws/aws_config.h"
#include "store/s3/s3_location.h"

namespace CLI {
class App;
}  // namespace CLI

namespace eventlake {

struct IngestOptions {
  // As given on the command line.
  std::string lake;
  std::vector<std::string> inputs;
  std::string format = "json";
  std::string compression = "auto";
  std::string dedup = "rocksdb";
  std::string state_dir;
  std::string work_dir;  // --lake s3://: local staging, state, lock and reports
  std::string dedup_window = "7d";
  std::string flush_size = "64MiB";
  uint64_t flush_count = 0;
  std::string flush_age = "60s";
  std::string memory_budget = "64MiB";
  std::string max_record_size = "1MiB";
  std::string read_size = "1MiB";
  std::string row_group_size = "128MiB";
  std::string page_size = "1MiB";
  std::string min_created_at = "0";
  std::string max_created_at = "now+1d";
  std::string report_path;
  std::string progress = "auto";
  int threads = 0;  // 0: all cores
  bool quiet = false;
  // AWS mode: --source kinesis://STREAM, --dedup dynamodb://TABLE, --lake s3://...
  std::string source;
  std::string leases;
  std::string worker_id;
  bool create_tables = false;
  std::string start_position = "trim_horizon";
  bool stop_when_caught_up = false;
  std::string lease_duration = "10s";
  std::string request_timeout = "30s";
  std::string endpoint_url, kinesis_endpoint, dynamodb_endpoint, s3_endpoint, region;
  bool s3_path_style = false;

  // Checked and parsed by Validate().
  Compression compression_kind = Compression::kNone;
  Compression errors_compression = Compression::kNone;  // dead letters are JSON lines
  bool parquet = false;
  uint64_t row_group_bytes = 0;
  uint64_t page_bytes = 0;
  int64_t window_seconds = 0;
  FlushPolicy flush;
  uint64_t max_record_bytes = 0;
  uint64_t read_bytes = 0;
  int64_t min_created = 0, max_created = 0;
  bool show_progress = false;
  bool s3 = false;  // --lake is s3://bucket/prefix
  s3::S3Location s3_location;
  std::string local_root;       // the local lake, or work_dir with s3: staging, state, lock, reports
  aws::AwsConfigOverrides aws;  // endpoint and region flags
  bool stream = false;          // --source kinesis://: the distributed worker (app/stream_worker)
  std::string stream_name, claims_table, leases_table;
  kinesis::StartPosition start;
  int64_t lease_duration_ms = 0;
  int64_t request_timeout_ms = 0;
};

// The encoders the options ask for (one per partition file).
PartitionBuffers::EncoderFactory EncoderFactoryFor(const IngestOptions& o);

void AddIngestOptions(CLI::App& sub, IngestOptions& o);
Status ValidateIngestOptions(IngestOptions& o);

}  // namespace eventlake
