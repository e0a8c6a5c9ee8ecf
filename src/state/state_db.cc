#include "state/state_db.h"

#include <rocksdb/compaction_filter.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/merge_operator.h>
#include <rocksdb/table.h>

#include <algorithm>
#include <cstring>

#include "state/claim_codec.h"

namespace eventlake {
namespace {

constexpr char kEpochKey[] = "m/epoch";
constexpr char kWatermarkKey[] = "m/watermark";

void PutU64(std::string& out, uint64_t v) { out.append(reinterpret_cast<const char*>(&v), 8); }
uint64_t GetU64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

std::string CheckpointKey(uint64_t source_id) {
  std::string k = "c/";
  PutU64(k, source_id);
  return k;
}

std::string ManifestKey(uint64_t epoch) {
  std::string k = "p/";
  for (int i = 7; i >= 0; --i) k.push_back(static_cast<char>((epoch >> (i * 8)) & 0xff));  // big-endian: ordered
  return k;
}

// Drops claims that expired: their uuid may be accepted again (DESIGN: dedup window).
class ExpiredClaimFilter final : public rocksdb::CompactionFilter {
 public:
  explicit ExpiredClaimFilter(std::shared_ptr<std::atomic<int64_t>> below) : below_(std::move(below)) {}
  bool Filter(int, const rocksdb::Slice& key, const rocksdb::Slice& value, std::string* new_value,
              bool* value_changed) const override {
    if (key.size() == 0 || key[0] != kClaimPrefix || value.size() < kClaimBytes) return false;
    const int64_t below = below_->load(std::memory_order_relaxed);
    int64_t newest = INT64_MIN;
    for (size_t p = 0; p + kClaimBytes <= value.size(); p += kClaimBytes)
      newest = std::max(newest, static_cast<int64_t>(GetU64(value.data() + p)));
    if (newest < below) return true;  // every claim on the uuid is dead
    if (value.size() > kClaimBytes && new_value != nullptr) {
      *new_value = MergeClaims(value.ToStringView(), {}, below);  // drop the dead ones
      *value_changed = new_value->size() != value.size();
    }
    return false;
  }
  // Claims are written as merge operands (see ClaimListMerge): filter those too, or
  // an expired claim would survive until a second compaction.
  bool FilterMergeOperand(int level, const rocksdb::Slice& key, const rocksdb::Slice& operand) const override {
    return Filter(level, key, operand, nullptr, nullptr);
  }
  const char* Name() const override { return "eventlake.ExpiredClaimFilter"; }

 private:
  std::shared_ptr<std::atomic<int64_t>> below_;
};

// Commits may carry claims on one uuid out of order (an expired claim and its successor
// in different partitions): the stored value keeps both (dedup_store.h, MergeClaims) so
// that a replay decides as the first run did.
class ClaimListMerge final : public rocksdb::AssociativeMergeOperator {
 public:
  explicit ClaimListMerge(std::shared_ptr<std::atomic<int64_t>> below) : below_(std::move(below)) {}
  bool Merge(const rocksdb::Slice&, const rocksdb::Slice* existing, const rocksdb::Slice& value, std::string* new_value,
             rocksdb::Logger*) const override {
    *new_value = MergeClaims(existing == nullptr ? std::string_view() : existing->ToStringView(),
                             value.ToStringView(), below_->load(std::memory_order_relaxed));
    return true;
  }
  const char* Name() const override { return "eventlake.ClaimListMerge"; }

