#pragma once
// Calendar and duration helpers: Unix seconds -> civil date / RFC 3339, and the
// human units the CLI accepts ("7d", "64MiB").
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace eventlake {

struct CivilDate {
  int year;
  unsigned month;
  unsigned day;
};

CivilDate CivilFromUnixDays(int64_t days);
// Writes "YYYY-MM-DD" (10 chars) into out.
void FormatDate(int64_t unix_seconds, char out[10]);
// Writes "YYYY-MM-DDTHH:MM:SS" (19 chars) into out.
void FormatDateTime(int64_t unix_seconds, char out[19]);

// "90", "90s", "15m", "2h", "7d" -> seconds.
std::optional<int64_t> ParseDuration(std::string_view text);
// "1048576", "64KiB", "64MiB", "1GiB", "64KB", "64MB" -> bytes.
std::optional<uint64_t> ParseSize(std::string_view text);
// Unix seconds ("1644838800"), a date ("2022-02-14", midnight UTC), or relative to
// `now` (Unix seconds): "now", "now+1d", "now-30d".
std::optional<int64_t> ParseTimePoint(std::string_view text, int64_t now);

// Wall clock in microseconds; injected as a function where tests need control.
int64_t WallMicros();
// Monotonic clock in microseconds.
int64_t MonoMicros();

}  // namespace eventlake
