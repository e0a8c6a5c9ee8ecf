#pragma once
// The input every micro-benchmark shares: the records of `eventlake gen --count N --seed 42`
// (N = 200000, or EVENTLAKE_BENCH_RECORDS), generated once per process, plus what the
// earlier stages made of them (validated fields, derived datetime, dedup decision), so
// each benchmark times one stage on realistic data.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "decode/verdict.h"
#include "encode/encoder.h"
#include "gen/outcome.h"
#include "sources/source.h"
#include "transform/derive.h"

namespace eventlake::bench {

// A valid record as the validator and transform saw it. Positions index Fixture::arena
// (uuid, type, subtype, fraction: the validator hands out views into its own parser).
struct ValidEvent {
  uint32_t line = 0;  // index into Fixture::lines
  uint32_t uuid_pos = 0, type_pos = 0, sub_pos = 0, frac_pos = 0;
  uint16_t uuid_len = 0, type_len = 0, sub_len = 0, frac_len = 0;
  uint32_t obj_off = 0, obj_len = 0;  // the object's place in its line (views stay in text)
  int64_t seconds = 0;
  Derived derived;
  bool written = false;  // first occurrence in the dedup window (not a duplicate)
};

struct Fixture {
  std::string text;                      // the NDJSON, then Framer::kPadding zero bytes
  size_t ndjson_bytes = 0;               // text without the padding
  std::vector<std::string_view> lines;   // into text, without '\n'; padded as Validator wants
  std::vector<uint64_t> offsets;         // byte offset of each line (the dedup token)
  std::vector<ValidEvent> valid;         // in input order
  std::vector<uint32_t> written;         // indices into valid, in input order
  uint64_t written_line_bytes = 0;       // input bytes (with '\n') of the written events
  std::string arena;
  gen::Outcome expected;                 // the generator's own account of the input

  EventFields Fields(const ValidEvent& e) const;
  uint64_t LineBytes(const ValidEvent& e) const { return lines[e.line].size() + 1; }
};

// Built on first call (a few seconds); aborts when the data does not match the
// generator's expected outcome.
const Fixture& GetFixture();

// Aborts the process with `message` when `ok` is false: a benchmark that did not do the
// work it claims must not print a number.
void BenchCheck(bool ok, const std::string& message);
void BenchCheckOk(const Status& status, const std::string& what);

// A Source over bytes in memory, handed out in reads of at most `cap` bytes.
class MemorySource final : public Source {
 public:
  explicit MemorySource(std::string_view bytes) : bytes_(bytes) {}
  Result<ReadResult> Read(char* buf, size_t cap, int timeout_ms) override;
  Status Skip(uint64_t n) override;
  const std::string& name() const override { return name_; }
  uint64_t raw_consumed() const override { return pos_; }
  std::optional<uint64_t> raw_size() const override { return bytes_.size(); }
  bool compressed() const override { return false; }

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
  std::string name_ = "memory";
};

// Counts the bytes of finished files and drops them.
class CountingSink final : public ByteSink {
 public:
  Status Write(std::string_view bytes) override {
    bytes_ += bytes.size();
    return Status::Ok();
  }
  uint64_t bytes() const { return bytes_; }

 private:
  uint64_t bytes_ = 0;
};

}  // namespace eventlake::bench
