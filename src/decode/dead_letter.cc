#include "decode/dead_letter.h"

#include "core/json_write.h"

namespace eventlake {

void FormatDeadLetter(std::string& d, Reason reason, std::string_view detail, const DeadLetterPosition& at,
                      std::string_view raw, uint64_t full_size) {
  d.assign("{\"reason\":\"");
  d += ReasonName(reason);
  d += "\",\"detail\":";
  AppendJsonString(d, detail);
  d += ",\"source\":";
  AppendJsonString(d, at.source);
  if (!at.sequence_number.empty()) {
    d += ",\"sequence_number\":";
    AppendJsonString(d, at.sequence_number);
  }
  d += ",\"line\":" + std::to_string(at.line);
  if (at.offset) d += ",\"offset\":" + std::to_string(*at.offset);
  if (full_size > raw.size()) d += ",\"raw_truncated\":true,\"raw_size\":" + std::to_string(full_size);
  if (IsValidUtf8(raw)) {
    d += ",\"raw\":";
    AppendJsonString(d, raw);
  } else {
    d += ",\"raw_base64\":\"";
    AppendBase64(d, raw);
    d += "\"";
  }
  d += "}";
}

}  // namespace eventlake
