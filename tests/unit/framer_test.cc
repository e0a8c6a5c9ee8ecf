// decode/framer: NDJSON lines with offsets and line numbers, however the bytes arrive.
#include "decode/framer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

namespace eventlake {
namespace {

// Serves `data` in reads of 1..max_chunk bytes (a fixed pattern; max_chunk 0: as much
// as fits); every `idle_every`-th call (when > 0) returns "nothing yet" (bytes 0, eof
// false) instead.
class TrickleSource final : public Source {
 public:
  explicit TrickleSource(std::string data, int idle_every = 0, size_t max_chunk = 7)
      : data_(std::move(data)), idle_every_(idle_every), max_chunk_(max_chunk) {}
  Result<ReadResult> Read(char* buf, size_t cap, int) override {
    ++calls_;
    if (idle_every_ > 0 && calls_ % idle_every_ == 0) {
      ++idle_reads_;
      return ReadResult{0, false};
    }
    if (pos_ == data_.size()) return ReadResult{0, true};
    const size_t want = max_chunk_ == 0 ? cap : 1 + (calls_ * 5 + 3) % max_chunk_;
    const size_t n = std::min({want, cap, data_.size() - pos_});
    std::memcpy(buf, data_.data() + pos_, n);
    pos_ += n;
    return ReadResult{n, false};
  }
  Status Skip(uint64_t) override { return Status::Error("not supported"); }
  const std::string& name() const override { return name_; }
  uint64_t raw_consumed() const override { return pos_; }
  std::optional<uint64_t> raw_size() const override { return data_.size(); }
  bool compressed() const override { return false; }
  int idle_reads() const { return idle_reads_; }

