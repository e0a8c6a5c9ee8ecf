#pragma once
// Where claims on event_uuids live between epochs. A store answers a whole batch of
// lookups in one call (STYLE rule 3); claims reach it only through an epoch commit,
// so a claim is durable exactly when the output that carries its event is.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "state/claim_codec.h"

namespace eventlake {

class ClaimTable;
class StateDb;


// The hash every in-memory claim index uses for a uuid.
uint64_t UuidHash(std::string_view uuid);

// The claims of one partition buffer, in arrival order. The uuids share one string:
// no allocation per event.
class ClaimList {
 public:
  void Add(std::string_view uuid, const Claim& claim) { Add(uuid, UuidHash(uuid), claim); }
  // `hash` is UuidHash(uuid), kept so commits need not hash again.
  void Add(std::string_view uuid, uint64_t hash, const Claim& claim) {
    entries_.push_back({static_cast<uint32_t>(uuids_.size()), static_cast<uint32_t>(uuid.size()), hash, claim});
    uuids_.append(uuid);
  }
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  std::string_view uuid(size_t i) const { return std::string_view(uuids_).substr(entries_[i].pos, entries_[i].len); }
  const Claim& claim(size_t i) const { return entries_[i].claim; }
  uint64_t hash(size_t i) const { return entries_[i].hash; }
  size_t memory() const { return uuids_.capacity() + entries_.capacity() * sizeof(Entry); }

 private:
  struct Entry {
    uint32_t pos, len;
    uint64_t hash;
    Claim claim;
  };
  std::string uuids_;
  std::vector<Entry> entries_;
};

class DedupStore {
 public:
  virtual ~DedupStore() = default;
  // out[i] = the stored claim on uuids[i] as the record with tokens[i] saw it when it was
  // first decided (VisibleClaim), if any; expired ones may be returned too.
  virtual Status Lookup(std::span<const std::string_view> uuids, std::span<const Token> tokens,
                        std::span<std::optional<Claim>> out) = 0;
  // Adds an epoch's claims to the state store's pending atomic commit.
  virtual void AddToCommit(const ClaimList& claims, StateDb& state) = 0;
  // Called once the commit holding `claims` is durable.
  virtual void OnCommitted(const ClaimList& claims) = 0;
  // Claims with expires_at below this are dead and may be dropped.
  virtual void PurgeBelow(int64_t expires_at) = 0;
  // A store that lives and dies with this process may hand the deduplicator its own
  // table to keep pending claims in: nothing outlives a crash, so a claim needs no
  // commit to count, and one table with one insert per event replaces two. Such a
  // store gets no Lookup/OnCommitted calls from that deduplicator.
  virtual ClaimTable* in_process_table() { return nullptr; }
};



}  // namespace eventlake
