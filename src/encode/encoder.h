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
  // Adds one event. Returns false only when the event cannot join this file (a Parquet
  // schema already fixed by a finished row group conflicts with it): the caller then
  // flushes this file and adds the event to a new one. Nothing is added on false.
  [[nodiscard]] virtual bool Add(const EventFields& fields, const Derived& derived) = 0;
  // Memory held for the unfinished file.
  virtual size_t buffered_bytes() const = 0;
  // Writes the whole file to `sink`; the encoder is then empty.
  virtual Status Finish(ByteSink& sink) = 0;
  // File name ending, e.g. ".jsonl.zst".
  virtual std::string_view extension() const = 0;
};

enum class Compression { kNone, kGzip, kZstd, kSnappy };

}  // namespace eventlake
