#pragma once
// The lake's embedded state: one RocksDB under LAKE/_eventlake/state holding the
// commit log (epoch manifests), source checkpoints, the event-time watermark and,
// with the RocksDB dedup store, the uuid claims. One WriteBatch with sync makes an
// epoch's commit atomic (DESIGN.md, "Exactly-once").
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"

namespace eventlake {

struct Checkpoint {
  uint64_t offset = 0;     // next record to read (stream byte offset)
  uint64_t line_no = 0;    // lines before offset
  uint64_t dlq_upto = 0;   // invalid records before this offset are already dead-lettered
  uint64_t tail_hash = 0;  // hash of up to 4 KiB before offset (0: not verifiable)
  int64_t watermark = 0;   // the dedup watermark at offset: a resume decides as the first run did
};

struct StagedFile {
  std::string staged;  // path relative to the lake root
  std::string final;   // object key relative to the lake root
};

struct StateOptions {
  std::string path;
  size_t block_cache_bytes = 16 << 20;
  size_t write_buffer_bytes = 8 << 20;
};

class StateDb {
 public:
  static Result<std::unique_ptr<StateDb>> Open(const StateOptions& options);
  ~StateDb();

  // The atomic commit under construction.
  rocksdb::WriteBatch& batch() { return batch_; }
  void PutCheckpoint(uint64_t source_id, const Checkpoint& c);
  void PutManifest(uint64_t epoch, const std::vector<StagedFile>& files);
  void PutWatermark(int64_t watermark);
  // Writes the batch with sync; advances the epoch counter.
  Status Commit();
  Status DeleteManifest(uint64_t epoch);

  std::optional<Checkpoint> GetCheckpoint(uint64_t source_id);
  Result<std::map<uint64_t, std::vector<StagedFile>>> Manifests();
  uint64_t next_epoch() const { return next_epoch_; }
  int64_t watermark() const { return watermark_; }

  rocksdb::DB* db() { return db_.get(); }
  // Claims live in their own column family, tuned for point lookups.
  rocksdb::ColumnFamilyHandle* claims() { return claims_; }
  // Claims whose expiry is below this are dropped by compaction.
  void SetPurgeBelow(int64_t expires_at);

 private:
  StateDb() = default;
  std::unique_ptr<rocksdb::DB> db_;
  rocksdb::ColumnFamilyHandle* claims_ = nullptr;
  rocksdb::ColumnFamilyHandle* meta_ = nullptr;
  std::shared_ptr<std::atomic<int64_t>> purge_below_ = std::make_shared<std::atomic<int64_t>>(INT64_MIN);
  std::unique_ptr<rocksdb::CompactionFilter> filter_;
  rocksdb::WriteBatch batch_;
  uint64_t next_epoch_ = 1;
  int64_t watermark_ = 0;
};

// Key layout: the default column family holds metadata ("m/", "c/", "p/" prefixes); the
// "claims" column family holds 'u' + uuid -> EncodeClaim().
inline constexpr char kClaimPrefix = 'u';
std::string ClaimKey(std::string_view uuid);

}  // namespace eventlake
