#include "gen/civil_time.h"

#include <limits>

namespace eventlake::gen {
namespace {

// Parses a non-empty run of decimal digits; nullopt on overflow or non-digit.
std::optional<int64_t> ParseDigits(std::string_view text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

bool IsLeapYear(int64_t year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

}  // namespace

// Howard Hinnant's days_from_civil.
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day) {
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto yoe = static_cast<unsigned>(year - era * 400);
  const unsigned doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void FormatDate(int64_t day, char* out) {
  const int64_t z = day + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const auto y = static_cast<unsigned>(static_cast<int64_t>(yoe) + era * 400 + (m <= 2));
  const unsigned parts[3] = {y, m, d};
  const int widths[3] = {4, 2, 2};
  int n = 0;
  for (int p = 0; p < 3; ++p) {
    if (p > 0) out[n++] = '-';
    unsigned value = parts[p];
    for (int i = widths[p] - 1; i >= 0; --i) {
      out[n + i] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
    n += widths[p];
  }
}

std::string DateString(int64_t day) {
  std::string date(10, '\0');
  FormatDate(day, date.data());
  return date;
}

std::optional<int64_t> ParseStartTime(std::string_view text) {
  if (text.size() == 10 && text[4] == '-' && text[7] == '-') {
    const auto year = ParseDigits(text.substr(0, 4));
    const auto month = ParseDigits(text.substr(5, 2));
    const auto day = ParseDigits(text.substr(8, 2));
    if (!year || !month || !day || *month < 1 || *month > 12 || *day < 1) {
      return std::nullopt;
    }
    static constexpr int kDaysInMonth[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const int64_t limit = kDaysInMonth[*month - 1] + (*month == 2 && IsLeapYear(*year) ? 1 : 0);
    if (*day > limit) return std::nullopt;
    return DaysFromCivil(*year, static_cast<unsigned>(*month), static_cast<unsigned>(*day)) * kSecondsPerDay;
  }
  return ParseDigits(text);
}

std::optional<int64_t> ParseDuration(std::string_view text) {
  int64_t unit = 1;
  if (!text.empty() && (text.back() < '0' || text.back() > '9')) {
    switch (text.back()) {
      case 's':
        unit = 1;
        break;
      case 'm':
        unit = 60;
        break;
      case 'h':
        unit = 3600;
        break;
      case 'd':
        unit = kSecondsPerDay;
        break;
      case 'w':
        unit = 7 * kSecondsPerDay;
        break;
      default:
        return std::nullopt;
    }
    text.remove_suffix(1);
  }
  const auto value = ParseDigits(text);
  if (!value || *value > std::numeric_limits<int64_t>::max() / unit) {
    return std::nullopt;
  }
  return *value * unit;
}

}  // namespace eventlake::gen
