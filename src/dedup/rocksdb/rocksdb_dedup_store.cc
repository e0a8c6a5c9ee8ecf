#include "dedup/rocksdb/rocksdb_dedup_store.h"

#include <vector>

#include "state/state_db.h"

namespace eventlake {
namespace {

class RocksDbDedupStore final : public DedupStore {
 public:
  explicit RocksDbDedupStore(StateDb& state) : state_(state) {}

  Status Lookup(std::span<const std::string_view> uuids, std::span<std::optional<Claim>> out) override {
    const size_t n = uuids.size();
    keys_.resize(n);
    slices_.resize(n);
    values_.resize(n);
    statuses_.resize(n);
    for (size_t i = 0; i < n; ++i) {
      keys_[i].assign(1, kClaimPrefix);
      keys_[i].append(uuids[i]);
      slices_[i] = rocksdb::Slice(keys_[i]);
    }
    rocksdb::DB* db = state_.db();
    db->MultiGet(rocksdb::ReadOptions(), db->DefaultColumnFamily(), n, slices_.data(), values_.data(),
                 statuses_.data());
    for (size_t i = 0; i < n; ++i) {
      if (statuses_[i].IsNotFound()) {
        out[i] = std::nullopt;
      } else if (!statuses_[i].ok()) {
        return Status::Error("reading dedup claims: " + statuses_[i].ToString());
      } else {
        out[i] = DecodeClaim(values_[i].ToStringView());
      }
      values_[i].Reset();
    }
    return Status::Ok();
  }

  void AddToCommit(std::span<const PendingClaim> claims, StateDb& state) override {
    for (const auto& c : claims) state.batch().Merge(ClaimKey(c.uuid), EncodeClaim(c.claim)).PermitUncheckedError();
  }
  void OnCommitted(std::span<const PendingClaim>) override {}
  void PurgeBelow(int64_t expires_at) override { state_.SetPurgeBelow(expires_at); }

 private:
  StateDb& state_;
  std::vector<std::string> keys_;
  std::vector<rocksdb::Slice> slices_;
  std::vector<rocksdb::PinnableSlice> values_;
  std::vector<rocksdb::Status> statuses_;
};

}  // namespace

std::unique_ptr<DedupStore> MakeRocksDbDedupStore(StateDb& state) { return std::make_unique<RocksDbDedupStore>(state); }

}  // namespace eventlake