 private:
  std::string data_;
  int idle_every_;
  size_t max_chunk_;
  size_t pos_ = 0;
  int calls_ = 0;
  int idle_reads_ = 0;
  std::string name_ = "trickle";
};

struct OwnedLine {
  std::string bytes;
  uint64_t offset, line_no, full_size;
  bool too_large;
  bool operator==(const OwnedLine&) const = default;
};

std::ostream& operator<<(std::ostream& os, const OwnedLine& l) {
  return os << "{\"" << l.bytes.substr(0, 40) << "\" off=" << l.offset << " line=" << l.line_no
            << " size=" << l.full_size << (l.too_large ? " too_large" : "") << "}";
}

struct Framed {
  std::vector<OwnedLine> lines;
  uint64_t blank_lines = 0;
  uint64_t end_offset = 0;
  uint64_t end_line_no = 0;
  int empty_batches = 0;
};

// Runs the framer to EOF, copying each batch's lines (views die at the next Next()).
Framed FrameAll(Source& source, size_t read_size, size_t max_record, uint64_t start_offset = 0,
                uint64_t start_line = 0) {
  Framer framer(source, read_size, max_record, start_offset, start_line);
  Framed out;
  LineBatch batch;
  for (int guard = 0; guard < 1000000; ++guard) {
    Status s = framer.Next(0, batch);
    EXPECT_TRUE(s.ok()) << s.message();
    if (!s.ok()) break;
    for (const Line& l : batch.lines) {
      out.lines.push_back({std::string(l.bytes), l.offset, l.line_no, l.full_size, l.too_large});
      // The simdjson padding after a complete line must be readable (ASan would catch it).
      // Too-large prefixes go straight to the dead letters and carry no padding.
      if (!l.too_large) {
        volatile char last = l.bytes.data()[l.bytes.size() + Framer::kPadding - 1];
        (void)last;
      }
    }
    if (batch.lines.empty() && batch.blank_lines == 0 && !batch.eof) ++out.empty_batches;
    out.blank_lines += batch.blank_lines;
    EXPECT_GE(batch.end_offset, out.end_offset);
    out.end_offset = batch.end_offset;
    out.end_line_no = batch.end_line_no;
    if (batch.eof) return out;
  }
  ADD_FAILURE() << "framer never reached EOF";
  return out;
}

Framed FrameString(const std::string& data, size_t read_size = 1 << 16, size_t max_record = 1 << 16) {
  TrickleSource src(data, 0, /*max_chunk=*/0);
  return FrameAll(src, read_size, max_record);
}

TEST(FramerTest, LinesOffsetsAndLineNumbers) {
  Framed f = FrameString("a\nbb\n\nccc\n");
  ASSERT_EQ(f.lines.size(), 3u);
  EXPECT_EQ(f.lines[0], (OwnedLine{"a", 0, 1, 1, false}));
  EXPECT_EQ(f.lines[1], (OwnedLine{"bb", 2, 2, 2, false}));
  EXPECT_EQ(f.lines[2], (OwnedLine{"ccc", 6, 4, 3, false}));
  EXPECT_EQ(f.blank_lines, 1u);
  EXPECT_EQ(f.end_offset, 10u);
  EXPECT_EQ(f.end_line_no, 4u);
}

TEST(FramerTest, LastLineWithoutNewline) {
  Framed f = FrameString("x\nlast");
  ASSERT_EQ(f.lines.size(), 2u);
  EXPECT_EQ(f.lines[1], (OwnedLine{"last", 2, 2, 4, false}));
  EXPECT_EQ(f.end_offset, 6u);
  EXPECT_EQ(f.end_line_no, 2u);
}

TEST(FramerTest, EmptyInput) {
  Framed f = FrameString("");
  EXPECT_TRUE(f.lines.empty());
  EXPECT_EQ(f.blank_lines, 0u);
  EXPECT_EQ(f.end_offset, 0u);
  EXPECT_EQ(f.end_line_no, 0u);
}

TEST(FramerTest, CrlfIsStripped) {
  Framed f = FrameString("a\r\nbc\r\n\r\nd\r");
  ASSERT_EQ(f.lines.size(), 3u);
  // full_size is the raw line (with its '\r'): the byte accounting uses it.
  EXPECT_EQ(f.lines[0], (OwnedLine{"a", 0, 1, 2, false}));
  EXPECT_EQ(f.lines[1], (OwnedLine{"bc", 3, 2, 3, false}));
  EXPECT_EQ(f.lines[2], (OwnedLine{"d", 9, 4, 2, false}));
  EXPECT_EQ(f.blank_lines, 1u);
}

TEST(FramerTest, BomStrippedOnlyAtStreamStart) {
  const std::string bom = "\xEF\xBB\xBF";
  Framed f = FrameString(bom + "{}\n" + bom + "{}\n");
  ASSERT_EQ(f.lines.size(), 2u);
  EXPECT_EQ(f.lines[0], (OwnedLine{"{}", 0, 1, 5, false}));
  EXPECT_EQ(f.lines[1], (OwnedLine{bom + "{}", 6, 2, 5, false}));

  Framed only_bom = FrameString(bom + "\nx\n");
  EXPECT_EQ(only_bom.blank_lines, 1u);
  ASSERT_EQ(only_bom.lines.size(), 1u);
  EXPECT_EQ(only_bom.lines[0], (OwnedLine{"x", 4, 2, 1, false}));

  // Resuming mid-stream: offset 0 is not the start, so nothing is stripped.
  TrickleSource src(bom + "{}\n");
  Framed resumed = FrameAll(src, 1 << 16, 1 << 16, /*start_offset=*/100, /*start_line=*/7);
  ASSERT_EQ(resumed.lines.size(), 1u);
  EXPECT_EQ(resumed.lines[0], (OwnedLine{bom + "{}", 100, 8, 5, false}));
}

TEST(FramerTest, BlankLinesAreCountedNotEmitted) {
  Framed f = FrameString("x\n\n \t\n\r\ny\n   ");
  ASSERT_EQ(f.lines.size(), 2u);
  EXPECT_EQ(f.lines[0], (OwnedLine{"x", 0, 1, 1, false}));
  EXPECT_EQ(f.lines[1], (OwnedLine{"y", 8, 5, 1, false}));
  EXPECT_EQ(f.blank_lines, 4u);  // "", " \t", "\r", and the final "   "
  EXPECT_EQ(f.end_line_no, 6u);
  EXPECT_EQ(f.end_offset, 13u);
}

TEST(FramerTest, StartOffsetAndLineHonored) {
  TrickleSource src("a\nb\n");
  Framed f = FrameAll(src, 1 << 16, 1 << 16, 1000, 10);
  ASSERT_EQ(f.lines.size(), 2u);
  EXPECT_EQ(f.lines[0], (OwnedLine{"a", 1000, 11, 1, false}));
  EXPECT_EQ(f.lines[1], (OwnedLine{"b", 1002, 12, 1, false}));
  EXPECT_EQ(f.end_offset, 1004u);
  EXPECT_EQ(f.end_line_no, 12u);
}

// Reference split of `data` into non-blank lines (for inputs without '\r' or BOM).
std::vector<OwnedLine> Expected(const std::string& data, uint64_t* blanks) {
  std::vector<OwnedLine> out;
  uint64_t offset = 0, line_no = 0;
  *blanks = 0;
  while (offset < data.size()) {
    size_t end = data.find('\n', offset);
    if (end == std::string::npos) end = data.size();
    ++line_no;
    std::string line = data.substr(offset, end - offset);
    if (line.empty())
      ++*blanks;
    else
      out.push_back({line, offset, line_no, line.size(), false});
    offset = end + 1;
  }
  return out;
}

std::string ManyLines() {
  std::string data;
  for (int i = 0; i < 300; ++i) {
    data += "{\"i\":" + std::to_string(i) + ",\"pad\":\"" + std::string(i % 37, 'x') + "\"}\n";
    if (i % 11 == 0) data += "\n";
  }
  data += "{\"tail\":true}";  // no final newline
  return data;
}

TEST(FramerTest, TinyReadsGiveTheSameLines) {
  const std::string data = ManyLines();
  uint64_t blanks = 0;
  const std::vector<OwnedLine> want = Expected(data, &blanks);
  for (size_t read_size : {1, 3, 16, 4096}) {
    TrickleSource src(data);
    Framed f = FrameAll(src, read_size, 256);
    EXPECT_EQ(f.lines, want) << "read_size " << read_size;
    EXPECT_EQ(f.blank_lines, blanks);
    EXPECT_EQ(f.end_offset, data.size());
    EXPECT_EQ(f.end_line_no, want.back().line_no);
  }
}

TEST(FramerTest, NoDataYetGivesEmptyBatchesAndLosesNothing) {
  const std::string data = ManyLines();
  uint64_t blanks = 0;
  const std::vector<OwnedLine> want = Expected(data, &blanks);
  TrickleSource src(data, /*idle_every=*/3);
  Framed f = FrameAll(src, 64, 256);
  EXPECT_GT(src.idle_reads(), 0);
  EXPECT_GT(f.empty_batches, 0);
  EXPECT_EQ(f.lines, want);
  EXPECT_EQ(f.blank_lines, blanks);
  EXPECT_EQ(f.end_offset, data.size());
}

TEST(FramerTest, LineOfExactlyMaxSizeIsNotTooLarge) {
  const std::string line(100, 'a');
  Framed f = FrameString(line + "\n" + line);
  ASSERT_EQ(f.lines.size(), 2u);
  EXPECT_FALSE(f.lines[0].too_large);
  EXPECT_FALSE(f.lines[1].too_large);
  EXPECT_EQ(f.lines[1].bytes, line);
  Framed g = FrameString(line, 1 << 16, 100);
  ASSERT_EQ(g.lines.size(), 1u);
  EXPECT_FALSE(g.lines[0].too_large);
}

TEST(FramerTest, TooLargeLineInOneRead) {
  const std::string big(20, 'z');
  Framed f = FrameString("ok\n" + big + "\nafter\n", 1 << 16, /*max_record=*/8);
  ASSERT_EQ(f.lines.size(), 3u);
  EXPECT_EQ(f.lines[0], (OwnedLine{"ok", 0, 1, 2, false}));
  EXPECT_EQ(f.lines[1], (OwnedLine{big, 3, 2, 20, true}));  // prefix = the whole 20 bytes (< 1024)
  EXPECT_EQ(f.lines[2], (OwnedLine{"after", 24, 3, 5, false}));
}

TEST(FramerTest, TooLargeLineSpanningManyReads) {
  std::string big;
  for (int i = 0; i < 5000; ++i) big.push_back(static_cast<char>('a' + i % 26));
  const std::string data = "first\n" + big + "\nsecond\n" + big;  // the last one ends at EOF
  for (int idle_every : {0, 4}) {
    TrickleSource src(data, idle_every);
    Framed f = FrameAll(src, 16, /*max_record=*/2000);
    ASSERT_EQ(f.lines.size(), 4u);
    EXPECT_EQ(f.lines[0], (OwnedLine{"first", 0, 1, 5, false}));
    EXPECT_EQ(f.lines[1], (OwnedLine{big.substr(0, Framer::kTooLargePrefix), 6, 2, 5000, true}));
    EXPECT_EQ(f.lines[2], (OwnedLine{"second", 5007, 3, 6, false}));
    EXPECT_EQ(f.lines[3], (OwnedLine{big.substr(0, Framer::kTooLargePrefix), 5014, 4, 5000, true}));
    EXPECT_EQ(f.end_offset, data.size());
    EXPECT_EQ(f.end_line_no, 4u);
  }
}

TEST(FramerTest, TooLargeLastLineInOneRead) {
  Framed f = FrameString("a\n" + std::string(50, 'q'), 1 << 16, 10);
  ASSERT_EQ(f.lines.size(), 2u);
  EXPECT_EQ(f.lines[1], (OwnedLine{std::string(50, 'q'), 2, 2, 50, true}));
  EXPECT_EQ(f.end_offset, 52u);
}

TEST(FramerTest, TooLargePrefixDoesNotDependOnReadBoundaries) {
  // The prefix starts being kept when the line passes the limit (here after ~10 bytes),
  // yet it must come out as the same min(1024, size) bytes for any split of the input.
  std::string big;
  for (int i = 0; i < 1500; ++i) big.push_back(static_cast<char>('A' + i % 26));
  for (size_t chunk : {1, 2, 3, 7}) {
    for (const std::string& line : {big.substr(0, 50), big}) {
      TrickleSource src("a\n" + line + "\nb", 0, chunk);
      Framed f = FrameAll(src, 5, /*max_record=*/10);
      ASSERT_EQ(f.lines.size(), 3u);
      EXPECT_EQ(f.lines[1], (OwnedLine{line.substr(0, 1024), 2, 2, line.size(), true})) << "chunk " << chunk;
      EXPECT_EQ(f.lines[2], (OwnedLine{"b", 3 + line.size(), 3, 1, false}));
    }
  }
}

TEST(FramerTest, TooLargeLineEndingExactlyAtEof) {
  // The oversized line is being skipped when the source reports EOF with no bytes.
  const std::string big(3000, 'b');
  TrickleSource src(big + "\n" + big);
  Framed f = FrameAll(src, 7, 1024);
  ASSERT_EQ(f.lines.size(), 2u);
  EXPECT_EQ(f.lines[0], (OwnedLine{big.substr(0, 1024), 0, 1, 3000, true}));
  EXPECT_EQ(f.lines[1], (OwnedLine{big.substr(0, 1024), 3001, 2, 3000, true}));
  EXPECT_EQ(f.end_offset, 6001u);
}

class FailingSource final : public Source {
 public:
  Result<ReadResult> Read(char*, size_t, int) override { return Status::Error("device gone"); }
  Status Skip(uint64_t) override { return Status::Ok(); }
  const std::string& name() const override { return name_; }
  uint64_t raw_consumed() const override { return 0; }
  std::optional<uint64_t> raw_size() const override { return std::nullopt; }
  bool compressed() const override { return false; }

 private:
  std::string name_ = "failing";
};

TEST(FramerTest, SourceErrorsPropagate) {
  FailingSource src;
  Framer framer(src, 64, 64, 0, 0);
  LineBatch batch;
  Status s = framer.Next(0, batch);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "device gone");
}

}  // namespace
}  // namespace eventlake
