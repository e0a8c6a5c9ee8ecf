#include "core/time_util.h"

#include <charconv>
#include <chrono>
#include <cstdio>

namespace eventlake {

CivilDate CivilFromUnixDays(int64_t days) {
  // Howard Hinnant's civil_from_days, valid for the whole int64 day range we accept.
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return CivilDate{static_cast<int>(y + (m <= 2)), m, d};
}

namespace {
int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

void Put2(char* out, unsigned v) {
  out[0] = static_cast<char>('0' + v / 10);
  out[1] = static_cast<char>('0' + v % 10);
}
void Put4(char* out, int v) {
  out[0] = static_cast<char>('0' + v / 1000 % 10);
  out[1] = static_cast<char>('0' + v / 100 % 10);
  out[2] = static_cast<char>('0' + v / 10 % 10);
  out[3] = static_cast<char>('0' + v % 10);
}
}  // namespace

void FormatDate(int64_t unix_seconds, char out[10]) {
  const CivilDate c = CivilFromUnixDays(FloorDiv(unix_seconds, 86400));
  Put4(out, c.year);
  out[4] = '-';
  Put2(out + 5, c.month);
  out[7] = '-';
  Put2(out + 8, c.day);
}

void FormatDateTime(int64_t unix_seconds, char out[19]) {
  FormatDate(unix_seconds, out);
  const int64_t sod = unix_seconds - FloorDiv(unix_seconds, 86400) * 86400;
  out[10] = 'T';
  Put2(out + 11, static_cast<unsigned>(sod / 3600));
  out[13] = ':';
  Put2(out + 14, static_cast<unsigned>(sod / 60 % 60));
  out[16] = ':';
  Put2(out + 17, static_cast<unsigned>(sod % 60));
}

namespace {
std::optional<uint64_t> ParseUnsigned(std::string_view text, size_t* used) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p == text.data()) return std::nullopt;
  *used = static_cast<size_t>(p - text.data());
  return v;
}
}  // namespace

std::optional<int64_t> ParseDuration(std::string_view text) {
  size_t used = 0;
  auto v = ParseUnsigned(text, &used);
  if (!v) return std::nullopt;
  std::string_view unit = text.substr(used);
  uint64_t mul = 0;
  if (unit.empty() || unit == "s")
    mul = 1;
  else if (unit == "m")
    mul = 60;
  else if (unit == "h")
    mul = 3600;
  else if (unit == "d")
    mul = 86400;
  else
    return std::nullopt;
  if (*v > static_cast<uint64_t>(INT64_MAX) / mul) return std::nullopt;
  return static_cast<int64_t>(*v * mul);
}

std::optional<uint64_t> ParseSize(std::string_view text) {
  size_t used = 0;
  auto v = ParseUnsigned(text, &used);
  if (!v) return std::nullopt;
  std::string_view unit = text.substr(used);
  uint64_t mul = 0;
  if (unit.empty() || unit == "B")
    mul = 1;
  else if (unit == "KiB" || unit == "K")
    mul = 1ULL << 10;
  else if (unit == "MiB" || unit == "M")
    mul = 1ULL << 20;
  else if (unit == "GiB" || unit == "G")
    mul = 1ULL << 30;
  else if (unit == "KB")
    mul = 1000;
  else if (unit == "MB")
    mul = 1000ULL * 1000;
  else if (unit == "GB")
    mul = 1000ULL * 1000 * 1000;
  else
    return std::nullopt;
  if (*v > UINT64_MAX / mul) return std::nullopt;
  return *v * mul;
}

std::optional<int64_t> ParseTimePoint(std::string_view text, int64_t now) {
  if (text.starts_with("now")) {
    std::string_view rest = text.substr(3);
    if (rest.empty()) return now;
    if (rest[0] != '+' && rest[0] != '-') return std::nullopt;
    auto d = ParseDuration(rest.substr(1));
    if (!d) return std::nullopt;
    int64_t t = 0;
    if (rest[0] == '+' ? __builtin_add_overflow(now, *d, &t) : __builtin_sub_overflow(now, *d, &t)) return std::nullopt;
    return t;
  }
  if (text.size() == 10 && text[4] == '-' && text[7] == '-') {
    // Digits only: sscanf alone would accept "2022-02-1x", "2022- 2-14" or "-001-01-01".
    for (size_t i = 0; i < text.size(); ++i)
      if (i != 4 && i != 7 && (text[i] < '0' || text[i] > '9')) return std::nullopt;
    int y = 0;
    unsigned m = 0, d = 0;
    if (std::sscanf(std::string(text).c_str(), "%4d-%2u-%2u", &y, &m, &d) != 3) return std::nullopt;
    if (m < 1 || m > 12 || d < 1 || d > 31) return std::nullopt;
    using namespace std::chrono;
    const year_month_day ymd{year{y}, month{m}, day{d}};
    if (!ymd.ok()) return std::nullopt;
    return static_cast<int64_t>(sys_days{ymd}.time_since_epoch().count()) * 86400;
  }
  size_t used = 0;
  auto v = ParseUnsigned(text, &used);
  if (!v || used != text.size() || *v > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
  return static_cast<int64_t>(*v);
}

int64_t WallMicros() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

int64_t MonoMicros() {
  using namespace std::chrono;
  return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace eventlake
