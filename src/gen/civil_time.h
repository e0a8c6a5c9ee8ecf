// UTC calendar arithmetic and the duration / start-time flag syntax.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace eventlake::gen {

inline constexpr int64_t kSecondsPerDay = 86400;

// Days since 1970-01-01 for a proleptic Gregorian date.
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);

// Writes "YYYY-MM-DD" for a day number (days since the epoch, >= 0 and before
// year 10000) into out[0, 10).
void FormatDate(int64_t day, char* out);
std::string DateString(int64_t day);

// "1644796800" (Unix seconds) or "2022-02-14" (midnight UTC).
std::optional<int64_t> ParseStartTime(std::string_view text);

// "3600", "90s", "15m", "12h", "3d", "2w" -> seconds.
std::optional<int64_t> ParseDuration(std::string_view text);

}  // namespace eventlake::gen
