#include "dedup/memory/memory_dedup_store.h"

#include <vector>

#include "dedup/claim_table.h"

namespace eventlake {
namespace {

class MemoryDedupStore final : public DedupStore {
 public:
  explicit MemoryDedupStore(bool shared_table) : shared_table_(shared_table) {}
  // Nothing outlives the process, so nothing is replayed: the tokens do not matter.
  Status Lookup(std::span<const std::string_view> uuids, std::span<const Token>,
                std::span<std::optional<Claim>> out) override {
    hashes_.resize(uuids.size());
    for (size_t i = 0; i < uuids.size(); ++i) {
      hashes_[i] = ClaimTable::HashOf(uuids[i]);
      claims_.Prefetch(hashes_[i]);
    }
    for (size_t i = 0; i < uuids.size(); ++i) {
      const Claim* c = claims_.Find(uuids[i], hashes_[i]);
      out[i] = c == nullptr ? std::nullopt : std::optional<Claim>(*c);
    }
    return Status::Ok();
  }
  void AddToCommit(const ClaimList&, StateDb&) override {}
  void OnCommitted(const ClaimList& claims) override {
    constexpr size_t kAhead = 16;
    for (size_t i = 0; i < claims.size(); ++i) {
      if (i + kAhead < claims.size()) claims_.Prefetch(claims.hash(i + kAhead));
      claims_.PutLonger(claims.uuid(i), claims.hash(i), claims.claim(i));
    }
    MaybePurge();
  }
  void PurgeBelow(int64_t expires_at) override {
    purge_below_ = expires_at;
    MaybePurge();
  }
  ClaimTable* in_process_table() override { return shared_table_ ? &claims_ : nullptr; }

 private:
  // A purge walks the whole table: only once it has doubled since the last one.
  void MaybePurge() {
    if (claims_.size() <= 2 * size_after_purge_ + 65536) return;
    claims_.PurgeBelow(purge_below_);
    size_after_purge_ = claims_.size();
  }

  const bool shared_table_;
  int64_t purge_below_ = INT64_MIN;
  ClaimTable claims_;
  std::vector<uint64_t> hashes_;
  size_t size_after_purge_ = 0;
};

}  // namespace

std::unique_ptr<DedupStore> MakeMemoryDedupStore(bool shared_table) {
  return std::make_unique<MemoryDedupStore>(shared_table);
}

}  // namespace eventlake
