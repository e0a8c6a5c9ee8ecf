#pragma once
// Reads the shards assigned to this worker, all of them in flight at once: one Poll()
// submits, for every shard whose pacing allows it, a GetRecords (preceded by a
// GetShardIterator when the shard has no iterator yet) to the batch HttpClient and
// drains them together. Per shard it keeps the chain of NextShardIterator, the last
// sequence number handed out, and whether the shard has ended (no NextShardIterator).
//
// Never skips or repeats a record: the position only moves when records are handed out;
// an ExpiredIteratorException drops the iterator and the next read asks for one AFTER
// the last sequence number handed out (or at the start position when none was; for
// LATEST, at the time the first iterator was asked for). Other
// failures keep the iterator (iterators are reusable until they expire) and the shard is
// tried again in a later round. Throttling (ProvisionedThroughputExceededException) and
// 5xx are retried inside the client.
//
// Kinesis allows 5 GetRecords per second per shard: each shard waits min_read_interval
// between reads, measured on an injectable clock so tests never sleep.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "sources/kinesis/kinesis_api.h"
#include "store/aws/aws_config.h"
#include "store/aws/http_client.h"

namespace eventlake::kinesis {

using SteadyClock = std::chrono::steady_clock;

struct ShardReaderOptions {
  std::string stream;
  int limit = kMaxGetRecordsLimit;                   // records per GetRecords, clamped to [1, 10000]
  std::chrono::milliseconds min_read_interval{200};  // 5 reads/s per shard
  // Generous: an emulator can take seconds for a 10000-record page (tests/awsbed/README.md).
  std::chrono::milliseconds request_timeout{30000};
  std::function<SteadyClock::time_point()> now = {};  // default: steady_clock::now
  // Unix seconds (default: system_clock). An expired LATEST iterator with nothing handed
  // out yet is replaced by AT_TIMESTAMP of when the first one was asked for (minus
  // latest_rewind): asking for LATEST again would skip what arrived in between, and
  // starting a little early repeats nothing because nothing was handed out.
  std::function<double()> wall_now = {};
  double latest_rewind_seconds = 1.0;
};

struct ShardBatch {
  std::string shard_id;
  std::vector<KinesisRecord> records;  // in sequence order
  int64_t millis_behind_latest = -1;
  bool shard_ended = false;  // the shard is closed and these were its last records
};

struct ReadBatch {
  std::vector<ShardBatch> shards;  // shard id order; only shards that returned records or ended
  // The first failure of the round (after the client's retries). The records above are
  // still valid and the failed shard is retried in a later round.
  Status status;
  size_t record_count() const;
};

struct ShardProgress {
  std::string shard_id;
  std::string last_sequence_number;  // of the last record handed out; empty when none yet
  bool finished = false;             // ended and every record handed out
  bool caught_up = false;            // last read: no records and MillisBehindLatest == 0
  bool stopped = false;              // reached its StopAfter() sequence number; not read until Resume()
  int64_t millis_behind_latest = -1;
  uint64_t records = 0;
  uint64_t get_records_calls = 0;
  uint64_t iterator_requests = 0;
  uint64_t expired_iterators = 0;
  uint64_t retries = 0;  // client retries (throttling, 5xx, network) of this shard's calls
};

class ShardReader {
 public:
  ShardReader(aws::HttpClient& client, const aws::AwsConfig& config, ShardReaderOptions options);
  ~ShardReader();
  ShardReader(const ShardReader&) = delete;
  ShardReader& operator=(const ShardReader&) = delete;

  // Starts reading a shard at `start` (a checkpoint: StartPosition::After(seq)). A shard
  // already assigned keeps its position.
  void Assign(const std::string& shard_id, const StartPosition& start);
  // Stops reading a shard (its lease went elsewhere) and forgets its state.
  void Release(const std::string& shard_id);
  // Hands out records of the shard up to and including `sequence_number`, then stops it
  // (ShardProgress::stopped): replaying exactly an epoch's recorded range after a crash.
  // Records past it in the same answer are dropped and read again after Resume().
  void StopAfter(const std::string& shard_id, std::string sequence_number);
  void Resume(const std::string& shard_id);

  // One round over the shards that may read now (see NextReadIn); may return nothing.
  ReadBatch Poll();
  // Zero when some shard may read now; the wait until the earliest one may otherwise;
  // milliseconds::max() when no assigned shard is left unfinished.
  std::chrono::milliseconds NextReadIn() const;
  // Every assigned shard is finished or caught up (--stop-when-caught-up); a stopped
  // shard is neither.
  bool CaughtUp() const;
  bool IsFinished(const std::string& shard_id) const;
  bool IsAssigned(const std::string& shard_id) const { return shards_.count(shard_id) != 0; }
  std::vector<ShardProgress> Progress() const;  // shard id order

 private:
  struct Shard;
  void SubmitIterator(Shard& shard);
  void SubmitGetRecords(Shard& shard);
  void Fail(Shard& shard, Status status);

  aws::HttpClient& client_;
  const aws::AwsConfig& config_;
  ShardReaderOptions options_;
  std::map<std::string, std::unique_ptr<Shard>> shards_;
};

}  // namespace eventlake::kinesis