 private:
  std::shared_ptr<std::atomic<int64_t>> below_;
};

}  // namespace

std::string ClaimKey(std::string_view uuid) {
  std::string k(1, kClaimPrefix);
  k.append(uuid);
  return k;
}

StateDb::~StateDb() {
  if (!db_) return;
  if (claims_ != nullptr) db_->DestroyColumnFamilyHandle(claims_).PermitUncheckedError();
  if (meta_ != nullptr) db_->DestroyColumnFamilyHandle(meta_).PermitUncheckedError();
  db_->Close().PermitUncheckedError();
}

Result<std::unique_ptr<StateDb>> StateDb::Open(const StateOptions& options) {
  std::unique_ptr<StateDb> s(new StateDb());
  rocksdb::DBOptions db;
  db.create_if_missing = true;
  db.create_missing_column_families = true;
  db.max_background_jobs = 2;
  db.keep_log_file_num = 3;
  // The meta column family is tiny and would never flush on its own, pinning every
  // write-ahead log (and the claims in them) on disk: flush it once the logs pass this.
  db.max_total_wal_size = 64 << 20;

  rocksdb::ColumnFamilyOptions meta;
  rocksdb::ColumnFamilyOptions claims;
  // Claims are only ever point-read (MultiGet) and written: whole-key bloom filters in
  // the tables and in the memtable let lookups of new uuids skip nearly all work.
  claims.OptimizeForPointLookup(options.block_cache_bytes >> 20);
  claims.memtable_prefix_bloom_size_ratio = 0.1;
  claims.memtable_whole_key_filtering = true;
  claims.write_buffer_size = options.write_buffer_bytes;
  // Claims are random keys written once: leveled compaction rewrote all of L1 for every
  // flush (a third of the CPU at 5M events). Universal compaction writes each claim a
  // few times; bloom filters keep point lookups cheap across its sorted runs. Random
  // uuids barely compress: no compression.
  claims.compaction_style = rocksdb::kCompactionStyleUniversal;
  claims.compression = rocksdb::kNoCompression;
  claims.max_write_buffer_number = 3;
  s->filter_ = std::make_unique<ExpiredClaimFilter>(s->purge_below_);
  claims.compaction_filter = s->filter_.get();
  claims.merge_operator = std::make_shared<ClaimListMerge>(s->purge_below_);

  std::vector<rocksdb::ColumnFamilyDescriptor> cfs = {{rocksdb::kDefaultColumnFamilyName, meta}, {"claims", claims}};
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status st = rocksdb::DB::Open(db, options.path, cfs, &handles, &raw);
  if (!st.ok()) return Status::Error("cannot open the state store " + options.path + ": " + st.ToString());
  s->db_.reset(raw);
  s->meta_ = handles[0];
  s->claims_ = handles[1];
  std::string v;
  if (s->db_->Get({}, kEpochKey, &v).ok() && v.size() == 8) s->next_epoch_ = GetU64(v.data());
  if (s->db_->Get({}, kWatermarkKey, &v).ok() && v.size() == 8) s->watermark_ = static_cast<int64_t>(GetU64(v.data()));
  return s;
}

void StateDb::PutCheckpoint(uint64_t source_id, const Checkpoint& c) {
  std::string v;
  PutU64(v, c.offset);
  PutU64(v, c.line_no);
  PutU64(v, c.dlq_upto);
  PutU64(v, c.tail_hash);
  PutU64(v, static_cast<uint64_t>(c.watermark));
  batch_.Put(CheckpointKey(source_id), v).PermitUncheckedError();
}

void StateDb::PutManifest(uint64_t epoch, const std::vector<StagedFile>& files) {
  std::string v;
  for (const auto& f : files) {
    PutU64(v, f.staged.size());
    v += f.staged;
    PutU64(v, f.final.size());
    v += f.final;
  }
  batch_.Put(ManifestKey(epoch), v).PermitUncheckedError();
}

void StateDb::PutWatermark(int64_t watermark) {
  std::string v;
  PutU64(v, static_cast<uint64_t>(watermark));
  batch_.Put(kWatermarkKey, v).PermitUncheckedError();
  watermark_ = watermark;
}

Status StateDb::Commit() {
  std::string v;
  PutU64(v, next_epoch_ + 1);
  batch_.Put(kEpochKey, v).PermitUncheckedError();
  rocksdb::WriteOptions w;
  w.sync = true;
  rocksdb::Status st = db_->Write(w, &batch_);
  batch_.Clear();
  if (!st.ok()) return Status::Error("committing to the state store: " + st.ToString());
  ++next_epoch_;
  return Status::Ok();
}

Status StateDb::DeleteManifest(uint64_t epoch) {
  rocksdb::Status st = db_->Delete({}, ManifestKey(epoch));
  if (!st.ok()) return Status::Error("updating the state store: " + st.ToString());
  return Status::Ok();
}

std::optional<Checkpoint> StateDb::GetCheckpoint(uint64_t source_id) {
  std::string v;
  if (!db_->Get({}, CheckpointKey(source_id), &v).ok() || v.size() != 40) return std::nullopt;
  return Checkpoint{GetU64(v.data()), GetU64(v.data() + 8), GetU64(v.data() + 16), GetU64(v.data() + 24),
                    static_cast<int64_t>(GetU64(v.data() + 32))};
}

Result<std::map<uint64_t, std::vector<StagedFile>>> StateDb::Manifests() {
  std::map<uint64_t, std::vector<StagedFile>> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator({}));
  for (it->Seek("p/"); it->Valid() && it->key().starts_with("p/"); it->Next()) {
    const rocksdb::Slice k = it->key();
    if (k.size() != 10) continue;
    uint64_t epoch = 0;
    for (int i = 0; i < 8; ++i) epoch = epoch << 8 | static_cast<uint8_t>(k[2 + i]);
    const rocksdb::Slice v = it->value();
    std::vector<StagedFile> files;
    size_t p = 0;
    auto take = [&](std::string& s) {
      if (p + 8 > v.size()) return false;
      const uint64_t n = GetU64(v.data() + p);
      p += 8;
      if (p + n > v.size()) return false;
      s.assign(v.data() + p, n);
      p += n;
      return true;
    };
    while (p < v.size()) {
      StagedFile f;
      if (!take(f.staged) || !take(f.final))
        return Status::Error("the state store has a damaged manifest for epoch " + std::to_string(epoch));
      files.push_back(std::move(f));
    }
    out.emplace(epoch, std::move(files));
  }
  if (!it->status().ok()) return Status::Error("reading the state store: " + it->status().ToString());
  return out;
}

void StateDb::SetPurgeBelow(int64_t expires_at) { purge_below_->store(expires_at); }

}  // namespace eventlake
