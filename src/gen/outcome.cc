#include "gen/outcome.h"

#include <algorithm>
#include <utility>

#include "gen/json_text.h"

namespace eventlake::gen {

std::string_view InvalidReasonName(InvalidReason reason) {
  static constexpr std::string_view kNames[kInvalidReasonCount] = {
      "malformed_json", "not_an_object",           "missing_field",    "empty_field",   "wrong_type",
      "bad_event_name", "created_at_out_of_range", "trailing_content", "duplicate_key", "reserved_field",
      "invalid_utf8",   "record_too_large",
  };
  return kNames[static_cast<size_t>(reason)];
}

std::string Outcome::ToJson() const {
  std::string out;
  const std::pair<std::string_view, uint64_t> counts[] = {
      {"records", records},       {"blank_lines", blank_lines}, {"written", written},
      {"duplicates", duplicates}, {"invalid", invalid},
  };
  out.push_back('{');
  for (const auto& [name, value] : counts) {
    AppendQuoted(out, name);
    out.push_back(':');
    AppendUint(out, value);
    out.push_back(',');
  }
  std::map<std::string_view, uint64_t> reasons;
  for (size_t r = 0; r < kInvalidReasonCount; ++r) {
    if (invalid_by_reason[r] != 0) {
      reasons[InvalidReasonName(static_cast<InvalidReason>(r))] = invalid_by_reason[r];
    }
  }
  out.append("\n \"invalid_by_reason\":{");
  bool first = true;
  for (const auto& [name, value] : reasons) {
    if (!first) out.push_back(',');
    first = false;
    AppendQuoted(out, name);
    out.push_back(':');
    AppendUint(out, value);
  }
  out.append("},\n \"partitions\":{");
  first = true;
  static constexpr char kHex[] = "0123456789abcdef";
  for (const auto& [key, stats] : partitions) {
    out.append(first ? "\n  " : ",\n  ");
    first = false;
    out.push_back('"');
    AppendEscaped(out, key);
    out.append("\":{\"events\":");
    AppendUint(out, stats.events);
    out.append(",\"uuid_hash\":\"");
    for (int shift = 60; shift >= 0; shift -= 4) {
      out.push_back(kHex[(stats.uuid_hash >> shift) & 0xf]);
    }
    out.append("\"}");
  }
  out.append(partitions.empty() ? "}}\n" : "\n }}\n");
  return out;
}

bool DedupSimulator::Offer(uint64_t uuid_id, int64_t created_at) {
  watermark_ = std::max(watermark_, created_at);
  if (uuid_id >= claimed_at_.size()) claimed_at_.resize(uuid_id + 1, kNoClaim);
  uint32_t& claim = claimed_at_[uuid_id];
  if (claim != kNoClaim && static_cast<int64_t>(claim) + window_ >= watermark_) {
    return false;
  }
  claim = static_cast<uint32_t>(watermark_);
  return true;
}

}  // namespace eventlake::gen
