#pragma once
// NDJSON framing: splits a Source's bytes into lines without copying, keeping each
// line's byte offset and line number (the checkpoint and dead-letter position).
// Lines longer than the record limit are never held whole: their first bytes are kept
// for the dead letter and the rest is streamed past.
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "sources/source.h"

namespace eventlake {

struct Line {
  std::string_view bytes;  // without the newline, a trailing '\r', or a leading BOM
  uint64_t offset = 0;     // byte offset of the line start in the (decompressed) stream
  uint64_t line_no = 0;    // 1-based
  uint64_t full_size = 0;  // size of the whole line; > bytes.size() when too large
  bool too_large = false;  // bytes holds only a prefix
};

struct LineBatch {
  std::vector<Line> lines;  // non-blank lines, in order; valid until the next Next()
  uint64_t blank_lines = 0;
  uint64_t end_offset = 0;   // stream offset just past the last line in this batch
  uint64_t end_line_no = 0;  // line number of the last line consumed
  bool eof = false;
};

class Framer {
 public:
  // Bytes after every line view up to `kPadding` stay readable (simdjson needs that).
  static constexpr size_t kPadding = 64;
  static constexpr size_t kTooLargePrefix = 1024;

  Framer(Source& source, size_t read_size, size_t max_record_size, uint64_t start_offset, uint64_t start_line_no);

  // Reads more input and returns the next complete lines. An empty batch with
  // eof == false means nothing arrived within timeout_ms.
  Status Next(int timeout_ms, LineBatch& batch);

 private:
  void EmitLine(const char* begin, size_t len, LineBatch& batch);
  void ExtendSkipPrefix(const char* begin, size_t len);

  Source& source_;
  size_t read_size_;
  size_t max_record_size_;
  std::vector<char> buf_;
  size_t len_ = 0;       // bytes held in buf_
  uint64_t buf_offset_;  // stream offset of buf_[0]
  uint64_t line_no_;     // lines consumed so far
  bool eof_ = false;
  size_t pending_move_from_ = 0;  // consumed prefix of buf_ to drop on the next call
  // Skipping an oversized line: its prefix and size so far.
  bool skipping_ = false;
  std::string skip_prefix_;
  uint64_t skip_offset_ = 0;
  uint64_t skip_size_ = 0;
  std::deque<std::string> held_prefixes_;  // storage for too-large prefixes of this batch
};

}  // namespace eventlake
