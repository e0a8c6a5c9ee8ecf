#pragma once
// An Encoder turns a partition's events into one file's bytes. Events accumulate in
// memory (counted against the global budget) until the flush policy finishes the file.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "decode/verdict.h"
#include "transform/derive.h"

namespace eventlake {

// Where finished bytes go (a staged file).
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual Status Write(std::string_view bytes) = 0;
};

class Encoder {
 public:
  virtual ~Encoder() = default;
  virtual void Add(const EventFields& fields, const Derived& derived) = 0;
  // Memory held for the unfinished file.
  virtual size_t buffered_bytes() const = 0;
  // Writes the whole file to `sink`; the encoder is then empty.
  virtual Status Finish(ByteSink& sink) = 0;
  // File name ending, e.g. ".jsonl.zst".
  virtual std::string_view extension() const = 0;
};

enum class Compression { kNone, kGzip, kZstd };

}  // namespace eventlake
