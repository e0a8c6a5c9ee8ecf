#pragma once
// Claims as the state store keeps them (the RocksDB dedup store writes them, the state's
// merge operator and compaction filter read them).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace eventlake {

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

// Claim values as stored: one or more claims, each expires_at, source_id, offset
// (little-endian u64 each). A uuid claimed again after its claim expired keeps the
// earlier claim until it is purged: a replay after a crash re-decides records that
// came before a later claim of the same uuid, which other partitions may already have
// committed, and must see what they saw then (VisibleClaim).
inline constexpr size_t kClaimBytes = 24;
inline constexpr size_t kMaxClaimsPerUuid = 8;
std::string EncodeClaim(const Claim& c);
std::optional<Claim> DecodeClaim(std::string_view bytes);  // exactly one claim
// The claim `reader` saw: its own if stored, else the longest-lived one, ignoring claims
// by later records of the same source.
std::optional<Claim> VisibleClaim(std::string_view stored, const Token& reader);
// The merge of two stored values: newest first, one per token, at most
// kMaxClaimsPerUuid, without claims that expired below `purge_below` (the newest stays).
std::string MergeClaims(std::string_view existing, std::string_view added, int64_t purge_below);

}  // namespace eventlake
