#pragma once
// JSON lines: each output record is the input object, byte for byte, with
// event_type, event_subtype and created_datetime appended before its closing brace.
#include <memory>
#include <string>
#include <vector>

#include "encode/encoder.h"

namespace eventlake {

class JsonlEncoder final : public Encoder {
 public:
  explicit JsonlEncoder(Compression compression) : compression_(compression) {}
  bool Add(const EventFields& fields, const Derived& derived) override;
  // A pre-formatted line (dead letters); a newline is appended.
  void AddLine(std::string_view line);
  size_t buffered_bytes() const override;
  Status Finish(ByteSink& sink) override;
  std::string_view extension() const override;

 private:
  // Appends go to the last chunk; full chunks are never copied again (no realloc of
  // one large buffer).
  std::string& Tail();

  Compression compression_;
  std::vector<std::string> chunks_;
  size_t chunk_target_ = 0;  // size at which the last chunk is full
};

// Compresses the concatenation of `parts` as one gzip member or zstd frame into `sink`.
Status WriteCompressed(const std::vector<std::string>& parts, Compression compression, ByteSink& sink);

}  // namespace eventlake
