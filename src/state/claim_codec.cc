#include "state/claim_codec.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace eventlake {

std::string EncodeClaim(const Claim& c) {
  std::string v(24, '\0');
  std::memcpy(v.data(), &c.expires_at, 8);
  std::memcpy(v.data() + 8, &c.token.source_id, 8);
  std::memcpy(v.data() + 16, &c.token.offset, 8);
  return v;
}

std::optional<Claim> DecodeClaim(std::string_view bytes) {
  if (bytes.size() != kClaimBytes) return std::nullopt;
  Claim c;
  std::memcpy(&c.expires_at, bytes.data(), 8);
  std::memcpy(&c.token.source_id, bytes.data() + 8, 8);
  std::memcpy(&c.token.offset, bytes.data() + 16, 8);
  return c;
}

namespace {
std::vector<Claim> DecodeClaims(std::string_view bytes) {
  std::vector<Claim> out;
  for (size_t p = 0; p + kClaimBytes <= bytes.size(); p += kClaimBytes)
    out.push_back(*DecodeClaim(bytes.substr(p, kClaimBytes)));
  return out;
}
}  // namespace

std::optional<Claim> VisibleClaim(std::string_view stored, const Token& reader) {
  std::optional<Claim> best;
  for (size_t p = 0; p + kClaimBytes <= stored.size(); p += kClaimBytes) {
    const Claim c = *DecodeClaim(stored.substr(p, kClaimBytes));
    if (c.token == reader) return c;  // its own claim: committed before
    // A later record of the same source: it did not exist when `reader` was decided.
    if (c.token.source_id == reader.source_id && c.token.offset > reader.offset) continue;
    if (!best || c.expires_at > best->expires_at) best = c;
  }
  return best;
}

std::string MergeClaims(std::string_view existing, std::string_view added, int64_t purge_below) {
  // The later commit first, so it wins a tie; then newest (longest-lived) first; one
  // entry per token; dead ones dropped, but never all.
  std::vector<Claim> all = DecodeClaims(added);
  for (const Claim& c : DecodeClaims(existing)) all.push_back(c);
  std::stable_sort(all.begin(), all.end(), [](const Claim& a, const Claim& b) { return a.expires_at > b.expires_at; });
  std::string out;
  std::vector<Token> seen;
  for (const Claim& c : all) {
    if (!out.empty() && c.expires_at < purge_below) break;
    if (std::find(seen.begin(), seen.end(), c.token) != seen.end()) continue;
    if (seen.size() == kMaxClaimsPerUuid) break;
    seen.push_back(c.token);
    out += EncodeClaim(c);
  }
  return out;
}

}  // namespace eventlake
