#include "dedup/memory/memory_dedup_store.h"

#include <unordered_map>

namespace eventlake {
namespace {

class MemoryDedupStore final : public DedupStore {
 public:
  Status Lookup(std::span<const std::string_view> uuids, std::span<std::optional<Claim>> out) override {
    for (size_t i = 0; i < uuids.size(); ++i) {
      auto it = claims_.find(std::string(uuids[i]));
      out[i] = it == claims_.end() ? std::nullopt : std::optional<Claim>(it->second);
    }
    return Status::Ok();
  }
  void AddToCommit(std::span<const PendingClaim>, StateDb&) override {}
  void OnCommitted(std::span<const PendingClaim> claims) override {
    for (const auto& c : claims) {
      auto [it, inserted] = claims_.try_emplace(c.uuid, c.claim);
      if (!inserted && c.claim.expires_at >= it->second.expires_at) it->second = c.claim;  // longer claim wins
    }
    if (claims_.size() > 2 * size_after_purge_ + 1024) Purge();
  }
  void PurgeBelow(int64_t expires_at) override { purge_below_ = expires_at; }

 private:
  void Purge() {
    std::erase_if(claims_, [&](const auto& kv) { return kv.second.expires_at < purge_below_; });
    size_after_purge_ = claims_.size();
  }
  std::unordered_map<std::string, Claim> claims_;
  int64_t purge_below_ = INT64_MIN;
  size_t size_after_purge_ = 0;
};

}  // namespace

std::unique_ptr<DedupStore> MakeMemoryDedupStore() { return std::make_unique<MemoryDedupStore>(); }

}  // namespace eventlake
