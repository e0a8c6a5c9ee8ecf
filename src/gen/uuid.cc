#include "gen/uuid.h"

namespace eventlake::gen {
namespace {

constexpr char kHex[] = "0123456789abcdef";
constexpr char kHexUpper[] = "0123456789ABCDEF";

}  // namespace

void FormatUuid(uint64_t seed, uint64_t index, char* out) {
  // `a` is a bijection of the index for a fixed seed and is kept whole: 60
  // bits in `high` (around the version nibble) and 4 bits in `low`.
  const uint64_t a = Mix64(index ^ Mix64(seed + 0x632be59bd9b4e019ULL));
  const uint64_t b = Mix64(a + seed * 0x8cb92ba72f3d8dd7ULL + 1);
  const uint64_t high = (a & ~(0xfULL << 12)) | (0x4ULL << 12);  // version 4
  const uint64_t low = ((0x8ULL | (b & 0x3)) << 60) |            // variant 10xx
                       (((a >> 12) & 0xf) << 56) | (b >> 8);
  static constexpr int kDashBefore[2][2] = {{8, 12}, {0, 4}};
  int n = 0;
  for (int word = 0; word < 2; ++word) {
    const uint64_t bits = word == 0 ? high : low;
    for (int digit = 0; digit < 16; ++digit) {
      if (digit == kDashBefore[word][0] || digit == kDashBefore[word][1]) out[n++] = '-';
      out[n++] = kHex[(bits >> (60 - 4 * digit)) & 0xf];
    }
  }
}

std::string UuidString(uint64_t seed, uint64_t index) {
  std::string uuid(kUuidLength, '\0');
  FormatUuid(seed, index, uuid.data());
  return uuid;
}

uint64_t Fnv1a64(std::string_view bytes) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

void AppendEscapedUuid(std::string_view uuid, Rng& rng, std::string& out) {
  const size_t forced = rng.Below(uuid.size());
  for (size_t i = 0; i < uuid.size(); ++i) {
    const auto c = static_cast<unsigned char>(uuid[i]);
    if (i != forced && !rng.Chance(0.25)) {
      out.push_back(static_cast<char>(c));
      continue;
    }
    const char* hex = rng.Chance(0.5) ? kHex : kHexUpper;
    out.append("\\u00");
    out.push_back(hex[c >> 4]);
    out.push_back(hex[c & 0xf]);
  }
}

}  // namespace eventlake::gen
