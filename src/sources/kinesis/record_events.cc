#include "sources/kinesis/record_events.h"

namespace eventlake::kinesis {
namespace {

bool IsBlank(std::string_view s) {
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

}  // namespace

std::vector<EventSlice> SplitRecordEvents(std::string_view data) {
  std::vector<EventSlice> out;
  uint32_t line = 0;
  size_t pos = 0;
  while (pos < data.size()) {
    size_t end = data.find('\n', pos);
    if (end == std::string_view::npos) end = data.size();
    std::string_view text = data.substr(pos, end - pos);
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (!IsBlank(text)) out.push_back({line, text});
    ++line;
    pos = end + 1;
  }
  return out;
}

std::string SourceToken(std::string_view shard_id, std::string_view sequence_number, uint32_t line_index) {
  std::string out;
  out.reserve(shard_id.size() + sequence_number.size() + 12);
  out.append(shard_id).push_back('/');
  out.append(sequence_number).push_back('/');
  out.append(std::to_string(line_index));
  return out;
}

}  // namespace eventlake::kinesis
