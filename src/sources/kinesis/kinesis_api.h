#pragma once
// The Kinesis Data Streams operations the reader uses (JSON 1.1 protocol), as request
// bodies and parsed responses, apart from any transport so they are tested without a
// network: ListShards, GetShardIterator, GetRecords.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace eventlake::kinesis {

struct ShardInfo {
  std::string shard_id;
  std::string parent_shard_id;           // empty when none
  std::string adjacent_parent_shard_id;  // empty when none (set on the child of a merge)
  std::string starting_hash_key;
  std::string ending_hash_key;
  std::string starting_sequence_number;
  std::string ending_sequence_number;  // empty while the shard is open
  bool closed() const { return !ending_sequence_number.empty(); }
};

enum class IteratorType { kTrimHorizon, kLatest, kAtTimestamp, kAtSequenceNumber, kAfterSequenceNumber };

// "TRIM_HORIZON", "LATEST", "AT_TIMESTAMP", "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER".
std::string_view IteratorTypeName(IteratorType type);

// Where a shard's reading starts: a checkpoint (AFTER_SEQUENCE_NUMBER) or a fresh start.
struct StartPosition {
  IteratorType type = IteratorType::kTrimHorizon;
  std::string sequence_number;  // AT_/AFTER_SEQUENCE_NUMBER
  double timestamp = 0;         // AT_TIMESTAMP, Unix seconds

  static StartPosition TrimHorizon() { return {}; }
  static StartPosition Latest() { return {IteratorType::kLatest, {}, 0}; }
  static StartPosition AtTimestamp(double unix_seconds) { return {IteratorType::kAtTimestamp, {}, unix_seconds}; }
  static StartPosition After(std::string sequence_number) {
    return {IteratorType::kAfterSequenceNumber, std::move(sequence_number), 0};
  }
};

// Kinesis accepts at most 10000 records per GetRecords and 1000 shards per ListShards page.
inline constexpr int kMaxGetRecordsLimit = 10000;
inline constexpr int kMaxListShardsResults = 1000;

// ListShards: the first page names the stream; a page with a NextToken must not (the API
// rejects StreamName together with NextToken).
std::string ListShardsBody(std::string_view stream, std::string_view next_token, int max_results);
std::string GetShardIteratorBody(std::string_view stream, std::string_view shard_id, const StartPosition& start);
// limit is clamped to [1, kMaxGetRecordsLimit].
std::string GetRecordsBody(std::string_view shard_iterator, int limit);

struct ListShardsPage {
  std::vector<ShardInfo> shards;
  std::string next_token;  // empty on the last page
};
Result<ListShardsPage> ParseListShards(std::string_view body);
// The ShardIterator of a GetShardIterator answer.
Result<std::string> ParseGetShardIterator(std::string_view body);

struct KinesisRecord {
  std::string sequence_number;
  std::string partition_key;
  double approximate_arrival = 0;  // Unix seconds (ApproximateArrivalTimestamp)
  std::string data;                // decoded from base64
};

struct GetRecordsPage {
  std::vector<KinesisRecord> records;
  std::string next_iterator;          // empty: the shard is closed and fully read
  int64_t millis_behind_latest = -1;  // -1 when absent
};
// Fails on malformed JSON or a record whose Data is not valid base64.
Result<GetRecordsPage> ParseGetRecords(std::string_view body);

// Sequence numbers are decimal strings of up to 128 bits: compare as numbers (-1, 0, 1).
int CompareSequenceNumbers(std::string_view a, std::string_view b);

}  // namespace eventlake::kinesis

namespace eventlake::kinesis {

// "kinesis://STREAM" -> "STREAM"; a stream name is 1-128 of [a-zA-Z0-9_.-].
Result<std::string> ParseKinesisUri(std::string_view uri);

}  // namespace eventlake::kinesis
