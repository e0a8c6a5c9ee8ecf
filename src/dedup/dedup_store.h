#pragma once
// Where claims on event_uuids live between epochs. A store answers a whole batch of
// lookups in one call (STYLE rule 3); claims reach it only through an epoch commit,
// so a claim is durable exactly when the output that carries its event is.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"

namespace eventlake {

class StateDb;

// The record's own source identity: replaying the same record finds its own claim.
struct Token {
  uint64_t source_id = 0;
  uint64_t offset = 0;
  bool operator==(const Token&) const = default;
};

struct Claim {
  int64_t expires_at = 0;  // event-time second after which the claim no longer dedupes
  Token token;
};

struct PendingClaim {
  std::string uuid;
  Claim claim;
};

class DedupStore {
 public:
  virtual ~DedupStore() = default;
  // out[i] = the stored claim for uuids[i], if any (expired ones may be returned too).
  virtual Status Lookup(std::span<const std::string_view> uuids, std::span<std::optional<Claim>> out) = 0;
  // Adds an epoch's claims to the state store's pending atomic commit.
  virtual void AddToCommit(std::span<const PendingClaim> claims, StateDb& state) = 0;
  // Called once the commit holding `claims` is durable.
  virtual void OnCommitted(std::span<const PendingClaim> claims) = 0;
  // Claims with expires_at below this are dead and may be dropped.
  virtual void PurgeBelow(int64_t expires_at) = 0;
};

// Claim values as stored: expires_at, source_id, offset (little-endian u64 each).
std::string EncodeClaim(const Claim& c);
std::optional<Claim> DecodeClaim(std::string_view bytes);

}  // namespace eventlake
