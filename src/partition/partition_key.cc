#include "partition/partition_key.h"

#include <cstdio>

#include "core/hash.h"

namespace eventlake {
namespace {
constexpr size_t kMaxEscaped = 200;
constexpr size_t kKeepPrefix = 180;

bool Plain(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '-' || c >= 0x80;
}
}  // namespace

std::string EscapePartitionValue(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size());
  // Engines read a raw "null" (any case) as SQL NULL: escape its first letter.
  const bool is_null = value.size() == 4 && (value[0] | 0x20) == 'n' && (value[1] | 0x20) == 'u' &&
                       (value[2] | 0x20) == 'l' && (value[3] | 0x20) == 'l';
  for (size_t i = 0; i < value.size(); ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (Plain(c) && !(i == 0 && (c == '.' || c == '_' || is_null))) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  if (out.size() <= kMaxEscaped) return out;
  size_t cut = kKeepPrefix;
  // Do not cut inside a %XX escape or a UTF-8 sequence.
  if (cut >= 1 && out[cut - 1] == '%')
    cut -= 1;
  else if (cut >= 2 && out[cut - 2] == '%')
    cut -= 2;
  while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
  char tail[18];
  std::snprintf(tail, sizeof(tail), "~%016llx", static_cast<unsigned long long>(Fnv1a64(value)));
  out.resize(cut);
  out += tail;
  return out;
}

std::string PartitionPath(std::string_view event_type, std::string_view event_date) {
  std::string p = "event_type=";
  p += EscapePartitionValue(event_type);
  p += "/event_date=";
  p += event_date;
  return p;
}

}  // namespace eventlake
