#pragma once
// The events inside one Kinesis record, and their source identity. A record's data
// holds one JSON event or NDJSON (several lines). Every event is named by (shard id,
// sequence number, line index): deterministic across replays, so it is the token a
// dedup claim carries (DESIGN.md, "Exactly-once").
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace eventlake::kinesis {

struct EventSlice {
  uint32_t line_index = 0;  // 0-based line of the record (blank lines count but yield nothing)
  std::string_view bytes;   // the line without its '\n' (and a trailing '\r'); valid while the data is
};

// Splits `data` at '\n'. A record without a newline is one event (line 0); a final
// newline does not start another line; blank (or whitespace-only) lines are skipped.
std::vector<EventSlice> SplitRecordEvents(std::string_view data);

// "<shard id>/<sequence number>/<line index>": the event's dedup token.
std::string SourceToken(std::string_view shard_id, std::string_view sequence_number, uint32_t line_index);

}  // namespace eventlake::kinesis
