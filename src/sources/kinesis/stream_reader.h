#pragma once
// The whole stream for one worker that owns every shard (no leases yet): discovers the
// shards, reads those the ShardGraph allows (parents drained before children), and when
// a shard ends lists the shards again and starts its children. The lease layer will
// replace "every readable shard" with "the readable shards this worker holds a lease on",
// using ShardGraph and ShardReader directly.
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "sources/kinesis/shard_graph.h"
#include "sources/kinesis/shard_reader.h"

namespace eventlake::kinesis {

// Where a previous run got to: the last sequence number committed per shard, and the
// shards read to their end.
struct StreamCheckpoint {
  std::map<std::string, std::string> after_sequence;
  std::set<std::string> finished;
};

class StreamReader {
 public:
  // `initial` applies to shards without a checkpoint: TRIM_HORIZON and AT_TIMESTAMP start
  // at the oldest shards and walk down the graph; LATEST skips closed shards and starts
  // the open ones at their tip (their children, created later, start at TRIM_HORIZON).
  static Result<std::unique_ptr<StreamReader>> Open(aws::HttpClient& client, const aws::AwsConfig& config,
                                                    ShardReaderOptions options, StartPosition initial,
                                                    StreamCheckpoint checkpoint = {});

  // One round of reads; when a shard ended, lists the shards and assigns the children
  // that became readable (their records come in later rounds, after the parent's last).
  ReadBatch Poll();
  std::chrono::milliseconds NextReadIn() const { return reader_->NextReadIn(); }
  // Every shard read to its current end: all readable shards assigned, each finished or
  // caught up, and no shard list refresh pending.
  bool CaughtUp() const;

  const ShardGraph& graph() const { return *graph_; }
  const std::set<std::string>& finished() const { return finished_; }
  std::vector<ShardProgress> Progress() const { return reader_->Progress(); }
  uint64_t shard_list_refreshes() const { return refreshes_; }

 private:
  StreamReader(aws::HttpClient& client, const aws::AwsConfig& config, ShardReaderOptions options, StartPosition initial,
               StreamCheckpoint checkpoint);
  Status Refresh();
  void AssignReadable();
  StartPosition StartFor(const std::string& shard_id) const;

  aws::HttpClient& client_;
  const aws::AwsConfig& config_;
  std::string stream_;
  StartPosition initial_;
  StreamCheckpoint checkpoint_;
  std::unique_ptr<ShardReader> reader_;
  std::unique_ptr<ShardGraph> graph_;
  std::set<std::string> finished_;  // read to the end here, or in an earlier run
  std::set<std::string> skipped_;   // closed shards a LATEST start never reads
  bool refresh_pending_ = false;
  uint64_t refreshes_ = 0;
};

}  // namespace eventlake::kinesis
