#pragma once
// JSON lines: each output record is the input object, byte for byte, with
// event_type, event_subtype and created_datetime appended before its closing brace.
#include <memory>

#include "encode/encoder.h"

namespace eventlake {

class JsonlEncoder final : public Encoder {
 public:
  explicit JsonlEncoder(Compression compression) : compression_(compression) {}
  bool Add(const EventFields& fields, const Derived& derived) override;
  // A pre-formatted line (dead letters); a newline is appended.
  void AddLine(std::string_view line);
  size_t buffered_bytes() const override { return buf_.capacity(); }
  Status Finish(ByteSink& sink) override;
  std::string_view extension() const override;

 private:
  Compression compression_;
  std::string buf_;
};

// Compresses `data` as one gzip member or zstd frame, streaming into `sink`.
Status WriteCompressed(std::string_view data, Compression compression, ByteSink& sink);

}  // namespace eventlake
