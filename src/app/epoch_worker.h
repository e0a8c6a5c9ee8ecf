#pragma once
// Writes epochs on a thread of their own (with --threads > 1): encoding the files'
// ends (Parquet pages, compression), fsyncs, the synced state commit and publishing
// overlap with the pipeline reading, deciding and routing the next events. One epoch
// is in flight at a time (memory: the budget plus that epoch); the pipeline settles
// each finished epoch on its own thread (Committer::Settle).
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "commit/committer.h"

namespace eventlake {

struct EpochJob {
  std::vector<std::unique_ptr<Buffer>> buffers;
  std::vector<std::pair<uint64_t, Checkpoint>> checkpoints;
  int64_t watermark = 0;
  EpochResult result;
  Status status = Status::Ok();
  int64_t commit_us = 0;       // monotonic, when the commit was durable
  int64_t commit_wall_us = 0;  // the same, wall clock
};

class EpochWorker {
 public:
  // async == false: Submit() writes the epoch on the calling thread.
  EpochWorker(Committer& committer, bool async);
  ~EpochWorker();  // waits for the epoch being written
  EpochWorker(const EpochWorker&) = delete;
  EpochWorker& operator=(const EpochWorker&) = delete;

  // Hands over an epoch, first waiting for the one in flight. Returns the epochs
  // finished meanwhile, in order.
  std::vector<std::unique_ptr<EpochJob>> Submit(std::unique_ptr<EpochJob> job);
  // Finished epochs, in order; with `all`, waits until every submitted one is finished.
  std::vector<std::unique_ptr<EpochJob>> TakeDone(bool all);

 private:
  void Run(std::unique_ptr<EpochJob>& job);
  void Work();

  Committer& committer_;
  const bool async_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<EpochJob>> queued_;
  std::deque<std::unique_ptr<EpochJob>> done_;
  bool busy_ = false;
  bool stop_ = false;
  bool failed_ = false;  // an epoch failed: later ones must not commit
  std::thread thread_;
};

}  // namespace eventlake
