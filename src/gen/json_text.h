// Appending JSON tokens to a std::string without iostreams or allocations.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace eventlake::gen {

void AppendUint(std::string& out, uint64_t value);
void AppendInt(std::string& out, int64_t value);

// Appends value / 10^decimals with exactly `decimals` digits after the point,
// e.g. (4999, 2) -> "49.99", (-5, 3) -> "-0.005".
void AppendFixed(std::string& out, int64_t scaled, int decimals);

// Appends "seconds" or "seconds.fff" with trailing zeros of the millisecond
// part trimmed, e.g. (1644838800, 250) -> "1644838800.25".
void AppendSecondsMs(std::string& out, int64_t seconds, int millis);

// Appends '"' + body + '"'; body must already be valid JSON string content.
inline void AppendQuoted(std::string& out, std::string_view body) {
  out.push_back('"');
  out.append(body);
  out.push_back('"');
}

// Appends `text` as a JSON string body, escaping '"', '\\' and control bytes.
void AppendEscaped(std::string& out, std::string_view text);

}  // namespace eventlake::gen
