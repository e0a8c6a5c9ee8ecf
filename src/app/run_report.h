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

namespace eventlake {

struct PartitionTotals {
  uint64_t events = 0;
  uint64_t bytes = 0;
  uint64_t files = 0;
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
  double elapsed_s = 0;
  bool ok = true;  // false when the run stopped on an error
  std::string error;

  bool Balanced() const { return read == written + duplicates + invalid + already_committed; }
  std::string CheckText() const;
  std::string ToJson() const;
  std::string Summary() const;
};

}  // namespace eventlake
