#pragma once
// What a run did: counters, per-partition totals, latency and lag percentiles, and
// the accounting check read == written + duplicates + invalid (+ already_committed).
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/histogram.h"
#include "decode/verdict.h"
#include "partition/buffers.h"

namespace eventlake {

struct PartitionTotals {
  uint64_t events = 0;
  uint64_t bytes = 0;
  uint64_t files = 0;
};

// AWS mode (--source kinesis://): where retries went and what the leases did.
struct AwsRunStats {
  bool used = false;
  uint64_t kinesis_retries = 0, dynamodb_retries = 0, s3_retries = 0;
  uint64_t expired_iterators = 0;
  uint64_t leases_taken = 0;     // includes taking back this worker id's own leases after a restart
  uint64_t leases_lost = 0;      // taken by another worker (fenced) while held here
  uint64_t replayed_epochs = 0;  // intents found on taken leases and replayed exactly
  uint64_t shards_finished = 0;
  uint64_t claims_won = 0, claims_won_expired = 0, claims_won_own_token = 0, claims_lost = 0;
  // Claim requests by kind: a new uuid costs one PutItem, a replay or takeover adds an
  // UpdateItem, a duplicate also a GetItem of the claim's history.
  uint64_t claim_puts = 0, claim_updates = 0, claim_gets = 0;
};

struct RunReport {
  std::string lake;
  std::vector<std::string> inputs;
  uint64_t read = 0;  // records (non-blank lines) read this run
  uint64_t written = 0;
  uint64_t duplicates = 0;
  uint64_t invalid = 0;
  // Records an interrupted earlier run had already committed (seen again on resume).
  uint64_t already_committed = 0;
  uint64_t blank_lines = 0;
  uint64_t input_bytes = 0;
  uint64_t resumed_bytes = 0;  // skipped thanks to checkpoints
  uint64_t recovered_files = 0;
  uint64_t http_retries = 0;  // object store requests retried (s3:// lakes: throttling, 5xx, network)
  uint64_t epochs = 0;
  uint64_t small_files = 0;  // published files under 1 MiB
  std::array<uint64_t, kReasonCount> invalid_by_reason{};
  std::map<std::string, PartitionTotals> partitions;  // includes "_errors"
  Histogram latency_ms;                               // receive -> commit, per event
  Histogram lag_s;                                    // commit - created_at, per event
  Histogram file_bytes;                               // sizes of published files
  AwsRunStats aws;
  double elapsed_s = 0;
  bool ok = true;  // false when the run stopped on an error
  std::string error;

  // A published file of `events` events and `bytes` bytes in `partition`.
  void AddFile(const std::string& partition, uint64_t events, uint64_t bytes);
  // The latency and lag of a buffer's events, committed at commit_us (monotonic) / commit_wall_us.
  void AddCommitted(const Buffer& buffer, int64_t commit_us, int64_t commit_wall_us);

  bool Balanced() const { return read == written + duplicates + invalid + already_committed; }
  std::string CheckText() const;
  std::string ToJson() const;
  std::string Summary() const;
};

}  // namespace eventlake
