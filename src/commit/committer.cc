#include "commit/committer.h"

#include <unistd.h>

#include <cstdio>

#include "core/sync_point.h"
#include "store/local/fs_util.h"

namespace eventlake {

Committer::Committer(std::string lake_root, StateDb& state, DedupStore& store, Deduplicator& dedup, ObjectStore& lake)
    : root_(std::move(lake_root)),
      staging_dir_(root_ + "/_eventlake/staging"),
      state_(state),
      store_(store),
      dedup_(dedup),
      lake_(lake) {}

Status Committer::Publish(uint64_t epoch, const std::vector<StagedFile>& files) {
  for (const auto& f : files) {
    EL_RETURN_IF_ERROR(lake_.Publish(root_ + "/" + f.staged, f.final));
    SyncPoint("publish:file");
  }
  return state_.DeleteManifest(epoch);
}

Result<uint64_t> Committer::Recover() {
  EL_RETURN_IF_ERROR(MakeDirs(staging_dir_));
  auto manifests = state_.Manifests();
  if (!manifests.ok()) return manifests.status();
  uint64_t published = 0;
  for (const auto& [epoch, files] : *manifests) {
    EL_RETURN_IF_ERROR(Publish(epoch, files).Context("finishing epoch " + std::to_string(epoch)));
    published += files.size();
  }
  // Whatever is left in staging was never committed: it must not become visible.
  EL_RETURN_IF_ERROR(RemoveFilesIn(staging_dir_));
  return published;
}

Status Committer::Commit(std::vector<std::unique_ptr<Buffer>>& buffers,
                         const std::vector<std::pair<uint64_t, Checkpoint>>& checkpoints, int64_t watermark,
                         EpochResult& result) {
  EL_RETURN_IF_ERROR(CommitEpoch(buffers, checkpoints, watermark, result));
  Settle(buffers, watermark);
  return Status::Ok();
}

void Committer::Settle(const std::vector<std::unique_ptr<Buffer>>& buffers, int64_t watermark) {
  for (const auto& b : buffers) dedup_.Committed(b->claims);
  // Only claims dead at the committed (checkpoint-consistent) watermark may go: a resume
  // starts from there.
  store_.PurgeBelow(watermark);
}

Status Committer::CommitEpoch(std::vector<std::unique_ptr<Buffer>>& buffers,
                              const std::vector<std::pair<uint64_t, Checkpoint>>& checkpoints, int64_t watermark,
                              EpochResult& result) {
  const uint64_t epoch = state_.next_epoch();
  result.epoch = epoch;
  result.files.clear();
  std::vector<StagedFile> staged;
  char name[64];
  for (size_t i = 0; i < buffers.size(); ++i) {
    Buffer& b = *buffers[i];
    std::snprintf(name, sizeof(name), "%010llu-%05zu", static_cast<unsigned long long>(epoch), i);
    StagedFile f{"_eventlake/staging/" + std::string(name) + ".tmp",
                 b.key + "/part-" + std::string(name) + std::string(b.encoder->extension())};
    auto sink = FileSink::Create(root_ + "/" + f.staged);
    if (!sink.ok()) return sink.status();
    EL_RETURN_IF_ERROR(b.encoder->Finish(**sink));
    EL_RETURN_IF_ERROR((*sink)->Close());
    result.files.push_back({f.final, b.key, b.events, (*sink)->bytes_written(), &b});
    staged.push_back(std::move(f));
  }
  EL_RETURN_IF_ERROR(FsyncDir(staging_dir_));
  SyncPoint("commit:staged");

  state_.PutManifest(epoch, staged);
  for (const auto& [id, c] : checkpoints) state_.PutCheckpoint(id, c);
  state_.PutWatermark(watermark);
  for (const auto& b : buffers) store_.AddToCommit(b->claims, state_);
  EL_RETURN_IF_ERROR(state_.Commit());
  SyncPoint("commit:committed");
  return Publish(epoch, staged);
}

}  // namespace eventlake
