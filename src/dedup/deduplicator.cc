#include "dedup/deduplicator.h"

#include <algorithm>

namespace eventlake {

Deduplicator::Deduplicator(DedupStore& store, int64_t window_seconds, int64_t watermark)
    : store_(store),
      window_(window_seconds),
      watermark_(watermark),
      shared_(store.in_process_table()),
      pending_(shared_ != nullptr ? *shared_ : own_pending_) {}

Status Deduplicator::Decide(std::span<const DedupInput> in, std::span<Decision> out, std::span<Claim> claims_out) {
  static thread_local std::vector<std::string_view> uuids;
  static thread_local std::vector<Token> tokens;
  uuids.clear();
  tokens.clear();
  for (const auto& e : in) {
    uuids.push_back(e.uuid);
    tokens.push_back(e.token);
  }
  hashes_.resize(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    hashes_[i] = ClaimTable::HashOf(in[i].uuid);
    pending_.Prefetch(hashes_[i]);
  }
  stored_.assign(in.size(), std::nullopt);
  before_.resize(in.size());
  if (shared_ == nullptr) EL_RETURN_IF_ERROR(store_.Lookup(uuids, tokens, stored_));
  for (size_t i = 0; i < in.size(); ++i) {
    const DedupInput& e = in[i];
    before_[i] = watermark_;
    watermark_ = std::max(watermark_, e.seconds);
    const Claim* pending = pending_.Find(e.uuid, hashes_[i]);
    if (pending != nullptr && pending->expires_at >= watermark_) {
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
    pending_.Put(e.uuid, hashes_[i], claim);
    out[i] = Decision::kWrite;
    claims_out[i] = claim;
  }
  return Status::Ok();
}

void Deduplicator::Committed(const ClaimList& claims) {
  if (shared_ != nullptr) return;  // the claims are in the store's table already
  // A later claim on the same uuid (after expiry) may still be pending: keep that one.
  constexpr size_t kAhead = 16;  // prefetch distance: hide the cache miss of each probe
  for (size_t i = 0; i < claims.size(); ++i) {
    if (i + kAhead < claims.size()) pending_.Prefetch(claims.hash(i + kAhead));
    pending_.EraseIf(claims.uuid(i), claims.hash(i), claims.claim(i).token);
  }
  store_.OnCommitted(claims);
}

}  // namespace eventlake
