#include "dedup/deduplicator.h"

#include <algorithm>

namespace eventlake {

Deduplicator::Deduplicator(DedupStore& store, int64_t window_seconds, int64_t watermark)
    : store_(store), window_(window_seconds), watermark_(watermark) {}

Status Deduplicator::Decide(std::span<const DedupInput> in, std::span<Decision> out, std::span<Claim> claims_out) {
  static thread_local std::vector<std::string_view> uuids;
  uuids.clear();
  for (const auto& e : in) uuids.push_back(e.uuid);
  stored_.assign(in.size(), std::nullopt);
  EL_RETURN_IF_ERROR(store_.Lookup(uuids, stored_));
  for (size_t i = 0; i < in.size(); ++i) {
    const DedupInput& e = in[i];
    watermark_ = std::max(watermark_, e.seconds);
    auto it = pending_.find(e.uuid);
    if (it != pending_.end() && it->second.expires_at >= watermark_) {
      out[i] = Decision::kDuplicate;
      continue;
    }
    if (stored_[i]) {
      if (stored_[i]->token == e.token) {
        out[i] = Decision::kAlreadyCommitted;
        continue;
      }
      if (stored_[i]->expires_at >= watermark_) {
        out[i] = Decision::kDuplicate;
        continue;
      }
    }
    const Claim claim{watermark_ + window_, e.token};
    if (it != pending_.end()) {
      it->second = claim;
    } else {
      pending_.emplace(std::string(e.uuid), claim);
    }
    out[i] = Decision::kWrite;
    claims_out[i] = claim;
  }
  return Status::Ok();
}

void Deduplicator::Committed(std::span<const PendingClaim> claims) {
  for (const auto& c : claims) {
    auto it = pending_.find(c.uuid);
    // A later claim on the same uuid (after expiry) may still be pending: keep that one.
    if (it != pending_.end() && it->second.token == c.claim.token) pending_.erase(it);
  }
  store_.OnCommitted(claims);
  store_.PurgeBelow(watermark_);
}

}  // namespace eventlake
