#include "dedup/rocksdb/rocksdb_dedup_store.h"

#include <algorithm>
#include <vector>

#include "state/state_db.h"

namespace eventlake {
namespace {

class RocksDbDedupStore final : public DedupStore {
 public:
  explicit RocksDbDedupStore(StateDb& state) : state_(state) {}

  Status Lookup(std::span<const std::string_view> uuids, std::span<const Token> tokens,
                std::span<std::optional<Claim>> out) override {
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
    db->MultiGet(rocksdb::ReadOptions(), state_.claims(), n, slices_.data(), values_.data(), statuses_.data());
    for (size_t i = 0; i < n; ++i) {
      if (statuses_[i].IsNotFound()) {
        out[i] = std::nullopt;
      } else if (!statuses_[i].ok()) {
        return Status::Error("reading dedup claims: " + statuses_[i].ToString());
      } else {
        out[i] = VisibleClaim(values_[i].ToStringView(), tokens[i]);
      }
      values_[i].Reset();
    }
    return Status::Ok();
  }

  void AddToCommit(const ClaimList& claims, StateDb& state) override {
    // In key order: the memtable's skip list then inserts each key next to the last one
    // instead of searching from the top (several times faster for large epochs).
    order_.resize(claims.size());
    for (size_t i = 0; i < claims.size(); ++i) order_[i] = static_cast<uint32_t>(i);
    std::sort(order_.begin(), order_.end(), [&](uint32_t a, uint32_t b) { return claims.uuid(a) < claims.uuid(b); });
    std::string key;
    for (uint32_t i : order_) {
      key.assign(1, kClaimPrefix);
      key.append(claims.uuid(i));
      state.batch().Merge(state.claims(), key, EncodeClaim(claims.claim(i))).PermitUncheckedError();
    }
  }
  void OnCommitted(const ClaimList&) override {}
  void PurgeBelow(int64_t expires_at) override { state_.SetPurgeBelow(expires_at); }

 private:
  StateDb& state_;
  std::vector<std::string> keys_;
  std::vector<rocksdb::Slice> slices_;
  std::vector<rocksdb::PinnableSlice> values_;
  std::vector<rocksdb::Status> statuses_;
  std::vector<uint32_t> order_;
};

}  // namespace

std::unique_ptr<DedupStore> MakeRocksDbDedupStore(StateDb& state) { return std::make_unique<RocksDbDedupStore>(state); }

}  // namespace eventlake
