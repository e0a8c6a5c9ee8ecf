#include "gen/json_text.h"

namespace eventlake::gen {

void AppendUint(std::string& out, uint64_t value) {
  char buffer[20];
  char* const end = buffer + sizeof(buffer);
  char* begin = end;
  do {
    *--begin = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  out.append(begin, static_cast<size_t>(end - begin));
}

void AppendInt(std::string& out, int64_t value) {
  if (value < 0) {
    out.push_back('-');
    AppendUint(out, 0 - static_cast<uint64_t>(value));
  } else {
    AppendUint(out, static_cast<uint64_t>(value));
  }
}

void AppendFixed(std::string& out, int64_t scaled, int decimals) {
  uint64_t magnitude = scaled < 0 ? 0 - static_cast<uint64_t>(scaled) : static_cast<uint64_t>(scaled);
  if (scaled < 0) out.push_back('-');
  uint64_t divisor = 1;
  for (int i = 0; i < decimals; ++i) divisor *= 10;
  AppendUint(out, magnitude / divisor);
  if (decimals == 0) return;
  out.push_back('.');
  uint64_t fraction = magnitude % divisor;
  for (uint64_t d = divisor / 10; d > 0; d /= 10) {
    out.push_back(static_cast<char>('0' + fraction / d));
    fraction %= d;
  }
}

void AppendSecondsMs(std::string& out, int64_t seconds, int millis) {
  AppendInt(out, seconds);
  if (millis == 0) return;
  out.push_back('.');
  const char digits[3] = {static_cast<char>('0' + millis / 100), static_cast<char>('0' + millis / 10 % 10),
                          static_cast<char>('0' + millis % 10)};
  int length = 3;
  while (digits[length - 1] == '0') --length;
  out.append(digits, static_cast<size_t>(length));
}

void AppendEscaped(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (byte < 0x20) {
      out.append("\\u00");
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xf]);
    } else {
      out.push_back(c);
    }
  }
}

}  // namespace eventlake::gen
