#pragma once
// Partition directories: event_type=<value>/event_date=<YYYY-MM-DD>. The value comes
// from user data, so it is escaped until it cannot leave its directory:
//   - bytes outside [A-Za-z0-9 . _ -] and below 0x80 become %XX (upper-case hex),
//     so '/', '\\', '%', '=', ':', control characters and spaces never appear raw;
//   - UTF-8 letters (bytes >= 0x80) stay as they are (validated UTF-8 upstream);
//   - a leading '.' or '_' becomes %2E / %5F (no ".", "..", hidden or "_"-ignored dirs);
//   - "null" in any letter case gets its first letter escaped (%4EULL): engines read a
//     raw NULL partition value as SQL NULL;
//   - an escaped value longer than 200 bytes keeps its first 180 bytes (never cutting
//     an escape or a UTF-8 sequence) plus "~" and 16 hex digits of a hash of the
//     whole value, so distinct long values stay distinct ('~' is always escaped
//     elsewhere, so no short value can spell a shortened one).
// The record itself always carries the exact event_type.
#include <string>
#include <string_view>

namespace eventlake {

std::string EscapePartitionValue(std::string_view value);
std::string PartitionPath(std::string_view event_type, std::string_view event_date);

}  // namespace eventlake
