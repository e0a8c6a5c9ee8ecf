#pragma once
// The dedupe decision (DESIGN.md): first occurrence of an event_uuid wins inside an
// event-time window. The watermark M is the largest created_at second seen so far; a
// written event claims its uuid until M + window; a later record with the uuid is a
// duplicate while that claim is live (claim.expires_at >= M). A record whose claim
// carries its own token was committed by an earlier, interrupted run: it is skipped.
#include <algorithm>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dedup/claim_table.h"
#include "dedup/dedup_store.h"

namespace eventlake {

enum class Decision : uint8_t { kWrite, kDuplicate, kAlreadyCommitted };

struct DedupInput {
  std::string_view uuid;
  int64_t seconds;
  Token token;
};

class Deduplicator {
 public:
  Deduplicator(DedupStore& store, int64_t window_seconds, int64_t watermark);

  // Decides a batch in input order. For kWrite, claims_out[i] is the claim to commit
  // with the event's output; until then it stays pending here. hash(i) is the uuid's
  // ClaimTable hash (for ClaimList::Add).
  Status Decide(std::span<const DedupInput> in, std::span<Decision> out, std::span<Claim> claims_out);
  // The claims reached the store durably: stop tracking them here.
  void Committed(const ClaimList& claims);

  uint64_t hash(size_t i) const { return hashes_[i]; }
  // The watermark just before in[i] of the last Decide (checkpoints record it).
  int64_t watermark_before(size_t i) const { return before_[i]; }
  // Resuming from a checkpoint: continue from the watermark the first run had there.
  void RaiseWatermark(int64_t w) { watermark_ = std::max(watermark_, w); }
  int64_t watermark() const { return watermark_; }
  size_t pending() const { return shared_ ? 0 : pending_.size(); }

 private:
  DedupStore& store_;
  int64_t window_;
  int64_t watermark_;
  ClaimTable own_pending_;
  ClaimTable* const shared_;  // the store's in-process table, or nullptr
  ClaimTable& pending_;       // claims of events still in unflushed buffers (with shared_: all claims)
  std::vector<std::optional<Claim>> stored_;
  std::vector<uint64_t> hashes_;
  std::vector<int64_t> before_;
};

}  // namespace eventlake
