// A strict, iterative RFC 8259 syntax checker. Only the error path uses it, to name
// the problem precisely (trailing content, numbers simdjson cannot hold).
#include <string_view>
#include <vector>

#include "decode/validate.h"

namespace eventlake {
namespace {

bool IsWs(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

bool ScanString(std::string_view s, size_t& i) {
  if (i >= s.size() || s[i] != '"') return false;
  ++i;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '"') {
      ++i;
      return true;
    }
    if (c < 0x20) return false;
    if (c == '\\') {
      if (++i >= s.size()) return false;
      const char e = s[i];
      if (e == 'u') {
        for (int k = 1; k <= 4; ++k)
          if (i + k >= s.size() || !IsHex(s[i + k])) return false;
        i += 4;
      } else if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r' && e != 't') {
        return false;
      }
    }
    ++i;
  }
  return false;
}

bool ScanNumber(std::string_view s, size_t& i) {
  if (i < s.size() && s[i] == '-') ++i;
  if (i >= s.size()) return false;
  if (s[i] == '0') {
    ++i;
  } else if (IsDigit(s[i])) {
    while (i < s.size() && IsDigit(s[i])) ++i;
  } else {
    return false;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (i >= s.size() || !IsDigit(s[i])) return false;
    while (i < s.size() && IsDigit(s[i])) ++i;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (i >= s.size() || !IsDigit(s[i])) return false;
    while (i < s.size() && IsDigit(s[i])) ++i;
  }
  return true;
}

bool ScanScalar(std::string_view s, size_t& i) {
  const char c = s[i];
  if (c == '"') return ScanString(s, i);
  for (std::string_view lit : {std::string_view("true"), std::string_view("false"), std::string_view("null")}) {
    if (c == lit[0]) {
      if (s.substr(i, lit.size()) != lit) return false;
      i += lit.size();
      return true;
    }
  }
  return ScanNumber(s, i);
}

void SkipWs(std::string_view s, size_t& i) {
  while (i < s.size() && IsWs(s[i])) ++i;
}

}  // namespace

long JsonValueLength(std::string_view s) {
  std::vector<char> stack;
  size_t i = 0;
  enum class State { kValue, kKey, kAfter } state = State::kValue;
  for (;;) {
    SkipWs(s, i);
    if (state == State::kAfter) {
      if (stack.empty()) return static_cast<long>(i);
      if (i >= s.size()) return -1;
      const char c = s[i++];
      if (c == ',') {
        state = stack.back() == '{' ? State::kKey : State::kValue;
      } else if ((c == '}' && stack.back() == '{') || (c == ']' && stack.back() == '[')) {
        stack.pop_back();
      } else {
        return -1;
      }
      continue;
    }
    if (i >= s.size()) return -1;
    if (state == State::kKey) {
      if (!ScanString(s, i)) return -1;
      SkipWs(s, i);
      if (i >= s.size() || s[i] != ':') return -1;
      ++i;
      state = State::kValue;
      continue;
    }
    const char c = s[i];
    if (c == '{' || c == '[') {
      stack.push_back(c);
      ++i;
      SkipWs(s, i);
      if (i < s.size() && s[i] == (c == '{' ? '}' : ']')) {
        ++i;
        stack.pop_back();
        state = State::kAfter;
      } else {
        state = c == '{' ? State::kKey : State::kValue;
      }
      continue;
    }
    if (!ScanScalar(s, i)) return -1;
    state = State::kAfter;
  }
}

}  // namespace eventlake
