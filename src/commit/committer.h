#pragma once
// One epoch of the exactly-once protocol (DESIGN.md):
//   stage (encode each buffer to a local file, fsync) -> commit (claims, checkpoints,
//   manifest and watermark in one synced RocksDB write) -> publish (rename/upload each
//   staged file to its final key) -> forget the manifest.
// Recover() finishes what a crash interrupted: committed manifests are published,
// uncommitted staged files are deleted.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "dedup/deduplicator.h"
#include "partition/buffers.h"
#include "state/state_db.h"
#include "store/object_store.h"

namespace eventlake {

struct EpochFile {
  std::string key;        // final key relative to the lake
  std::string partition;  // buffer key ("_errors" for dead letters)
  uint64_t events = 0;
  uint64_t bytes = 0;
  const Buffer* buffer = nullptr;  // valid during the Commit call only
};

struct EpochResult {
  uint64_t epoch = 0;
  std::vector<EpochFile> files;
};

class Committer {
 public:
  Committer(std::string lake_root, StateDb& state, DedupStore& store, Deduplicator& dedup, ObjectStore& lake);

  // Finishes interrupted epochs; returns how many files were published.
  Result<uint64_t> Recover();
  // Runs one epoch over `buffers` (dead letters included). Checkpoints are committed
  // with it. The buffers are consumed.
  Status Commit(std::vector<std::unique_ptr<Buffer>>& buffers,
                const std::vector<std::pair<uint64_t, Checkpoint>>& checkpoints, int64_t watermark,
                EpochResult& result);

  // Commit() in two steps, so an epoch can be written on another thread while the
  // pipeline goes on: CommitEpoch stages, commits and publishes (it touches only the
  // state store, the dedup store's commit path and the files; one epoch at a time, in
  // order); Settle then tells the deduplicator and the store, on the pipeline's thread.
  // Until Settle the epoch's claims stay pending, which dedupes exactly as before.
  Status CommitEpoch(std::vector<std::unique_ptr<Buffer>>& buffers,
                     const std::vector<std::pair<uint64_t, Checkpoint>>& checkpoints, int64_t watermark,
                     EpochResult& result);
  void Settle(const std::vector<std::unique_ptr<Buffer>>& buffers, int64_t watermark);

 private:
  Status Publish(uint64_t epoch, const std::vector<StagedFile>& files);

  std::string root_;
  std::string staging_dir_;
  StateDb& state_;
  DedupStore& store_;
  Deduplicator& dedup_;
  ObjectStore& lake_;
};

}  // namespace eventlake
