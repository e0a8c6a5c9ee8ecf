#include "dedup/dedup_store.h"

#include <cstring>

namespace eventlake {

std::string EncodeClaim(const Claim& c) {
  std::string v(24, '\0');
  std::memcpy(v.data(), &c.expires_at, 8);
  std::memcpy(v.data() + 8, &c.token.source_id, 8);
  std::memcpy(v.data() + 16, &c.token.offset, 8);
  return v;
}

std::optional<Claim> DecodeClaim(std::string_view bytes) {
  if (bytes.size() != 24) return std::nullopt;
  Claim c;
  std::memcpy(&c.expires_at, bytes.data(), 8);
  std::memcpy(&c.token.source_id, bytes.data() + 8, 8);
  std::memcpy(&c.token.offset, bytes.data() + 16, 8);
  return c;
}

}  // namespace eventlake
