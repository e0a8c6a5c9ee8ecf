#include "sources/kinesis/base64.h"

#include <array>
#include <cstdint>

namespace eventlake::kinesis {
namespace {

constexpr uint8_t kBad = 0xff;

constexpr std::array<uint8_t, 256> MakeTable() {
  std::array<uint8_t, 256> t{};
  for (auto& v : t) v = kBad;
  constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (size_t i = 0; i < kAlphabet.size(); ++i) t[static_cast<uint8_t>(kAlphabet[i])] = static_cast<uint8_t>(i);
  return t;
}

constexpr std::array<uint8_t, 256> kTable = MakeTable();

}  // namespace

bool AppendBase64Decoded(std::string& out, std::string_view in) {
  if (in.size() % 4 != 0) return false;
  size_t pad = 0;
  if (!in.empty() && in.back() == '=') pad = in[in.size() - 2] == '=' ? 2 : 1;
  const size_t old_size = out.size();
  out.reserve(old_size + in.size() / 4 * 3);
  const size_t full_groups = in.size() / 4 - (pad > 0 ? 1 : 0);
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  for (size_t g = 0; g < full_groups; ++g, p += 4) {
    const uint8_t a = kTable[p[0]], b = kTable[p[1]], c = kTable[p[2]], d = kTable[p[3]];
    if (a == kBad || b == kBad || c == kBad || d == kBad) {
      out.resize(old_size);
      return false;
    }
    const uint32_t v = (uint32_t{a} << 18) | (uint32_t{b} << 12) | (uint32_t{c} << 6) | d;
    out.push_back(static_cast<char>(v >> 16));
    out.push_back(static_cast<char>((v >> 8) & 0xff));
    out.push_back(static_cast<char>(v & 0xff));
  }
  if (pad > 0) {
    // Last group: "xx==" (one byte) or "xxx=" (two bytes).
    const uint8_t a = kTable[p[0]], b = kTable[p[1]];
    const uint8_t c = pad == 1 ? kTable[p[2]] : 0;
    if (a == kBad || b == kBad || c == kBad) {
      out.resize(old_size);
      return false;
    }
    const uint32_t v = (uint32_t{a} << 18) | (uint32_t{b} << 12) | (uint32_t{c} << 6);
    out.push_back(static_cast<char>(v >> 16));
    if (pad == 1) out.push_back(static_cast<char>((v >> 8) & 0xff));
  }
  return true;
}

}  // namespace eventlake::kinesis
