#pragma once
// One dead-letter line (DESIGN.md: invalid records go to _errors/ with the raw bytes,
// the reason and the source position), the same shape for every source.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "decode/verdict.h"

namespace eventlake {

struct DeadLetterPosition {
  std::string_view source;           // the input path, or "kinesis://STREAM/SHARD"
  std::string_view sequence_number;  // Kinesis: the record's sequence number; empty for files
  uint64_t line = 0;                 // files: line number; Kinesis: 0-based line inside the record
  std::optional<uint64_t> offset;    // files: byte offset of the line
};

// Replaces `out` with {"reason","detail","source",["sequence_number"],"line",["offset"],
// ["raw_truncated","raw_size"],"raw"|"raw_base64"}. `full_size` > raw.size() marks a record
// cut at the size limit. Bytes that are not UTF-8 go as base64.
void FormatDeadLetter(std::string& out, Reason reason, std::string_view detail, const DeadLetterPosition& at,
                      std::string_view raw, uint64_t full_size);

}  // namespace eventlake
