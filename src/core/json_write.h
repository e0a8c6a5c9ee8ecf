#pragma once
// Small JSON-writing helpers for output records, dead letters and reports.
#include <cstdint>
#include <string>
#include <string_view>

namespace eventlake {

// Appends `s` as a JSON string literal (with quotes). `s` must be valid UTF-8.
void AppendJsonString(std::string& out, std::string_view s);
// Appends the standard base64 encoding of `bytes`.
void AppendBase64(std::string& out, std::string_view bytes);
// True when `bytes` is well-formed UTF-8.
bool IsValidUtf8(std::string_view bytes);

}  // namespace eventlake
