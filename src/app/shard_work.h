#pragma once
// One Kinesis shard held by this worker (AWS mode): the uncommitted range of records
// since the lease's checkpoint, its events in per-partition buffers and its dead
// letters. A shard's epoch is exactly such a range: the objects it publishes hold only
// this shard's records, in record order, under keys made of the shard id and the
// shard's epoch number. So whoever replays the range after a crash (any worker) makes
// the same objects under the same keys (DESIGN.md, "Distributed workers").
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "app/ingest_options.h"
#include "app/run_report.h"
#include "decode/verdict.h"
#include "partition/buffers.h"
#include "sources/kinesis/lease_table.h"
#include "transform/derive.h"

namespace eventlake {

// What a range did, added to the run report only once its epoch is committed.
struct RangeCounts {
  uint64_t read = 0, written = 0, duplicates = 0, invalid = 0;
  std::array<uint64_t, kReasonCount> invalid_by_reason{};
  uint64_t input_bytes = 0;
};

struct EpochObject {
  std::string key;  // relative to the lake prefix
  std::unique_ptr<Buffer> buffer;
};

class ShardWork {
 public:
  ShardWork(const IngestOptions& options, kinesis::Lease lease);

  kinesis::Lease lease;    // as stored: owner = this worker, and the counter that fences it
  int64_t watermark = 0;   // the shard's dedup watermark after the last record taken in
  bool replaying = false;  // reading an intent's exact range again (lease.intent_*)
  bool ended = false;      // the shard is closed and its last record is in (or before) the range
  RangeCounts counts;

  // The range: sequence numbers of its first and last record; empty when nothing is
  // uncommitted.
  const std::string& first_sequence() const { return first_; }
  const std::string& last_sequence() const { return last_; }
  bool empty() const { return last_.empty(); }
  void TakeRecord(const std::string& sequence_number, int64_t now_us);

  // A valid event that won its claim; `receive_us`/`receive_wall_s` for latency and lag.
  void Write(const EventFields& fields, const Derived& derived, int64_t receive_us, int64_t receive_wall_s);
  void DeadLetter(Reason reason, std::string_view detail, std::string_view sequence_number, uint32_t line,
                  std::string_view raw, uint64_t full_size);

  // The flush policy (size, count, age of any buffer or of the range itself) says publish.
  bool Due(int64_t now_us) const;
  int64_t NextDeadline() const;  // monotonic µs when the age policy fires, or INT64_MAX
  size_t memory() const;

  // The range's objects, in a deterministic order: files sealed early (a Parquet schema
  // conflict) in sealing order, then the open buffers by partition, then dead letters.
  // Keys: PARTITION/part-SHARD-EPOCH(10 digits)-INDEX(5 digits).EXT.
  std::vector<EpochObject> TakeObjects(uint64_t epoch);
  // The range is committed (or abandoned): start a new one after it.
  void ResetRange();

 private:
  const IngestOptions& o_;
  std::string source_;  // "kinesis://STREAM/SHARD" for dead letters
  std::string first_, last_;
  int64_t opened_us_ = 0;
  std::map<std::string, std::unique_ptr<Buffer>> buffers_;  // ordered: deterministic object order
  std::vector<std::unique_ptr<Buffer>> sealed_;
  std::unique_ptr<Buffer> errors_;
  std::string line_;
  std::string key_, last_type_, last_date_;
  PartitionBuffers::EncoderFactory factory_;
};

}  // namespace eventlake
